// The polling loop's corners that poll.test.ts's schedules do not reach: what each CreateToken
// call is told when it is cut off, a cancellation that lands between the wait and the call, the
// counters that reset when AWS answers, an interval longer than the timeout ceiling, and a clock
// that fails for a reason of its own.
import { describe, expect, it } from '@jest/globals'
import { getEventListeners } from 'node:events'
import { AwsServiceError, NetworkError, RequestTimeoutError } from '../../src/oidc/errors.js'
import type { TokenSet } from '../../src/oidc/types.js'
import { classifyPollError, pollForToken, type PollOptions } from '../../src/poll.js'
import { FakeClock } from './poll-fake-clock.js'

const ENDPOINT = 'https://oidc.us-east-1.amazonaws.com/token'
const START = Date.UTC(2026, 0, 1)
const TOKEN: TokenSet = { accessToken: 'access-1', tokenType: 'Bearer', expiresIn: 3600, expiresAt: START + 3_600_000 }

const answer = (code: string, oauthError: string) =>
  new AwsServiceError({ operation: 'CreateToken', endpoint: ENDPOINT, code, oauthError, status: 400 })
const PENDING = () => answer('AuthorizationPendingException', 'authorization_pending')
const SLOW_DOWN = () => answer('SlowDownException', 'slow_down')
const DENIED = () => answer('AccessDeniedException', 'access_denied')
const REFUSED = () => new NetworkError('CreateToken', ENDPOINT, 'connection refused (ECONNREFUSED)')

/** Answers from a list (the last repeats, 'hang' never settles); records when each call came and its signal. */
function answers(clock: FakeClock, list: Array<Error | TokenSet | 'hang'>) {
  const calls: Array<{ at: number; signal: AbortSignal }> = []
  const createToken = async (signal: AbortSignal): Promise<TokenSet> => {
    calls.push({ at: clock.now() - START, signal })
    const next = list[Math.min(calls.length - 1, list.length - 1)]!
    if (next === 'hang') return new Promise<TokenSet>(() => {})
    if (next instanceof Error) throw next
    return next
  }
  return { createToken, calls }
}

function run(clock: FakeClock, options: Omit<PollOptions, 'clock' | 'codeExpiresAt'> & { codeExpiresAt?: number }) {
  return clock.run(pollForToken({ codeExpiresAt: START + 30 * 60_000, ...options, clock }))
}

describe('classifyPollError: only AWS answers count', () => {
  it('knows each answer by its OAuth code alone and by its shape name alone', () => {
    expect(classifyPollError(answer('UnknownError', 'slow_down'))).toBe('slow-down')
    expect(classifyPollError(answer('AccessDeniedException', 'unknown'))).toBe('denied')
    expect(classifyPollError(answer('UnknownError', 'expired_token'))).toBe('expired')
  })

  it('does not take an error that merely carries the same code for an answer', () => {
    const lookalike = Object.assign(new Error('not from AWS'), { code: 'AuthorizationPendingException', oauthError: 'slow_down' })
    expect(classifyPollError(lookalike)).toBe('fatal')
  })
})

describe('pollForToken: the result', () => {
  it('carries no token key unless approved, and none of the last error unless the deadline came', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [REFUSED(), DENIED()])
    const result = await run(clock, { createToken: script.createToken, interval: 5, random: () => 0 })
    expect(Object.keys(result).sort()).toEqual(['outcome', 'polls', 'slowDowns', 'transientErrors'])
  })

  it('carries no last-error key when the deadline comes after answers only', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [PENDING()])
    const result = await run(clock, { createToken: script.createToken, interval: 5, timeoutAt: START + 12_000 })
    expect(result.outcome).toBe('timed-out')
    expect(Object.keys(result)).not.toContain('lastError')
  })

  it('is cancelled, not timed out, when the run was cancelled before a wait that would not fit', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [TOKEN])
    const result = await run(clock, { createToken: script.createToken, interval: 5, timeoutAt: START + 1_000, signal: AbortSignal.abort() })
    expect(result.outcome).toBe('cancelled')
  })

  it("leaves no listener on the run's signal once each call has settled", async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    const script = answers(clock, [PENDING(), PENDING(), REFUSED(), TOKEN])
    const result = await run(clock, { createToken: script.createToken, interval: 5, random: () => 0, signal: controller.signal })
    expect(result.outcome).toBe('approved')
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })
})

