// restoreRegistration and saveRegistration against the fake cache service over both protocols,
// both the action's own requests (interop.test.ts proves the same entries against the real
// @actions/cache). What is checked is what the runner would show: the workflow commands on stdout (at most one warning, never an error annotation), the
// masks, and what ends up in the cache entry.
// Most runs are in this process (in-process.ts), one at a time, with bounds of a fraction of a
// second where a run meets a hang. What only a process of its own can show runs in one (the
// driver, as the action's main step): that @actions/cache is never loaded, that a deadline leaves
// nothing holding the event loop, and concurrent saves from jobs of their own. The real 10 s and 15 s bounds are exercised through dist/ by
// __tests__/e2e/registration-cache.test.ts.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findSecretLeaks, expectMaskedBeforeUse, type ScannableRun } from '../harness/secrets.js'
import {
  AZURE_BLOB_HOST,
  startCacheService,
  type BlobHost,
  type CacheEndpoint,
  type CacheFault,
  type CacheProtocol,
  type FakeCacheService
} from '../fakes/cache-service.js'
import { freshRegistration } from '../support/registrations.js'
import type { ClientRegistration } from '../../src/oidc/types.js'
import type { RegistrationCacheOptions } from '../../src/registration/cache.js'
import { loadInProcessCache } from './in-process.js'
import { cacheOptions, corruptEntry, createSandbox, openArchive, runDriver, type DriverRun, type Sandbox } from './support.js'

// Before anything imports src/registration: os.homedir() is the sandbox's from here on.
const runInProcess = await loadInProcessCache()
const { cacheVersion } = await import('../../src/registration/cache-version.js')
const { REGISTRATION_CACHE_PATH, registrationFilePath } = await import('../../src/registration/key.js')

// The bound under test, for the runs that meet a hang: in this process a fraction of a second
// (the deadline is a timer, whatever the bound); in a driver process a second, as node and the
// modules load inside it. Every other run gets a generous bound, so a busy machine cannot turn a
// slow success into a warning, nor time out before the request that meets the fault.
const BOUND_MS = 500
const DRIVER_BOUND_MS = 1_000
const GENEROUS_MS = 30_000
// Slack for a loaded machine: the deadline timer fires late under load, never early. Generous, yet
// far below GENEROUS_MS: a bound that is not applied still fails the test.
const SLACK_MS = 5_000

interface World {
  fake: FakeCacheService
  sandbox: Sandbox
  /** In this process. */
  restore(options?: Partial<RegistrationCacheOptions>, now?: number): Promise<DriverRun>
  save(registration: ClientRegistration, options?: Partial<RegistrationCacheOptions>): Promise<DriverRun>
  /** In a process of its own (the driver). */
  driver: {
    restore(options?: Partial<RegistrationCacheOptions>): Promise<DriverRun>
    save(registration: ClientRegistration, options?: Partial<RegistrationCacheOptions>): Promise<DriverRun>
  }
  dispose(): Promise<void>
}

async function createWorld(protocol: CacheProtocol, extraEnv: Record<string, string> = {}, blobHost?: BlobHost): Promise<World> {
  const fake = await startCacheService({ protocol, ...(blobHost ? { blobHost } : {}) })
  const sandbox = createSandbox()
  const env = (): Record<string, string> => ({ ...fake.env, ...sandbox.env, ...extraEnv })
  const bounded = { restoreTimeoutMs: GENEROUS_MS, saveTimeoutMs: GENEROUS_MS }
  return {
    fake,
    sandbox,
    restore: (options = {}, now) => runInProcess({ op: 'restore', options: cacheOptions({ ...bounded, ...options }), now }, env(), sandbox),
    save: (registration, options = {}) =>
      runInProcess({ op: 'save', options: cacheOptions({ ...bounded, ...options }), registration }, env(), sandbox),
    driver: {
      restore: (options = {}) => runDriver({ op: 'restore', options: cacheOptions({ ...bounded, ...options }) }, env(), sandbox.workspace),
      save: (registration, options = {}, request = {}) =>
        runDriver({ op: 'save', options: cacheOptions({ ...bounded, ...options }), registration, ...request }, env(), sandbox.workspace)
    },
    async dispose() {
      await fake.close()
      sandbox.dispose()
    }
  }
}

