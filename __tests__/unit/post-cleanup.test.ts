// The revocation task on its own: against the emulator (revoked, already invalid, expired, AWS
// failing, AWS unreachable: never a throw), and the refreshed token it finds in the token cache.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import type { CleanupLog } from '../../src/cleanup/task.js'
import { heldTokens, revokeTokens } from '../../src/cleanup/revoke.js'
import { SsoOidcClient } from '../../src/oidc/client.js'
import { tempDir } from '../support/temp.js'
import { captureStdout } from '../support/capture.js'

let emulator: Emulator | undefined
let dir: string
beforeEach(() => {
  dir = tempDir('post-cleanup-test')
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
    await revokeTokens(
      { portalEndpoint: `http://127.0.0.1:${port}`, tokens: [{ accessToken: 'token-x', expiresAt: inAnHour() }], retryWindowMs: 200 },
      log
    )
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toMatch(
      /^Could not revoke the IAM Identity Center token \(sso:Logout\): Logout at http:\/\/127\.0\.0\.1:\d+\/logout failed: connection refused/
    )
  })
})

/** A signed-in session on an emulator whose clock the test moves (the poll-rate rules need a running clock). */
async function session(options: { tokenTtl?: number } = {}) {
  let offsetMs = 0
  emulator ??= await startEmulator({ interval: 0.1, now: () => Date.now() + offsetMs, ...options })
  const oidc = new SsoOidcClient({ endpoint: emulator.endpoint })
  const registration = await oidc.registerClient({ clientName: 'post test', scopes: ['sso:account:access'] })
  const authorization = await oidc.startDeviceAuthorization(registration, 'https://d-1234567890.awsapps.com/start')
  emulator.approve(authorization.userCode)
  const token = await oidc.createToken(registration, authorization.deviceCode)
  const client = {
    oidcEndpoint: emulator.endpoint,
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    registrationExpiresAt: registration.clientSecretExpiresAt * 1000
  }
  return { emulator, token, client, advance: (ms: number) => (offsetMs += ms) }
}

describe('revokeTokens: an expired token with its refresh token', () => {
  it('refreshes once, masks the new tokens first, logs out the new one, and the refresh token is dead afterwards', async () => {
    const { emulator: emu, token, client, advance } = await session()
    // Past the access token's expiry: AWS would refuse Logout with it.
    advance(3601_000)
    expect(emu.isAccessTokenValid(token.accessToken)).toBe(false)
    expect(emu.isRefreshTokenValid(token.refreshToken!)).toBe(true)
    const log = recordingLog()
    const masked: string[] = []
    const expired = { accessToken: token.accessToken, expiresAt: Date.now() - 1, refreshToken: token.refreshToken! }
    await revokeTokens({ portalEndpoint: emu.endpoint, tokens: [expired], client, mask: (secret) => masked.push(secret) }, log)

    expect(log.warnings).toEqual([])
    expect(log.infos).toEqual([
      'The IAM Identity Center token has expired; refreshed it once (CreateToken, refresh_token grant) to end its session.',
      'The token refreshed to end the session is revoked (sso:Logout): it no longer works anywhere.'
    ])
    expect(emu.counts).toMatchObject({ CreateToken: 2, Logout: 1 })
    const [newAccess, newRefresh, ...more] = masked
    expect(more).toEqual([])
    expect(emu.isAccessTokenValid(newAccess!)).toBe(false)
    expect(emu.isRefreshTokenValid(newRefresh!)).toBe(false)
    expect(emu.isRefreshTokenValid(token.refreshToken!)).toBe(false)
    // Logout came after the masks: the request log has CreateToken, then Logout.
    expect(emu.requests.map((request) => request.operation).slice(-2)).toEqual(['CreateToken', 'Logout'])
  })

  it('treats a token about to expire as expired: refreshes rather than risk a Logout that lapses midway', async () => {
    const { emulator: emu, token, client } = await session()
    const log = recordingLog()
    const nearlyExpired = { accessToken: token.accessToken, expiresAt: Date.now() + 30_000, refreshToken: token.refreshToken! }
    await revokeTokens({ portalEndpoint: emu.endpoint, tokens: [nearlyExpired], client, mask: () => undefined }, log)
    expect(log.infos[0]).toMatch(/has expired; refreshed it once/)
    expect(emu.isRefreshTokenValid(token.refreshToken!)).toBe(false)
  })

  it('without a refresh token, still logs out a token with moments left', async () => {
    const { emulator: emu, token } = await session()
    const log = recordingLog()
    await revokeTokens({ portalEndpoint: emu.endpoint, tokens: [{ accessToken: token.accessToken, expiresAt: Date.now() + 30_000 }] }, log)
    expect(log.infos).toEqual(['The IAM Identity Center token is revoked (sso:Logout): it no longer works anywhere.'])
    expect(emu.isAccessTokenValid(token.accessToken)).toBe(false)
  })

  it('uses only the newest token’s refresh token: an older one was spent on it', async () => {
    const { emulator: emu, token, client } = await session()
    const log = recordingLog()
    const old = { accessToken: 'older-token', expiresAt: Date.now() - 1, refreshToken: 'spent-refresh-token' }
    const newest = { accessToken: token.accessToken, expiresAt: Date.now() - 1, refreshToken: token.refreshToken! }
    await revokeTokens({ portalEndpoint: emu.endpoint, tokens: [old, newest], client, mask: () => undefined }, log)
    expect(log.infos[0]).toBe('The IAM Identity Center token has expired already; nothing to revoke.')
    expect(log.infos[1]).toMatch(/^A refreshed IAM Identity Center token has expired; refreshed it once/)
    expect(emu.counts.CreateToken).toBe(2)
  })

  it('says so when the registration has expired too, and asks AWS nothing', async () => {
    const { emulator: emu, token, client } = await session()
    const log = recordingLog()
    const expired = { accessToken: token.accessToken, expiresAt: Date.now() - 1, refreshToken: token.refreshToken! }
    await revokeTokens(
      { portalEndpoint: emu.endpoint, tokens: [expired], client: { ...client, registrationExpiresAt: Date.UTC(2026, 0, 1) } },
      log
    )
    expect(log.infos).toEqual([
      'The IAM Identity Center token has expired, and so has the OIDC client registration (at 2026-01-01T00:00:00.000Z): AWS accepts its refresh token from nobody any more; nothing to revoke.'
    ])
    expect(emu.counts).toMatchObject({ CreateToken: 1, Logout: 0 })
  })

  it('a refresh token AWS refuses (the session was logged out) is the end of it, calmly', async () => {
    const { emulator: emu, token, client } = await session()
    await revokeTokens(
      { portalEndpoint: emu.endpoint, tokens: [{ accessToken: token.accessToken, expiresAt: inAnHour() }] },
      recordingLog()
    )
    const log = recordingLog()
    const expired = { accessToken: token.accessToken, expiresAt: Date.now() - 1, refreshToken: token.refreshToken! }
    await revokeTokens({ portalEndpoint: emu.endpoint, tokens: [expired], client, mask: () => undefined }, log)
    expect(log.warnings).toEqual([])
    expect(log.infos).toEqual([
      'The IAM Identity Center token has expired, and AWS refused its refresh token (the session ended or was revoked); nothing to revoke.'
    ])
  })

  it('warns in one line, saying what stays usable, when CreateToken keeps failing', async () => {
    const { emulator: emu, token, client } = await session()
    emu.injectFault({ operation: 'CreateToken', kind: 'status', status: 500, times: Infinity })
    const log = recordingLog()
    const expired = { accessToken: token.accessToken, expiresAt: Date.now() - 1, refreshToken: token.refreshToken! }
    await revokeTokens({ portalEndpoint: emu.endpoint, tokens: [expired], client, retryWindowMs: 300, mask: () => undefined }, log)
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toMatch(
      /^The IAM Identity Center token has expired, and ending its session with its refresh token failed \(CreateToken\): CreateToken at \S+\/token failed: InternalServerException \(HTTP 500, server_error\)\. .*The refresh token stays usable until the approver's IAM Identity Center session ends; an administrator can end it sooner\.$/
    )
    expect(log.warnings[0]).not.toContain(token.refreshToken!)
    expect(emu.isRefreshTokenValid(token.refreshToken!)).toBe(true)
  })
})

