import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { AwsServiceError, MalformedResponseError, NetworkError, RequestTimeoutError } from '../../src/oidc/errors.js'
import type { TokenSet } from '../../src/oidc/types.js'
import { classifyPollError, pollForToken, type PollOptions, type PollResult } from '../../src/poll.js'
import { FakeClock } from './poll-fake-clock.js'

const ENDPOINT = 'https://oidc.us-east-1.amazonaws.com/token'
const START = Date.UTC(2026, 0, 1)
const MINUTE = 60_000

function oidcError(code: string, oauthError: string | undefined, status = 400, extra: { retryAfterMs?: number } = {}): AwsServiceError {
  return new AwsServiceError({ operation: 'CreateToken', endpoint: ENDPOINT, code, oauthError, status, ...extra })
}
const pending = () => oidcError('AuthorizationPendingException', 'authorization_pending')
const slowDown = () => oidcError('SlowDownException', 'slow_down')
const denied = () => oidcError('AccessDeniedException', 'access_denied')
const expiredToken = () => oidcError('ExpiredTokenException', 'expired_token')
const serverError = () => oidcError('InternalServerException', 'server_error', 500)
const refused = () => new NetworkError('CreateToken', ENDPOINT, 'connection refused (ECONNREFUSED)')
const timedOut = () => new RequestTimeoutError('CreateToken', ENDPOINT, 15_000)

function token(n = 1): TokenSet {
  return { accessToken: `access-${n}`, tokenType: 'Bearer', expiresIn: 3600, expiresAt: START + 3_600_000 }
}

type Answer = TokenSet | Error | 'hang'

/** A CreateToken fake answering from a script; records each call's time relative to START. */
function scripted(clock: FakeClock, answers: Answer[], latencyMs = 0) {
  const calls: number[] = []
  const signals: AbortSignal[] = []
  let index = 0
  const createToken = async (signal: AbortSignal): Promise<TokenSet> => {
    calls.push(clock.now() - START)
    signals.push(signal)
    const answer = answers[Math.min(index++, answers.length - 1)]!
    if (answer === 'hang') return new Promise<TokenSet>(() => {}) // ignores its signal on purpose
    // A real request gives up when its signal aborts; so does the simulated latency.
    if (latencyMs > 0) await clock.sleep(latencyMs, signal)
    if (answer instanceof Error) throw answer
    return answer
  }
  return { createToken, calls, signals }
}

function poll(clock: FakeClock, options: Omit<PollOptions, 'clock' | 'codeExpiresAt'> & { codeExpiresAt?: number }): Promise<PollResult> {
  return clock.run(pollForToken({ codeExpiresAt: START + 10 * MINUTE, ...options, clock }))
}

describe('pollForToken: RFC 8628 answers', () => {
  it('waits the interval before every poll, including the first, and returns the token when approved', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending(), pending(), token(7)])
    const result = await poll(clock, { createToken: script.createToken, interval: 5 })
    expect(result).toEqual({ outcome: 'approved', token: token(7), polls: 3, slowDowns: 0, transientErrors: 0 })
    expect(script.calls).toEqual([5_000, 10_000, 15_000])
    expect(clock.pendingTimers).toBe(0)
  })

  it('uses the interval AWS sent', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending(), token()])
    await poll(clock, { createToken: script.createToken, interval: 2 })
    expect(script.calls).toEqual([2_000, 4_000])
  })

  it('falls back to 5 s when the interval is not positive', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending(), token()])
    await poll(clock, { createToken: script.createToken, interval: 0 })
    expect(script.calls).toEqual([5_000, 10_000])
  })

  it('adds 5 s to this and every later wait on each slow_down', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending(), slowDown(), pending(), slowDown(), pending(), token()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5 })
    // gaps: 5 | 5 | slow_down → 10 | 10 | slow_down → 15 | 15
    expect(script.calls).toEqual([5_000, 10_000, 20_000, 30_000, 45_000, 60_000])
    expect(result).toMatchObject({ outcome: 'approved', polls: 6, slowDowns: 2 })
  })

  it('ends as denied on access_denied', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending(), denied()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5 })
    expect(result).toEqual({ outcome: 'denied', polls: 2, slowDowns: 0, transientErrors: 0 })
  })

  it('ends as expired on expired_token', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending(), expiredToken()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5 })
    expect(result).toEqual({ outcome: 'expired', polls: 2, slowDowns: 0, transientErrors: 0 })
  })

  it('recognises the answers by shape name or by OAuth code alone', () => {
    expect(classifyPollError(oidcError('AuthorizationPendingException', undefined))).toBe('pending')
    expect(classifyPollError(oidcError('UnknownError', 'authorization_pending'))).toBe('pending')
    expect(classifyPollError(oidcError('SlowDownException', undefined))).toBe('slow-down')
    expect(classifyPollError(oidcError('UnknownError', 'access_denied'))).toBe('denied')
    expect(classifyPollError(oidcError('ExpiredTokenException', undefined))).toBe('expired')
    expect(classifyPollError(oidcError('InvalidClientException', 'invalid_client', 401))).toBe('fatal')
    expect(classifyPollError(serverError())).toBe('transient')
    expect(classifyPollError(oidcError('TooManyRequestsException', undefined, 429))).toBe('transient')
    expect(classifyPollError(refused())).toBe('transient')
    expect(classifyPollError(new Error('boom'))).toBe('fatal')
  })
})

