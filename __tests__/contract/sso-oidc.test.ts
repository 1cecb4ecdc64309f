// The official AWS SDK client for SSO OIDC drives the emulator: if the SDK parses every answer,
// success and error alike, into its own types, the emulator speaks AWS's wire protocol.
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  AccessDeniedException,
  AuthorizationPendingException,
  CreateTokenCommand,
  ExpiredTokenException,
  InvalidClientException,
  InvalidClientMetadataException,
  InvalidGrantException,
  InvalidRequestException,
  RegisterClientCommand,
  SlowDownException,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand,
  UnsupportedGrantTypeException
} from '@aws-sdk/client-sso-oidc'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js'
import { manualClock } from '../emulator/clock.js'

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const START_URL = 'https://my-org.awsapps.com/start'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

async function setup(options: EmulatorOptions = {}, scopes: string[] | null = ['sso:account:access']) {
  emulator = await startEmulator(options)
  const client = new SSOOIDCClient({ region: 'us-east-1', endpoint: emulator.endpoint, maxAttempts: 1 })
  const registration = await client.send(
    new RegisterClientCommand({ clientName: 'GitHub Actions acme/web', clientType: 'public', scopes: scopes ?? undefined })
  )
  const start = () =>
    client.send(
      new StartDeviceAuthorizationCommand({
        clientId: registration.clientId!,
        clientSecret: registration.clientSecret!,
        startUrl: START_URL
      })
    )
  const poll = (deviceCode: string) =>
    client.send(
      new CreateTokenCommand({
        clientId: registration.clientId!,
        clientSecret: registration.clientSecret!,
        grantType: DEVICE_GRANT,
        deviceCode
      })
    )
  return { emu: emulator, client, registration, start, poll }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Runs a call that must fail and returns the error, so the test can assert its SDK class. */
async function failure(call: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await call
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } }
  }
  throw new Error('expected the call to fail, but it succeeded')
}

