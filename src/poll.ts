// Polls CreateToken until the approver decides, the code expires, the `timeout` input runs out,
// or the run is cancelled, following RFC 8628 §3.5 (docs/protocol.md §3):
// - wait `interval` before every poll; `slow_down` adds 5 s to this and every later wait;
// - `authorization_pending` goes on; `access_denied` → denied; `expired_token` → expired;
// - transient failures (network, 5xx, 429) are retried inside the deadline with backoff, and a
//   timed-out request doubles the interval (§3.5: "the client MUST slow down");
// - any other error (invalid_client, invalid_grant, …) is thrown for the caller to handle.
// The deadline is hard: no wait ends after it and a request in flight is cut off shortly after.
import { systemClock, type Clock } from './time/clock.js'
import { settleWithin } from './time/limit.js'
import { DEADLINE_GRACE_MS } from './deadline.js'
import { AwsServiceError, RequestTimeoutError, isRetryableAwsError } from './http/errors.js'
import type { TokenSet } from './oidc/types.js'
import { backoffDelay, retryAfterOf } from './retry.js'

export type PollOutcome = 'approved' | 'denied' | 'expired' | 'timed-out' | 'cancelled'

export interface PollResult {
  outcome: PollOutcome
  /** Set when approved. Secret. */
  token?: TokenSet
  /** CreateToken calls made. */
  polls: number
  /** slow_down answers received. */
  slowDowns: number
  /** Polls that failed transiently (network, 5xx, 429) and were retried. */
  transientErrors: number
  /** When the deadline came while the latest poll had failed transiently: that failure, so the
   *  caller can say "timed out; the last attempt failed with …" instead of only "timed out". */
  lastError?: unknown
}

export interface PollOptions {
  /** One CreateToken call; it should give up when `signal` aborts. */
  createToken: (signal: AbortSignal) => Promise<TokenSet>
  /** Seconds, from the DeviceAuthorization (5 when AWS sent none). */
  interval: number
  /** Epoch ms when the device code expires. */
  codeExpiresAt: number
  /** Epoch ms from the `timeout` input. */
  timeoutAt?: number
  clock?: Clock
  /** Aborted → outcome 'cancelled' at once (the wait is interrupted, a request in flight aborted). */
  signal?: AbortSignal
  /** Called just before each CreateToken call, with its 1-based number. */
  onPoll?: (attempt: number) => void
  /** Called when a poll failed transiently and the next one will wait `delayMs`. */
  onTransientError?: (error: unknown, delayMs: number) => void
  /** How long a poll in flight at the deadline may still take. Default 3 s. */
  deadlineGraceMs?: number
  /** Uniform in [0, 1) for the backoff jitter; injectable for tests. */
  random?: () => number
}

const SLOW_DOWN_STEP_MS = 5_000
/** Doubling after timeouts stops here (unless AWS itself asked for a longer interval). */
const MAX_TIMEOUT_INTERVAL_MS = 60_000
// Backoff for repeated transient failures; the interval is always the floor.
const TRANSIENT_BACKOFF = { baseMs: 1_000, capMs: 30_000 }

type PollAnswer = 'pending' | 'slow-down' | 'denied' | 'expired' | 'transient' | 'fatal'

export function classifyPollError(error: unknown): PollAnswer {
  if (error instanceof AwsServiceError) {
    const is = (shape: string, oauth: string) => error.code === shape || error.oauthError === oauth
    if (is('AuthorizationPendingException', 'authorization_pending')) return 'pending'
    if (is('SlowDownException', 'slow_down')) return 'slow-down'
    if (is('AccessDeniedException', 'access_denied')) return 'denied'
    if (is('ExpiredTokenException', 'expired_token')) return 'expired'
  }
  return isRetryableAwsError(error) ? 'transient' : 'fatal'
}

