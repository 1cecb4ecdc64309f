// The revocation task on its own: against the emulator (revoked, already invalid, expired, AWS
// failing, AWS unreachable: never a throw), and the refreshed token it finds in the token cache.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import type { CleanupLog } from '../../src/cleanup/index.js'
import { heldTokens, revokeTokens } from '../../src/cleanup/revoke.js'
import { SsoOidcClient } from '../../src/oidc/client.js'

let emulator: Emulator | undefined
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'post-cleanup-test-'))
})
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
  rmSync(dir, { recursive: true, force: true })
})

function recordingLog(): CleanupLog & { infos: string[]; warnings: string[] } {
  const infos: string[] = []
  const warnings: string[] = []
  return { infos, warnings, info: (message) => infos.push(message), warning: (message) => warnings.push(message) }
}

/** `count` approved tokens from the test's emulator (started on first use). */
async function tokens(count: number): Promise<string[]> {
  emulator ??= await startEmulator({ interval: 0.1 })
  const oidc = new SsoOidcClient({ endpoint: emulator.endpoint })
  const registration = await oidc.registerClient({ clientName: 'post test', scopes: ['sso:account:access'] })
  const issued: string[] = []
  for (let n = 0; n < count; n++) {
    const authorization = await oidc.startDeviceAuthorization(registration, 'https://d-1234567890.awsapps.com/start')
    emulator.approve(authorization.userCode)
    issued.push((await oidc.createToken(registration, authorization.deviceCode)).accessToken)
  }
  return issued
}

const inAnHour = () => Date.now() + 3600_000

describe('revokeTokens', () => {
  it('logs out each distinct token once and says so', async () => {
    const [first, second] = await tokens(2)
    const log = recordingLog()
    const held = [first!, second!, first!].map((accessToken) => ({ accessToken, expiresAt: inAnHour() }))
    await revokeTokens({ portalEndpoint: emulator!.endpoint, tokens: held }, log)
    expect(emulator!.counts.Logout).toBe(2)
    expect(emulator!.isAccessTokenValid(first!)).toBe(false)
    expect(emulator!.isAccessTokenValid(second!)).toBe(false)
    expect(log.infos).toEqual([
      'The IAM Identity Center token is revoked (sso:Logout): it no longer works anywhere.',
      'A refreshed IAM Identity Center token is revoked (sso:Logout): it no longer works anywhere.'
    ])
    expect(log.warnings).toEqual([])
  })

  it('skips an expired token and takes an already revoked one calmly', async () => {
    const [token] = await tokens(1)
    const log = recordingLog()
    await revokeTokens({ portalEndpoint: emulator!.endpoint, tokens: [{ accessToken: token!, expiresAt: Date.now() - 1 }] }, log)
    expect(emulator!.counts.Logout).toBe(0)
    await revokeTokens({ portalEndpoint: emulator!.endpoint, tokens: [{ accessToken: token!, expiresAt: inAnHour() }] }, log)
    await revokeTokens({ portalEndpoint: emulator!.endpoint, tokens: [{ accessToken: token!, expiresAt: inAnHour() }] }, log)
    expect(log.infos).toEqual([
      'The IAM Identity Center token has expired already; nothing to revoke.',
      'The IAM Identity Center token is revoked (sso:Logout): it no longer works anywhere.',
      'The IAM Identity Center token was no longer valid (revoked or expired); nothing to revoke.'
    ])
    expect(log.warnings).toEqual([])
  })

  it('retries a failing Logout within its window, then warns with the expiry instead of throwing', async () => {
    const [token] = await tokens(1)
    emulator!.injectFault({ operation: 'Logout', kind: 'status', status: 500, times: 1 })
    const log = recordingLog()
    await revokeTokens({ portalEndpoint: emulator!.endpoint, tokens: [{ accessToken: token!, expiresAt: inAnHour() }] }, log)
    expect(emulator!.counts.Logout).toBe(2)
    expect(emulator!.isAccessTokenValid(token!)).toBe(false)

    const [another] = await tokens(1)
    emulator!.injectFault({ operation: 'Logout', kind: 'status', status: 500, times: Infinity })
    const expiresAt = Date.UTC(2031, 0, 1)
    const failing = recordingLog()
    await revokeTokens({ portalEndpoint: emulator!.endpoint, tokens: [{ accessToken: another!, expiresAt }], retryWindowMs: 300 }, failing)
    expect(failing.warnings).toHaveLength(1)
    expect(failing.warnings[0]).toMatch(
      /^Could not revoke the IAM Identity Center token \(sso:Logout\): Logout at \S+\/logout failed: InternalServerException \(HTTP 500\)\. .* It stays valid until 2031-01-01T00:00:00\.000Z\.$/
    )
    expect(emulator!.isAccessTokenValid(another!)).toBe(true)
  })

  it('warns when the portal cannot be reached', async () => {
    // A port that was free a moment ago: connection refused.
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    await new Promise((resolve) => server.close(resolve))
    const log = recordingLog()
    await revokeTokens({ portalEndpoint: `http://127.0.0.1:${port}`, tokens: [{ accessToken: 'token-x', expiresAt: inAnHour() }], retryWindowMs: 200 }, log)
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toMatch(/^Could not revoke the IAM Identity Center token \(sso:Logout\): Logout at http:\/\/127\.0\.0\.1:\d+\/logout failed: connection refused/)
  })
})

describe('heldTokens', () => {
  it('adds the token a tool refreshed into the token cache, masked first', () => {
    const cache = join(dir, 'token.json')
    const record = { portalEndpoint: 'https://portal.sso.us-east-1.amazonaws.com', accessToken: 'first-token', expiresAt: 1, tokenCacheFile: cache }
    // No cache file (or the same token in it): only the token the action received.
    expect(heldTokens(record)).toEqual([{ accessToken: 'first-token', expiresAt: 1 }])
    writeFileSync(cache, JSON.stringify({ accessToken: 'first-token', expiresAt: '2030-01-01T00:00:00Z' }))
    expect(heldTokens(record)).toHaveLength(1)

    writeFileSync(cache, JSON.stringify({ accessToken: 'refreshed-token', expiresAt: '2030-01-01T00:00:00.000Z' }, null, 2))
    const written: string[] = []
    const write = process.stdout.write
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stdout.write
    try {
      expect(heldTokens(record)).toEqual([
        { accessToken: 'first-token', expiresAt: 1 },
        { accessToken: 'refreshed-token', expiresAt: Date.UTC(2030, 0, 1) }
      ])
    } finally {
      process.stdout.write = write
    }
    expect(written.join('')).toContain('::add-mask::refreshed-token')
  })
})