describe('heldTokens', () => {
  it('adds the token a tool refreshed into the token cache, masked first', () => {
    const cache = join(dir, 'token.json')
    const record = {
      portalEndpoint: 'https://portal.sso.us-east-1.amazonaws.com',
      accessToken: 'first-token',
      expiresAt: 1,
      tokenCacheFile: cache
    }
    // No cache file (or the same token in it): only the token the action received.
    expect(heldTokens(record)).toEqual([{ accessToken: 'first-token', expiresAt: 1 }])
    writeFileSync(cache, JSON.stringify({ accessToken: 'first-token', expiresAt: '2030-01-01T00:00:00Z' }))
    expect(heldTokens(record)).toHaveLength(1)

    writeFileSync(
      cache,
      JSON.stringify(
        { accessToken: 'refreshed-token', expiresAt: '2030-01-01T00:00:00.000Z', refreshToken: 'refreshed-refresh-token' },
        null,
        2
      )
    )
    const stdout = captureStdout()
    try {
      expect(heldTokens(record)).toEqual([
        { accessToken: 'first-token', expiresAt: 1 },
        { accessToken: 'refreshed-token', expiresAt: Date.UTC(2030, 0, 1), refreshToken: 'refreshed-refresh-token' }
      ])
    } finally {
      stdout.restore()
    }
    expect(stdout.text()).toContain('::add-mask::refreshed-token')
    expect(stdout.text()).toContain('::add-mask::refreshed-refresh-token')
  })

  it('hands the refresh token the main step recorded to the token it belongs to', () => {
    const refresh = {
      oidcEndpoint: 'https://oidc.us-east-1.amazonaws.com',
      clientId: 'c',
      clientSecret: 's',
      registrationExpiresAt: 1,
      refreshToken: 'first-refresh'
    }
    const record = { portalEndpoint: 'https://portal.sso.us-east-1.amazonaws.com', accessToken: 'first-token', expiresAt: 1, refresh }
    expect(heldTokens(record)).toEqual([{ accessToken: 'first-token', expiresAt: 1, refreshToken: 'first-refresh' }])
  })

  it('ignores a token cache whose tokens are not plain tokens', () => {
    const cache = join(dir, 'token.json')
    const record = {
      portalEndpoint: 'https://portal.sso.us-east-1.amazonaws.com',
      accessToken: 'first-token',
      expiresAt: 1,
      tokenCacheFile: cache
    }
    writeFileSync(cache, JSON.stringify({ accessToken: 'two words\n::stop-commands::x', expiresAt: '2030-01-01T00:00:00Z' }))
    expect(heldTokens(record)).toEqual([{ accessToken: 'first-token', expiresAt: 1 }])
  })
})
