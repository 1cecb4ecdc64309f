// Revocation (post step): sso:Logout with each access token the job held, so the approver's
// access ends with the job instead of when the token expires. A failure only warns: the job's own
// work is done, and the token still expires by itself.
import { definedFields } from '../defined.js'
import * as core from '@actions/core'
import { explainFailure } from '../failure.js'
import { AwsServiceError } from '../http/errors.js'
import { SsoPortalClient } from '../portal/client.js'
import { withRetry } from '../retry.js'
import { cachedToken } from './aws-files.js'
import type { RevokeRecord, SessionClient } from '../model/post-step-state.js'
import type { CleanupLog, CleanupTask } from './task.js'
import { refreshForLogout, type RefreshResult } from './refresh.js'

export const revokeToken: CleanupTask = {
  name: 'revoke the IAM Identity Center token',
  async run(postStep) {
    const record = postStep.revoke
    if (!record) {
      if (postStep.notRevoked) core.info(notRevokedLine(postStep.notRevoked.expiresAt))
      return
    }
    const client = record.refresh ? sessionClient(record.refresh) : undefined
    await revokeTokens({ portalEndpoint: record.portalEndpoint, tokens: heldTokens(record), ...definedFields({ client }) }, core)
  }
}

/** Why the approver's access outlives the job, and until when: the reader may not know the input was set. */
export function notRevokedLine(expiresAt: unknown): string {
  const until =
    typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? ` It stays valid until ${new Date(expiresAt).toISOString()}.` : ''
  return `Not revoking the IAM Identity Center token (input 'revoke' is false): the approver's access does not end with the job.${until}`
}

function sessionClient({ oidcEndpoint, clientId, clientSecret, registrationExpiresAt }: SessionClient): SessionClient {
  return { oidcEndpoint, clientId, clientSecret, registrationExpiresAt }
}

/** The token the action received, and the one in its token cache if a tool refreshed it since. */
export function heldTokens(record: RevokeRecord): HeldToken[] {
  const tokens: HeldToken[] = [
    withRefreshToken({ accessToken: record.accessToken, expiresAt: record.expiresAt }, record.refresh?.refreshToken)
  ]
  const refreshed = record.tokenCacheFile === undefined ? undefined : cachedToken(record.tokenCacheFile)
  if (refreshed && refreshed.accessToken !== record.accessToken) {
    // Issued to a tool, never seen by the runner: masked before anything could print them.
    core.setSecret(refreshed.accessToken)
    if (refreshed.refreshToken !== undefined) core.setSecret(refreshed.refreshToken)
    tokens.push(refreshed)
  }
  return tokens
}

function withRefreshToken(token: HeldToken, refreshToken: string | undefined): HeldToken {
  return refreshToken === undefined ? token : { ...token, refreshToken }
}

/** A token to log out: the one the action received, or one a tool refreshed from it. */
export interface HeldToken {
  accessToken: string
  /** Epoch ms. */
  expiresAt: number
  /** The refresh token issued with it, when known: the newest one ends an expired token's session. */
  refreshToken?: string
}

export interface RevokeOptions {
  portalEndpoint: string
  /** Oldest first: the last one is the newest, whose refresh token is the current one. */
  tokens: readonly HeldToken[]
  /** The registration the refresh tokens belong to; without it an expired token is left to expire. */
  client?: SessionClient
  /** How long revoking every token may take, transient failures retried; no request outlives it. */
  retryWindowMs?: number
  now?: () => number
  signal?: AbortSignal
  /** Registers a new secret with the runner; default core.setSecret. */
  mask?: (secret: string) => void
  /** How the log names the first token; default "The IAM Identity Center token". */
  label?: string
}

// Inside the post step's limit per task (POST_TASK_LIMIT_MS), so a portal that does not answer
// ends as this task's own warning, naming the endpoint and the cause.
const DEFAULT_RETRY_WINDOW_MS = 8_000
/** At least two attempts fit in the window. */
const ATTEMPT_TIMEOUT_MS = 3_000
/**
 * A token this close to its expiry is treated as expired: it could lapse between the check and
 * the Logout (retries included), and refreshing one that still works costs nothing.
 */
export const EXPIRY_MARGIN_MS = 60_000

