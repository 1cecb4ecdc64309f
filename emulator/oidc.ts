// The three unsigned SSO OIDC operations (docs/protocol.md §1), with AWS's field names, validation
// and error shapes. Each handler takes the parsed JSON body and returns the JSON response object,
// or throws an OidcError that the server writes in AWS's wire shape.
import { OidcError } from './errors.js'
import { isAccessPortalUrl } from './start-url.js'
import type { Authorization, Registration, Store } from './store.js'

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const REFRESH_TOKEN_GRANT = 'refresh_token'
const KNOWN_GRANT_TYPES = new Set([DEVICE_CODE_GRANT, REFRESH_TOKEN_GRANT, 'authorization_code'])

/** Timers fire a little late and clients measure from their own side: forgive this much (ms). */
export const POLL_TOLERANCE_MS = 50
/** RFC 8628 §3.5: slow_down adds 5 seconds to the interval. */
export const SLOW_DOWN_STEP_SECONDS = 5

export interface OidcSettings {
  /** Seconds. */
  interval: number
  expiresIn: number
  tokenTtl: number
  registrationTtl: number
}

/**
 * How StartDeviceAuthorization names the verification page (docs/protocol.md §1):
 * - `current`, what AWS answers today: one opaque per-request link,
 *   `<endpoint>/platform/authorize?request_uri=…`, as both verificationUri and
 *   verificationUriComplete; the page shows the request's code and asks to confirm it.
 * - `legacy`, what AWS answered before: the page `<endpoint>/device`, where the code is typed, and
 *   `<endpoint>/device?user_code=<code>`, which fills it in.
 */
export type VerificationForm = 'current' | 'legacy'
export const VERIFICATION_FORMS: readonly VerificationForm[] = ['current', 'legacy']

export interface OidcContext {
  store: Store
  settings: OidcSettings
  now: () => number
  /** Where the emulator serves its pages, e.g. http://127.0.0.1:PORT. */
  endpoint: string
  verificationForm: VerificationForm
  /** Told of every new authorization, e.g. to schedule an automatic approval. */
  onAuthorizationStarted?: (authorization: Authorization) => void
}

type JsonObject = Record<string, unknown>

export function registerClient(ctx: OidcContext, body: JsonObject): JsonObject {
  const clientName = requiredString(body, 'clientName')
  const clientType = requiredString(body, 'clientType')
  if (clientType !== 'public') {
    throw new OidcError('InvalidClientMetadataException', `Invalid client type: ${clientType}. Only public clients are supported`)
  }
  const scopes = optionalStringList(body, 'scopes')
  optionalStringList(body, 'redirectUris')
  const grantTypes = optionalStringList(body, 'grantTypes')
  const unknownGrant = grantTypes.find((grant) => !KNOWN_GRANT_TYPES.has(grant))
  if (unknownGrant !== undefined) {
    throw new OidcError('UnsupportedGrantTypeException', `Unsupported grant type: ${unknownGrant}`)
  }
  const invalidScope = scopes.find((scope) => !/^[\w.:*/-]+$/.test(scope))
  if (invalidScope !== undefined) throw new OidcError('InvalidScopeException', 'Invalid scope requested')

  const registration = ctx.store.register(clientName, scopes, ctx.settings.registrationTtl)
  return {
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    clientIdIssuedAt: Math.floor(registration.issuedAt / 1000),
    clientSecretExpiresAt: Math.floor(registration.expiresAt / 1000)
  }
}

export function startDeviceAuthorization(ctx: OidcContext, body: JsonObject): JsonObject {
  const clientId = requiredString(body, 'clientId')
  const clientSecret = requiredString(body, 'clientSecret')
  const startUrl = requiredString(body, 'startUrl')
  // AWS answers a start URL that is not an access portal with an empty description.
  if (!isAccessPortalUrl(startUrl)) throw new OidcError('InvalidRequestException', '')
  // Like AWS, an expired registration is NOT refused here: the approver meets "Invalid client"
  // on the verification page, and CreateToken refuses it.
  const registration = ctx.store.authenticate(clientId, clientSecret)
  if (!registration) throw invalidClient()

  const authorization = ctx.store.startAuthorization(clientId, startUrl, ctx.settings.expiresIn, ctx.settings.interval)
  ctx.onAuthorizationStarted?.(authorization)
  return {
    deviceCode: authorization.deviceCode,
    userCode: authorization.userCode,
    ...verificationLinks(ctx, authorization),
    expiresIn: ctx.settings.expiresIn,
    interval: ctx.settings.interval
  }
}