function scannable(run: DriverRun): ScannableRun {
  return { stdout: run.stdout, stderr: run.stderr, summary: '', outputs: {}, env: {}, path: [], state: {} }
}

/** A run that logged nothing above debug: no warning, no error annotation, no stray log line but ours. */
function expectQuiet(run: DriverRun): void {
  expect(run.code).toBe(0)
  expect(run.warnings).toEqual([])
  expect(run.errors).toEqual([])
  expect(run.stderr).toBe('')
}

function expectOneWarning(run: DriverRun, pattern: RegExp): void {
  expect(run.code).toBe(0)
  expect(run.errors).toEqual([])
  expect(run.warnings).toHaveLength(1)
  expect(run.warnings[0]).toMatch(pattern)
}

describe.each<CacheProtocol>(['v2', 'v1'])('the registration cache over the %s protocol', (protocol) => {
  let world: World

  beforeEach(async () => {
    world = await createWorld(protocol)
  })

  afterEach(async () => {
    await world.dispose()
  })

  it('misses quietly, saves, and the next run gets the same registration back masked, leaving no file behind', async () => {
    const registration = freshRegistration()

    const first = await world.restore()
    expectQuiet(first)
    // (That @actions/cache is not even loaded for a restore is checked in a process of its own, below.)
    expect(first.result).toMatchObject({ found: false, status: 'not-restored' })
    expect(first.info).toEqual([])

    const saved = await world.save(registration)
    expectQuiet(saved)
    // The save is the action's own too: only its one line reaches the log.
    expect(saved.info).toEqual([
      expect.stringMatching(
        /^Saved the OIDC client registration to the Actions cache as aws-sso-device-auth-registration-v1-plain-[0-9a-f]{64}-\d+\.$/
      )
    ])
    expect(world.fake.entries).toHaveLength(1)
    expect(world.fake.entries[0]).toMatchObject({
      committed: true,
      key: expect.stringMatching(new RegExp(`-${registration.clientIdIssuedAt}$`))
    })
    expect(existsSync(registrationFilePath(world.sandbox.home))).toBe(false)
    // The version the save used is the one the restore computes (and the library would): zstd is
    // on PATH here, so the archive is zstd without long mode.
    expect(world.fake.entries[0]!.version).toBe(cacheVersion([REGISTRATION_CACHE_PATH], 'zstd-without-long'))

    const second = await world.restore()
    expectQuiet(second)
    expect(second.result).toMatchObject({
      found: true,
      clientId: registration.clientId,
      registration: { clientSecretExpiresAt: registration.clientSecretExpiresAt }
    })
    expect(second.result?.clientSecretSha256).toBe(sha256(registration.clientSecret))
    expect(second.info).toEqual([
      expect.stringMatching(new RegExp(`^Reusing the cached OIDC client registration ${registration.clientId}, valid until `))
    ])
    expectMaskedBeforeUse(second.stdout, registration.clientSecret, 'clientSecret')
    expect(findSecretLeaks(scannable(second), { clientSecret: registration.clientSecret })).toEqual([])
    expect(existsSync(registrationFilePath(world.sandbox.home))).toBe(false)
    // A plain entry holds the secret readably: what anyone who can open a pull request sees.
    expect(openArchive(world.fake.entries[0]!.archive).toString('latin1')).toContain(registration.clientSecret)
  })

  it('encrypts the entry with the cache-encryption-key: no trace of the secret in the archive, restored with the same key', async () => {
    const registration = freshRegistration()
    const encryptionKey = 'correct horse battery staple'

    expectQuiet(await world.save(registration, { encryptionKey }))
    const tar = openArchive(world.fake.entries[0]!.archive).toString('latin1')
    expect(tar).toContain('"encrypted"')
    expect(findSecretLeaks(emptyRun(), { clientSecret: registration.clientSecret }, { texts: { archive: tar } })).toEqual([])
    expect(tar).not.toContain(registration.clientId)
    expect(world.fake.entries[0]!.key).toMatch(/-aes-/)

    const restored = await world.restore({ encryptionKey })
    expectQuiet(restored)
    expect(restored.result).toMatchObject({ found: true, clientId: registration.clientId })
    expect(restored.result?.clientSecretSha256).toBe(sha256(registration.clientSecret))
    expectMaskedBeforeUse(restored.stdout, registration.clientSecret, 'clientSecret')
  })

  it('writes the registration file owner-only: the archive records mode 0600 for it', async () => {
    expectQuiet(await world.save(freshRegistration()))
    const tar = openArchive(world.fake.entries[0]!.archive)
    // ustar: every 512-byte header has the name at 0, the octal mode at 100 and the type at 156
    // ('0' or NUL for a regular file; a PAX header 'x' names the same file with a mode of its own).
    const modes: string[] = []
    for (let at = 0; at + 512 <= tar.length; at += 512) {
      const name = tar
        .subarray(at, at + 100)
        .toString('latin1')
        .replace(/\0.*$/s, '')
      const type = tar[at + 156]
      const regular = type === 0x30 || type === 0
      if (regular && name.endsWith('.aws-sso-device-auth-registration.json'))
        modes.push(tar.subarray(at + 100, at + 107).toString('latin1'))
    }
    expect(modes).toHaveLength(1)
    expect(parseInt(modes[0]!, 8) & 0o777).toBe(0o600)
  })

  it('ignores an entry sealed with another key, with one warning', async () => {
    expectQuiet(await world.save(freshRegistration(), { encryptionKey: 'the old key' }))

    const restored = await world.restore({ encryptionKey: 'the new key' })

    expectOneWarning(restored, /does not decrypt with this key/)
    expect(restored.result?.found).toBe(false)
  })

  it('restores the newest registration under the prefix', async () => {
    const older = freshRegistration({ clientIdIssuedAt: Math.floor(Date.now() / 1000) - 3600 })
    const newer = freshRegistration()
    expectQuiet(await world.save(older))
    expectQuiet(await world.save(newer))

    const restored = await world.restore()

    expect(restored.result).toMatchObject({ found: true, clientId: newer.clientId })
    expect(world.fake.entries).toHaveLength(2)
  })

  it('does not reuse a registration expiring within 15 minutes, and says so only in debug', async () => {
    const registration = freshRegistration()
    expectQuiet(await world.save(registration))
    const expiresAtMs = registration.clientSecretExpiresAt * 1000

    const tooLate = await world.restore({}, expiresAtMs - 14 * 60_000)
    expectQuiet(tooLate)
    expect(tooLate.result?.found).toBe(false)
    expect(tooLate.debug.some((line) => /within 15 minutes/.test(line))).toBe(true)

    const inTime = await world.restore({}, expiresAtMs - 16 * 60_000)
    expect(inTime.result?.found).toBe(true)
  })

  it('ignores an entry whose registration was made for other scopes, with one warning', async () => {
    // Saved under the key for sso:account:access, but holding a registration with other scopes.
    expectQuiet(await world.save(freshRegistration({ scopes: ['sso:account:access', 'codewhisperer:completions'] })))

    const restored = await world.restore()

    expectOneWarning(restored, /other scopes or another client name/)
    expect(restored.result?.found).toBe(false)
  })

  it('ignores a corrupt entry with one warning, the secret masked all the same', async () => {
    const registration = freshRegistration()
    expectQuiet(await world.save(registration))
    corruptEntry(world.fake.entries[0]!)

    const restored = await world.restore()

    expectOneWarning(restored, /is not JSON/)
    expect(restored.result?.found).toBe(false)
    expect(existsSync(registrationFilePath(world.sandbox.home))).toBe(false)
  })

  it('refuses an archive that does not decompress, with one warning that points to SECURITY.md', async () => {
    expectQuiet(await world.save(freshRegistration()))
    world.fake.entries[0]!.archive = Buffer.from('this is not a zstd or gzip stream')

    const restored = await world.restore()

    expectOneWarning(
      restored,
      /: the cache entry is not one this action wrote \(the archive is neither zstd nor gzip\); a new client will be registered\. .*see SECURITY\.md\.$/
    )
    expect(restored.result?.found).toBe(false)
  })

  it('lets concurrent saves of the same key race: one wins, the others only say so in debug', async () => {
    const registration = freshRegistration()
    const sandboxes = Array.from({ length: 4 }, () => createSandbox())
    try {
      const runs = await Promise.all(
        sandboxes.map((sandbox) =>
          runDriver(
            { op: 'save', options: cacheOptions({ saveTimeoutMs: GENEROUS_MS }), registration },
            { ...world.fake.env, ...sandbox.env },
            sandbox.workspace
          )
        )
      )
      for (const run of runs) expectQuiet(run)
      expect(runs.filter((run) => run.info.some((line) => line.startsWith('Saved the OIDC client registration')))).toHaveLength(1)
      expect(runs.filter((run) => run.debug.some((line) => /already holds .* \(another job saved it first\)/.test(line)))).toHaveLength(3)
      expect(world.fake.entries.filter((entry) => entry.committed)).toHaveLength(1)
      expect(world.fake.requests.filter((request) => request.endpoint === 'reserve' && request.status === 409)).toHaveLength(3)
    } finally {
      for (const sandbox of sandboxes) sandbox.dispose()
    }
  })

  describe('when the service misbehaves, the run goes on within the bound with at most one warning', () => {
    const restoreFaults: Array<[CacheEndpoint, CacheFault]> = [
      ['lookup', { kind: 'status', status: 500 }],
      ['lookup', { kind: 'status', status: 429, retryAfter: 60 }],
      ['lookup', { kind: 'hang' }],
      ['lookup', { kind: 'reset' }],
      ['download', { kind: 'status', status: 500 }],
      ['download', { kind: 'hang' }],
      ['download', { kind: 'reset' }]
    ]
    const saveFaults: Array<[CacheEndpoint, CacheFault]> = [
      ['reserve', { kind: 'status', status: 500 }],
      ['reserve', { kind: 'status', status: 429 }],
      ['reserve', { kind: 'hang' }],
      ['reserve', { kind: 'reset' }],
      ['upload', { kind: 'status', status: 500 }],
      ['upload', { kind: 'hang' }],
      ['commit', { kind: 'status', status: 503 }]
    ]
    const label = (fault: CacheFault): string => (fault.kind === 'status' ? String(fault.status) : fault.kind)
    // Only a hang runs into the bound; an answered fault must end on its own, long before it.
    const boundFor = (fault: CacheFault): number => (fault.kind === 'hang' ? BOUND_MS : GENEROUS_MS)

    // In this process, one at a time: the restore is the action's own code, and its deadline tears
    // its requests down, so nothing of a run outlives it.
    it.each(restoreFaults.map(([endpoint, fault]) => [endpoint, label(fault), fault] as const))(
      'restore, %s answering %s',
      async (endpoint, _label, fault) => {
        const own = await createWorld(protocol)
        try {
          expectQuiet(await own.save(freshRegistration()))
          own.fake.setFault(endpoint, fault)

          const restored = await own.restore({ restoreTimeoutMs: boundFor(fault) })

          expect(restored.code).toBe(0)
          expect(restored.errors).toEqual([])
          expect(restored.warnings).toHaveLength(1)
          expect(restored.result?.found).toBe(false)
          expect(restored.result!.elapsedMs).toBeLessThan(boundFor(fault) + SLACK_MS)
          expect(own.fake.requests.some((request) => request.endpoint === endpoint)).toBe(true)
          expect(restored.info).toEqual([])
        } finally {
          await own.dispose()
        }
      }
    )

    // Each in a driver process of its own, several at once, as jobs of their own would save: the
    // bound is the save's whole wait, the process exits after it as the action's does.
    it.concurrent.each(saveFaults.map(([endpoint, fault]) => [endpoint, label(fault), fault] as const))(
      'save, %s answering %s',
      async (endpoint, _label, fault) => {
        const own = await createWorld(protocol)
        try {
          const registration = freshRegistration()
          own.fake.setFault(endpoint, fault)

          const saved = await own.driver.save(registration, { saveTimeoutMs: DRIVER_BOUND_MS })

          expect(saved.code).toBe(0)
          expect(saved.errors).toEqual([])
          expect(saved.warnings).toHaveLength(1)
          expect(saved.warnings[0]).not.toMatch(/already/)
          expect(saved.result!.elapsedMs).toBeLessThan(DRIVER_BOUND_MS + SLACK_MS)
          expect(own.fake.entries.filter((entry) => entry.committed)).toHaveLength(0)
          expect(existsSync(registrationFilePath(own.sandbox.home))).toBe(false)
          expect(findSecretLeaks(scannable(saved), { clientSecret: registration.clientSecret })).toEqual([])
        } finally {
          await own.dispose()
        }
      }
    )
  })
})

