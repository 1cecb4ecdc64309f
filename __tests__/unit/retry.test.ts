import { describe, expect, it } from '@jest/globals'
import { systemClock } from '../../src/time/clock.js'
import { AwsServiceError, NetworkError, RequestTimeoutError } from '../../src/oidc/errors.js'
import { backoffDelay, retryAfterOf, withRetry } from '../../src/retry.js'
import { FakeClock } from './poll-fake-clock.js'

const ENDPOINT = 'https://oidc.us-east-1.amazonaws.com/client/register'
const START = Date.UTC(2026, 0, 1)
const networkError = (n = 0) => new NetworkError('RegisterClient', ENDPOINT, `connection reset (ECONNRESET) #${n}`)
const serviceError = (code: string, status: number, retryAfterMs?: number) =>
  new AwsServiceError({ operation: 'RegisterClient', endpoint: ENDPOINT, code, status, retryAfterMs })

/** An attempt that fails with the given errors, then returns 'done'. */
function failing(errors: Error[]) {
  const attempts: Array<{ n: number; at: number }> = []
  return {
    attempts,
    run: (clock: FakeClock) => async (n: number) => {
      attempts.push({ n, at: clock.now() - START })
      const error = errors[n - 1]
      if (error) throw error
      return 'done'
    }
  }
}

describe('backoffDelay', () => {
  it('is full jitter under a doubling ceiling, capped', () => {
    const top = () => 0.999_999
    expect([1, 2, 3, 4, 5, 6].map((f) => backoffDelay(f, { baseMs: 100, capMs: 1_000, random: top }))).toEqual([
      99, 199, 399, 799, 999, 999
    ])
    expect(backoffDelay(3, { baseMs: 100, capMs: 1_000, random: () => 0 })).toBe(0)
    expect(backoffDelay(3, { baseMs: 100, capMs: 1_000, random: () => 0.5 })).toBe(200)
  })
})

describe('retryAfterOf', () => {
  it("takes the error's Retry-After when it is a finite number of ms, zero included", () => {
    expect(retryAfterOf(serviceError('TooManyRequestsException', 429, 7_000))).toBe(7_000)
    expect(retryAfterOf({ retryAfterMs: 0 })).toBe(0)
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'retry later'],
    ['an error without one', networkError()],
    ['a string value', { retryAfterMs: '7000' }],
    ['NaN', { retryAfterMs: Number.NaN }],
    ['Infinity', { retryAfterMs: Number.POSITIVE_INFINITY }],
    ['a negative value', { retryAfterMs: -1 }]
  ])('has none for %s', (_name, error) => {
    expect(retryAfterOf(error)).toBeUndefined()
  })
})

