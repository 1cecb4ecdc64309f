import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { rmSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent } from 'undici'
import { closeSharedDispatcher } from '../../src/http/dispatcher.js'
import { USER_AGENT } from '../../src/http/user-agent.js'
import { SsoOidcClient } from '../../src/oidc/client.js'
import { AwsServiceError, MalformedResponseError, NetworkError, RequestTimeoutError, isRetryableAwsError } from '../../src/oidc/errors.js'
import { tempDir } from '../support/temp.js'
import { captureStdout } from '../support/capture.js'
import { testCertificate } from '../harness/forward-proxy.js'

// Values shaped like AWS's (the client secret is a ~1 KB JWT-like string).
const CLIENT = { clientId: 'client-id-123', clientSecret: 'eyJraWQiOiJrZXktMTU2Njk2ODA4OCJ9.' + 's'.repeat(900) }
const DEVICE_CODE = 'device-code-secret-abc'
const NOW = Date.UTC(2026, 0, 1, 12)

interface Recorded {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void

/** A loopback stand-in for the OIDC service: records each request and answers with `handler`. */
class LoopbackServer {
  readonly requests: Recorded[] = []
  handler: Handler = (_req, res) => json(res, 500, {})
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      this.handler(req, res, body)
    })
  })

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

const server = new LoopbackServer()
let endpoint: string
const dispatcher = new Agent()

beforeAll(async () => {
  endpoint = await server.start()
})
afterEach(() => {
  server.requests.length = 0
})
afterAll(async () => {
  await dispatcher.close()
  await closeSharedDispatcher()
  await server.stop()
})

function client(
  options: { requestTimeoutMs?: number; signal?: AbortSignal; base?: string; deadline?: number; now?: () => number } = {}
): SsoOidcClient {
  return new SsoOidcClient({ endpoint: options.base ?? endpoint, now: () => NOW, dispatcher, ...options })
}

function only(): Recorded {
  expect(server.requests).toHaveLength(1)
  return server.requests[0]!
}

