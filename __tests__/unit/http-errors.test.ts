import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { awsErrorFromResponse, shapeName } from '../../src/http/aws-error.js'
import { parseRetryAfter } from '../../src/http/retry-after.js'
import { ACTION_VERSION, USER_AGENT } from '../../src/http/user-agent.js'
import { AwsServiceError, MalformedResponseError, NetworkError, RequestTimeoutError, isRetryableAwsError } from '../../src/oidc/errors.js'

const ENDPOINT = 'https://oidc.us-east-1.amazonaws.com/token'
const NOW = Date.UTC(2026, 0, 1, 12)

function fromResponse(status: number, headers: Record<string, string>, body: unknown, operation = 'CreateToken') {
  return awsErrorFromResponse({ operation, endpoint: ENDPOINT, status, headers, body, now: NOW })
}

describe('awsErrorFromResponse', () => {
  it('keys on x-amzn-ErrorType, as AWS sends it (aws/aws-cli#5878)', () => {
    const error = fromResponse(
      400,
      {
        'x-amzn-errortype': 'AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/',
        'x-amzn-requestid': 'e1f2a3b4-0000-4000-8000-000000000001'
      },
      // The body says slow_down: only a parser that reads the header first finds the pending shape.
      { error: 'slow_down', error_description: 'Authorization is still pending' }
    )
    expect(error).toBeInstanceOf(AwsServiceError)
    expect(error).toMatchObject({
      operation: 'CreateToken',
      code: 'AuthorizationPendingException',
      oauthError: 'slow_down',
      status: 400,
      endpoint: ENDPOINT,
      description: 'Authorization is still pending',
      requestId: 'e1f2a3b4-0000-4000-8000-000000000001'
    })
  })

  it('falls back to the OAuth error code in the body', () => {
    const table: Array<[string, string, number]> = [
      ['access_denied', 'AccessDeniedException', 400],
      ['authorization_pending', 'AuthorizationPendingException', 400],
      ['expired_token', 'ExpiredTokenException', 400],
      ['server_error', 'InternalServerException', 500],
      ['invalid_client', 'InvalidClientException', 401],
      ['invalid_client_metadata', 'InvalidClientMetadataException', 400],
      ['invalid_grant', 'InvalidGrantException', 400],
      ['invalid_redirect_uri', 'InvalidRedirectUriException', 400],
      ['invalid_request', 'InvalidRequestException', 400],
      ['invalid_scope', 'InvalidScopeException', 400],
      ['slow_down', 'SlowDownException', 400],
      ['unauthorized_client', 'UnauthorizedClientException', 400],
      ['unsupported_grant_type', 'UnsupportedGrantTypeException', 400]
    ]
    for (const [oauth, shape, status] of table) {
      expect(fromResponse(status, {}, { error: oauth })).toMatchObject({ code: shape, oauthError: oauth, status })
    }
  })

  it('reads a portal error from __type and message (aws-sso-util#74)', () => {
    const error = fromResponse(
      401,
      {},
      { message: 'Session token not found or invalid', __type: 'com.amazonaws.switchboard.portal#UnauthorizedException' },
      'GetRoleCredentials'
    )
    expect(error).toMatchObject({ code: 'UnauthorizedException', description: 'Session token not found or invalid' })
    expect(error.oauthError).toBeUndefined()
  })

  it('names an error without a type UnknownError and keeps the status (a proxy HTML page)', () => {
    expect(fromResponse(502, { 'content-type': 'text/html' }, undefined)).toMatchObject({ code: 'UnknownError', status: 502 })
  })

  it('reads Retry-After', () => {
    expect(fromResponse(429, { 'retry-after': '3' }, {}).retryAfterMs).toBe(3_000)
    expect(fromResponse(400, {}, { error: 'slow_down' }).retryAfterMs).toBeUndefined()
  })

  it('says operation, endpoint and cause in one line, and never the body', () => {
    const secret = 'eyJraWQiOiJrZXktMTU2Njk2ODA4OCIsImFsZyI6IkhTMzg0In0-secret'
    const error = fromResponse(
      401,
      { 'x-amzn-errortype': 'InvalidClientException' },
      { error: 'invalid_client', error_description: `bad client ${secret}` }
    )
    expect(error.message).toBe(`CreateToken at ${ENDPOINT} failed: InvalidClientException (HTTP 401, invalid_client)`)
    expect(error.message).not.toContain(secret)
  })
})

describe('shapeName', () => {
  it('strips the namespace and suffixes, as botocore and the JS SDK do', () => {
    expect(shapeName('SlowDownException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/')).toBe('SlowDownException')
    expect(shapeName('aws.protocoltests#FooError')).toBe('FooError')
    expect(shapeName('FooError,BarError')).toBe('FooError')
    expect(shapeName('  ')).toBeUndefined()
    expect(shapeName(undefined)).toBeUndefined()
  })
})

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates, ignores garbage', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000)
    expect(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW)).toBe(0)
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined()
  })
})

