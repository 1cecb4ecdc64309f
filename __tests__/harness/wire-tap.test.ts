// The wire tap must be invisible to the client (status, headers, body passed through, a reset
// stays a reset) while learning every secret in request and response bodies and headers.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { identifyApprover } from '../../src/identity/approver.js'
import { SsoPortalClient } from '../../src/portal/client.js'
import { approvedToken } from '../emulator/sign-in.js'
import { TWO_USERS } from '../emulator/users-fixture.js'
import { startSsoBackend } from './sso-backend.js'
import { startWireTap, type WireTap } from './wire-tap.js'

let upstream: Server | undefined
/** Requests to /hang whose connection the tap closed. */
const hungUp: string[] = []
let tap: WireTap | undefined
afterEach(async () => {
  await tap?.close()
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()))
  upstream = undefined
  tap = undefined
})

async function startUpstream(): Promise<string> {
  upstream = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.url === '/reset') return request.socket.destroy()
      if (request.url === '/hang') return response.once('close', () => hungUp.push(request.url ?? ''))
      if (request.url === '/token') {
        response.writeHead(400, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'AuthorizationPendingException:' })
        return response.end(JSON.stringify({ error: 'authorization_pending' }))
      }
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({
          echoed: Buffer.concat(chunks).length,
          accessToken: 'response-access-token',
          roleCredentials: { accessKeyId: 'ASIAEXAMPLEKEY', secretAccessKey: 'nested-secret-key', sessionToken: 'nested-session' }
        })
      )
    })
  })
  await new Promise<void>((resolve) => upstream?.listen(0, '127.0.0.1', () => resolve()))
  return `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
}

describe('startWireTap', () => {
  it('passes requests and replies through untouched and learns the secrets in both', async () => {
    tap = await startWireTap(await startUpstream())
    const body = JSON.stringify({ clientId: 'not-secret', clientSecret: 'request-client-secret', deviceCode: 'request-device-code' })
    const response = await fetch(`${tap.endpoint}/register?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-sso_bearer_token': 'header-bearer-token' },
      body
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { echoed: number }).echoed).toBe(body.length)
    expect(tap.secrets()).toEqual({
      clientSecret: 'request-client-secret',
      deviceCode: 'request-device-code',
      accessToken: 'header-bearer-token',
      'accessToken#2': 'response-access-token',
      accessKeyId: 'ASIAEXAMPLEKEY',
      secretAccessKey: 'nested-secret-key',
      sessionToken: 'nested-session'
    })
    expect(tap.exchanges).toEqual([{ method: 'POST', path: '/register', status: 200 }])
  })

  it('keeps error statuses and AWS error headers, and reads form bodies', async () => {
    tap = await startWireTap(await startUpstream())
    const response = await fetch(`${tap.endpoint}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=form-refresh-token'
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('AuthorizationPendingException:')
    expect(tap.secrets()).toEqual({ refreshToken: 'form-refresh-token' })
  })

  it('turns an upstream reset into a reset for the client', async () => {
    tap = await startWireTap(await startUpstream())
    await expect(fetch(`${tap.endpoint}/reset`, { method: 'POST', body: '{}' })).rejects.toThrow()
    expect(tap.exchanges).toEqual([{ method: 'POST', path: '/reset', status: 0 }])
  })

  it('hangs up upstream when the client gives up, as a proxy does', async () => {
    tap = await startWireTap(await startUpstream())
    await expect(fetch(`${tap.endpoint}/hang`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(200) })).rejects.toThrow()
    const began = Date.now()
    while (hungUp.length === 0 && Date.now() - began < 2_000) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(hungUp).toEqual(['/hang'])
  })
})

describe('the wire tap in front of the emulator, for a SigV4-signed call', () => {
  it('keeps the Host the request was signed for, so STS GetCallerIdentity passes through', async () => {
    const backend = await startSsoBackend({ directory: TWO_USERS })
    try {
      const through = { ...backend.emulator, endpoint: backend.tap.endpoint }
      const accessToken = await approvedToken(through, 'bob')
      const { approver } = await identifyApprover(
        { accessToken },
        { accountId: '222222222222', roleName: 'ReadOnly' },
        {
          portal: new SsoPortalClient({ endpoint: backend.env.AWS_ENDPOINT_URL_SSO }),
          sts: { url: backend.env.AWS_ENDPOINT_URL_STS, signingRegion: 'us-east-1' },
          log: () => {},
          mask: () => {}
        }
      )
      expect(approver.userName).toBe('bob')
      expect(backend.tap.exchanges.map((exchange) => `${exchange.method} ${exchange.path} ${exchange.status}`)).toContain('POST / 200')
      expect(Object.keys(backend.tap.secrets())).toEqual(
        expect.arrayContaining(['accessKeyId', 'secretAccessKey', 'sessionToken', 'authorization'])
      )
    } finally {
      await backend.close()
    }
  })
})
