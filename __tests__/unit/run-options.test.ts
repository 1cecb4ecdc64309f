// The process's arguments (src/index.ts): the harness's one option, and nothing else.
import { describe, expect, it } from '@jest/globals'
import { runOptionsFrom } from '../../src/flow/prepare.js'

describe('runOptionsFrom', () => {
  it('gives no options for no arguments, as the runner starts the action', () => {
    expect(runOptionsFrom([])).toEqual({})
  })

  it('reads --cache-limit-ms, in either spelling', () => {
    expect(runOptionsFrom(['--cache-limit-ms=2000'])).toEqual({ cacheLimitMs: 2_000 })
    expect(runOptionsFrom(['--cache-limit-ms', '1'])).toEqual({ cacheLimitMs: 1 })
  })

  it.each([['0'], ['-5'], ['1.5'], ['2s'], [''], ['99999999']])('refuses --cache-limit-ms=%s', (value) => {
    expect(() => runOptionsFrom([`--cache-limit-ms=${value}`])).toThrow(
      `--cache-limit-ms takes a whole number of milliseconds, not '${value}'`
    )
  })

  it('refuses any other argument', () => {
    expect(() => runOptionsFrom(['--deadline=1'])).toThrow(/Unknown option '--deadline'/)
    expect(() => runOptionsFrom(['positional'])).toThrow(/positional/)
  })
})