describe('isRetryableAwsError', () => {
  const service = (code: string, status: number, operation = 'CreateToken') =>
    new AwsServiceError({ operation, endpoint: ENDPOINT, code, status })

  it.each(
    [
      ['a network error', new NetworkError('CreateToken', ENDPOINT, 'connection reset (ECONNRESET)'), true],
      ['a request timeout', new RequestTimeoutError('CreateToken', ENDPOINT, 15_000), true],
      ['a certificate error', new NetworkError('CreateToken', ENDPOINT, 'bad certificate', { retryable: false }), false],
      ['InternalServerException 500', service('InternalServerException', 500), true],
      ['502 from a proxy', service('UnknownError', 502), true],
      ['503', service('UnknownError', 503), true],
      ['504', service('UnknownError', 504), true],
      ['501 Not Implemented', service('UnknownError', 501), false],
      ['429', service('UnknownError', 429), true],
      ['TooManyRequestsException', service('TooManyRequestsException', 429, 'GetRoleCredentials'), true],
      ['ThrottlingException on 400', service('ThrottlingException', 400), true],
      ['SlowDownException on RegisterClient', service('SlowDownException', 400, 'RegisterClient'), true],
      ['SlowDownException on StartDeviceAuthorization', service('SlowDownException', 400, 'StartDeviceAuthorization'), true],
      ['SlowDownException on CreateToken (the poll loop owns it)', service('SlowDownException', 400, 'CreateToken'), false],
      ['AuthorizationPendingException', service('AuthorizationPendingException', 400), false],
      ['InvalidClientException', service('InvalidClientException', 401), false],
      ['InvalidGrantException', service('InvalidGrantException', 400), false],
      ['a malformed response', new MalformedResponseError('CreateToken', ENDPOINT, 'body is not JSON'), false],
      ['a cancellation', new DOMException('This operation was aborted', 'AbortError'), false],
      ['a plain Error', new Error('bug'), false],
      ['not an error', 'ECONNRESET', false]
    ].map(([name, error, expected]) => [name, expected, error] as const)
  )('%s → %s', (_name, expected, error) => {
    expect(isRetryableAwsError(error)).toBe(expected)
  })
})

describe('error messages', () => {
  it('are one line naming operation, endpoint and cause', () => {
    const errors = [
      new NetworkError('StartDeviceAuthorization', ENDPOINT, 'connection refused (ECONNREFUSED)'),
      new RequestTimeoutError('CreateToken', ENDPOINT, 15_000),
      new MalformedResponseError('RegisterClient', ENDPOINT, 'clientSecret is missing or not a non-empty string')
    ]
    expect(errors.map((e) => e.message)).toEqual([
      `StartDeviceAuthorization at ${ENDPOINT} failed: connection refused (ECONNREFUSED)`,
      `CreateToken at ${ENDPOINT} failed: no response within 15000 ms`,
      `RegisterClient at ${ENDPOINT} returned an unusable response: clientSecret is missing or not a non-empty string`
    ])
    expect(errors.every((e) => !e.message.includes('\n'))).toBe(true)
    expect(errors[1]).toBeInstanceOf(NetworkError)
  })
})

describe('User-Agent', () => {
  it('carries the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(ACTION_VERSION).toBe(pkg.version)
    expect(USER_AGENT).toBe(`aws-sso-device-auth/${pkg.version}`)
  })
})

describe('awsErrorFromResponse: an answer that is not AWS-shaped is not believed', () => {
  const SECRET = 'dXNlcjpjbGllbnQtc2VjcmV0LXZhbHVlLTEyMzQ1Njc4OTA='
  it.each([
    ['a base64 echo in error_description', {}, { error: 'invalid_request', error_description: `bad request ${SECRET}` }],
    ['a URL-encoded echo', {}, { error: 'invalid_request', error_description: 'client_secret%3Dsecret-value-1234567890abcdef' }],
    ['a JSON echo', {}, { error: 'invalid_request', error_description: '{"clientSecret":"abcdefghijklmnopqrstuvwxyz0123"}' }],
    ['a line break', {}, { error: 'invalid_request', error_description: 'fine\n::stop-commands::x' }],
    ['an overlong description', {}, { error: 'invalid_request', error_description: 'word '.repeat(100) }]
  ])('drops %s but keeps the code', (_what, headers, body) => {
    const error = fromResponse(400, headers, body)
    expect(error).toMatchObject({ code: 'InvalidRequestException', oauthError: 'invalid_request' })
    expect(error.description).toBeUndefined()
    expect(error.message).not.toMatch(/dXNlcj|secret-value|clientSecret|stop-commands/)
  })

  it.each([
    ['an echoed header', { 'x-amzn-errortype': SECRET }, {}],
    ['a command in the header', { 'x-amzn-errortype': '::stop-commands::x' }, {}],
    ['an unknown OAuth error', {}, { error: 'client_secret=abcdef' }],
    ['a __type with spaces', {}, { __type: 'Invalid Client Exception' }]
  ])('reports %s as UnknownError with the HTTP status', (_what, headers, body) => {
    const error = fromResponse(418, headers, body)
    expect(error).toMatchObject({ code: 'UnknownError', status: 418 })
    expect(error.oauthError).toBeUndefined()
    expect(error.message).toContain('418')
  })

  it('keeps a request ID only in its shape', () => {
    expect(fromResponse(400, { 'x-amzn-requestid': 'x\n::add-mask::' }, {}).requestId).toBeUndefined()
    expect(fromResponse(400, { 'x-amzn-requestid': 'e1f2a3b4-0000-4000-8000-000000000001' }, {}).requestId).toBe(
      'e1f2a3b4-0000-4000-8000-000000000001'
    )
  })
})
