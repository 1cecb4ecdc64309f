// An expired access token cannot be logged out, but its refresh token still lives server-side
// until the approver's IAM Identity Center session ends (8 hours by default): whoever holds it
// (a copy of the token cache, say) can keep minting access tokens. So the post step exchanges it
// once more (CreateToken, refresh_token grant, docs/protocol.md §1) and logs out the token it gets,
// which ends the session and its refresh token with it.
import { definedFields } from '../defined.js'
import { maskTokenSet } from '../model/secrets.js'
import { AwsServiceError } from '../http/errors.js'
import { SsoOidcClient } from '../oidc/client.js'
import type { SessionClient } from '../model/post-step-state.js'
import type { TokenSet } from '../oidc/types.js'
import { withRetry } from '../retry.js'

export interface RefreshOptions {
  client: SessionClient
  refreshToken: string
  /** Epoch ms: no attempt runs past it. */
  deadline: number
  attemptTimeoutMs: number
  now: () => number
  signal?: AbortSignal
  /** Masks every token of the new set before anything else sees it. */
  mask: (secret: string) => void
}

export type RefreshResult =
  | { kind: 'refreshed'; token: TokenSet }
  /** The registration expired: nobody can use the refresh token any more. */
  | { kind: 'registration-expired' }
  /** AWS refused the refresh token or the client: the session is over already. */
  | { kind: 'session-over' }

/** Exchanges the refresh token, transient failures retried; throws on any other failure. */
export async function refreshForLogout(options: RefreshOptions): Promise<RefreshResult> {
  const { client, now } = options
  if (client.registrationExpiresAt <= now()) return { kind: 'registration-expired' }
  const oidc = new SsoOidcClient({
    endpoint: client.oidcEndpoint,
    now,
    requestTimeoutMs: options.attemptTimeoutMs,
    deadline: options.deadline,
    ...definedFields({ signal: options.signal })
  })
  try {
    const token = await withRetry(() => oidc.refreshToken(client, options.refreshToken), {
      deadline: options.deadline,
      ...definedFields({ signal: options.signal })
    })
    maskTokenSet(token, options.mask)
    return { kind: 'refreshed', token }
  } catch (error) {
    if (isSessionOver(error)) return { kind: 'session-over' }
    throw error
  }
}

/** invalid_grant: the refresh token was revoked, rotated away or its session ended; invalid_client: the client is gone. */
function isSessionOver(error: unknown): boolean {
  if (!(error instanceof AwsServiceError)) return false
  return (
    ['InvalidGrantException', 'InvalidClientException', 'ExpiredTokenException'].includes(error.code) ||
    ['invalid_grant', 'invalid_client', 'expired_token'].includes(error.oauthError ?? '')
  )
}
