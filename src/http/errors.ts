// One error type per failure a caller treats differently: AWS said no (AwsServiceError), the
// network failed (NetworkError, RequestTimeoutError), or AWS said yes in a shape we cannot use
// (MalformedResponseError). Messages are one line naming the operation, the endpoint and the
// cause, and never carry a response body or anything sent in a request: those may hold secrets.

/** An AWS error response (any non-2xx status). */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError'
  /** 'RegisterClient' | 'StartDeviceAuthorization' | 'CreateToken' | a portal operation. */
  readonly operation: string
  /** The error shape, e.g. 'AuthorizationPendingException'; 'UnknownError' when AWS named none. */
  readonly code: string
  /** The OAuth error code from the body, e.g. 'authorization_pending' (OIDC only). */
  declare readonly oauthError?: string
  readonly status: number
  /** Origin and path only: never a query string. */
  readonly endpoint: string
  /** From the Retry-After header, when the server sent one. */
  declare readonly retryAfterMs?: number
  /** The body's `error_description` or `message`. Kept out of `message`: it is server text. */
  declare readonly description?: string
  /** x-amzn-RequestId, for AWS support. */
  declare readonly requestId?: string

  constructor(fields: {
    operation: string
    code: string
    status: number
    endpoint: string
    oauthError?: string
    retryAfterMs?: number
    description?: string
    requestId?: string
  }) {
    const detail = fields.oauthError ? `HTTP ${fields.status}, ${fields.oauthError}` : `HTTP ${fields.status}`
    super(`${fields.operation} at ${fields.endpoint} failed: ${fields.code} (${detail})`)
    this.operation = fields.operation
    this.code = fields.code
    this.status = fields.status
    this.endpoint = fields.endpoint
    if (fields.oauthError !== undefined) this.oauthError = fields.oauthError
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs
    if (fields.description !== undefined) this.description = fields.description
    if (fields.requestId !== undefined) this.requestId = fields.requestId
  }
}

/** The request never got a complete answer: refused, reset, DNS, TLS, proxy. `cause` is kept. */
export class NetworkError extends Error {
  override readonly name: string = 'NetworkError'
  readonly operation: string
  readonly endpoint: string
  /** False for failures a retry cannot fix (a bad certificate, a proxy refusing credentials). */
  readonly retryable: boolean

  constructor(operation: string, endpoint: string, reason: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(`${operation} at ${endpoint} failed: ${reason}`, { cause: options.cause })
    this.operation = operation
    this.endpoint = endpoint
    this.retryable = options.retryable ?? true
  }
}

/**
 * No complete answer within the per-attempt timeout: a hung connection or a stalled server.
 * A timeout of 0 means the request was never sent: the flow's deadline had already passed.
 */
export class RequestTimeoutError extends NetworkError {
  override readonly name = 'RequestTimeoutError'
  readonly timeoutMs: number
  /**
   * The attempt had less than its usual time because the caller's deadline was near (or past):
   * its timing out says little about the service (withRetry then reports an earlier failure).
   */
  readonly cutShort: boolean

  constructor(operation: string, endpoint: string, timeoutMs: number, options: { cause?: unknown; cutShort?: boolean } = {}) {
    super(operation, endpoint, timeoutMs > 0 ? `no response within ${timeoutMs} ms` : 'not sent: the time allowed had run out', options)
    this.timeoutMs = timeoutMs
    this.cutShort = options.cutShort ?? timeoutMs === 0
  }
}

/** A success status with a body we cannot use: not JSON, or a required field missing. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError'
  readonly operation: string
  readonly endpoint: string

  constructor(operation: string, endpoint: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${operation} at ${endpoint} returned an unusable response: ${problem}`, options)
    this.operation = operation
    this.endpoint = endpoint
  }
}

// The SDKs' throttling list (smithy service-error-classification), minus S3's `SlowDown`, which
// OIDC never sends: the OIDC `SlowDownException` is handled by the operation rules below.
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'RequestThrottled',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'PriorRequestNotComplete'
])

// On these two calls SlowDownException can only mean "too many requests": nothing is being polled.
// On CreateToken it is the RFC 8628 signal to widen the polling interval, which the poll loop owns.
const SLOW_DOWN_MEANS_THROTTLING = new Set(['RegisterClient', 'StartDeviceAuthorization'])

/** Whether trying the same request again later can succeed. */
export function isRetryableAwsError(error: unknown): boolean {
  if (error instanceof NetworkError) return error.retryable
  if (!(error instanceof AwsServiceError)) return false
  // 501 Not Implemented and 505 HTTP Version Not Supported will answer the same way every time.
  if (error.status >= 500 && error.status !== 501 && error.status !== 505) return true
  if (error.status === 429 || THROTTLING_CODES.has(error.code)) return true
  return error.code === 'SlowDownException' && SLOW_DOWN_MEANS_THROTTLING.has(error.operation)
}