describe('SSO OIDC contract (@aws-sdk/client-sso-oidc)', () => {
  it('registers a public client with times in epoch seconds and a long opaque secret', async () => {
    const before = Math.floor(Date.now() / 1000)
    const { registration } = await setup()
    expect(registration.clientId).toMatch(/^[\w-]{16,}$/)
    expect(registration.clientSecret!.length).toBeGreaterThan(500)
    expect(registration.clientIdIssuedAt).toBeGreaterThanOrEqual(before)
    expect(registration.clientIdIssuedAt).toBeLessThanOrEqual(before + 5)
    expect(registration.clientSecretExpiresAt! - registration.clientIdIssuedAt!).toBe(90 * 24 * 3600)
  })

  it('runs register → start → pending → approve → token', async () => {
    const { emu, start, poll } = await setup({ interval: 0.1 })
    const authorization = await start()
    expect(authorization.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    expect(authorization.deviceCode!.length).toBeGreaterThan(60)
    // Today's form by default: one opaque link naming the request, the same in both members.
    expect(authorization.verificationUri).toMatch(new RegExp(`^${escapeRegExp(emu.endpoint)}/platform/authorize\\?request_uri=[\\w%.-]+$`))
    expect(authorization.verificationUriComplete).toBe(authorization.verificationUri)
    expect(authorization.verificationUri).not.toContain(authorization.userCode)
    expect(authorization.expiresIn).toBe(600)
    expect(authorization.interval).toBe(0.1)
    expect(emu.pending()).toEqual([
      { userCode: authorization.userCode, clientName: 'GitHub Actions acme/web', startUrl: START_URL, expiresAt: expect.any(Number) }
    ])

    const pending = await failure(poll(authorization.deviceCode!))
    expect(pending).toBeInstanceOf(AuthorizationPendingException)
    expect(pending.$metadata.httpStatusCode).toBe(400)

    emu.approve(authorization.userCode!)
    expect(emu.pending()).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 100))
    const token = await poll(authorization.deviceCode!)
    expect(token.tokenType).toBe('Bearer')
    expect(token.expiresIn).toBe(3600)
    expect(token.accessToken!.length).toBeGreaterThan(100)
    expect(token.refreshToken!.length).toBeGreaterThan(100)
    expect(token.idToken).toBeUndefined()
    expect(emu.isAccessTokenValid(token.accessToken!)).toBe(true)
    expect(emu.isAccessTokenValid(token.refreshToken!)).toBe(false)

    expect(emu.counts).toMatchObject({ RegisterClient: 1, StartDeviceAuthorization: 1, CreateToken: 2 })
    expect(emu.requests.map(({ operation, status, error }) => ({ operation, status, error }))).toEqual([
      { operation: 'RegisterClient', status: 200, error: undefined },
      { operation: 'StartDeviceAuthorization', status: 200, error: undefined },
      { operation: 'CreateToken', status: 400, error: 'AuthorizationPendingException' },
      { operation: 'CreateToken', status: 200, error: undefined }
    ])
  })

  it('answers in the legacy form when asked: the page, and the link that fills in the code', async () => {
    const { emu, start } = await setup({ verificationForm: 'legacy' })
    const authorization = await start()
    expect(authorization.verificationUri).toBe(`${emu.endpoint}/device`)
    expect(authorization.verificationUriComplete).toBe(`${emu.endpoint}/device?user_code=${authorization.userCode}`)
  })

  it('gives each request a link of its own in the current form', async () => {
    const { start } = await setup()
    const [first, second] = [await start(), await start()]
    expect(first.verificationUri).not.toBe(second.verificationUri)
  })

  it.each([
    'https://my-org.awsapps.com/start',
    'https://my-org.awsapps.com/start/',
    'https://start.us-gov-home.awsapps.com/directory/d-1234567890',
    'https://ssoins-111111h2222j33pp.portal.eu-west-1.app.aws',
    'https://ssoins-111111h2222j33pp.eu-west-1.portal.amazonaws.com/',
    'https://d-1234567890.awsapps.com/start?query=is-not-judged'
  ])('accepts the access portal URL %s', async (startUrl) => {
    const { client, registration } = await setup()
    const answer = await client.send(
      new StartDeviceAuthorizationCommand({ clientId: registration.clientId!, clientSecret: registration.clientSecret!, startUrl })
    )
    expect(answer.userCode).toBeDefined()
  })

  it.each([
    ['not a URL', 'my-org'],
    ['the OIDC endpoint', 'https://oidc.us-east-1.amazonaws.com'],
    ["the portal's root", 'https://my-org.awsapps.com/'],
    ['a page inside the portal', 'https://my-org.awsapps.com/start/console'],
    ['a look-alike host', 'https://my-org.awsapps.com.evil.example/start'],
    ['plain http', 'http://my-org.awsapps.com/start'],
    ['a regional portal with a path', 'https://ssoins-1.portal.eu-west-1.app.aws/start']
  ])('answers InvalidRequestException (400) with an empty description for %s, as AWS does', async (_name, startUrl) => {
    const { client, registration } = await setup()
    const error = await failure(
      client.send(
        new StartDeviceAuthorizationCommand({ clientId: registration.clientId!, clientSecret: registration.clientSecret!, startUrl })
      )
    )
    expect(error).toBeInstanceOf(InvalidRequestException)
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect((error as InvalidRequestException).error_description).toBe('')
  })

  it('gives no refresh token to a registration without scopes', async () => {
    const { emu, start, poll } = await setup({}, null)
    const authorization = await start()
    emu.approve(authorization.userCode!)
    const token = await poll(authorization.deviceCode!)
    expect(token.accessToken).toBeDefined()
    expect(token.refreshToken).toBeUndefined()
  })

  it("answers slow_down when polled faster than the interval, and adds 5 s to that code's interval", async () => {
    const clock = manualClock()
    const { start, poll } = await setup({ interval: 1, now: clock.now })
    const authorization = await start()
    const deviceCode = authorization.deviceCode!

    expect(await failure(poll(deviceCode))).toBeInstanceOf(AuthorizationPendingException)
    clock.advance(500)
    const slowDown = await failure(poll(deviceCode))
    expect(slowDown).toBeInstanceOf(SlowDownException)
    expect(slowDown.$metadata.httpStatusCode).toBe(400)
    // The interval is now 6 s: 5.5 s later is still too soon.
    clock.advance(5500)
    expect(await failure(poll(deviceCode))).toBeInstanceOf(SlowDownException)
    // ... and now 11 s; waiting that long is fine.
    clock.advance(11000)
    expect(await failure(poll(deviceCode))).toBeInstanceOf(AuthorizationPendingException)
    // Another device code keeps its own interval.
    const other = await start()
    expect(await failure(poll(other.deviceCode!))).toBeInstanceOf(AuthorizationPendingException)
    clock.advance(1000)
    expect(await failure(poll(other.deviceCode!))).toBeInstanceOf(AuthorizationPendingException)
  })

  it('forgives timer jitter of a few milliseconds', async () => {
    const clock = manualClock()
    const { start, poll } = await setup({ interval: 1, now: clock.now })
    const { deviceCode } = await start()
    await failure(poll(deviceCode!))
    clock.advance(970)
    expect(await failure(poll(deviceCode!))).toBeInstanceOf(AuthorizationPendingException)
  })

  it('answers access_denied once the user denies', async () => {
    const { emu, start, poll } = await setup()
    const authorization = await start()
    emu.deny(authorization.userCode!)
    const denied = await failure(poll(authorization.deviceCode!))
    expect(denied).toBeInstanceOf(AccessDeniedException)
    expect(denied.$metadata.httpStatusCode).toBe(400)
    expect(() => emu.approve(authorization.userCode!)).toThrow(/already-decided/)
  })

  it('answers expired_token once the code outlives expiresIn, approved or not', async () => {
    const clock = manualClock()
    const { emu, start, poll } = await setup({ expiresIn: 60, now: clock.now })
    const pendingCode = await start()
    const approvedCode = await start()
    emu.approve(approvedCode.userCode!)
    clock.advance(60_000)
    for (const code of [pendingCode, approvedCode]) {
      const expired = await failure(poll(code.deviceCode!))
      expect(expired).toBeInstanceOf(ExpiredTokenException)
      expect(expired.$metadata.httpStatusCode).toBe(400)
    }
    expect(() => emu.approve(pendingCode.userCode!)).toThrow(/expired/)
    expect(emu.pending()).toEqual([])
  })

  it('answers invalid_client (401) for a wrong secret, an unknown client and an expired registration', async () => {
    const { emu, client, registration, start, poll } = await setup()
    const wrongSecret = await failure(
      client.send(
        new StartDeviceAuthorizationCommand({ clientId: registration.clientId!, clientSecret: 'not-the-secret', startUrl: START_URL })
      )
    )
    expect(wrongSecret).toBeInstanceOf(InvalidClientException)
    expect(wrongSecret.$metadata.httpStatusCode).toBe(401)

    const unknownClient = await failure(
      client.send(new CreateTokenCommand({ clientId: 'nobody', clientSecret: 'x', grantType: DEVICE_GRANT, deviceCode: 'x' }))
    )
    expect(unknownClient).toBeInstanceOf(InvalidClientException)
    expect(unknownClient.$metadata.httpStatusCode).toBe(401)

    // Like AWS: a stale registration still starts an authorization, which then cannot be approved or redeemed.
    emu.expireRegistration(registration.clientId!)
    const authorization = await start()
    expect(() => emu.approve(authorization.userCode!)).toThrow(/invalid-client/)
    const stale = await failure(poll(authorization.deviceCode!))
    expect(stale).toBeInstanceOf(InvalidClientException)
    expect(stale.$metadata.httpStatusCode).toBe(401)
  })

  it('answers invalid_grant for a device code used a second time, or never issued', async () => {
    const { emu, start, poll } = await setup()
    const authorization = await start()
    emu.approve(authorization.userCode!)
    await poll(authorization.deviceCode!)
    const reused = await failure(poll(authorization.deviceCode!))
    expect(reused).toBeInstanceOf(InvalidGrantException)
    expect(reused.$metadata.httpStatusCode).toBe(400)
    expect(await failure(poll('made-up-device-code'))).toBeInstanceOf(InvalidGrantException)
  })

  it('answers unsupported_grant_type for a grant it does not know', async () => {
    const { client, registration } = await setup()
    const unsupported = await failure(
      client.send(
        new CreateTokenCommand({
          clientId: registration.clientId!,
          clientSecret: registration.clientSecret!,
          grantType: 'client_credentials'
        })
      )
    )
    expect(unsupported).toBeInstanceOf(UnsupportedGrantTypeException)
    expect(unsupported.$metadata.httpStatusCode).toBe(400)
  })

  it('answers invalid_request for missing fields and invalid_client_metadata for a non-public client', async () => {
    const { client, registration } = await setup()
    const missingName = await failure(
      client.send(new RegisterClientCommand({ clientType: 'public' } as { clientName: string; clientType: string }))
    )
    expect(missingName).toBeInstanceOf(InvalidRequestException)
    expect(missingName.$metadata.httpStatusCode).toBe(400)

    const confidential = await failure(client.send(new RegisterClientCommand({ clientName: 'x', clientType: 'confidential' })))
    expect(confidential).toBeInstanceOf(InvalidClientMetadataException)

    const missingDeviceCode = await failure(
      client.send(
        new CreateTokenCommand({ clientId: registration.clientId!, clientSecret: registration.clientSecret!, grantType: DEVICE_GRANT })
      )
    )
    expect(missingDeviceCode).toBeInstanceOf(InvalidRequestException)

    const missingStartUrl = await failure(
      client.send(
        new StartDeviceAuthorizationCommand({ clientId: registration.clientId!, clientSecret: registration.clientSecret! } as {
          clientId: string
          clientSecret: string
          startUrl: string
        })
      )
    )
    expect(missingStartUrl).toBeInstanceOf(InvalidRequestException)
  })
})

describe('SSO OIDC error wire shape (docs/protocol.md §2)', () => {
  it('sends status, JSON content type, the coral x-amzn-ErrorType and a body of exactly error and error_description', async () => {
    const { registration, start } = await setup()
    const { deviceCode } = await start()
    const response = await fetch(`${emulator!.endpoint}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        clientId: registration.clientId,
        clientSecret: registration.clientSecret,
        grantType: DEVICE_GRANT,
        deviceCode
      })
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('x-amzn-errortype')).toBe(
      'AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/'
    )
    expect(await response.json()).toEqual({ error: 'authorization_pending', error_description: 'Authorization is still pending' })
  })

  it('answers a body that is not JSON with invalid_request', async () => {
    emulator = await startEmulator()
    const response = await fetch(`${emulator.endpoint}/client/register`, { method: 'POST', body: '{not json' })
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^InvalidRequestException:/)
    expect(Object.keys((await response.json()) as object)).toEqual(['error', 'error_description'])
  })
})