describe('pollForToken: what the call in flight is told', () => {
  it('a call cut off at the deadline is aborted with the reason "the polling deadline passed"', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, ['hang'])
    const result = await run(clock, { createToken: script.createToken, interval: 5, timeoutAt: START + 5_000, deadlineGraceMs: 1_000 })
    expect(result.outcome).toBe('timed-out')
    expect(clock.now() - START).toBe(6_000)
    expect((script.calls[0]!.signal.reason as Error).message).toBe('the polling deadline passed')
  })

  it("a call cut off by the cancellation is aborted with the run's own reason", async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    const reason = new Error('cancelled by SIGTERM')
    void clock.sleep(6_000).then(() => controller.abort(reason))
    const script = answers(clock, ['hang'])
    const result = await run(clock, { createToken: script.createToken, interval: 5, signal: controller.signal })
    expect(result.outcome).toBe('cancelled')
    expect(script.calls[0]!.signal.reason).toBe(reason)
  })

  it('ends as cancelled, its call aborted from the start, when the run is cancelled just before the call', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    const script = answers(clock, [TOKEN])
    const result = await run(clock, {
      createToken: script.createToken,
      interval: 5,
      signal: controller.signal,
      onPoll: () => controller.abort()
    })
    // The fake would answer with a token: only a call aborted before it starts ends as cancelled.
    expect(result).toEqual({ outcome: 'cancelled', polls: 1, slowDowns: 0, transientErrors: 0 })
    expect(script.calls.map((call) => call.signal.aborted)).toEqual([true])
  })
})

describe('pollForToken: what an answer resets', () => {
  it('an authorization_pending starts the backoff again from its first step', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [REFUSED(), REFUSED(), REFUSED(), PENDING(), REFUSED(), TOKEN])
    const delays: number[] = []
    await run(clock, { createToken: script.createToken, interval: 1, random: () => 0.99, onTransientError: (_e, ms) => delays.push(ms) })
    // ceilings 1, 2, 4 s (× 0.99, the 1 s interval the floor), then 1 s again after AWS answered
    expect(delays).toEqual([1_000, 1_980, 3_960, 1_000])
  })

  it('a slow_down starts the backoff again too, and forgets the failure before it', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [REFUSED(), REFUSED(), REFUSED(), SLOW_DOWN(), REFUSED(), PENDING()])
    const delays: number[] = []
    const result = await run(clock, {
      createToken: script.createToken,
      interval: 1,
      random: () => 0.99,
      onTransientError: (_e, ms) => delays.push(ms),
      timeoutAt: START + 60_000
    })
    // after slow_down the interval is 6 s, above the first backoff step
    expect(delays).toEqual([1_000, 1_980, 3_960, 6_000])
    expect(result).toMatchObject({ outcome: 'timed-out', slowDowns: 1, transientErrors: 4 })
    expect(result.lastError).toBeUndefined()
  })

  it('a slow_down right after a failure leaves no last failure behind', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [REFUSED(), SLOW_DOWN(), 'hang'])
    const result = await run(clock, {
      createToken: script.createToken,
      interval: 5,
      random: () => 0,
      timeoutAt: START + 20_000,
      deadlineGraceMs: 0
    })
    expect(result).toMatchObject({ outcome: 'timed-out', slowDowns: 1, transientErrors: 1 })
    expect(result.lastError).toBeUndefined()
  })
})

describe('pollForToken: the last failure is reported only with a deadline outcome', () => {
  it('not with a denial that follows it', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [REFUSED(), DENIED()])
    const result = await run(clock, { createToken: script.createToken, interval: 5, random: () => 0 })
    expect(result).toEqual({ outcome: 'denied', polls: 2, slowDowns: 0, transientErrors: 1 })
  })

  it('not with a cancellation that follows it', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    void clock.sleep(7_000).then(() => controller.abort())
    const script = answers(clock, [REFUSED()])
    const result = await run(clock, { createToken: script.createToken, interval: 5, random: () => 0, signal: controller.signal })
    expect(result).toEqual({ outcome: 'cancelled', polls: 1, slowDowns: 0, transientErrors: 1 })
  })

  it('with the code expiring', async () => {
    const clock = new FakeClock(START)
    const failure = REFUSED()
    const script = answers(clock, [failure])
    const result = await run(clock, { createToken: script.createToken, interval: 5, random: () => 0, codeExpiresAt: START + 12_000 })
    expect(result).toMatchObject({ outcome: 'expired', lastError: failure })
  })
})

describe('pollForToken: intervals', () => {
  it('keeps an interval AWS made longer than 60 s after a request timeout, never shortening it', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [new RequestTimeoutError('CreateToken', ENDPOINT, 15_000), TOKEN])
    await run(clock, { createToken: script.createToken, interval: 70, random: () => 0 })
    expect(script.calls.map((call) => call.at)).toEqual([70_000, 140_000])
  })

  it('falls back to 5 s for a negative interval', async () => {
    const clock = new FakeClock(START)
    const script = answers(clock, [TOKEN])
    await run(clock, { createToken: script.createToken, interval: -3 })
    expect(script.calls.map((call) => call.at)).toEqual([5_000])
  })
})

describe('pollForToken: a clock that fails', () => {
  it('throws what its sleep threw when the run was not cancelled', async () => {
    const broken = new Error('the clock broke')
    const clock = new FakeClock(START)
    const failing = { now: () => clock.now(), sleep: () => Promise.reject(broken) }
    const script = answers(clock, [TOKEN])
    await expect(
      pollForToken({ createToken: script.createToken, interval: 5, codeExpiresAt: START + 60_000, clock: failing })
    ).rejects.toBe(broken)
    expect(script.calls).toEqual([])
  })
})