function verificationLinks(ctx: OidcContext, authorization: Authorization): JsonObject {
  if (ctx.verificationForm === 'legacy') {
    const page = `${ctx.endpoint}/device`
    return { verificationUri: page, verificationUriComplete: `${page}?user_code=${encodeURIComponent(authorization.userCode)}` }
  }
  const link = `${ctx.endpoint}/platform/authorize?request_uri=${encodeURIComponent(authorization.requestUri)}`
  return { verificationUri: link, verificationUriComplete: link }
}

export function createToken(ctx: OidcContext, body: JsonObject): JsonObject {
  const clientId = requiredString(body, 'clientId')
  const clientSecret = requiredString(body, 'clientSecret')
  const grantType = requiredString(body, 'grantType')
  optionalStringList(body, 'scope')
  const registration = ctx.store.authenticate(clientId, clientSecret)
  if (!registration || ctx.store.isRegistrationExpired(registration)) throw invalidClient()

  if (grantType === DEVICE_CODE_GRANT) return deviceCodeGrant(ctx, registration, requiredString(body, 'deviceCode'))
  if (grantType === REFRESH_TOKEN_GRANT) return refreshTokenGrant(ctx, registration, requiredString(body, 'refreshToken'))
  throw new OidcError('UnsupportedGrantTypeException', `Unsupported grant type: ${grantType}`)
}

function deviceCodeGrant(ctx: OidcContext, registration: Registration, deviceCode: string): JsonObject {
  const { store, now } = ctx
  const authorization = store.findByDeviceCode(deviceCode)
  if (!authorization || authorization.clientId !== registration.clientId) {
    throw new OidcError('InvalidGrantException', 'Invalid device code provided')
  }
  // Device codes are single use: once exchanged, the code is spent whatever else is true.
  if (authorization.state === 'redeemed') throw new OidcError('InvalidGrantException', 'Device code has already been used')
  if (store.isAuthorizationExpired(authorization)) throw new OidcError('ExpiredTokenException', 'Device code has expired')
  if (authorization.state === 'denied') throw new OidcError('AccessDeniedException', 'Access denied by the user')

  if (authorization.state === 'pending') {
    const at = now()
    const previous = authorization.lastPollAt
    authorization.lastPollAt = at
    // slow_down is a variant of authorization_pending (RFC 8628 §3.5), so only a pending code polices the rate.
    if (previous !== undefined && at - previous < authorization.interval * 1000 - POLL_TOLERANCE_MS) {
      authorization.interval += SLOW_DOWN_STEP_SECONDS
      throw new OidcError('SlowDownException', 'Client is polling too frequently')
    }
    throw new OidcError('AuthorizationPendingException', 'Authorization is still pending')
  }

  authorization.state = 'redeemed'
  const token = store.issueToken(registration.clientId, authorization.user ?? 'demo-user', registration.scopes, ctx.settings.tokenTtl)
  return tokenResponse(ctx, token.accessToken, token.refreshToken)
}

function refreshTokenGrant(ctx: OidcContext, registration: Registration, refreshToken: string): JsonObject {
  const token = ctx.store.refresh(registration.clientId, refreshToken, ctx.settings.tokenTtl)
  if (!token) throw new OidcError('InvalidGrantException', 'Invalid refresh token provided')
  return tokenResponse(ctx, token.accessToken, token.refreshToken)
}

function tokenResponse(ctx: OidcContext, accessToken: string, refreshToken: string | undefined): JsonObject {
  // idToken is omitted: AWS documents it as "not implemented or supported".
  const response: JsonObject = { accessToken, tokenType: 'Bearer', expiresIn: ctx.settings.tokenTtl }
  if (refreshToken !== undefined) response.refreshToken = refreshToken
  return response
}

function invalidClient(): OidcError {
  return new OidcError('InvalidClientException', 'Invalid client provided')
}

function requiredString(body: JsonObject, field: string): string {
  const value = body[field]
  if (value === undefined || value === null || value === '') {
    throw new OidcError('InvalidRequestException', `Missing required parameter: ${field}`)
  }
  if (typeof value !== 'string') throw new OidcError('InvalidRequestException', `Invalid parameter: ${field} must be a string`)
  return value
}

function optionalStringList(body: JsonObject, field: string): string[] {
  const value = body[field]
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new OidcError('InvalidRequestException', `Invalid parameter: ${field} must be a list of strings`)
  }
  return value
}
