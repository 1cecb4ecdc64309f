// Revocation (post step): sso:Logout with each access token the job held, so the approver's
// access ends with the job instead of when the token expires. A failure only warns: the job's own
// work is done, and the token still expires by itself.
import * as core from '@actions/core'
import { explainFailure } from '../errors.js'
import { AwsServiceError } from '../http/errors.js'
import { SsoPortalClient } from '../portal/client.js'
import { withRetry } from '../retry.js'
import { cachedToken } from './aws-files.js'
import type { CleanupLog, CleanupTask } from './index.js'

/** What the main step records for this task. */
export interface RevokeRecord {
  /** The portal endpoint the token came for, resolved in the main step. */
  portalEndpoint: string
  accessToken: string
  /** Epoch ms. */
  expiresAt: number
  /** The token cache the action wrote for profiles: a tool that refreshed the token left the new one there. */
  tokenCacheFile?: string
}

export const revokeToken: CleanupTask = {
  name: 'revoke the IAM Identity Center token',
  async run(handoff) {
    if (handoff.revoke) await revokeTokens({ portalEndpoint: handoff.revoke.portalEndpoint, tokens: heldTokens(handoff.revoke) }, core)
  }
}

/** The token the action received, and the one in its token cache if a tool refreshed it since. */
export function heldTokens(record: RevokeRecord): HeldToken[] {
  const tokens: HeldToken[] = [{ accessToken: record.accessToken, expiresAt: record.expiresAt }]
  const refreshed = record.tokenCacheFile === undefined ? undefined : cachedToken(record.tokenCacheFile)
  if (refreshed && refreshed.accessToken !== record.accessToken) {
    // Issued to a tool, never seen by the runner: masked before anything could print it.
    core.setSecret(refreshed.accessToken)
    tokens.push(refreshed)
  }
  return tokens
}

/** A token to log out: the one the action received, or one a tool refreshed from it. */
export interface HeldToken {
  accessToken: string
  /** Epoch ms. */
  expiresAt: number
}

export interface RevokeOptions {
  portalEndpoint: string
  tokens: readonly HeldToken[]
  /** How long revoking every token may take, transient failures retried; no request outlives it. */
  retryWindowMs?: number
  now?: () => number
  signal?: AbortSignal
}

// Inside the post step's limit per task (POST_TASK_LIMIT_MS), so a portal that does not answer
// ends as this task's own warning, naming the endpoint and the cause.
const DEFAULT_RETRY_WINDOW_MS = 8_000
/** At least two attempts fit in the window. */
const ATTEMPT_TIMEOUT_MS = 3_000

/** Logs out every distinct, unexpired token; one line per token says how it went. */
export async function revokeTokens(options: RevokeOptions, log: CleanupLog): Promise<void> {
  const now = options.now ?? Date.now
  const windowMs = options.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS
  const deadline = now() + windowMs
  const portal = new SsoPortalClient({
    endpoint: options.portalEndpoint,
    ...(options.signal ? { signal: options.signal } : {}),
    now,
    requestTimeoutMs: Math.min(ATTEMPT_TIMEOUT_MS, windowMs),
    deadline
  })
  const seen = new Set<string>()
  for (const [index, token] of options.tokens.entries()) {
    if (seen.has(token.accessToken)) continue
    seen.add(token.accessToken)
    const which = index === 0 ? 'The IAM Identity Center token' : 'A refreshed IAM Identity Center token'
    if (token.expiresAt <= now()) {
      log.info(`${which} has expired already; nothing to revoke.`)
      continue
    }
    try {
      await withRetry(() => portal.logout(token.accessToken), { deadline, ...(options.signal ? { signal: options.signal } : {}) })
      log.info(`${which} is revoked (sso:Logout): it no longer works anywhere.`)
    } catch (error) {
      if (error instanceof AwsServiceError && error.code === 'UnauthorizedException') {
        log.info(`${which} was no longer valid (revoked or expired); nothing to revoke.`)
        continue
      }
      log.warning(
        `Could not revoke ${which.charAt(0).toLowerCase()}${which.slice(1)} (sso:Logout): ${explainFailure(error)} It stays valid until ${new Date(token.expiresAt).toISOString()}.`
      )
    }
  }
}
