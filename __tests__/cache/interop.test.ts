// The action saves and restores the registration entry with its own requests; the real
// @actions/cache (a dev dependency only, never loaded by the action) proves the two agree, both
// ways, over each protocol and blob host: an entry the action saved, the library's restoreCache
// finds and extracts to the file a save of the library would have archived; an entry the
// library's saveCache saved, the action's restore reads. Each side runs in a process of its own
// (driver.ts), as a job would.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { startCacheService, type BlobHost, type CacheProtocol, type FakeCacheService } from '../fakes/cache-service.js'
import { findSecretLeaks } from '../harness/secrets.js'
import { cacheVersion } from '../../src/registration/cache-version.js'
import { REGISTRATION_CACHE_PATH, registrationFilePath } from '../../src/registration/key.js'
import { cacheOptions, createSandbox, runDriver, type DriverRun, type Sandbox } from './support.js'
import { freshRegistration as makeRegistration } from '../support/registrations.js'

const GENEROUS_MS = 30_000
const options = cacheOptions({ restoreTimeoutMs: GENEROUS_MS, saveTimeoutMs: GENEROUS_MS })

function quiet(run: DriverRun): DriverRun {
  expect(run.code).toBe(0)
  expect(run.warnings).toEqual([])
  expect(run.errors).toEqual([])
  return run
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

describe.each<[CacheProtocol, BlobHost | undefined]>([
  ['v2', undefined],
  ['v2', 'azure'],
  ['v1', undefined]
])('the action and @actions/cache agree over %s (blob host: %s)', (protocol, blobHost) => {
  let fake: FakeCacheService
  let saver: Sandbox
  let restorer: Sandbox

  beforeEach(async () => {
    fake = await startCacheService({ protocol, ...(blobHost ? { blobHost } : {}) })
    saver = createSandbox()
    restorer = createSandbox()
  })

  afterEach(async () => {
    await fake.close()
    saver.dispose()
    restorer.dispose()
  })

  const env = (sandbox: Sandbox): Record<string, string> => ({ ...fake.env, ...sandbox.env })

  it("saved by the action, restored by the library's restoreCache: the file it would have archived, owner-only", async () => {
    const registration = makeRegistration()
    const saved = quiet(await runDriver({ op: 'save', options, registration }, env(saver), saver.workspace))
    expect(saved.info).toEqual([expect.stringMatching(/^Saved the OIDC client registration to the Actions cache as /)])
    expect(saved.result?.libraryLoaded).toBe(false)
    expect(fake.entries).toEqual([
      expect.objectContaining({ committed: true, version: cacheVersion([REGISTRATION_CACHE_PATH], 'zstd-without-long') })
    ])
    // One request each: reserve, one upload (a single Put Blob over v2), commit.
    expect(fake.requests.filter((request) => request.endpoint !== undefined).map((request) => request.endpoint)).toEqual([
      'reserve',
      'upload',
      'commit'
    ])
    expect(fake.requests.every((request) => request.status >= 200 && request.status < 300)).toBe(true)
    if (protocol === 'v2')
      expect(fake.requests.find((request) => request.endpoint === 'upload')).toMatchObject({
        authorized: false,
        ...(blobHost === 'azure' ? { proxied: true } : {})
      })
    expect(
      findSecretLeaks(
        { stdout: saved.stdout, stderr: saved.stderr, summary: '', outputs: {}, env: {}, path: [], state: {} },
        { clientSecret: registration.clientSecret }
      )
    ).toEqual([])

    const restored = quiet(await runDriver({ op: 'library-restore', options }, env(restorer), restorer.workspace))

    expect(restored.result).toMatchObject({
      found: true,
      status: fake.entries[0]!.key,
      clientId: registration.clientId,
      clientSecretSha256: sha256(registration.clientSecret)
    })
    const file = registrationFilePath(restorer.home)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toContain(registration.clientId)
  })

  it("saved by the library's saveCache, restored by the action: found, decoded, the library never loaded", async () => {
    const registration = makeRegistration()
    quiet(await runDriver({ op: 'library-save', options, registration }, env(saver), saver.workspace))
    expect(fake.entries).toEqual([
      expect.objectContaining({ committed: true, version: cacheVersion([REGISTRATION_CACHE_PATH], 'zstd-without-long') })
    ])

    const restored = quiet(await runDriver({ op: 'restore', options }, env(restorer), restorer.workspace))

    expect(restored.result).toMatchObject({
      found: true,
      clientId: registration.clientId,
      clientSecretSha256: sha256(registration.clientSecret),
      libraryLoaded: false
    })
    expect(existsSync(registrationFilePath(restorer.home))).toBe(false)
  })
})
