// Turns an AWS error response into an AwsServiceError, the way the SDKs find the error type:
// the x-amzn-ErrorType header first, then the body. OIDC bodies carry an OAuth `error` code and
// no `__type`; portal bodies carry `__type` and `message` (docs/protocol.md §2, §4).
import { AwsServiceError } from './errors.js'
import { parseRetryAfter } from './retry-after.js'

/** OAuth error codes (RFC 6749/8628, as SSO OIDC sends them) and the shapes they stand for. */
const SHAPE_BY_OAUTH_ERROR: Readonly<Record<string, string>> = {
  access_denied: 'AccessDeniedException',
  authorization_pending: 'AuthorizationPendingException',
  expired_token: 'ExpiredTokenException',
  server_error: 'InternalServerException',
  invalid_client: 'InvalidClientException',
  invalid_client_metadata: 'InvalidClientMetadataException',
  invalid_grant: 'InvalidGrantException',
  invalid_redirect_uri: 'InvalidRedirectUriException',
  invalid_request: 'InvalidRequestException',
  invalid_scope: 'InvalidScopeException',
  slow_down: 'SlowDownException',
  unauthorized_client: 'UnauthorizedClientException',
  unsupported_grant_type: 'UnsupportedGrantTypeException'
}

export interface ErrorResponse {
  operation: string
  endpoint: string
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, or undefined when the body was empty or not JSON (a proxy's HTML page). */
  body: unknown
  /** Epoch ms now, to turn an HTTP-date Retry-After into a delay. */
  now: number
}

// Whoever answers in AWS's place (a proxy, a man in the middle, a misconfigured endpoint) chooses
// every byte of an error response, and could echo our own request back in it, base64-, URL- or
// JSON-encoded, where the runner's masking of exact strings would miss it. So an error's code,
// OAuth error, description and request ID are kept only when they have the shape AWS gives them;
// anything else is dropped and the error reported as UnknownError with its HTTP status.

/** An AWS shape name: `InvalidClientException`, `ThrottlingException`. */
const SHAPE = /^[A-Z][A-Za-z0-9]{2,63}$/
/** A request ID: a UUID, or AWS's older base32-like IDs. */
export const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/
/** Prose as AWS writes it: letters, digits, spaces and ordinary punctuation, at most 300 characters. */
const DESCRIPTION = /^[A-Za-z0-9 .,:;'"()[\]{}!?@#&*+=/_-]{1,300}$/
/** A run that could carry an encoded secret: 24 or more characters of a base64 / URL / hex alphabet
 *  (AWS's own words are shorter; an ARN or ID in a description costs the description, not the error). */
const ENCODED_RUN = /[A-Za-z0-9+/=_%-]{24,}/

export function awsErrorFromResponse(response: ErrorResponse): AwsServiceError {
  // Own keys only: `in` would take an `error` of "constructor" or "__proto__" for an OAuth error.
  const body = isRecord(response.body) ? response.body : {}
  const claimedOauthError = stringField(body, 'error')
  const oauthError =
    claimedOauthError !== undefined && Object.hasOwn(SHAPE_BY_OAUTH_ERROR, claimedOauthError) ? claimedOauthError : undefined
  const code =
    shapeName(header(response.headers, 'x-amzn-errortype')) ??
    (oauthError === undefined ? undefined : SHAPE_BY_OAUTH_ERROR[oauthError]) ??
    shapeName(stringField(body, '__type')) ??
    shapeName(stringField(body, 'code') ?? stringField(body, 'Code')) ??
    'UnknownError'
  return new AwsServiceError({
    operation: response.operation,
    endpoint: response.endpoint,
    status: response.status,
    code,
    oauthError,
    retryAfterMs: parseRetryAfter(header(response.headers, 'retry-after'), response.now),
    description: awsDescription(stringField(body, 'error_description') ?? stringField(body, 'message') ?? stringField(body, 'Message')),
    requestId: requestIdOf(response.headers)
  })
}

/** The x-amzn-RequestId header when it has a request ID's shape (CloudTrail's `requestID`); else undefined. */
export function requestIdOf(headers: ErrorResponse['headers']): string | undefined {
  return matching(REQUEST_ID, header(headers, 'x-amzn-requestid'))
}

/** The description when it reads as AWS's prose; undefined otherwise (it is then never shown). */
export function awsDescription(raw: string | undefined): string | undefined {
  if (raw === undefined || !DESCRIPTION.test(raw) || ENCODED_RUN.test(raw)) return undefined
  return raw
}

function matching(pattern: RegExp, value: string | undefined): string | undefined {
  return value !== undefined && pattern.test(value) ? value : undefined
}

/** `Shape:http://internal…` or `ns#Shape` or `Shape,…` → `Shape` (botocore and the JS SDK agree). */
export function shapeName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  let name = raw.split(':')[0]!.split(',')[0]!
  const hash = name.lastIndexOf('#')
  if (hash >= 0) name = name.slice(hash + 1)
  name = name.trim()
  return SHAPE.test(name) ? name : undefined
}

function header(headers: ErrorResponse['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}
