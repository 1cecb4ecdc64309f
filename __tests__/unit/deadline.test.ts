import { describe, expect, it } from '@jest/globals'
import { attemptTimeoutMs, MAX_ATTEMPT_TIMEOUT_MS, MIN_ATTEMPT_TIMEOUT_MS } from '../../src/deadline.js'

describe('attemptTimeoutMs', () => {
  it('is 15 s without a timeout input', () => {
    expect(attemptTimeoutMs(undefined)).toBe(MAX_ATTEMPT_TIMEOUT_MS)
  })

  it.each([
    [1, MIN_ATTEMPT_TIMEOUT_MS],
    [4, MIN_ATTEMPT_TIMEOUT_MS],
    [12, 3_000],
    [30, 7_500],
    [60, MAX_ATTEMPT_TIMEOUT_MS],
    [3600, MAX_ATTEMPT_TIMEOUT_MS]
  ])('timeout %i s → %i ms per attempt: a quarter, between 2 and 15 s', (timeoutSeconds, expected) => {
    expect(attemptTimeoutMs(timeoutSeconds)).toBe(expected)
  })
})
