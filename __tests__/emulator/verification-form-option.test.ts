// `--verification-form`: the emulator answers in today's AWS form unless told to use the legacy one.
import { describe, expect, it } from '@jest/globals'
import { parseCliOptions, UsageError } from '../../emulator/cli-options.js'

describe('--verification-form', () => {
  it('is absent by default, so the emulator answers in the current form', () => {
    expect(parseCliOptions([]).options.verificationForm).toBeUndefined()
  })

  it.each(['current', 'legacy'] as const)('takes %s', (form) => {
    expect(parseCliOptions(['--verification-form', form]).options.verificationForm).toBe(form)
  })

  it('refuses another value, naming the ones it takes', () => {
    expect(() => parseCliOptions(['--verification-form', 'device'])).toThrow(
      new UsageError('--verification-form must be current or legacy, got "device"')
    )
  })
})
