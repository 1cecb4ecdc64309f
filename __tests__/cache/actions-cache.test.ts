// The real @actions/cache against the fake service, both protocols: this is what makes the fake
// trustworthy for the registration tests. The library reads its environment at call time (config.ts,
// the runtime token, HOME for `~`), so one process can switch protocols between calls; paths here
// are absolute because os.homedir() reads the real process environment, not jest's copy of it.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BlockBlobClient } from '@azure/storage-blob'
import { startCacheService, type CacheProtocol, type FakeCacheService } from '../fakes/cache-service.js'
import { createSandbox, openArchive, type Sandbox } from './support.js'

const cache = await import('@actions/cache')

const RUNNER_VARIABLES = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_MODE',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP'
]
let savedEnv: Record<string, string | undefined>
let stdout: string[]

function useEnv(...sources: Array<Record<string, string>>): void {
  for (const name of RUNNER_VARIABLES) delete process.env[name]
  for (const source of sources) Object.assign(process.env, source)
}

beforeEach(() => {
  savedEnv = Object.fromEntries(RUNNER_VARIABLES.map((name) => [name, process.env[name]]))
  stdout = []
  // The library logs through @actions/core to stdout; keep it out of the test report, but keep it.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk))
    return true
  })
})

afterEach(() => {
  jest.restoreAllMocks()
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

const serviceEndpoints = (fake: FakeCacheService): string[] => fake.requests.map((request) => request.endpoint ?? `unrouted ${request.path}`)

describe.each<CacheProtocol>(['v2', 'v1'])('@actions/cache over the %s protocol', (protocol) => {
  let fake: FakeCacheService
  let sandbox: Sandbox
  let file: string

  beforeEach(async () => {
    fake = await startCacheService({ protocol })
    sandbox = createSandbox()
    file = join(sandbox.home, 'payload.json')
    useEnv(fake.env, { GITHUB_WORKSPACE: sandbox.workspace, RUNNER_TEMP: sandbox.temp })
  })

  afterEach(async () => {
    await fake.close()
    sandbox.dispose()
  })

  it('saves a file and restores it by key prefix', async () => {
    writeFileSync(file, '{"payload":"first"}')
    const id = await cache.saveCache([file], 'payload-1')

    expect(id).toBeGreaterThan(0)
    expect(serviceEndpoints(fake)).toEqual(['reserve', 'upload', 'commit'])
    if (protocol === 'v2') expect(fake.requests[1]?.uploadMode).toBe('single')
    // Service calls carry the runtime token; v2 blob calls carry a signature instead.
    expect(fake.requests.filter((request) => request.endpoint !== 'upload' || protocol === 'v1').every((request) => request.authorized)).toBe(true)
    expect(fake.entries).toHaveLength(1)
    expect(fake.entries[0]).toMatchObject({ key: 'payload-1', committed: true })
    expect(openArchive(fake.entries[0]!.archive).toString('latin1')).toContain('{"payload":"first"}')

    rmSync(file)
    const matched = await cache.restoreCache([file], 'payload-', ['payload-'])

    expect(matched).toBe('payload-1')
    expect(readFileSync(file, 'utf8')).toBe('{"payload":"first"}')
    expect(serviceEndpoints(fake).slice(3)).toEqual(['lookup', 'download'])
  })

  it('restores the newest entry under a prefix, and an exact primary key before any prefix match', async () => {
    writeFileSync(file, 'older')
    await cache.saveCache([file], 'payload-100')
    writeFileSync(file, 'newer')
    await cache.saveCache([file], 'payload-099')

    expect(await cache.restoreCache([file], 'payload-', ['payload-'])).toBe('payload-099')
    expect(readFileSync(file, 'utf8')).toBe('newer')
    expect(await cache.restoreCache([file], 'payload-100', ['payload-'])).toBe('payload-100')
    expect(readFileSync(file, 'utf8')).toBe('older')
  })

  it('reports a miss without downloading anything', async () => {
    const matched = await cache.restoreCache([file], 'absent-', ['absent-'])

    expect(matched).toBeUndefined()
    expect(serviceEndpoints(fake)).toEqual(['lookup'])
    // v1 answers a miss with 204; v2 with ok:false in a 200.
    expect(fake.requests[0]?.status).toBe(protocol === 'v1' ? 204 : 200)
  })

  it('refuses a second save of the same key, which the library reports as -1 without throwing', async () => {
    writeFileSync(file, 'first')
    expect(await cache.saveCache([file], 'same-key')).toBeGreaterThan(0)
    writeFileSync(file, 'second')

    expect(await cache.saveCache([file], 'same-key')).toBe(-1)
    expect(fake.entries).toHaveLength(1)
    expect(fake.requests.at(-1)).toMatchObject({ endpoint: 'reserve', status: 409 })
    expect(stdout.join('')).toMatch(/another job may be creating this cache/)
  })

  it('matches only entries saved with the same paths (the version hashes them verbatim)', async () => {
    writeFileSync(file, 'content')
    await cache.saveCache([file], 'payload-1')

    expect(await cache.restoreCache([join(sandbox.home, '.', 'other.json')], 'payload-', ['payload-'])).toBeUndefined()
  })

  it('rejects a wrong runtime token, and the library treats that as a failed restore', async () => {
    fake.seedEntry({ key: 'payload-1', version: 'irrelevant', archive: Buffer.from('x') })
    process.env.ACTIONS_RUNTIME_TOKEN = 'not-the-token'

    expect(await cache.restoreCache([file], 'payload-', ['payload-'])).toBeUndefined()
    expect(fake.requests[0]).toMatchObject({ endpoint: 'lookup', authorized: false, status: 401 })
    expect(stdout.join('')).toMatch(/::warning::Failed to restore/)
  })
})

describe('which service @actions/cache talks to', () => {
  let v1: FakeCacheService
  let v2: FakeCacheService
  let sandbox: Sandbox

  beforeEach(async () => {
    v1 = await startCacheService({ protocol: 'v1' })
    v2 = await startCacheService({ protocol: 'v2' })
    sandbox = createSandbox()
    writeFileSync(join(sandbox.home, 'payload.json'), 'content')
  })

  afterEach(async () => {
    await Promise.all([v1.close(), v2.close()])
    sandbox.dispose()
  })

  const everything = (): Record<string, string> => ({
    ...v1.env,
    ...v2.env,
    ACTIONS_RUNTIME_TOKEN: v2.token,
    GITHUB_WORKSPACE: sandbox.workspace,
    RUNNER_TEMP: sandbox.temp
  })

  it('reads the environment at call time: the same loaded module saves to v2, then to v1', async () => {
    const file = join(sandbox.home, 'payload.json')
    useEnv(v2.env, { GITHUB_WORKSPACE: sandbox.workspace, RUNNER_TEMP: sandbox.temp })
    await cache.saveCache([file], 'first')
    useEnv(v1.env, { GITHUB_WORKSPACE: sandbox.workspace, RUNNER_TEMP: sandbox.temp })
    await cache.saveCache([file], 'second')

    expect(v2.entries.map((entry) => entry.key)).toEqual(['first'])
    expect(v1.entries.map((entry) => entry.key)).toEqual(['second'])
  })

  it('uses v2 on github.com when ACTIONS_CACHE_SERVICE_V2 is set, even with ACTIONS_CACHE_URL present', async () => {
    useEnv(everything())
    await cache.saveCache([join(sandbox.home, 'payload.json')], 'key')

    expect(v2.entries).toHaveLength(1)
    expect(v1.requests).toHaveLength(0)
  })

  it('falls back to v1 whenever GITHUB_SERVER_URL is not github.com (the GHES trap)', async () => {
    useEnv(everything(), { GITHUB_SERVER_URL: 'http://127.0.0.1:9' })
    await cache.saveCache([join(sandbox.home, 'payload.json')], 'key')

    expect(v1.entries).toHaveLength(1)
    expect(v2.requests).toHaveLength(0)
  })
})

describe('the fake blob store, driven by the Azure SDK that @actions/cache uploads with', () => {
  let fake: FakeCacheService

  beforeEach(async () => {
    fake = await startCacheService({ protocol: 'v2' })
  })

  afterEach(async () => {
    await fake.close()
  })

  async function twirp(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await fetch(`${fake.url}/twirp/github.actions.results.api.v1.CacheService/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.token}` },
      body: JSON.stringify(body)
    })
    return (await response.json()) as Record<string, unknown>
  }

  it('assembles a blob uploaded in blocks and serves it with its Content-Length', async () => {
    // @actions/cache switches to blocks above 128 MiB; the same SDK path, with small limits.
    const data = Buffer.from(Array.from({ length: 5000 }, (_, index) => index % 251))
    const created = await twirp('CreateCacheEntry', { key: 'big', version: 'v' })
    expect(created.ok).toBe(true)
    const blob = new BlockBlobClient(String(created.signed_upload_url))
    await blob.uploadData(data, { maxSingleShotSize: 1024, blockSize: 1024, concurrency: 2 })

    const modes = fake.requests.filter((request) => request.endpoint === 'upload').map((request) => request.uploadMode)
    expect(modes.filter((mode) => mode === 'block')).toHaveLength(5)
    expect(modes.at(-1)).toBe('blocklist')

    expect(await twirp('FinalizeCacheEntryUpload', { key: 'big', version: 'v', size_bytes: String(data.length) })).toMatchObject({ ok: true })
    const found = await twirp('GetCacheEntryDownloadURL', { key: 'bi', restore_keys: [], version: 'v' })
    expect(found).toMatchObject({ ok: true, matched_key: 'big' })
    const download = await fetch(String(found.signed_download_url))
    expect(download.headers.get('content-length')).toBe(String(data.length))
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true)
  })

  it('refuses blob requests without the issued signature and finalize before any upload', async () => {
    const created = await twirp('CreateCacheEntry', { key: 'k', version: 'v' })
    const unsigned = String(created.signed_upload_url).replace(/sig=[^&]+/, 'sig=forged')
    await expect(new BlockBlobClient(unsigned).uploadData(Buffer.from('x'))).rejects.toThrow(/signature/i)

    expect(await twirp('FinalizeCacheEntryUpload', { key: 'k', version: 'v', size_bytes: '1' })).toMatchObject({ ok: false })
    expect(await twirp('GetCacheEntryDownloadURL', { key: 'k', version: 'v' })).toEqual({ ok: false })
  })
})
