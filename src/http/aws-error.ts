// Turns an AWS error response into an AwsServiceError, the way the SDKs find the error type:
// the x-amzn-ErrorType header first, then the body. OIDC bodies carry an OAuth `error` code and
// no `__type`; portal bodies carry `__type` and `message` (PROTOCOL.md §2, §4).
import { AwsServiceError } from './errors.js'

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

export function awsErrorFromResponse(response: ErrorResponse): AwsServiceError {
  const body = isRecord(response.body) ? response.body : {}
  const oauthError = stringField(body, 'error')
  const code =
    shapeName(header(response.headers, 'x-amzn-errortype')) ??
    (oauthError !== undefined ? SHAPE_BY_OAUTH_ERROR[oauthError] : undefined) ??
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
    description: stringField(body, 'error_description') ?? stringField(body, 'message') ?? stringField(body, 'Message'),
    requestId: header(response.headers, 'x-amzn-requestid')
  })
}

/** `Shape:http://internal…` or `ns#Shape` or `Shape,…` → `Shape` (botocore and the JS SDK agree). */
export function shapeName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  let name = raw.split(':')[0]!.split(',')[0]!
  const hash = name.lastIndexOf('#')
  if (hash >= 0) name = name.slice(hash + 1)
  name = name.trim()
  return name === '' ? undefined : name
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
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