describe('pollForToken: deadline', () => {
  it("ends as expired when the code's expiry binds, without sleeping past it", async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, codeExpiresAt: START + 12_000 })
    expect(result).toEqual({ outcome: 'expired', polls: 2, slowDowns: 0, transientErrors: 0 })
    expect(script.calls).toEqual([5_000, 10_000])
    // the next poll (15 s) would not fit: it ends at once instead of idling to the deadline
    expect(clock.now() - START).toBe(10_000)
  })

  it('still makes a poll that lands exactly on the deadline', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, codeExpiresAt: START + 10_000 })
    expect(script.calls).toEqual([5_000, 10_000])
    expect(result.outcome).toBe('expired')
  })

  it('ends as timed-out when the timeout input is earlier than the code expiry', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, timeoutAt: START + 17_000 })
    expect(result).toEqual({ outcome: 'timed-out', polls: 3, slowDowns: 0, transientErrors: 0 })
    expect(script.calls).toEqual([5_000, 10_000, 15_000])
  })

  it('ends as expired when the timeout input is later than the code expiry', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [pending()])
    const result = await poll(clock, {
      createToken: script.createToken,
      interval: 5,
      codeExpiresAt: START + 11_000,
      timeoutAt: START + MINUTE
    })
    expect(result.outcome).toBe('expired')
    expect(script.calls).toEqual([5_000, 10_000])
  })

  it('makes no poll when not even one interval fits', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [token()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, timeoutAt: START + 4_000 })
    expect(result).toEqual({ outcome: 'timed-out', polls: 0, slowDowns: 0, transientErrors: 0 })
    expect(script.calls).toEqual([])
  })

  it('cuts off a hung poll at the deadline plus the grace, and aborts it', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, ['hang'])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, timeoutAt: START + 5_000, deadlineGraceMs: 2_000 })
    expect(result).toEqual({ outcome: 'timed-out', polls: 1, slowDowns: 0, transientErrors: 0 })
    expect(clock.now() - START).toBe(7_000)
    expect(script.signals[0]!.aborted).toBe(true)
  })

  it('counts slow request latency against the deadline', async () => {
    const clock = new FakeClock(START)
    // each poll takes 4 s to answer: 5 wait + 4 → 9, +5 → 14 + 4 → 18; a third poll at 23 > 20
    const script = scripted(clock, [pending()], 4_000)
    const result = await poll(clock, { createToken: script.createToken, interval: 5, codeExpiresAt: START + 20_000 })
    expect(script.calls).toEqual([5_000, 14_000])
    expect(result.outcome).toBe('expired')
    expect(clock.now() - START).toBeLessThanOrEqual(20_000)
  })
})

