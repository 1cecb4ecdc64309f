// Fault injection: each kind of misbehaviour, per operation and count, from code and over HTTP.
import { describe, expect, it } from '@jest/globals'
import { InternalServerException, SSOOIDCClient, RegisterClientCommand } from '@aws-sdk/client-sso-oidc'
import { GetRoleCredentialsCommand, SSOClient, TooManyRequestsException } from '@aws-sdk/client-sso'
import type { Emulator } from '../../emulator/server.js'
import { emulatorPerTest } from './lifecycle.js'
import { parseFaultSpec } from '../../emulator/faults.js'
import { AWS_OPERATIONS } from '../../emulator/server.js'
import { createToken, DEVICE_GRANT, postJson, registerAndStart } from './requests.js'

const start = emulatorPerTest()

const register = (endpoint: string) =>
  postJson(`${endpoint}/client/register`, { clientName: 'faulty', clientType: 'public', scopes: ['sso:account:access'] })

/** An approved token, for portal calls. */
async function accessTokenFrom(emu: Emulator): Promise<string> {
  const started = await registerAndStart(emu.endpoint)
  emu.approve(started.userCode)
  const token = await createToken(emu.endpoint, started)
  return token.json.accessToken as string
}

describe('fault: status', () => {
  it('answers the given status with an OIDC error body, for the given number of requests', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'RegisterClient', kind: 'status', status: 500, errorType: 'InternalServerException', times: 2 })
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${emu.endpoint}/client/register`, { method: 'POST', body: '{}' })
      expect(response.status).toBe(500)
      expect(response.headers.get('x-amzn-errortype')).toBe(
        'InternalServerException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/'
      )
      expect(await response.json()).toEqual({ error: 'server_error', error_description: 'Injected fault' })
    }
    expect((await register(emu.endpoint)).status).toBe(200)
    expect(emu.requests.map(({ status, error, fault }) => ({ status, error, fault }))).toEqual([
      { status: 500, error: 'InternalServerException', fault: 'status' },
      { status: 500, error: 'InternalServerException', fault: 'status' },
      { status: 200 }
    ])
  })

  it('is parsed by the SDKs into their own exception classes, with Retry-After when asked', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'RegisterClient', kind: 'status', status: 500 })
    const oidc = new SSOOIDCClient({ region: 'us-east-1', endpoint: emu.endpoint, maxAttempts: 1 })
    await expect(oidc.send(new RegisterClientCommand({ clientName: 'x', clientType: 'public' }))).rejects.toBeInstanceOf(
      InternalServerException
    )

    const accessToken = await accessTokenFrom(emu)
    emu.injectFault({ operation: 'GetRoleCredentials', kind: 'status', status: 429, retryAfter: 7 })
    const raw = await fetch(`${emu.endpoint}/federation/credentials?role_name=Deploy&account_id=111111111111`, {
      headers: { 'x-amz-sso_bearer_token': accessToken }
    })
    expect(raw.status).toBe(429)
    expect(raw.headers.get('retry-after')).toBe('7')
    expect(await raw.json()).toEqual({ message: 'Injected fault', __type: 'com.amazonaws.switchboard.portal#TooManyRequestsException' })

    emu.injectFault({ operation: 'GetRoleCredentials', kind: 'status', status: 429 })
    const sso = new SSOClient({ region: 'us-east-1', endpoint: emu.endpoint, maxAttempts: 1 })
    await expect(
      sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: '111111111111', roleName: 'Deploy' }))
    ).rejects.toBeInstanceOf(TooManyRequestsException)
  })

  it('can answer a polling client with slow_down on demand, leaving the code pending', async () => {
    const emu = await start({ interval: 0.05 })
    const started = await registerAndStart(emu.endpoint)
    emu.injectFault({ operation: 'CreateToken', kind: 'status', status: 400, errorType: 'SlowDownException' })
    expect((await createToken(emu.endpoint, started)).json).toEqual({ error: 'slow_down', error_description: 'Injected fault' })
    emu.approve(started.userCode)
    expect((await createToken(emu.endpoint, started)).status).toBe(200)
  })
})

describe('fault: reset', () => {
  it('destroys the connection without an answer, then serves normally', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'RegisterClient', kind: 'reset' })
    await expect(register(emu.endpoint)).rejects.toThrow()
    expect((await register(emu.endpoint)).status).toBe(200)
    expect(emu.requests.map(({ status, fault }) => ({ status, fault }))).toEqual([{ status: 0, fault: 'reset' }, { status: 200 }])
  })
})

describe('fault: hang', () => {
  it('never answers; a client timeout fires, and close() ends the hung connection', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'StartDeviceAuthorization', kind: 'hang', times: Infinity })
    const registration = (await register(emu.endpoint)).json
    const body = JSON.stringify({
      clientId: registration.clientId,
      clientSecret: registration.clientSecret,
      startUrl: 'https://x.awsapps.com/start'
    })
    const post = (signal?: AbortSignal) => fetch(`${emu.endpoint}/device_authorization`, { method: 'POST', body, signal })

    await expect(post(AbortSignal.timeout(200))).rejects.toThrow(/aborted|timeout/i)
    const stillHanging = post()
    let settled = false
    void stillHanging.then(
      () => (settled = true),
      () => (settled = true)
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(settled).toBe(false)
    await emu.close()
    await expect(stillHanging).rejects.toThrow()
    expect(emu.counts.StartDeviceAuthorization).toBe(2)
  })
})

describe('fault: slow', () => {
  it('answers correctly after the delay', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'RegisterClient', kind: 'slow', delayMs: 300 })
    const began = performance.now()
    const response = await register(emu.endpoint)
    expect(performance.now() - began).toBeGreaterThanOrEqual(290)
    expect(response.status).toBe(200)
    expect(typeof response.json.clientSecret).toBe('string')
    expect(emu.requests[0]).toMatchObject({ status: 200, fault: 'slow' })
  })

  it('records a slow answer the client gave up on when it hangs up, with status 0', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'RegisterClient', kind: 'slow', delayMs: 60_000 })
    const attempt = fetch(`${emu.endpoint}/client/register`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(200) })
    await expect(attempt).rejects.toThrow()
    const began = Date.now()
    while (emu.requests.length === 0 && Date.now() - began < 2_000) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(emu.requests).toEqual([expect.objectContaining({ operation: 'RegisterClient', status: 0, fault: 'slow' })])
    expect(emu.counts.RegisterClient).toBe(1)
  })
})

describe('fault: malformed-json', () => {
  it('answers 200 with JSON cut short, without acting on the request', async () => {
    const emu = await start()
    const started = await registerAndStart(emu.endpoint)
    emu.approve(started.userCode)
    emu.injectFault({ operation: 'CreateToken', kind: 'malformed-json' })
    const response = await fetch(`${emu.endpoint}/token`, {
      method: 'POST',
      body: JSON.stringify({
        clientId: started.clientId,
        clientSecret: started.clientSecret,
        grantType: 'urn:ietf:params:oauth:grant-type:device_code',
        deviceCode: started.deviceCode
      })
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const text = await response.text()
    expect(() => JSON.parse(text)).toThrow(SyntaxError)
    // The device code was not spent by the faulty answer.
    expect((await createToken(emu.endpoint, started)).status).toBe(200)
  })
})

describe('fault: missing-fields', () => {
  it('strips the fields a client needs from a 200, and waits through error answers', async () => {
    const emu = await start()
    const started = await registerAndStart(emu.endpoint)
    emu.injectFault({ operation: 'CreateToken', kind: 'missing-fields' })
    // Pending is an error answer: untouched, and the fault stays armed.
    expect((await createToken(emu.endpoint, started)).json.error).toBe('authorization_pending')
    emu.approve(started.userCode)
    const stripped = await createToken(emu.endpoint, started)
    expect(stripped.status).toBe(200)
    expect(stripped.json).toEqual({ tokenType: 'Bearer', refreshToken: expect.any(String) })
    // The token was issued (and lost): the code is spent, as after a real half-failed exchange.
    expect((await createToken(emu.endpoint, started)).json.error).toBe('invalid_grant')
  })

  it('strips the client secret from RegisterClient and the secret parts of role credentials', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'RegisterClient', kind: 'missing-fields' })
    expect(Object.keys((await register(emu.endpoint)).json)).toEqual(['clientIdIssuedAt'])

    const accessToken = await accessTokenFrom(emu)
    emu.injectFault({ operation: 'GetRoleCredentials', kind: 'missing-fields' })
    const response = await fetch(`${emu.endpoint}/federation/credentials?role_name=Deploy&account_id=111111111111`, {
      headers: { 'x-amz-sso_bearer_token': accessToken }
    })
    expect(await response.json()).toEqual({
      roleCredentials: { accessKeyId: expect.stringMatching(/^ASIA/), expiration: expect.any(Number) }
    })
  })
})

describe('fault: override', () => {
  it('sets fields (dotted paths, created when missing) in the real answer, success or error, then serves normally', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'RegisterClient', kind: 'override', fields: { clientId: '\n::stop-commands::x', 'extra.deep': 1 } })
    const overridden = await register(emu.endpoint)
    expect(overridden.status).toBe(200)
    expect(overridden.json).toMatchObject({ clientId: '\n::stop-commands::x', clientSecret: expect.any(String), extra: { deep: 1 } })
    expect(typeof (await register(emu.endpoint)).json.clientId).toBe('string')
    expect((await register(emu.endpoint)).json.clientId).not.toBe('\n::stop-commands::x')

    const started = await registerAndStart(emu.endpoint)
    emu.injectFault({
      operation: 'CreateToken',
      kind: 'override',
      fields: { error_description: '<img src=x>' },
      headers: { 'X-Amzn-ErrorType': 'Evil:x' }
    })
    const pending = await fetch(`${emu.endpoint}/token`, {
      method: 'POST',
      body: JSON.stringify({
        clientId: started.clientId,
        clientSecret: started.clientSecret,
        grantType: DEVICE_GRANT,
        deviceCode: started.deviceCode
      })
    })
    expect(pending.status).toBe(400)
    expect(pending.headers.get('x-amzn-errortype')).toBe('Evil:x')
    expect(await pending.json()).toEqual({ error: 'authorization_pending', error_description: '<img src=x>' })
    expect(emu.requests.at(-1)).toMatchObject({ operation: 'CreateToken', status: 400, fault: 'override' })
  })

  it('with a status, overrides an injected error instead of the real answer', async () => {
    const emu = await start()
    emu.injectFault({
      operation: 'RegisterClient',
      kind: 'override',
      status: 400,
      errorType: 'InvalidRequestException',
      fields: { error: '##[set-output name=x]y' }
    })
    const answer = await register(emu.endpoint)
    expect(answer).toEqual({ status: 400, json: { error: '##[set-output name=x]y', error_description: 'Injected fault' } })
    expect(emu.counts.RegisterClient).toBe(1)
  })

  it('needs something to set, and only override takes fields or headers', async () => {
    const emu = await start()
    expect(() => emu.injectFault({ operation: 'CreateToken', kind: 'override' })).toThrow(/needs fields or headers/)
    expect(() => emu.injectFault({ operation: 'CreateToken', kind: 'override', fields: [] as unknown as Record<string, unknown> })).toThrow(
      /fault\.fields/
    )
    expect(() =>
      emu.injectFault({ operation: 'CreateToken', kind: 'override', headers: { a: 1 } as unknown as Record<string, string> })
    ).toThrow(/fault\.headers/)
    expect(() => emu.injectFault({ operation: 'CreateToken', kind: 'reset', fields: { a: 1 } })).toThrow(/belong to 'override'/)
  })
})

describe('fault matching', () => {
  it("'*' with times Infinity hits every AWS operation until cleared, never the page", async () => {
    const emu = await start()
    emu.injectFault({ operation: '*', kind: 'status', status: 503, times: Infinity })
    for (let i = 0; i < 3; i++) expect((await register(emu.endpoint)).status).toBe(503)
    const logout = await fetch(`${emu.endpoint}/logout`, { method: 'POST' })
    expect(logout.status).toBe(503)
    expect(logout.headers.get('x-amzn-errortype')).toMatch(/^ServiceUnavailableException:/)
    expect((await fetch(`${emu.endpoint}/device`)).status).toBe(200)
    emu.clearFaults()
    expect((await register(emu.endpoint)).status).toBe(200)
  })

  it('applies faults in the order armed', async () => {
    const emu = await start()
    emu.injectFault({ operation: 'RegisterClient', kind: 'status', status: 500 })
    emu.injectFault({ operation: '*', kind: 'status', status: 429 })
    expect((await register(emu.endpoint)).status).toBe(500)
    expect((await register(emu.endpoint)).status).toBe(429)
    expect((await register(emu.endpoint)).status).toBe(200)
  })

  it('rejects a fault it cannot apply, with a message naming the field', async () => {
    const emu = await start()
    expect(() => emu.injectFault({ operation: 'CreateTokn', kind: 'reset' })).toThrow(/fault\.operation must be '\*' or one of/)
    expect(() => emu.injectFault({ operation: 'CreateToken', kind: 'explode' as 'reset' })).toThrow(/fault\.kind/)
    expect(() => emu.injectFault({ operation: 'CreateToken', kind: 'slow' })).toThrow(/fault\.delayMs/)
    expect(() => emu.injectFault({ operation: 'CreateToken', kind: 'status', status: 200 })).toThrow(/fault\.status/)
    expect(() => emu.injectFault({ operation: 'CreateToken', kind: 'reset', times: 0 })).toThrow(/fault\.times/)
    expect(() => emu.injectFault({ operation: 'Logout', kind: 'missing-fields' })).toThrow(/no fields/)
  })

  it('parses the CLI short form', () => {
    expect(parseFaultSpec('CreateToken:status:500:InternalServerException:2', AWS_OPERATIONS)).toEqual({
      operation: 'CreateToken',
      kind: 'status',
      status: 500,
      errorType: 'InternalServerException',
      times: 2
    })
    expect(parseFaultSpec('*:status:503', AWS_OPERATIONS)).toEqual({ operation: '*', kind: 'status', status: 503 })
    expect(parseFaultSpec('GetRoleCredentials:slow:1500:inf', AWS_OPERATIONS)).toEqual({
      operation: 'GetRoleCredentials',
      kind: 'slow',
      delayMs: 1500,
      times: Infinity
    })
    expect(parseFaultSpec('RegisterClient:reset:3', AWS_OPERATIONS)).toEqual({ operation: 'RegisterClient', kind: 'reset', times: 3 })
    expect(parseFaultSpec('CreateToken:hang', AWS_OPERATIONS)).toEqual({ operation: 'CreateToken', kind: 'hang' })
    expect(() => parseFaultSpec('CreateToken:reset:often', AWS_OPERATIONS)).toThrow(/times must be a whole number or inf/)
    expect(() => parseFaultSpec('CreateToken:status:boom', AWS_OPERATIONS)).toThrow(/fault\.status/)
  })
})

describe('control API over HTTP', () => {
  it('arms faults with POST, clears them with DELETE, and reports state without secrets', async () => {
    const emu = await start()
    const control = `${emu.endpoint}/__emulator/faults`
    const armed = await postJson(control, [
      { operation: 'RegisterClient', kind: 'status', status: 500, times: 'Infinity' },
      { operation: 'CreateToken', kind: 'reset' }
    ])
    expect(armed.status).toBe(201)
    expect(armed.json.faults).toEqual([
      { operation: 'RegisterClient', kind: 'status', status: 500, remaining: 'Infinity' },
      { operation: 'CreateToken', kind: 'reset', remaining: 1 }
    ])
    expect((await register(emu.endpoint)).status).toBe(500)

    // All or nothing: one bad fault arms none.
    const refused = await postJson(control, [
      { operation: 'Logout', kind: 'hang' },
      { operation: 'Logout', kind: 'sideways' }
    ])
    expect(refused.status).toBe(400)
    expect(refused.json.message).toMatch(/fault\.kind/)
    expect((await postJson(control, 'not a fault')).status).toBe(400)

    const cleared = await fetch(control, { method: 'DELETE' })
    expect(await cleared.json()).toEqual({ faults: [] })
    const started = await registerAndStart(emu.endpoint)
    emu.approve(started.userCode)
    const token = await createToken(emu.endpoint, started)
    expect(token.status).toBe(200)
    await registerAndStart(emu.endpoint, { clientName: 'still pending' })

    const stateText = await (await fetch(`${emu.endpoint}/__emulator/state`)).text()
    const state = JSON.parse(stateText) as {
      counts: Record<string, number>
      requests: unknown[]
      pending: Array<{ clientName: string }>
      faults: unknown[]
    }
    expect(state.counts).toMatchObject({ RegisterClient: 3, StartDeviceAuthorization: 2, CreateToken: 1 })
    expect(state.requests).toHaveLength(6)
    expect(state.pending.map((entry) => entry.clientName)).toEqual(['still pending'])
    expect(state.faults).toEqual([])
    for (const secret of [started.clientSecret, started.deviceCode, token.json.accessToken as string, token.json.refreshToken as string]) {
      expect(stateText).not.toContain(secret)
    }
    // Control requests are not AWS operations.
    expect(Object.keys(state.counts)).toEqual([...AWS_OPERATIONS])
  })
})