describe('the registration cache, protocol aside', () => {
  it('loads nothing and says nothing above debug when the service is not available or the cache mode forbids it', async () => {
    const sandbox = createSandbox()
    const fake = await startCacheService({ protocol: 'v2' })
    try {
      const absent = await runDriver({ op: 'restore', options: cacheOptions() }, sandbox.env, sandbox.workspace)
      expectQuiet(absent)
      expect(absent.result).toMatchObject({ found: false, libraryLoaded: false })

      const unsaved = await runDriver(
        { op: 'save', options: cacheOptions(), registration: freshRegistration() },
        sandbox.env,
        sandbox.workspace
      )
      expectQuiet(unsaved)
      expect(unsaved.result).toMatchObject({ libraryLoaded: false })

      const modeNone = { ...fake.env, ...sandbox.env, ACTIONS_CACHE_MODE: 'none' }
      const forbidden = await runDriver({ op: 'restore', options: cacheOptions() }, modeNone, sandbox.workspace)
      expectQuiet(forbidden)
      expect(forbidden.result).toMatchObject({ found: false, libraryLoaded: false })
      expect(fake.requests).toEqual([])
    } finally {
      await fake.close()
      sandbox.dispose()
    }
  })

  it.concurrent.each<CacheProtocol>(['v2', 'v1'])(
    'over %s, @actions/cache is never loaded: not by a restore, a miss nor a hit, nor by a save',
    async (protocol) => {
      const world = await createWorld(protocol)
      try {
        const registration = freshRegistration()
        const miss = await world.driver.restore()
        expectQuiet(miss)
        expect(miss.result).toMatchObject({ found: false, status: 'not-restored', libraryLoaded: false })

        const saved = await world.driver.save(registration)
        expectQuiet(saved)
        expect(saved.result).toMatchObject({ libraryLoaded: false })

        const hit = await world.driver.restore()
        expectQuiet(hit)
        expect(hit.result).toMatchObject({ found: true, clientId: registration.clientId, libraryLoaded: false })
      } finally {
        await world.dispose()
      }
    }
  )

  it('does not pass off a file left by an interrupted run as a restored registration, nor touch it', async () => {
    const world = await createWorld('v2')
    try {
      const leftover = registrationFilePath(world.sandbox.home)
      const document = JSON.stringify({ format: 'aws-sso-device-auth/registration', version: 1, registration: freshRegistration() })
      writeFileSync(leftover, document)

      const restored = await world.restore()

      expectQuiet(restored)
      expect(restored.result?.found).toBe(false)
      // The restore reads nothing from disk and writes nothing to it: the file is as it was.
      expect(readFileSync(leftover, 'utf8')).toBe(document)
    } finally {
      await world.dispose()
    }
  })

  it('warns once, without the security advice, when an entry was saved from a workspace at another depth below HOME', async () => {
    // tar stores the file relative to GITHUB_WORKSPACE (../../../.aws-sso-device-auth-registration.json
    // on hosted runners); on a runner with another layout that name is not the expected one.
    const world = await createWorld('v2')
    const other = createSandbox(['actions-runner', '_work', 'repo', 'repo'])
    try {
      expectQuiet(await world.save(freshRegistration()))

      const restored = await runInProcess(
        { op: 'restore', options: cacheOptions({ restoreTimeoutMs: GENEROUS_MS }) },
        { ...world.fake.env, ...other.env },
        other
      )

      expectOneWarning(
        restored,
        /was saved on a runner of another layout \(it holds \.\.\/\.\.\/\.\.\/\.aws-sso-device-auth-registration\.json, not \.\.\/\.\.\/\.\.\/\.\.\/\.aws-sso-device-auth-registration\.json\); a new client will be registered\.$/
      )
      expect(restored.result?.found).toBe(false)
      // @actions/cache would have unpacked it one level down; nothing is unpacked now.
      expect(existsSync(join(other.home, 'actions-runner', '.aws-sso-device-auth-registration.json'))).toBe(false)
    } finally {
      other.dispose()
      await world.dispose()
    }
  })

  it("restores over v2 with blobs on Azure's host: one plain GET through HTTP_PROXY, the library's save read back", async () => {
    const world = await createWorld('v2', {}, 'azure')
    try {
      const registration = freshRegistration()
      expectQuiet(await world.save(registration))
      const before = world.fake.requests.length

      const restored = await world.restore()

      expectQuiet(restored)
      expect(restored.result).toMatchObject({ found: true, clientId: registration.clientId })
      // undici's proxy agent tunnels the http blob URL through the proxy; the lookup goes direct (NO_PROXY).
      expect(
        world.fake.requests
          .slice(before)
          .map(({ method, host, proxied, endpoint, status }) => ({ method, host, proxied, endpoint, status }))
      ).toEqual([
        { method: 'POST', host: new URL(world.fake.url).host, proxied: false, endpoint: 'lookup', status: 200 },
        { method: 'CONNECT', host: `${AZURE_BLOB_HOST}:80`, proxied: true, endpoint: undefined, status: 200 },
        { method: 'GET', host: AZURE_BLOB_HOST, proxied: true, endpoint: 'download', status: 200 }
      ])
      // No runtime token goes to the blob host: the signed URL is the credential.
      expect(world.fake.requests.at(-1)?.authorized).toBe(false)
      expect(findSecretLeaks(scannable(restored), { clientSecret: registration.clientSecret })).toEqual([])
    } finally {
      await world.dispose()
    }
  })

  it('returns at the deadline and tears the hung request down: the process can end on its own', async () => {
    const world = await createWorld('v2')
    try {
      expectQuiet(await world.save(freshRegistration()))
      world.fake.setFault('lookup', { kind: 'hang' })

      // Lingering: nothing exits the process but an empty event loop. The fake stays open and
      // never answers, so only the action's own abort can let the process end.
      const run = await runDriver(
        { op: 'restore', options: cacheOptions({ restoreTimeoutMs: 1_000 }), linger: true },
        { ...world.fake.env, ...world.sandbox.env },
        world.sandbox.workspace,
        20_000
      )

      expect(run.code).toBe(0)
      expect(run.result).toMatchObject({ found: false, status: 'timed-out' })
      expect(run.result!.elapsedMs).toBeLessThan(1_000 + SLACK_MS)
      expect(run.warnings).toEqual([expect.stringMatching(/did not answer within 1 s/)])
      expect(world.fake.requests.filter((request) => request.endpoint === 'lookup')).toEqual([expect.objectContaining({ status: 0 })])
    } finally {
      await world.dispose()
    }
  })
  it('gives a hung save up at its deadline and tears the request down: the process can end on its own', async () => {
    const world = await createWorld('v2')
    try {
      world.fake.setFault('upload', { kind: 'hang' })

      const run = await runDriver(
        { op: 'save', options: cacheOptions({ saveTimeoutMs: DRIVER_BOUND_MS }), registration: freshRegistration(), linger: true },
        { ...world.fake.env, ...world.sandbox.env },
        world.sandbox.workspace,
        20_000
      )

      expect(run.code).toBe(0)
      expect(run.result!.elapsedMs).toBeLessThan(DRIVER_BOUND_MS + SLACK_MS)
      expect(run.warnings).toEqual([expect.stringMatching(/did not take the OIDC client registration within 1 s; it is not saved\.$/)])
      expect(world.fake.requests.filter((request) => request.endpoint === 'upload')).toEqual([expect.objectContaining({ status: 0 })])
      expect(world.fake.entries.filter((entry) => entry.committed)).toHaveLength(0)
    } finally {
      await world.dispose()
    }
  })
})

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function emptyRun(): ScannableRun {
  return { stdout: '', stderr: '', summary: '', outputs: {}, env: {}, path: [], state: {} }
}
