// When a GitHub API call is worth repeating, and after how long. GitHub signals "try again later"
// three ways: a 5xx, a 429, and a 403 that is really a rate limit (a secondary limit carries
// Retry-After; a primary one carries x-ratelimit-remaining: 0 and the reset time). A 403 without
// those is a permission problem and is never retried. The wait is bounded: a comment is a
// courtesy to the approver, so a limit that resets in an hour is reported, not waited for.
import { definedFields } from '../defined.js'
import { parseRetryAfter } from '../http/retry-after.js'
import { backoffDelay } from '../retry.js'

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  attempts: number
  /** The ceiling of the wait before the second attempt; it doubles for each further one. */
  baseDelayMs: number
  /** The longest single wait accepted; a server asking for more ends the retries. */
  maxDelayMs: number
  /** Uniform in [0, 1) for the jitter; injectable so tests can pin it. Default Math.random. */
  random?: () => number
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 }

/** The parts of an Octokit RequestError (or any thrown value) that decide a retry. */
export interface FailureFacts {
  /** HTTP status; undefined when no response arrived (refused, reset, timed out). */
  status?: number
  headers: Record<string, string | undefined>
}

/** Reads status and headers without depending on Octokit's error class (a transitive package). */
export function failureFacts(error: unknown): FailureFacts {
  if (typeof error !== 'object' || error === null) return { headers: {} }
  const response = 'response' in error ? (error.response as { status?: unknown; headers?: unknown } | undefined) : undefined
  const status = typeof response?.status === 'number' ? response.status : undefined
  const headers: Record<string, string | undefined> = {}
  if (typeof response?.headers === 'object' && response.headers !== null) {
    for (const [name, value] of Object.entries(response.headers)) {
      headers[name.toLowerCase()] = value === undefined || value === null ? undefined : String(value)
    }
  }
  // Octokit reports a request that got no response (network error, timeout) as status 500 with no
  // `response`; treat it as "no status" so it is not mistaken for a server's 500.
  return status === undefined ? { headers } : { status, headers }
}

export function isRateLimited(facts: FailureFacts): boolean {
  if (facts.status === 429) return true
  return facts.status === 403 && (facts.headers['retry-after'] !== undefined || facts.headers['x-ratelimit-remaining'] === '0')
}

/** A failure another attempt may cure: no response, a 5xx, or a rate limit. */
export function isRetryableGitHubFailure(facts: FailureFacts): boolean {
  if (facts.status === undefined) return true
  if (facts.status >= 500 && facts.status <= 599) return true
  return isRateLimited(facts)
}

/**
 * How long to wait before attempt `failedAttempt + 1`, or undefined to stop: the failure is not
 * transient, the attempts are used up, or the server asks for a longer wait than `maxDelayMs`.
 */
export function retryDelayMs(facts: FailureFacts, failedAttempt: number, policy: RetryPolicy, now: number): number | undefined {
  if (!isRetryableGitHubFailure(facts) || failedAttempt >= policy.attempts) return undefined
  const asked = serverRequestedDelayMs(facts, now)
  if (asked !== undefined) return asked <= policy.maxDelayMs ? asked : undefined
  // Full jitter, as for the AWS calls: jobs that failed together do not retry together.
  return backoffDelay(failedAttempt, { baseMs: policy.baseDelayMs, capMs: policy.maxDelayMs, ...definedFields({ random: policy.random }) })
}

/** Retry-After (seconds or an HTTP date), else the primary rate limit's reset time. */
export function serverRequestedDelayMs(facts: FailureFacts, now: number): number | undefined {
  const asked = parseRetryAfter(facts.headers['retry-after'], now)
  if (asked !== undefined) return asked
  const reset = facts.headers['x-ratelimit-reset']
  if (facts.headers['x-ratelimit-remaining'] === '0' && reset && /^\d+$/.test(reset)) {
    return Math.max(0, Number(reset) * 1000 - now)
  }
  return undefined
}