describe('wire format (docs/protocol.md §1)', () => {
  it('RegisterClient: POST /client/register, public client, scopes, unsigned JSON', async () => {
    server.handler = (_req, res) =>
      json(res, 200, {
        clientId: CLIENT.clientId,
        clientSecret: CLIENT.clientSecret,
        clientIdIssuedAt: 1_767_268_800,
        clientSecretExpiresAt: 1_775_044_800,
        authorizationEndpoint: null,
        tokenEndpoint: null
      })
    const registration = await client().registerClient({ clientName: 'GitHub Actions acme/deploy', scopes: ['sso:account:access'] })

    const request = only()
    expect(request.method).toBe('POST')
    expect(request.url).toBe('/client/register')
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.headers['user-agent']).toBe(USER_AGENT)
    expect(request.headers.authorization).toBeUndefined()
    expect(JSON.parse(request.body)).toEqual({
      clientName: 'GitHub Actions acme/deploy',
      clientType: 'public',
      scopes: ['sso:account:access']
    })
    expect(registration).toEqual({
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      clientIdIssuedAt: 1_767_268_800, // epoch seconds, kept as AWS sends them
      clientSecretExpiresAt: 1_775_044_800,
      scopes: ['sso:account:access'],
      clientName: 'GitHub Actions acme/deploy'
    })
  })

  it('RegisterClient: sends no scopes when there are none, as the AWS CLI does', async () => {
    server.handler = (_req, res) => json(res, 200, { ...CLIENT, clientIdIssuedAt: 1, clientSecretExpiresAt: 2 })
    await client().registerClient({ clientName: 'legacy', scopes: [] })
    expect(JSON.parse(only().body)).toEqual({ clientName: 'legacy', clientType: 'public' })
  })

  it('StartDeviceAuthorization: POST /device_authorization with clientId, clientSecret, startUrl', async () => {
    server.handler = (_req, res) =>
      json(res, 200, {
        deviceCode: DEVICE_CODE,
        userCode: 'ABCD-EFGH',
        verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
        verificationUriComplete: 'https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH',
        expiresIn: 600,
        interval: 1
      })
    const authorization = await client().startDeviceAuthorization(CLIENT, 'https://acme.awsapps.com/start')

    const request = only()
    expect([request.method, request.url, request.headers['content-type']]).toEqual(['POST', '/device_authorization', 'application/json'])
    expect(request.headers.authorization).toBeUndefined()
    expect(JSON.parse(request.body)).toEqual({
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      startUrl: 'https://acme.awsapps.com/start'
    })
    expect(authorization).toEqual({
      deviceCode: DEVICE_CODE,
      userCode: 'ABCD-EFGH',
      verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
      verificationUriComplete: 'https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH',
      expiresIn: 600,
      interval: 1,
      startedAt: NOW
    })
  })

  it('StartDeviceAuthorization: interval defaults to 5 s (RFC 8628 §3.2); a missing complete URL falls back to the plain one', async () => {
    server.handler = (_req, res) =>
      json(res, 200, {
        deviceCode: DEVICE_CODE,
        userCode: 'WXYZ-1234',
        verificationUri: 'https://acme.awsapps.com/start/#/device',
        expiresIn: 600
      })
    const authorization = await client().startDeviceAuthorization(CLIENT, 'https://acme.awsapps.com/start')
    expect(authorization.interval).toBe(5)
    expect(authorization.verificationUriComplete).toBe('https://acme.awsapps.com/start/#/device')
  })

  it('CreateToken: POST /token with the device_code grant, camelCase, as boto/boto3#3891 observed', async () => {
    server.handler = (_req, res) =>
      json(res, 200, {
        accessToken: 'access-token-xyz',
        tokenType: 'Bearer',
        expiresIn: 3600,
        refreshToken: 'refresh-token-xyz',
        idToken: null
      })
    const token = await client().createToken(CLIENT, DEVICE_CODE)

    const request = only()
    expect([request.method, request.url, request.headers['content-type']]).toEqual(['POST', '/token', 'application/json'])
    expect(request.headers.authorization).toBeUndefined()
    expect(JSON.parse(request.body)).toEqual({
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      grantType: 'urn:ietf:params:oauth:grant-type:device_code',
      deviceCode: DEVICE_CODE
    })
    expect(token).toEqual({
      accessToken: 'access-token-xyz',
      tokenType: 'Bearer',
      expiresIn: 3600,
      expiresAt: NOW + 3_600_000,
      refreshToken: 'refresh-token-xyz'
    })
  })

  it('CreateToken: refresh grant', async () => {
    server.handler = (_req, res) => json(res, 200, { accessToken: 'access-2', expiresIn: 3600 })
    const token = await client().refreshToken(CLIENT, 'refresh-token-xyz')
    expect(JSON.parse(only().body)).toEqual({
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      grantType: 'refresh_token',
      refreshToken: 'refresh-token-xyz'
    })
    expect(token).toEqual({ accessToken: 'access-2', tokenType: 'Bearer', expiresIn: 3600, expiresAt: NOW + 3_600_000 })
  })

  it('keeps a path prefix of the endpoint', async () => {
    server.handler = (_req, res) => json(res, 200, { accessToken: 'a', expiresIn: 1 })
    await client({ base: `${endpoint}/sso-oidc/` }).createToken(CLIENT, DEVICE_CODE)
    expect(only().url).toBe('/sso-oidc/token')
  })

  it('works through the shared dispatcher when none is given', async () => {
    server.handler = (_req, res) => json(res, 200, { accessToken: 'a', expiresIn: 1 })
    const shared = new SsoOidcClient({ endpoint })
    await expect(shared.createToken(CLIENT, DEVICE_CODE)).resolves.toMatchObject({ accessToken: 'a' })
  })
})

