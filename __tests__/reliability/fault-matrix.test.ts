// The fault matrix end to end (issue 6, item 4): see fault-matrix.ts for the rules and the tables.
// All cases run first, a few at a time, then each is reported as its own test.
import { beforeAll, describe, expect, it } from '@jest/globals'
import {
  allFaultCases,
  CACHE_FAULTS,
  CACHE_STEPS,
  CASE_BOUND_MS,
  GITHUB_FAULTS,
  GITHUB_STEPS,
  POST_BOUND_MS,
  runFaultCase,
  type CaseResult
} from './fault-matrix.js'
import { concurrency, inPool } from './support.js'

const cases = allFaultCases()
const results = new Map<string, CaseResult>()

beforeAll(async () => {
  const done = await inPool(cases, concurrency(), runFaultCase)
  for (const result of done) results.set(result.name, result)
}, 300_000)

describe('every fault on every endpoint ends approved, or as one error line naming endpoint and cause, in time', () => {
  it('covers every AWS endpoint with transient, persistent and permanent faults, every cache step and GitHub route with every fault of its fake', () => {
    const aws = cases.filter((testCase) => testCase.service === 'aws' && testCase.step === 'main')
    for (const endpoint of new Set(aws.map((testCase) => testCase.endpoint))) {
      const kinds = new Set(
        aws
          .filter((testCase) => testCase.endpoint === endpoint)
          .map(({ expect: expected }) => (expected.outcome === 'error' ? (expected.retried ? 'persistent' : 'permanent') : 'transient'))
      )
      expect([endpoint, [...kinds].sort()]).toEqual([endpoint, ['permanent', 'persistent', 'transient']])
    }
    const cache = cases.filter((testCase) => testCase.service === 'actions cache')
    expect(cache).toHaveLength(CACHE_STEPS.length * CACHE_FAULTS.length)
    expect(cases.filter((testCase) => testCase.service === 'github')).toHaveLength(GITHUB_STEPS.length * GITHUB_FAULTS.length)
    expect(new Set(cases.filter((testCase) => testCase.step === 'post').map((testCase) => testCase.expect.outcome))).toEqual(
      new Set(['revoked', 'revocation warned'])
    )
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  it.each(cases.map((testCase) => [testCase.name, testCase.step] as const))('%s (%s step)', (name, step) => {
    const result = results.get(name)
    expect(result).toBeDefined()
    expect(result!.problems).toEqual([])
    expect(result!.durationMs).toBeLessThanOrEqual(step === 'main' ? CASE_BOUND_MS : POST_BOUND_MS)
  })
})
