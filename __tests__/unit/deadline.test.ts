import { describe, expect, it } from '@jest/globals'
import {
  attemptTimeoutMs,
  commentWriteLimitMs,
  exportDeadline,
  MAX_ATTEMPT_TIMEOUT_MS,
  MIN_ATTEMPT_TIMEOUT_MS
} from '../../src/deadline.js'

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

describe('commentWriteLimitMs', () => {
  const now = 1_000_000
  it('is one attempt’s time while the deadline is far or unknown', () => {
    expect(commentWriteLimitMs(undefined, undefined, now)).toBe(15_000)
    expect(commentWriteLimitMs(600, now + 500_000, now)).toBe(15_000)
    expect(commentWriteLimitMs(12, now + 10_000, now)).toBe(3_000)
  })

  it('near or past the deadline: what is left of the grace, never under the minimum', () => {
    expect(commentWriteLimitMs(600, now + 1_000, now)).toBe(4_000)
    expect(commentWriteLimitMs(600, now - 500, now)).toBe(2_500)
    expect(commentWriteLimitMs(600, now - 2_000, now)).toBe(MIN_ATTEMPT_TIMEOUT_MS)
    expect(commentWriteLimitMs(600, now - 60_000, now)).toBe(MIN_ATTEMPT_TIMEOUT_MS)
  })
})

describe('exportDeadline', () => {
  const now = 1_000_000
  it('is the deadline plus the grace, at least one short attempt from now', () => {
    expect(exportDeadline(undefined, now)).toBeUndefined()
    expect(exportDeadline(now + 60_000, now)).toBe(now + 63_000)
    // An approval in the grace still gets a short attempt at the portal.
    expect(exportDeadline(now - 2_000, now)).toBe(now + MIN_ATTEMPT_TIMEOUT_MS)
  })
})
