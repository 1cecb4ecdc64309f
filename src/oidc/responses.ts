// Checks and normalises SSO OIDC success bodies. AWS marks no response member as required, so
// every field the flow depends on is checked here: a 200 without it is a MalformedResponseError
// naming the field (never its value), not a crash three steps later.
import { Fields, type ParseContext } from '../http/response-fields.js'
import type { ClientRegistration, DeviceAuthorization, TokenSet } from './types.js'

/** RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default." */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5

export function parseRegistration(body: unknown, context: ParseContext, request: { clientName: string; scopes: string[] }): ClientRegistration {
  const fields = new Fields(body, context)
  const clientId = fields.requiredString('clientId')
  const clientSecret = fields.requiredString('clientSecret')
  const clientSecretExpiresAt = fields.requiredNumber('clientSecretExpiresAt')
  return {
    clientId,
    clientSecret,
    // Informational only; when absent, the arrival time is the best estimate.
    clientIdIssuedAt: fields.optionalNumber('clientIdIssuedAt') ?? Math.floor(context.now / 1000),
    clientSecretExpiresAt,
    scopes: [...request.scopes],
    clientName: request.clientName
  }
}

export function parseDeviceAuthorization(body: unknown, context: ParseContext): DeviceAuthorization {
  const fields = new Fields(body, context)
  const deviceCode = fields.requiredString('deviceCode')
  const userCode = fields.requiredString('userCode')
  const verificationUri = fields.requiredString('verificationUri')
  const expiresIn = fields.requiredNumber('expiresIn')
  if (expiresIn <= 0) throw fields.malformed('expiresIn is not a positive number of seconds')
  const interval = fields.optionalNumber('interval')
  return {
    deviceCode,
    userCode,
    verificationUri,
    // The complete URL only saves typing; the prompt always shows the user code separately.
    verificationUriComplete: fields.optionalString('verificationUriComplete') ?? verificationUri,
    expiresIn,
    // A zero or negative interval would mean polling flat out: treat it as absent.
    interval: interval !== undefined && interval > 0 ? interval : DEFAULT_POLL_INTERVAL_SECONDS,
    startedAt: context.now
  }
}

export function parseTokenSet(body: unknown, context: ParseContext): TokenSet {
  const fields = new Fields(body, context)
  const accessToken = fields.requiredString('accessToken')
  const expiresIn = fields.requiredNumber('expiresIn')
  const token: TokenSet = {
    accessToken,
    tokenType: fields.optionalString('tokenType') ?? 'Bearer',
    expiresIn,
    expiresAt: context.now + expiresIn * 1000
  }
  const refreshToken = fields.optionalString('refreshToken')
  if (refreshToken !== undefined) token.refreshToken = refreshToken
  const idToken = fields.optionalString('idToken')
  if (idToken !== undefined) token.idToken = idToken
  return token
}