export async function pollForToken(options: PollOptions): Promise<PollResult> {
  const clock = options.clock ?? systemClock
  const { signal } = options
  const deadline = Math.min(options.codeExpiresAt, options.timeoutAt ?? Number.POSITIVE_INFINITY)
  // Whichever limit binds names the outcome: the code's own expiry, or the user's `timeout`.
  const deadlineOutcome: PollOutcome =
    options.timeoutAt !== undefined && options.timeoutAt < options.codeExpiresAt ? 'timed-out' : 'expired'
  const graceMs = options.deadlineGraceMs ?? DEADLINE_GRACE_MS

  let intervalMs = (options.interval > 0 ? options.interval : 5) * 1000
  let waitMs = intervalMs
  let consecutiveFailures = 0
  let lastError: unknown
  const counts = { polls: 0, slowDowns: 0, transientErrors: 0 }
  const end = (outcome: PollOutcome, token?: TokenSet): PollResult => {
    const result: PollResult = { outcome, ...counts }
    if (token) result.token = token
    if (lastError !== undefined && (outcome === 'expired' || outcome === 'timed-out')) result.lastError = lastError
    return result
  }

  for (;;) {
    if (signal?.aborted) return end('cancelled')
    // A poll that cannot start by the deadline would be a wasted wait: end now.
    if (clock.now() + waitMs > deadline) return end(deadlineOutcome)
    try {
      await clock.sleep(waitMs, signal)
    } catch (error) {
      if (signal?.aborted) return end('cancelled')
      throw error
    }

    counts.polls++
    options.onPoll?.(counts.polls)
    const attempt = await attemptWithinDeadline(options.createToken, { clock, signal, cutoff: deadline + graceMs })
    if (attempt.kind === 'token') return end('approved', attempt.token)
    if (attempt.kind === 'cancelled') return end('cancelled')
    if (attempt.kind === 'cut-off') return end(deadlineOutcome)
    // A call that failed because the run was cancelled is a cancellation, whatever it threw.
    if (signal?.aborted) return end('cancelled')

    const error = attempt.error
    switch (classifyPollError(error)) {
      case 'pending':
        consecutiveFailures = 0
        lastError = undefined
        waitMs = intervalMs
        break
      case 'slow-down':
        consecutiveFailures = 0
        lastError = undefined
        counts.slowDowns++
        intervalMs += SLOW_DOWN_STEP_MS
        waitMs = intervalMs
        break
      case 'denied':
        return end('denied')
      case 'expired':
        return end('expired')
      case 'transient': {
        consecutiveFailures++
        counts.transientErrors++
        lastError = error
        if (error instanceof RequestTimeoutError) intervalMs = Math.max(intervalMs, Math.min(intervalMs * 2, MAX_TIMEOUT_INTERVAL_MS))
        const backoff = backoffDelay(consecutiveFailures, { ...TRANSIENT_BACKOFF, random: options.random })
        waitMs = Math.max(intervalMs, backoff, retryAfterOf(error) ?? 0)
        options.onTransientError?.(error, waitMs)
        break
      }
      case 'fatal':
        throw error
    }
  }
}

type Attempt = { kind: 'token'; token: TokenSet } | { kind: 'error'; error: unknown } | { kind: 'cancelled' } | { kind: 'cut-off' }

/**
 * Runs one CreateToken call that ends at the latest at `cutoff` or when `signal` aborts, even if
 * the call ignores its own signal: the poll's answer must not wait on a hung request.
 */
async function attemptWithinDeadline(
  createToken: PollOptions['createToken'],
  context: { clock: Clock; signal?: AbortSignal; cutoff: number }
): Promise<Attempt> {
  const request = new AbortController()
  const bounded = await settleWithin(
    async () => createToken(request.signal),
    Math.max(0, context.cutoff - context.clock.now()),
    context.signal,
    context.clock
  )
  if (bounded.status === 'done') return { kind: 'token', token: bounded.value }
  if (bounded.status === 'failed') return { kind: 'error', error: bounded.error }
  // Given up on: the request is torn down too, not only the wait for it.
  if (bounded.status === 'cancelled') {
    request.abort(context.signal?.reason)
    return { kind: 'cancelled' }
  }
  request.abort(new Error('the polling deadline passed'))
  return { kind: 'cut-off' }
}