describe('pollForToken: transient failures', () => {
  it('retries network errors and 5xx, never faster than the interval, with growing backoff', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [refused(), serverError(), refused(), serverError(), refused(), token()])
    const retries: number[] = []
    const result = await poll(clock, {
      createToken: script.createToken,
      interval: 5,
      random: () => 0.99,
      onTransientError: (_error, delayMs) => retries.push(delayMs)
    })
    // full-jitter ceilings 1, 2, 4, 8, 16 s (× 0.99); the 5 s interval is the floor
    expect(retries).toEqual([5_000, 5_000, 5_000, 7_920, 15_840])
    expect(result).toMatchObject({ outcome: 'approved', polls: 6, transientErrors: 5 })
    expect(result.lastError).toBeUndefined()
  })

  it('honours Retry-After on a 429', async () => {
    const clock = new FakeClock(START)
    const throttled = oidcError('TooManyRequestsException', undefined, 429, { retryAfterMs: 12_000 })
    const script = scripted(clock, [throttled, token()])
    await poll(clock, { createToken: script.createToken, interval: 5, random: () => 0 })
    expect(script.calls).toEqual([5_000, 17_000])
  })

  it('doubles the interval for this and later polls after a request timeout (RFC 8628 §3.5), up to 60 s', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [timedOut(), pending(), timedOut(), timedOut(), timedOut(), pending(), token()])
    await poll(clock, { createToken: script.createToken, interval: 5, random: () => 0, codeExpiresAt: START + 30 * MINUTE })
    const gaps = script.calls.map((t, i) => t - (i === 0 ? 0 : script.calls[i - 1]!))
    expect(gaps).toEqual([5_000, 10_000, 10_000, 20_000, 40_000, 60_000, 60_000])
  })

  it('reports the last failure when the deadline comes while failing transiently', async () => {
    const clock = new FakeClock(START)
    const failure = serverError()
    const script = scripted(clock, [pending(), failure])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, random: () => 0, timeoutAt: START + 30_000 })
    expect(result.outcome).toBe('timed-out')
    expect(result.lastError).toBe(failure)
    expect(result.transientErrors).toBe(result.polls - 1)
  })

  it('forgets an earlier failure once AWS answers again', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [serverError(), pending()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, random: () => 0, timeoutAt: START + 30_000 })
    expect(result.outcome).toBe('timed-out')
    expect(result.lastError).toBeUndefined()
  })
})

describe('pollForToken: other errors stop the poll', () => {
  const fatal: Array<[string, () => Error]> = [
    ['invalid_client', () => oidcError('InvalidClientException', 'invalid_client', 401)],
    ['invalid_grant', () => oidcError('InvalidGrantException', 'invalid_grant')],
    ['unauthorized_client', () => oidcError('UnauthorizedClientException', 'unauthorized_client')],
    ['unsupported_grant_type', () => oidcError('UnsupportedGrantTypeException', 'unsupported_grant_type')],
    ['a malformed 200', () => new MalformedResponseError('CreateToken', ENDPOINT, 'accessToken is missing or not a non-empty string')],
    [
      'a non-retryable network error',
      () => new NetworkError('CreateToken', ENDPOINT, 'certificate has expired (CERT_HAS_EXPIRED)', { retryable: false })
    ],
    ['a bug', () => new TypeError('x is not a function')]
  ]
  it.each(fatal)('%s is thrown as is', async (_name, make) => {
    const clock = new FakeClock(START)
    const error = make()
    const script = scripted(clock, [pending(), error])
    await expect(poll(clock, { createToken: script.createToken, interval: 5 })).rejects.toBe(error)
    expect(script.calls).toEqual([5_000, 10_000])
  })
})