describe('AWS errors', () => {
  it('parses the x-amzn-ErrorType header (aws/aws-cli#5878)', async () => {
    server.handler = (_req, res) =>
      // The body disagrees (invalid_grant): only a client that reads the header first gets the pending shape.
      json(
        res,
        400,
        { error: 'invalid_grant', error_description: 'Authorization is still pending' },
        {
          'x-amzn-ErrorType': 'AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/'
        }
      )
    const error = await client()
      .createToken(CLIENT, DEVICE_CODE)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AwsServiceError)
    expect(error).toMatchObject({
      operation: 'CreateToken',
      code: 'AuthorizationPendingException',
      oauthError: 'invalid_grant',
      status: 400,
      endpoint: `${endpoint}/token`
    })
  })

  it('falls back to the body when the header is missing', async () => {
    server.handler = (_req, res) => json(res, 401, { error: 'invalid_client', error_description: 'Invalid client' })
    await expect(client().startDeviceAuthorization(CLIENT, 'https://acme.awsapps.com/start')).rejects.toMatchObject({
      operation: 'StartDeviceAuthorization',
      code: 'InvalidClientException',
      status: 401
    })
  })

  it('keeps secrets and bodies out of the message', async () => {
    server.handler = (_req, res, body) => json(res, 400, { error: 'invalid_grant', error_description: `echo ${body}` })
    const error = (await client()
      .createToken(CLIENT, DEVICE_CODE)
      .catch((e: unknown) => e)) as Error
    expect(error.message).toBe(`CreateToken at ${endpoint}/token failed: InvalidGrantException (HTTP 400, invalid_grant)`)
    for (const secret of [CLIENT.clientSecret, DEVICE_CODE, 'echo']) expect(error.message).not.toContain(secret)
  })

  it('treats a 503 with an HTML body as a transient AWS error, with Retry-After', async () => {
    server.handler = (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html', 'retry-after': '2' })
      res.end('<html>Service Unavailable</html>')
    }
    const error = await client()
      .registerClient({ clientName: 'x', scopes: [] })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UnknownError', status: 503, retryAfterMs: 2_000 })
    expect(isRetryableAwsError(error)).toBe(true)
  })
})

describe('malformed responses', () => {
  it('rejects a 200 whose body is not JSON, without quoting it', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"accessToken": "leaked-token", ')
    }
    const error = (await client()
      .createToken(CLIENT, DEVICE_CODE)
      .catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(MalformedResponseError)
    expect(error.message).toBe(`CreateToken at ${endpoint}/token returned an unusable response: HTTP 200 body is not JSON`)
    expect(isRetryableAwsError(error)).toBe(false)
  })

  it.each([
    ['RegisterClient', 'clientSecret', { clientId: 'id', clientIdIssuedAt: 1, clientSecretExpiresAt: 2 }],
    ['RegisterClient', 'clientSecretExpiresAt', { clientId: 'id', clientSecret: 's' }],
    ['StartDeviceAuthorization', 'deviceCode', { userCode: 'ABCD-EFGH', verificationUri: 'https://x', expiresIn: 600 }],
    ['StartDeviceAuthorization', 'expiresIn', { deviceCode: 'd', userCode: 'ABCD-EFGH', verificationUri: 'https://x', expiresIn: '600' }],
    ['CreateToken', 'accessToken', { tokenType: 'Bearer', expiresIn: 3600 }],
    ['CreateToken', 'expiresIn', { accessToken: 'leaked-token' }],
    // Numbers no Date holds (toISOString would throw), or no lifetime a token has.
    ['RegisterClient', 'clientSecretExpiresAt', { clientId: 'id', clientSecret: 's', clientSecretExpiresAt: 1e20 }],
    ['RegisterClient', 'clientSecretExpiresAt', { clientId: 'id', clientSecret: 's', clientSecretExpiresAt: -1 }],
    ['CreateToken', 'expiresIn', { accessToken: 'leaked-token', expiresIn: 1e20 }],
    ['CreateToken', 'expiresIn', { accessToken: 'leaked-token', expiresIn: 0 }]
  ])('rejects a 200 from %s without %s, naming the field but no value', async (operation, field, body) => {
    server.handler = (_req, res) => json(res, 200, body)
    const c = client()
    const call =
      operation === 'RegisterClient'
        ? c.registerClient({ clientName: 'x', scopes: [] })
        : operation === 'StartDeviceAuthorization'
          ? c.startDeviceAuthorization(CLIENT, 'https://acme.awsapps.com/start')
          : c.createToken(CLIENT, DEVICE_CODE)
    const error = (await call.catch((e: unknown) => e)) as MalformedResponseError
    expect(error).toBeInstanceOf(MalformedResponseError)
    expect(error.operation).toBe(operation)
    expect(error.message).toContain(field)
    expect(error.message).not.toContain('leaked-token')
  })

  it('rejects a body over 1 MiB', async () => {
    server.handler = (_req, res) => json(res, 200, { accessToken: 'x'.repeat(1_100_000), expiresIn: 1 })
    await expect(client().createToken(CLIENT, DEVICE_CODE)).rejects.toThrow(/body larger than 1048576 bytes/)
  })
})