describe('withRetry', () => {
  it('returns the first success without sleeping', async () => {
    const clock = new FakeClock(START)
    const script = failing([])
    await expect(clock.run(withRetry(script.run(clock), { deadline: START + 60_000, clock }))).resolves.toBe('done')
    expect(clock.sleeps).toEqual([])
  })

  it('retries transient failures with exponential backoff, numbering the attempts', async () => {
    const clock = new FakeClock(START)
    const script = failing([networkError(1), serviceError('InternalServerException', 500), serviceError('ThrottlingException', 400)])
    const retried: Array<[number, number]> = []
    const result = await clock.run(
      withRetry(script.run(clock), {
        deadline: START + 60_000,
        clock,
        baseMs: 100,
        capMs: 1_000,
        random: () => 0.5,
        onRetry: ({ attempt, delayMs }) => retried.push([attempt, delayMs])
      })
    )
    expect(result).toBe('done')
    expect(script.attempts).toEqual([
      { n: 1, at: 0 },
      { n: 2, at: 50 },
      { n: 3, at: 150 },
      { n: 4, at: 350 }
    ])
    expect(retried).toEqual([
      [1, 50],
      [2, 100],
      [3, 200]
    ])
  })

  it('throws a non-retryable error at once', async () => {
    const clock = new FakeClock(START)
    const denied = serviceError('InvalidClientMetadataException', 400)
    const script = failing([denied])
    await expect(clock.run(withRetry(script.run(clock), { deadline: START + 60_000, clock }))).rejects.toBe(denied)
    expect(script.attempts).toHaveLength(1)
  })

  it('retries SlowDownException on RegisterClient (throttling there, not a polling signal)', async () => {
    const clock = new FakeClock(START)
    const script = failing([serviceError('SlowDownException', 400)])
    await expect(clock.run(withRetry(script.run(clock), { deadline: START + 60_000, clock }))).resolves.toBe('done')
    expect(script.attempts).toHaveLength(2)
  })

  it('accepts a custom retry rule', async () => {
    const clock = new FakeClock(START)
    const odd = new Error('odd')
    const script = failing([odd, odd])
    const result = await clock.run(withRetry(script.run(clock), { deadline: START + 60_000, clock, isRetryable: (e) => e === odd }))
    expect(result).toBe('done')
    expect(script.attempts).toHaveLength(3)
  })

  it('waits at least what Retry-After asks for', async () => {
    const clock = new FakeClock(START)
    const script = failing([serviceError('TooManyRequestsException', 429, 7_000)])
    await clock.run(withRetry(script.run(clock), { deadline: START + 60_000, clock, random: () => 0.5 }))
    expect(script.attempts.map((a) => a.at)).toEqual([0, 7_000])
  })

  describe('an attempt squeezed into what the deadline left', () => {
    const squeezed = (timeoutMs: number) => new RequestTimeoutError('RegisterClient', ENDPOINT, timeoutMs, { cutShort: true })
    const fullTimeout = () => new RequestTimeoutError('RegisterClient', ENDPOINT, 3_000)
    const options = (clock: FakeClock) => ({ deadline: START + 1_000, clock, baseMs: 400, capMs: 400, random: () => 0.99 })

    it('does not hide what the service said before it: the throttled answer is thrown', async () => {
      const clock = new FakeClock(START)
      const errors = [serviceError('TooManyRequestsException', 429), serviceError('TooManyRequestsException', 429), squeezed(22)]
      const script = failing(errors)
      // Attempts at 0, 396 and 792 ms; the third had 208 ms and timed out after 22; a fourth wait would cross the deadline.
      await expect(clock.run(withRetry(script.run(clock), options(clock)))).rejects.toBe(errors[1])
      expect(script.attempts.map((a) => a.at)).toEqual([0, 396, 792])
    })

    it('a "not sent" attempt after a reset reports the reset', async () => {
      const clock = new FakeClock(START)
      const reset = networkError(1)
      const script = failing([reset, squeezed(0), squeezed(0), squeezed(0)])
      await expect(clock.run(withRetry(script.run(clock), options(clock)))).rejects.toBe(reset)
    })

    it('a timeout with its full time is the cause and is thrown as it is', async () => {
      const clock = new FakeClock(START)
      const hung = fullTimeout()
      const script = failing([serviceError('TooManyRequestsException', 429), hung])
      await expect(clock.run(withRetry(script.run(clock), { ...options(clock), maxAttempts: 2 }))).rejects.toBe(hung)
    })

    it('when every attempt was squeezed, the last one is thrown: there is nothing better to say', async () => {
      const clock = new FakeClock(START)
      const only = squeezed(5)
      const script = failing([only])
      await expect(clock.run(withRetry(script.run(clock), { ...options(clock), maxAttempts: 1 }))).rejects.toBe(only)
    })
  })

  it('never sleeps past the deadline: the last error is thrown instead', async () => {
    const clock = new FakeClock(START)
    const errors = [networkError(1), networkError(2), networkError(3), networkError(4)]
    const script = failing(errors)
    const run = withRetry(script.run(clock), { deadline: START + 1_000, clock, baseMs: 400, capMs: 10_000, random: () => 0.99 })
    // waits 396 (→396), 792 would end at 1188 > 1000: stop after attempt 2
    await expect(clock.run(run)).rejects.toBe(errors[1])
    expect(script.attempts.map((a) => a.at)).toEqual([0, 396])
    expect(clock.now()).toBeLessThanOrEqual(START + 1_000)
  })

  it('does not start a wait that would end exactly at the deadline', async () => {
    const clock = new FakeClock(START)
    const errors = [networkError(1), networkError(2)]
    const script = failing(errors)
    // the first wait is 50 ms (0.5 × 100): it would end on the deadline, when no attempt may start
    const run = withRetry(script.run(clock), { deadline: START + 50, clock, baseMs: 100, random: () => 0.5 })
    await expect(clock.run(run)).rejects.toBe(errors[0])
    expect(clock.sleeps).toEqual([])
  })

  it('gives up at once when Retry-After reaches past the deadline', async () => {
    const clock = new FakeClock(START)
    const throttled = serviceError('TooManyRequestsException', 429, 120_000)
    const script = failing([throttled])
    await expect(clock.run(withRetry(script.run(clock), { deadline: START + 60_000, clock }))).rejects.toBe(throttled)
    expect(clock.sleeps).toEqual([])
  })

  it('stops after maxAttempts', async () => {
    const clock = new FakeClock(START)
    const errors = [networkError(1), networkError(2), networkError(3)]
    const script = failing(errors)
    await expect(clock.run(withRetry(script.run(clock), { deadline: START + 60_000, clock, maxAttempts: 2 }))).rejects.toBe(errors[1])
    expect(script.attempts).toHaveLength(2)
  })

  it('stops waiting and throws the reason when cancelled', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    const reason = new Error('cancelled by SIGTERM')
    void clock.sleep(100).then(() => controller.abort(reason))
    const script = failing([networkError(1), networkError(2)])
    const run = withRetry(script.run(clock), {
      deadline: START + 60_000,
      clock,
      baseMs: 10_000,
      random: () => 0.5,
      signal: controller.signal
    })
    await expect(clock.run(run)).rejects.toBe(reason)
    expect(script.attempts).toHaveLength(1)
    expect(clock.now() - START).toBe(100)
  })

  it('does not retry a failure caused by the cancellation itself', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    const attempt = async () => {
      controller.abort(new Error('stop'))
      throw networkError(1)
    }
    await expect(clock.run(withRetry(attempt, { deadline: START + 60_000, clock, signal: controller.signal }))).rejects.toThrow('stop')
  })

  it('throws the cancellation reason, not the failure, and announces no retry, whatever the attempt threw', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    const reason = new Error('cancelled by SIGTERM')
    const retried: number[] = []
    const attempt = async () => {
      controller.abort(reason)
      throw serviceError('InvalidClientMetadataException', 400)
    }
    const run = withRetry(attempt, {
      deadline: START + 60_000,
      clock,
      signal: controller.signal,
      delayBeforeRetry: () => 10,
      onRetry: ({ attempt: n }) => retried.push(n)
    })
    await expect(clock.run(run)).rejects.toBe(reason)
    expect(retried).toEqual([])
    expect(clock.sleeps).toEqual([])
  })
})

describe('systemClock', () => {
  it('sleeps on real time', async () => {
    const before = systemClock.now()
    await systemClock.sleep(20)
    expect(systemClock.now() - before).toBeGreaterThanOrEqual(19)
  })

  it('rejects with the abort reason as soon as the signal aborts', async () => {
    const controller = new AbortController()
    const reason = new Error('cancelled')
    const sleeping = systemClock.sleep(60_000, controller.signal)
    setTimeout(() => controller.abort(reason), 5)
    await expect(sleeping).rejects.toBe(reason)
    await expect(systemClock.sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason)
  }, 2_000)
})