describe('pollForToken: cancellation', () => {
  it('returns cancelled at once when the signal aborts during a wait', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    void clock.sleep(7_000).then(() => controller.abort())
    const script = scripted(clock, [pending()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, signal: controller.signal })
    expect(result).toEqual({ outcome: 'cancelled', polls: 1, slowDowns: 0, transientErrors: 0 })
    expect(clock.now() - START).toBe(7_000)
    expect(clock.pendingTimers).toBe(0)
  })

  it('aborts a request in flight and returns cancelled without waiting for it', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    void clock.sleep(6_000).then(() => controller.abort())
    const script = scripted(clock, ['hang'])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, signal: controller.signal })
    expect(result.outcome).toBe('cancelled')
    expect(clock.now() - START).toBe(6_000)
    expect(script.signals[0]!.aborted).toBe(true)
  })

  it('treats a request that fails because of the abort as cancelled, not as a network error', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    const createToken = async (signal: AbortSignal): Promise<TokenSet> => {
      controller.abort()
      throw signal.reason ?? new Error('aborted')
    }
    const result = await poll(clock, { createToken, interval: 5, signal: controller.signal })
    expect(result.outcome).toBe('cancelled')
  })

  it('makes no call when already cancelled', async () => {
    const clock = new FakeClock(START)
    const script = scripted(clock, [token()])
    const result = await poll(clock, { createToken: script.createToken, interval: 5, signal: AbortSignal.abort() })
    expect(result).toEqual({ outcome: 'cancelled', polls: 0, slowDowns: 0, transientErrors: 0 })
    expect(script.calls).toEqual([])
  })
})

describe('pollForToken: callbacks', () => {
  it('calls onPoll with the attempt number just before each call', async () => {
    const clock = new FakeClock(START)
    const seen: Array<[number, number]> = []
    const script = scripted(clock, [pending(), slowDown(), token()])
    await poll(clock, { createToken: script.createToken, interval: 5, onPoll: (n) => seen.push([n, clock.now() - START]) })
    expect(seen).toEqual([
      [1, 5_000],
      [2, 10_000],
      [3, 20_000]
    ])
  })
})

describe('pollForToken: schedule invariants over generated answer sequences', () => {
  type Step = 'pending' | 'slow_down' | 'refused' | 'timeout' | 'server_error'
  const makers: Record<Step, () => Error> = { pending, slow_down: slowDown, refused, timeout: timedOut, server_error: serverError }

  it('never polls faster than the interval in effect, never polls or waits past the deadline, names the outcome right', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Step>('pending', 'slow_down', 'refused', 'timeout', 'server_error'), { maxLength: 40 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 5, max: 900 }),
        fc.option(fc.integer({ min: 1, max: 900 }), { nil: undefined }),
        fc.integer({ min: 0, max: 3_000 }),
        async (steps, approveAtEnd, interval, expiresIn, timeout, latencyMs) => {
          const clock = new FakeClock(START)
          const answers: Answer[] = [...steps.map((s) => makers[s]()), approveAtEnd ? token() : pending()]
          const script = scripted(clock, answers, latencyMs)
          const codeExpiresAt = START + expiresIn * 1000
          const timeoutAt = timeout === undefined ? undefined : START + timeout * 1000
          const deadline = Math.min(codeExpiresAt, timeoutAt ?? Infinity)
          const result = await poll(clock, { createToken: script.createToken, interval, codeExpiresAt, timeoutAt, random: () => 0.5 })

          let minGap = interval * 1000
          for (let i = 0; i < script.calls.length; i++) {
            const previousEnd = i === 0 ? 0 : script.calls[i - 1]! + latencyMs
            expect(script.calls[i]! - previousEnd).toBeGreaterThanOrEqual(minGap)
            expect(START + script.calls[i]!).toBeLessThanOrEqual(deadline)
            const answered = steps[i]
            if (answered === 'slow_down') minGap += 5_000
            if (answered === 'timeout') minGap = Math.max(minGap, Math.min(minGap * 2, 60_000))
          }
          expect(result.polls).toBe(script.calls.length)
          expect(clock.now()).toBeLessThanOrEqual(Math.max(deadline, START + (script.calls.at(-1) ?? 0) + latencyMs))
          if (result.outcome === 'approved') expect(result.token).toEqual(token())
          else {
            const binding = timeoutAt !== undefined && timeoutAt < codeExpiresAt ? 'timed-out' : 'expired'
            expect(result.outcome).toBe(binding)
          }
          expect(clock.pendingTimers).toBe(0)
        }
      ),
      { numRuns: 300 }
    )
  })
})
