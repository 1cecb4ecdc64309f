// Checks and normalises SSO OIDC success bodies. AWS marks no response member as required, so
// every field the flow depends on is checked here: a 200 without it is a MalformedResponseError
// naming the field (never its value), not a crash three steps later.
import { Fields, isTime, type ParseContext } from '../http/response-fields.js'
import type { ClientRegistration, DeviceAuthorization, TokenSet } from './types.js'

/** RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default." */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5

export function parseRegistration(
  body: unknown,
  context: ParseContext,
  request: { clientName: string; scopes: string[] }
): ClientRegistration {
  const fields = new Fields(body, context)
  const clientId = fields.requiredString('clientId')
  const clientSecret = fields.requiredString('clientSecret')
  const clientSecretExpiresAt = fields.requiredTime('clientSecretExpiresAt', 1000)
  const issuedAt = fields.optionalNumber('clientIdIssuedAt')
  return {
    clientId,
    clientSecret,
    // Informational only (it names the cache entry); when absent or implausible, the arrival time is the best estimate.
    clientIdIssuedAt: issuedAt !== undefined && isTime(issuedAt * 1000) ? issuedAt : Math.floor(context.now / 1000),
    clientSecretExpiresAt,
    scopes: [...request.scopes],
    clientName: request.clientName
  }
}

// What the approver is shown comes from this answer, so whoever answers in AWS's place must not be
// able to choose it freely: the user code has the shape of a code (AWS: `ABCD-EFGH`), the links are
// https (http only to a loopback host, which is an emulator the user pointed the action at), and
// the times are in ranges a real device flow uses. A value outside them is a MalformedResponseError
// naming the field, never echoing it.
const USER_CODE = /^[A-Za-z0-9]{2,16}(?:-[A-Za-z0-9]{2,16}){0,3}$/
/** A device code AWS issues is a few hundred characters of base64url-like text. */
const OPAQUE_TOKEN = /^[\x21-\x7e]{1,8192}$/
/** AWS: 600 s. More than a day cannot be a device code's life. */
const MAX_CODE_LIFETIME_SECONDS = 86_400
/** AWS: 1 s. A server that asks for minutes between polls would stall the gate past any approval. */
const MAX_POLL_INTERVAL_SECONDS = 60
/** A year: far beyond any access token's life, within what a Date holds. */
const MAX_TOKEN_LIFETIME_SECONDS = 31_536_000

export function parseDeviceAuthorization(body: unknown, context: ParseContext): DeviceAuthorization {
  const fields = new Fields(body, context)
  const deviceCode = fields.requiredString('deviceCode')
  if (!OPAQUE_TOKEN.test(deviceCode)) throw fields.malformed('deviceCode is not printable ASCII of a plausible length')
  const userCode = fields.requiredString('userCode')
  if (!USER_CODE.test(userCode)) throw fields.malformed('userCode does not have the shape of a user code (like ABCD-EFGH)')
  const verificationUri = verificationLink(fields, 'verificationUri', fields.requiredString('verificationUri'))
  const complete = fields.optionalString('verificationUriComplete')
  const expiresIn = fields.requiredNumber('expiresIn')
  if (expiresIn <= 0 || expiresIn > MAX_CODE_LIFETIME_SECONDS)
    throw fields.malformed('expiresIn is not a plausible number of seconds (1 to 86400)')
  const interval = fields.optionalNumber('interval')
  if (interval !== undefined && interval > MAX_POLL_INTERVAL_SECONDS)
    throw fields.malformed(`interval is over ${MAX_POLL_INTERVAL_SECONDS} seconds`)
  return {
    deviceCode,
    userCode,
    verificationUri,
    // The complete URL only saves typing; the prompt always shows the user code separately.
    verificationUriComplete: complete === undefined ? verificationUri : verificationLink(fields, 'verificationUriComplete', complete),
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
  // AWS: an hour or so. Not positive, or beyond a year, is no lifetime a token has (and a huge one is no Date).
  if (expiresIn <= 0 || expiresIn > MAX_TOKEN_LIFETIME_SECONDS)
    throw fields.malformed('expiresIn is not a plausible number of seconds (1 to 31536000)')
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

/** An https link (http only to a loopback host), without credentials, of a sane length. */
function verificationLink(fields: Fields, name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw fields.malformed(`${name} is not a URL`)
  }
  const loopback = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw fields.malformed(`${name} is not an https URL`)
  // Printable ASCII only (what URL serialisation yields): no white space, controls, bidi or
  // zero-width characters, which the parser would keep or silently drop and a reader not see.
  if (url.username || url.password || value.length > 2048 || !/^[\x21-\x7e]+$/.test(value))
    throw fields.malformed(`${name} is not a plain link`)
  return value
}
