// The SSO token cache entry the AWS CLI and SDKs read for an sso-session profile (docs/protocol.md §5):
// ~/.aws/sso/cache/<sha1(session name)>.json with the eight fields the CLI writes, dates in UTC
// ending in Z without a fraction. With the registration and the refresh token in it, a tool can
// refresh the access token by itself when it nears expiry.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { ClientRegistration, TokenSet } from '../oidc/types.js'
import { TOKEN_CACHE_MARK, type TokenCacheMark } from './marks.js'
import { isoUtc } from '../time/format.js'

/** Where the tools look: always under the home directory (no variable moves it). */
export function tokenCacheDirectory(home: string): string {
  return join(home, '.aws', 'sso', 'cache')
}

/** SHA-1 of the session name, lower-case hex: botocore, the JS and Go SDKs all name it so. */
export function tokenCacheFile(home: string, sessionName: string): string {
  return join(tokenCacheDirectory(home), `${createHash('sha1').update(sessionName, 'utf8').digest('hex')}.json`)
}

export interface TokenCacheEntry {
  startUrl: string
  region: string
  accessToken: string
  expiresAt: string
  clientId: string
  clientSecret: string
  registrationExpiresAt: string
  refreshToken?: string
  /** Not read by any AWS tool: tells a later run of the action on this runner that the file is its own (marks.ts). */
  [TOKEN_CACHE_MARK]: TokenCacheMark
}

/** The entry in the CLI's field order (`refreshToken` only when AWS issued one), then the action's mark. */
export function tokenCacheEntry(
  session: { startUrl: string; region: string; mark: TokenCacheMark },
  token: TokenSet,
  registration: ClientRegistration
): TokenCacheEntry {
  const entry: TokenCacheEntry = {
    startUrl: session.startUrl,
    region: session.region,
    accessToken: token.accessToken,
    expiresAt: isoUtc(token.expiresAt),
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    // Seconds from RegisterClient; botocore refuses to refresh once this has passed.
    registrationExpiresAt: isoUtc(registration.clientSecretExpiresAt * 1000)
  } as TokenCacheEntry
  if (token.refreshToken !== undefined) entry.refreshToken = token.refreshToken
  entry[TOKEN_CACHE_MARK] = { session: session.mark.session, runner: session.mark.runner }
  return entry
}
