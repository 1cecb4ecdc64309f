// The flow's time limits in one place. The `timeout` input is a promise to the workflow: the step
// ends by then (plus a small grace), whatever the network does. Two numbers keep that promise:
// how long one request may go unanswered, and how far past the deadline a request may still run.
import { DEFAULT_REQUEST_TIMEOUT_MS } from './http/request.js'

/**
 * A request in flight when the deadline passes may still finish for this long: the poll in flight
 * may be the one that brings the approval.
 */
export const DEADLINE_GRACE_MS = 3_000

/** What one AWS call may take when nothing shorter is asked for: the HTTP layer's own default. */
export const MAX_ATTEMPT_TIMEOUT_MS = DEFAULT_REQUEST_TIMEOUT_MS
/** Below this, a slow but healthy connection from a far region would be cut off. */
export const MIN_ATTEMPT_TIMEOUT_MS = 2_000

/**
 * The per-attempt timeout for a flow limited to `timeoutSeconds`: a quarter of it, between 2 and
 * 15 seconds, so a hung connection leaves time for at least one more attempt within `timeout`.
 * No `timeout` input: the full 15 seconds.
 */
export function attemptTimeoutMs(timeoutSeconds: number | undefined): number {
  if (timeoutSeconds === undefined) return MAX_ATTEMPT_TIMEOUT_MS
  return Math.min(MAX_ATTEMPT_TIMEOUT_MS, Math.max(MIN_ATTEMPT_TIMEOUT_MS, Math.floor((timeoutSeconds * 1000) / 4)))
}

/**
 * What one PR comment write (the prompt, the outcome) may take: one attempt's time, and near or
 * past the deadline only what is left of the grace, never under the minimum. The comment is a
 * courtesy: a GitHub that does not answer costs a warning, not the step's time limit.
 */
export function commentWriteLimitMs(timeoutSeconds: number | undefined, deadline: number | undefined, now: number = Date.now()): number {
  const perAttempt = attemptTimeoutMs(timeoutSeconds)
  if (deadline === undefined) return perAttempt
  return Math.max(MIN_ATTEMPT_TIMEOUT_MS, Math.min(perAttempt, deadline + DEADLINE_GRACE_MS - now))
}

/**
 * When exporting an approval must be done: the flow's deadline plus the grace, but at least one
 * short attempt after `now`, so an approval that came at the very end is not lost to the clock.
 * Undefined deadline (nothing set one): undefined.
 */
export function exportDeadline(deadline: number | undefined, now: number = Date.now()): number | undefined {
  if (deadline === undefined) return undefined
  return Math.max(deadline + DEADLINE_GRACE_MS, now + MIN_ATTEMPT_TIMEOUT_MS)
}