/**
 * Logs out every distinct token that still works. When the newest has expired (or is about to),
 * ends its session through its refresh token instead. One line per token says how it went.
 */
export async function revokeTokens(options: RevokeOptions, log: CleanupLog): Promise<void> {
  const now = options.now ?? Date.now
  const windowMs = options.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS
  const deadline = now() + windowMs
  const attemptTimeoutMs = Math.min(ATTEMPT_TIMEOUT_MS, windowMs)
  const signal = options.signal ? { signal: options.signal } : {}
  const portal = new SsoPortalClient({ endpoint: options.portalEndpoint, ...signal, now, requestTimeoutMs: attemptTimeoutMs, deadline })
  const logout = async (accessToken: string, expiresAt: number, which: string): Promise<void> => {
    try {
      await withRetry(() => portal.logout(accessToken), { deadline, ...signal })
      log.info(`${which} is revoked (sso:Logout): it no longer works anywhere.`)
    } catch (error) {
      if (error instanceof AwsServiceError && error.code === 'UnauthorizedException') {
        log.info(`${which} was no longer valid (revoked or expired); nothing to revoke.`)
        return
      }
      log.warning(
        `Could not revoke ${lowerFirst(which)} (sso:Logout): ${explainFailure(error)} It stays valid until ${new Date(expiresAt).toISOString()}.`
      )
    }
  }

  const seen = new Set<string>()
  const tokens = options.tokens.filter((token) => !seen.has(token.accessToken) && seen.add(token.accessToken))
  for (const [index, token] of tokens.entries()) {
    const which = index === 0 ? (options.label ?? 'The IAM Identity Center token') : 'A refreshed IAM Identity Center token'
    if (token.expiresAt > now() + EXPIRY_MARGIN_MS) {
      await logout(token.accessToken, token.expiresAt, which)
      continue
    }
    // An older token's refresh token was spent on the newer one: only the newest can end the session.
    const refreshToken = index === tokens.length - 1 ? token.refreshToken : undefined
    if (refreshToken === undefined || options.client === undefined) {
      // No way to end the session otherwise: a token with moments left still gets its Logout.
      if (token.expiresAt > now()) await logout(token.accessToken, token.expiresAt, which)
      else log.info(`${which} has expired already; nothing to revoke.`)
      continue
    }
    await endExpiredSession({ ...options, client: options.client, refreshToken, which, deadline, attemptTimeoutMs, now, logout }, log)
  }
}

async function endExpiredSession(
  options: Pick<RevokeOptions, 'signal' | 'mask'> & {
    client: SessionClient
    refreshToken: string
    which: string
    deadline: number
    attemptTimeoutMs: number
    now: () => number
    logout: (accessToken: string, expiresAt: number, which: string) => Promise<void>
  },
  log: CleanupLog
): Promise<void> {
  const { client, which } = options
  let result: RefreshResult
  try {
    result = await refreshForLogout({
      client,
      refreshToken: options.refreshToken,
      deadline: options.deadline,
      attemptTimeoutMs: options.attemptTimeoutMs,
      now: options.now,
      mask: options.mask ?? ((secret) => core.setSecret(secret)),
      ...definedFields({ signal: options.signal })
    })
  } catch (error) {
    log.warning(
      `${which} has expired, and ending its session with its refresh token failed (CreateToken): ${explainFailure(error)} The refresh token stays usable until the approver's IAM Identity Center session ends; an administrator can end it sooner.`
    )
    return
  }
  if (result.kind === 'registration-expired') {
    log.info(
      `${which} has expired, and so has the OIDC client registration (at ${new Date(client.registrationExpiresAt).toISOString()}): AWS accepts its refresh token from nobody any more; nothing to revoke.`
    )
    return
  }
  if (result.kind === 'session-over') {
    log.info(`${which} has expired, and AWS refused its refresh token (the session ended or was revoked); nothing to revoke.`)
    return
  }
  log.info(`${which} has expired; refreshed it once (CreateToken, refresh_token grant) to end its session.`)
  await options.logout(result.token.accessToken, result.token.expiresAt, 'The token refreshed to end the session')
}

function lowerFirst(text: string): string {
  return `${text.charAt(0).toLowerCase()}${text.slice(1)}`
}