describe('network failures', () => {
  it('times out a server that never answers, per attempt', async () => {
    server.handler = () => {} // accepts, reads the request, never answers
    const error = await client({ requestTimeoutMs: 300 })
      .createToken(CLIENT, DEVICE_CODE)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect(error).toMatchObject({ operation: 'CreateToken', endpoint: `${endpoint}/token`, timeoutMs: 300 })
    expect((error as Error).message).toBe(`CreateToken at ${endpoint}/token failed: no response within 300 ms`)
    expect(isRetryableAwsError(error)).toBe(true)
  }, 3_000)

  it('cuts an attempt off at the deadline when that comes before its own timeout', async () => {
    server.handler = () => {}
    const started = Date.now()
    const error = await client({ requestTimeoutMs: 10_000, now: Date.now, deadline: started + 300 })
      .createToken(CLIENT, DEVICE_CODE)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect((error as RequestTimeoutError).timeoutMs).toBeLessThanOrEqual(300)
    expect(Date.now() - started).toBeLessThan(2_000)
  }, 3_000)

  it('sends nothing once the deadline has passed', async () => {
    server.handler = (_req, res) => json(res, 200, { accessToken: 'token', expiresIn: 60 })
    const error = await client({ now: Date.now, deadline: Date.now() - 1 })
      .createToken(CLIENT, DEVICE_CODE)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect((error as Error).message).toBe(`CreateToken at ${endpoint}/token failed: not sent: the time allowed had run out`)
    expect(server.requests).toHaveLength(0)
  })

  it('times out a body that stalls after the headers', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"accessToken":')
    }
    await expect(client({ requestTimeoutMs: 300 }).createToken(CLIENT, DEVICE_CODE)).rejects.toBeInstanceOf(RequestTimeoutError)
  }, 3_000)

  it('reports a reset connection as a transient network error', async () => {
    server.handler = (req) => req.socket.destroy()
    const error = await client()
      .createToken(CLIENT, DEVICE_CODE)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect(error).not.toBeInstanceOf(RequestTimeoutError)
    expect((error as Error).message).toMatch(new RegExp(`^CreateToken at ${endpoint}/token failed: .+\\((UND_ERR_SOCKET|ECONNRESET)\\)$`))
    expect((error as Error).cause).toBeDefined()
    expect(isRetryableAwsError(error)).toBe(true)
  })

  it('reports a refused connection as a transient network error', async () => {
    const closed = new LoopbackServer()
    const closedEndpoint = await closed.start()
    await closed.stop()
    const error = await client({ base: closedEndpoint })
      .registerClient({ clientName: 'x', scopes: [] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect((error as Error).message).toBe(`RegisterClient at ${closedEndpoint}/client/register failed: connection refused (ECONNREFUSED)`)
    expect(isRetryableAwsError(error)).toBe(true)
  })

  it('reports an untrusted certificate as a network error that a retry cannot fix', async () => {
    // Any self-signed certificate will do: the client refuses it before it looks at the name.
    const dir = tempDir('oidc-tls')
    try {
      const { key, cert } = testCertificate(dir)
      const tls = createHttpsServer({ key, cert }, (_req, res) => res.end('{}'))
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
      const tlsEndpoint = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`
      try {
        const error = await client({ base: tlsEndpoint })
          .createToken(CLIENT, DEVICE_CODE)
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(NetworkError)
        expect((error as Error).message).toMatch(
          new RegExp(
            `^CreateToken at ${tlsEndpoint}/token failed: the server presented a self-signed TLS certificate \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)$`
          )
        )
        expect(isRetryableAwsError(error)).toBe(false)
      } finally {
        tls.closeAllConnections()
        await new Promise<void>((resolve) => tls.close(() => resolve()))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("throws the caller's abort reason, not a network error, when cancelled mid-request", async () => {
    server.handler = () => {}
    const controller = new AbortController()
    const reason = new Error('run cancelled')
    setTimeout(() => controller.abort(reason), 50)
    await expect(client().createToken(CLIENT, DEVICE_CODE, controller.signal)).rejects.toBe(reason)
  }, 3_000)

  it('honours a signal given to the client for every call', async () => {
    const reason = new Error('run cancelled')
    await expect(client({ signal: AbortSignal.abort(reason) }).registerClient({ clientName: 'x', scopes: [] })).rejects.toBe(reason)
  })
})

describe('debug log', () => {
  it('shows method, path, status and duration, never a secret', async () => {
    server.handler = (_req, res) => json(res, 200, { accessToken: 'access-token-xyz', expiresIn: 3600 })
    const stdout = captureStdout()
    try {
      await client().createToken(CLIENT, DEVICE_CODE)
    } finally {
      stdout.restore()
    }
    const output = stdout.text()
    expect(output).toMatch(/^::debug::POST \/token 200 \d+ ms$/m)
    for (const secret of [CLIENT.clientSecret, DEVICE_CODE, 'access-token-xyz', CLIENT.clientId]) expect(output).not.toContain(secret)
  })
})

describe('StartDeviceAuthorization answers are checked before anything is shown', () => {
  const GOOD = {
    deviceCode: DEVICE_CODE,
    userCode: 'WXYZ-1234',
    verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
    expiresIn: 600,
    interval: 1
  }
  it.each([
    ['a user code that is a command', { userCode: '::stop-commands::x' }, 'userCode'],
    ['a user code with a line break', { userCode: 'ABCD\nEFGH' }, 'userCode'],
    ['a javascript: link', { verificationUri: 'javascript:alert(1)' }, 'verificationUri'],
    ['a plain-http link to another host', { verificationUri: 'http://evil.example/device' }, 'verificationUri'],
    ['a link with credentials', { verificationUriComplete: 'https://u:p@device.example/' }, 'verificationUriComplete'],
    ['a link with a line break', { verificationUriComplete: 'https://device.example/\n::add-mask::' }, 'verificationUriComplete'],
    ['a link with a bidi override', { verificationUri: 'https://device.example/\u202egnp.exe' }, 'verificationUri'],
    [
      'a link with a zero-width space',
      { verificationUriComplete: 'https://device.example/?user_code=WXYZ-\u200b1234' },
      'verificationUriComplete'
    ],
    ['a link with a terminal escape', { verificationUri: 'https://device.example/\u001b[2K' }, 'verificationUri'],
    ['a code that lives a year', { expiresIn: 31_536_000 }, 'expiresIn'],
    ['an interval of an hour', { interval: 3600 }, 'interval'],
    ['a device code with spaces', { deviceCode: 'a b' }, 'deviceCode']
  ])('refuses %s, naming the field', async (_what, change, field) => {
    server.handler = (_req, res) => json(res, 200, { ...GOOD, ...change })
    const error = await client()
      .startDeviceAuthorization(CLIENT, 'https://acme.awsapps.com/start')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MalformedResponseError)
    expect((error as Error).message).toContain(field)
    expect((error as Error).message).not.toMatch(/stop-commands|add-mask|evil\.example|javascript/)
  })

  it('accepts an http link to a loopback emulator', async () => {
    server.handler = (_req, res) => json(res, 200, { ...GOOD, verificationUri: 'http://127.0.0.1:8787/device' })
    await expect(client().startDeviceAuthorization(CLIENT, 'https://acme.awsapps.com/start')).resolves.toMatchObject({
      verificationUri: 'http://127.0.0.1:8787/device'
    })
  })
})
