// The two error dialects of IAM Identity Center (docs/protocol.md §2 and §4). Handlers throw these;
// the server turns them into wire replies, so every error leaves with exactly AWS's shape.

/** The OIDC shapes and their status and OAuth `error` code (docs/protocol.md §2, "OIDC error shapes"). */
export const OIDC_ERROR_SHAPES = {
  AccessDeniedException: { status: 400, error: 'access_denied' },
  AuthorizationPendingException: { status: 400, error: 'authorization_pending' },
  ExpiredTokenException: { status: 400, error: 'expired_token' },
  InternalServerException: { status: 500, error: 'server_error' },
  InvalidClientException: { status: 401, error: 'invalid_client' },
  InvalidClientMetadataException: { status: 400, error: 'invalid_client_metadata' },
  InvalidGrantException: { status: 400, error: 'invalid_grant' },
  InvalidRedirectUriException: { status: 400, error: 'invalid_redirect_uri' },
  InvalidRequestException: { status: 400, error: 'invalid_request' },
  InvalidScopeException: { status: 400, error: 'invalid_scope' },
  SlowDownException: { status: 400, error: 'slow_down' },
  UnauthorizedClientException: { status: 400, error: 'unauthorized_client' },
  UnsupportedGrantTypeException: { status: 400, error: 'unsupported_grant_type' }
} as const

export type OidcErrorShape = keyof typeof OIDC_ERROR_SHAPES

export const PORTAL_ERROR_SHAPES = {
  InvalidRequestException: 400,
  UnauthorizedException: 401,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429
} as const

export type PortalErrorShape = keyof typeof PORTAL_ERROR_SHAPES

const OIDC_NAMESPACE = 'http://internal.amazon.com/coral/com.amazonaws.sso.oidc/'
const PORTAL_NAMESPACE = 'com.amazonaws.switchboard.portal'
const PORTAL_CORAL_NAMESPACE = `http://internal.amazon.com/coral/${PORTAL_NAMESPACE}/`

/** A reply ready to be written: what every handler produces, errors included. */
export interface Reply {
  status: number
  headers: Record<string, string>
  body: string
  /** The AWS error shape, for the request record, when no x-amzn-ErrorType header names it (STS). Never sent. */
  error?: string
}

export class OidcError extends Error {
  readonly shape: string
  readonly status: number
  readonly error: string

  constructor(shape: OidcErrorShape, description: string)
  /** Any shape, for injected faults: unknown shapes get a status given by the caller. */
  constructor(shape: string, description: string, status: number)
  constructor(shape: string, description: string, status?: number) {
    super(description)
    this.name = 'OidcError'
    this.shape = shape
    const known = (OIDC_ERROR_SHAPES as Record<string, { status: number; error: string } | undefined>)[shape]
    this.status = status ?? known?.status ?? 500
    this.error = known?.error ?? oauthCodeOf(shape)
  }

  toReply(): Reply {
    return {
      status: this.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${this.shape}:${OIDC_NAMESPACE}` },
      // Exactly these two members: the OIDC error body has no `message` and no `__type`.
      body: JSON.stringify({ error: this.error, error_description: this.message })
    }
  }
}

export class PortalError extends Error {
  readonly shape: string
  readonly status: number

  constructor(shape: PortalErrorShape, message: string)
  constructor(shape: string, message: string, status: number)
  constructor(shape: string, message: string, status?: number) {
    super(message)
    this.name = 'PortalError'
    this.shape = shape
    this.status = status ?? (PORTAL_ERROR_SHAPES as Record<string, number | undefined>)[shape] ?? 500
  }

  toReply(): Reply {
    return {
      status: this.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${this.shape}:${PORTAL_CORAL_NAMESPACE}` },
      body: JSON.stringify({ message: this.message, __type: `${PORTAL_NAMESPACE}#${this.shape}` })
    }
  }
}

/** STS's error codes (Query protocol) and their statuses, as STS answers them. */
export const STS_ERROR_STATUS: Readonly<Record<string, number>> = {
  MissingAuthenticationToken: 403,
  IncompleteSignature: 400,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  ExpiredToken: 400,
  InvalidAction: 400,
  AccessDenied: 403,
  Throttling: 400,
  InternalFailure: 500
}

const STS_XML_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'

/** An STS error in the Query protocol's XML: ErrorResponse > Error (Type, Code, Message), RequestId. */
export class StsError extends Error {
  readonly shape: string
  readonly status: number

  constructor(shape: string, message: string, status?: number) {
    super(message)
    this.name = 'StsError'
    this.shape = shape
    this.status = status ?? STS_ERROR_STATUS[shape] ?? 500
  }

  toReply(requestId: string): Reply {
    const escape = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    return {
      status: this.status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body:
        `<ErrorResponse xmlns="${STS_XML_NAMESPACE}">\n` +
        '  <Error>\n' +
        `    <Type>${this.status >= 500 ? 'Receiver' : 'Sender'}</Type>\n` +
        `    <Code>${escape(this.shape)}</Code>\n` +
        `    <Message>${escape(this.message)}</Message>\n` +
        '  </Error>\n' +
        `  <RequestId>${requestId}</RequestId>\n` +
        '</ErrorResponse>\n',
      error: this.shape
    }
  }
}

/** `SomeThingException` → `some_thing`, the OAuth style AWS uses for its `error` codes. */
function oauthCodeOf(shape: string): string {
  return shape
    .replace(/Exception$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
}
