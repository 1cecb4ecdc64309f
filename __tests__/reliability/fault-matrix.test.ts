// The fault matrix end to end (issue 6, item 4): see fault-matrix.ts for the rules and the tables.
// All cases run first, a few at a time, then each is reported as its own test.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { CASE_BOUND_MS, faultCases, runFaultCase, type CaseResult } from './fault-matrix.js'
import { concurrency, inPool } from './support.js'

const cases = faultCases()
const results = new Map<string, CaseResult>()

beforeAll(async () => {
  const done = await inPool(cases, concurrency(), runFaultCase)
  for (const result of done) results.set(result.name, result)
}, 240_000)

describe('every fault on every endpoint ends approved, or as one error line naming endpoint and cause, in time', () => {
  it('covers every endpoint with transient, persistent and permanent faults', () => {
    const endpoints = new Set(cases.map((testCase) => testCase.endpoint.operation))
    for (const endpoint of endpoints) {
      const kinds = new Set(cases.filter((c) => c.endpoint.operation === endpoint).map((c) => (c.row.expect.outcome === 'approved' ? 'transient' : c.row.expect.retried ? 'persistent' : 'permanent')))
      expect([endpoint, [...kinds].sort()]).toEqual([endpoint, ['permanent', 'persistent', 'transient']])
    }
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  it.each(cases.map((testCase) => [testCase.name]))('%s', (name) => {
    const result = results.get(name)
    expect(result).toBeDefined()
    expect(result!.problems).toEqual([])
    expect(result!.durationMs).toBeLessThanOrEqual(CASE_BOUND_MS)
  })
})
