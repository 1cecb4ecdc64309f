// Cancellation at every stage (issue 6, item 6), end to end: the table and its rules are in
// cancellation.ts; every row runs first, a few at a time, then each is reported as its own test.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { cancelCases, EXIT_WITHIN_MS, runCancelCase, type CancelResult } from './cancellation.js'
import { concurrency, hasStackTrace, inPool } from './support.js'

const cases = cancelCases()
const observed: CancelResult[] = []

beforeAll(async () => {
  observed.push(...(await inPool(cases, concurrency(), runCancelCase)))
}, 120_000)

describe('cancelled at every stage: no further AWS call, outcome cancelled, exit within 2 s', () => {
  it.each(cases.map((testCase, index) => [testCase.stage.name, testCase.stage.hold, testCase.signal, index] as const))(
    '%s (%s), %s',
    (_stage, _hold, signal, index) => {
      const { run, exitMs, after, leaks } = observed[index]!
      // What the action logged about retries, should a late request need explaining.
      expect({ after, retries: run.stdout.split('\n').filter((line) => /trying again|polling again/.test(line)) }).toEqual({
        after: [],
        retries: []
      })
      expect(exitMs).toBeLessThanOrEqual(EXIT_WITHIN_MS)
      expect(run.signal).toBeNull()
      expect(run.code).toBe(1)
      expect(run.outputs.outcome).toBe('cancelled')
      expect(run.errors).toHaveLength(1)
      expect(run.errors[0]).toMatch(/^The run was cancelled/)
      expect(run.stdout).toContain(`Received ${signal}`)
      expect(run.summary).toContain('<code>cancelled</code>')
      expect(hasStackTrace(run)).toBe(false)
      expect(leaks).toEqual([])
    }
  )
})
