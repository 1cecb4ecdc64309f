// The fault matrix end to end (issue 6, item 4): see fault-matrix.ts for the rules and the tables.
// All cases run first, a few at a time and the longest first, then each is reported as its own test.
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
  type CaseResult,
  type FaultCase
} from './fault-matrix.js'
import { concurrency, inPool } from './support.js'

const cases = allFaultCases()
const results = new Map<string, CaseResult>()

/**
 * How many cases run at once (RELIABILITY_CONCURRENCY overrides): each mostly waits (backoff,
 * hangs, `timeout`). At six on a machine loaded far past its two cores, the slowest case still
 * ended 1.3 s inside its bound.
 */
const MATRIX_CONCURRENCY = 6

/**
 * Roughly how long a case takes, to start the longest first: a pool that ends with one long case
 * running alone wastes its other places. A persistent AWS fault waits out `timeout`, a hang or a
 * late answer one attempt's timeout, a post step case runs a main step first.
 */
function expectedSeconds(testCase: FaultCase): number {
  const mainStepFirst = testCase.step === 'post' ? 2 : 0
  if (testCase.service === 'aws' && /always|ever/.test(testCase.fault)) return mainStepFirst + 6
  if (/hang|late|timeout/.test(testCase.fault)) return mainStepFirst + 3
  return mainStepFirst + 1
}

beforeAll(async () => {
  const longestFirst = [...cases].sort((a, b) => expectedSeconds(b) - expectedSeconds(a))
  const done = await inPool(longestFirst, concurrency(MATRIX_CONCURRENCY), runFaultCase)
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
