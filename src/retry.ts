// The one retry loop: an operation that failed transiently is tried again, by default with
// exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"),
// honouring Retry-After, and never sleeping past the caller's deadline: when the next wait would
// cross it, the last error is thrown (unless that last attempt only timed out in the sliver of
// time the deadline left it: then the failure before it, which says what the service did).
// Which failures are worth another attempt, and after how long, is the caller's classifier:
// isRetryableAwsError (http/errors.ts) for the AWS calls by default, retryDelayMs
// (github/retry.ts) for the GitHub API.
import { systemClock, type Clock } from './time/clock.js'
import { isRetryableAwsError, RequestTimeoutError } from './http/errors.js'

export const DEFAULT_BACKOFF_BASE_MS = 500
export const DEFAULT_BACKOFF_CAP_MS = 10_000

export interface RetryOptions {
  /** Epoch ms (on `clock`) after which no new attempt starts. */
  deadline: number
  /** Which failures are worth another attempt. Default: isRetryableAwsError. */
  isRetryable?: (error: unknown) => boolean
  /**
   * The whole decision instead, for a service with rules of its own: the wait before attempt
   * `failedAttempt + 1`, or undefined to throw `error`. Replaces isRetryable, the backoff and
   * maxAttempts; the deadline still holds.
   */
  delayBeforeRetry?: (error: unknown, failedAttempt: number, now: number) => number | undefined
  /** First backoff ceiling; it doubles per failure up to capMs. */
  baseMs?: number
  capMs?: number
  /** At most this many attempts in all (default: as many as the deadline allows). */
  maxAttempts?: number
  clock?: Clock
  /** Aborting stops the retries at once; the signal's reason is thrown. */
  signal?: AbortSignal
  /** Uniform in [0, 1): injectable so tests can pin the jitter. */
  random?: () => number
  /** Called before each wait, e.g. to log "retrying in 2 s". */
  onRetry?: (retry: { attempt: number; error: unknown; delayMs: number }) => void
}

/** Full jitter: uniform in [0, min(cap, base · 2^(failures-1))). */
export function backoffDelay(failures: number, options: { baseMs?: number; capMs?: number; random?: () => number } = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, failures - 1))
  return Math.floor((options.random ?? Math.random)() * ceiling)
}

/** The server's Retry-After, when the error carries one (AwsServiceError.retryAfterMs). */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined
}

export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock
  const isRetryable = options.isRetryable ?? isRetryableAwsError
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY
  const backoffAfter = (error: unknown, n: number): number | undefined => {
    if (n >= maxAttempts || !isRetryable(error)) return undefined
    // A server asking for a longer pause gets it; jitter never shortens its request.
    return Math.max(backoffDelay(n, options), retryAfterOf(error) ?? 0)
  }
  let telling: unknown
  for (let n = 1; ; n++) {
    options.signal?.throwIfAborted()
    try {
      return await attempt(n)
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason
      // "No response within 22 ms" after three throttled answers would hide the throttling.
      const squeezed = error instanceof RequestTimeoutError && error.cutShort
      if (!squeezed) telling = error
      const delayMs = options.delayBeforeRetry ? options.delayBeforeRetry(error, n, clock.now()) : backoffAfter(error, n)
      if (delayMs === undefined || clock.now() + delayMs >= options.deadline) throw squeezed && telling !== undefined ? telling : error
      options.onRetry?.({ attempt: n, error, delayMs })
      await clock.sleep(delayMs, options.signal)
    }
  }
}
