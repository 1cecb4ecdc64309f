// The real @actions/cache against the fake service, both protocols: this is what makes the fake
// trustworthy for the registration tests. The library reads its environment at call time (config.ts,
// the runtime token, HOME for `~`), so one process can switch protocols between calls; paths here
// are absolute because os.homedir() reads the real process environment, not jest's copy of it.
// The proxy variables are part of that environment: the Azure SDK reads them each time a client is made.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { dirname, join } from 'node:path'
import { BlockBlobClient } from '@azure/storage-blob'
import {
  AZURE_BLOB_HOST,
  startCacheService,
  type CacheProtocol,
  type FakeCacheService,
  type FakeCacheServiceOptions
} from '../fakes/cache-service.js'
import { cacheVersion, compressionMethodOfThisRunner } from '../../src/registration/cache-version.js'
import { createSandbox, openArchive, RUNNER_CACHE_VARIABLES, setEnv, snapshotEnv, type Sandbox } from './support.js'
import { libraryShapedTar, zstd } from './tar-builder.js'
import { captureStdout } from '../support/capture.js'

const cache = await import('@actions/cache')

let restoreEnv: () => void
let stdout: string[]

function useEnv(...sources: Array<Record<string, string>>): void {
  setEnv(RUNNER_CACHE_VARIABLES, ...sources)
}

beforeEach(() => {
  restoreEnv = snapshotEnv(RUNNER_CACHE_VARIABLES)
  // The library logs through @actions/core to stdout; keep it out of the test report, but keep it.
  stdout = captureStdout().chunks
})

afterEach(() => {
  jest.restoreAllMocks()
  restoreEnv()
})

const serviceEndpoints = (fake: FakeCacheService): string[] =>
  fake.requests.map((request) => request.endpoint ?? `unrouted ${request.path}`)

/** A Twirp call to a v2 fake, as @actions/cache makes it. */
async function twirp(fake: FakeCacheService, method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(`${fake.url}/twirp/github.actions.results.api.v1.CacheService/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.token}` },
    body: JSON.stringify(body)
  })
  return (await response.json()) as Record<string, unknown>
}

interface ServiceAndSandbox {
  fake: FakeCacheService
  sandbox: Sandbox
  /** A file path in the sandbox's home, for the tests to write and the cache to save. */
  file: string
}

/**
 * Before each test of the calling describe block: a fake service with `options`, a sandbox, the
 * runner's variables pointing at them, handed to `use`; after it, both gone.
 */
function serviceForEachTest(options: FakeCacheServiceOptions, use: (made: ServiceAndSandbox) => void): void {
  let made: ServiceAndSandbox
  beforeEach(async () => {
    const fake = await startCacheService(options)
    const sandbox = createSandbox()
    made = { fake, sandbox, file: join(sandbox.home, 'payload.json') }
    useEnv(fake.env, { GITHUB_WORKSPACE: sandbox.workspace, RUNNER_TEMP: sandbox.temp })
    use(made)
  })
  afterEach(async () => {
    await made.fake.close()
    made.sandbox.dispose()
  })
}

describe.each<CacheProtocol>(['v2', 'v1'])('@actions/cache over the %s protocol', (protocol) => {
  let fake: FakeCacheService
  let sandbox: Sandbox
  let file: string
  serviceForEachTest({ protocol }, (made) => ({ fake, sandbox, file } = made))

  it('saves a file and restores it by key prefix', async () => {
    writeFileSync(file, '{"payload":"first"}')
    const id = await cache.saveCache([file], 'payload-1')

    expect(id).toBeGreaterThan(0)
    expect(serviceEndpoints(fake)).toEqual(['reserve', 'upload', 'commit'])
    if (protocol === 'v2') expect(fake.requests[1]?.uploadMode).toBe('single')
    // Service calls carry the runtime token; v2 blob calls carry a signature instead.
    expect(
      fake.requests.filter((request) => request.endpoint !== 'upload' || protocol === 'v1').every((request) => request.authorized)
    ).toBe(true)
    expect(fake.entries).toHaveLength(1)
    expect(fake.entries[0]).toMatchObject({ key: 'payload-1', committed: true })
    expect(openArchive(fake.entries[0]!.archive).toString('latin1')).toContain('{"payload":"first"}')

    rmSync(file)
    const matched = await cache.restoreCache([file], 'payload-', ['payload-'])

    expect(matched).toBe('payload-1')
    expect(readFileSync(file, 'utf8')).toBe('{"payload":"first"}')
    expect(serviceEndpoints(fake).slice(3)).toEqual(['lookup', 'download'])
    // A loopback URL is not Azure's: the library's one plain GET, no HEAD, no range, no proxy.
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', proxied: false, status: 200 })
    expect(fake.requests.at(-1)?.range).toBeUndefined()
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

  it("extracts whatever a planted archive holds, absolute paths included: why the action's restore never uses it", async () => {
    // What a poisoned entry does to a runner that restores with the library (issue #12): the
    // member's absolute path is written as it stands, outside the paths asked for.
    const victim = join(sandbox.home, 'work', '_actions', 'dist', 'post', 'index.js')
    mkdirSync(dirname(victim), { recursive: true })
    writeFileSync(victim, '// the real post step')
    fake.seedEntry({
      key: 'planted-1',
      version: cacheVersion([file], compressionMethodOfThisRunner()),
      archive: zstd(libraryShapedTar(victim, 'evil()'))
    })

    expect(await cache.restoreCache([file], 'planted-', ['planted-'])).toBe('planted-1')

    expect(readFileSync(victim, 'utf8')).toBe('evil()')
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

  const twirpCall = (method: string, body: Record<string, unknown>) => twirp(fake, method, body)

  it('assembles a blob uploaded in blocks and serves it with its Content-Length', async () => {
    // @actions/cache switches to blocks above 128 MiB; the same SDK path, with small limits.
    const data = Buffer.from(Array.from({ length: 5000 }, (_, index) => index % 251))
    const created = await twirpCall('CreateCacheEntry', { key: 'big', version: 'v' })
    expect(created.ok).toBe(true)
    const blob = new BlockBlobClient(String(created.signed_upload_url))
    await blob.uploadData(data, { maxSingleShotSize: 1024, blockSize: 1024, concurrency: 2 })

    const modes = fake.requests.filter((request) => request.endpoint === 'upload').map((request) => request.uploadMode)
    expect(modes.filter((mode) => mode === 'block')).toHaveLength(5)
    expect(modes.at(-1)).toBe('blocklist')

    expect(await twirpCall('FinalizeCacheEntryUpload', { key: 'big', version: 'v', size_bytes: String(data.length) })).toMatchObject({
      ok: true
    })
    const found = await twirpCall('GetCacheEntryDownloadURL', { key: 'bi', restore_keys: [], version: 'v' })
    expect(found).toMatchObject({ ok: true, matched_key: 'big' })
    const download = await fetch(String(found.signed_download_url))
    expect(download.headers.get('content-length')).toBe(String(data.length))
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true)
  })

  it('refuses blob requests without the issued signature and finalize before any upload', async () => {
    const created = await twirpCall('CreateCacheEntry', { key: 'k', version: 'v' })
    const unsigned = String(created.signed_upload_url).replace(/sig=[^&]+/, 'sig=forged')
    await expect(new BlockBlobClient(unsigned).uploadData(Buffer.from('x'))).rejects.toThrow(/signature/i)

    expect(await twirpCall('FinalizeCacheEntryUpload', { key: 'k', version: 'v', size_bytes: '1' })).toMatchObject({ ok: false })
    expect(await twirpCall('GetCacheEntryDownloadURL', { key: 'k', version: 'v' })).toEqual({ ok: false })
  })
})

interface RawAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** One request to the fake as a client speaks to a forward proxy: `METHOD http://host/path`. */
function throughProxy(fake: FakeCacheService, method: string, target: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const proxy = new URL(fake.url)
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: proxy.hostname, port: proxy.port, method, path: target, headers: { host: new URL(target).host, ...headers } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }))
      }
    )
    request.on('error', reject)
    request.end()
  })
}

describe("@actions/cache over v2 with blobs on Azure's host: the Azure SDK download, the fake as its proxy", () => {
  let fake: FakeCacheService
  let file: string
  serviceForEachTest({ protocol: 'v2', blobHost: 'azure' }, (made) => ({ fake, file } = made))

  const proxied = () => fake.requests.filter((request) => request.proxied)
  const direct = () => fake.requests.filter((request) => !request.proxied)

  it("names itself as HTTP_PROXY, with loopback exempt: the action's AWS and GitHub calls stay direct", () => {
    expect(fake.env).toMatchObject({ HTTP_PROXY: fake.url, NO_PROXY: '127.0.0.1,localhost', ACTIONS_RESULTS_URL: `${fake.url}/` })
  })

  it('saves through the SDK upload, restores through the SDK download (HEAD, then one ranged GET), blob requests only via the proxy', async () => {
    writeFileSync(file, '{"payload":"azure"}')
    expect(await cache.saveCache([file], 'payload-1')).toBeGreaterThan(0)
    rmSync(file)

    expect(await cache.restoreCache([file], 'payload-', ['payload-'])).toBe('payload-1')

    expect(readFileSync(file, 'utf8')).toBe('{"payload":"azure"}')
    const size = fake.entries[0]!.archive.length
    expect(fake.requests.map(({ method, endpoint, status, range }) => ({ method, endpoint, status, range }))).toEqual([
      { method: 'POST', endpoint: 'reserve', status: 200, range: undefined },
      { method: 'PUT', endpoint: 'upload', status: 201, range: undefined },
      { method: 'POST', endpoint: 'commit', status: 200, range: undefined },
      { method: 'POST', endpoint: 'lookup', status: 200, range: undefined },
      { method: 'HEAD', endpoint: 'download', status: 200, range: undefined },
      { method: 'GET', endpoint: 'download', status: 206, range: `bytes=0-${size - 1}` }
    ])
    // The blob host's requests came through the proxy; the Twirp calls went straight to the service.
    expect(proxied().map((request) => [request.host, request.endpoint])).toEqual([
      [AZURE_BLOB_HOST, 'upload'],
      [AZURE_BLOB_HOST, 'download'],
      [AZURE_BLOB_HOST, 'download']
    ])
    expect(new Set(direct().map((request) => request.host))).toEqual(new Set([new URL(fake.url).host]))
    expect(direct().every((request) => request.authorized && request.twirpMethod !== undefined)).toBe(true)
  })

  it('downloads a blob of several 4 MiB blocks in ranges that cover it exactly once', async () => {
    // Random bytes do not compress: the archive stays above 8 MiB, so three blocks.
    writeFileSync(file, randomBytes(9 * 1024 * 1024))
    const original = readFileSync(file)
    await cache.saveCache([file], 'large')
    rmSync(file)

    expect(await cache.restoreCache([file], 'large')).toBe('large')

    expect(readFileSync(file).equals(original)).toBe(true)
    const size = fake.entries[0]!.archive.length
    const block = 4 * 1024 * 1024
    expect(size).toBeGreaterThan(2 * block)
    const reads = fake.requests.filter((request) => request.method === 'GET')
    expect(reads.every((request) => request.status === 206 && request.proxied)).toBe(true)
    expect(reads.map((request) => request.range).sort()).toEqual(
      [`bytes=0-${block - 1}`, `bytes=${block}-${2 * block - 1}`, `bytes=${2 * block}-${size - 1}`].sort()
    )
  })

  it('reports a miss without touching the blob host', async () => {
    expect(await cache.restoreCache([file], 'absent-', ['absent-'])).toBeUndefined()

    expect(serviceEndpoints(fake)).toEqual(['lookup'])
    expect(proxied()).toEqual([])
  })

  it('refuses a forged signature on the HEAD and on a ranged GET: the SDK sees 403 AuthenticationFailed', async () => {
    writeFileSync(file, 'content')
    await cache.saveCache([file], 'signed')
    const found = await twirp(fake, 'GetCacheEntryDownloadURL', { key: 'signed', version: fake.entries[0]!.version })
    const url = String(found.signed_download_url)
    expect(new URL(url).host).toBe(AZURE_BLOB_HOST)
    const forged = new BlockBlobClient(url.replace(/sig=[^&]+/, 'sig=forged'), undefined, { retryOptions: { maxTries: 1 } })

    await expect(forged.getProperties()).rejects.toMatchObject({ statusCode: 403 })
    await expect(forged.downloadToBuffer(0, 4)).rejects.toMatchObject({ statusCode: 403, code: 'AuthenticationFailed' })
    // The issued signature still works: the refusal was the signature's.
    expect((await new BlockBlobClient(url).downloadToBuffer(0, 4)).equals(fake.entries[0]!.archive.subarray(0, 4))).toBe(true)
    expect(fake.requests.slice(-3).map(({ method, status, proxied: viaProxy }) => [method, status, viaProxy])).toEqual([
      ['HEAD', 403, true],
      ['GET', 403, true],
      ['GET', 206, true]
    ])
  })

  it('answers reads as Azure does: 200 whole, 206 slices, 416 past the end, 412 on another ETag', async () => {
    writeFileSync(file, 'content')
    await cache.saveCache([file], 'ranges')
    const url = String(
      (await twirp(fake, 'GetCacheEntryDownloadURL', { key: 'ranges', version: fake.entries[0]!.version })).signed_download_url
    )
    const archive = fake.entries[0]!.archive

    const head = await throughProxy(fake, 'HEAD', url)
    expect(head).toMatchObject({ status: 200, body: Buffer.alloc(0) })
    expect(head.headers).toMatchObject({
      'content-length': String(archive.length),
      'content-type': 'application/octet-stream',
      'x-ms-blob-type': 'BlockBlob',
      'accept-ranges': 'bytes',
      'x-ms-version': expect.any(String),
      'x-ms-request-id': expect.any(String),
      'last-modified': expect.any(String),
      etag: expect.stringMatching(/^"0x[0-9A-F]+"$/)
    })
    const whole = await throughProxy(fake, 'GET', url)
    expect(whole.status).toBe(200)
    expect(whole.body.equals(archive)).toBe(true)
    const slice = await throughProxy(fake, 'GET', url, { 'x-ms-range': 'bytes=2-5' })
    expect(slice).toMatchObject({
      status: 206,
      headers: expect.objectContaining({ 'content-range': `bytes 2-5/${archive.length}`, 'content-length': '4' })
    })
    expect(slice.body.equals(archive.subarray(2, 6))).toBe(true)
    // x-ms-range wins over Range, as Azure documents; an open end runs to the last byte.
    const tail = await throughProxy(fake, 'GET', url, { 'x-ms-range': `bytes=${archive.length - 3}-`, range: 'bytes=0-0' })
    expect(tail.body.equals(archive.subarray(-3))).toBe(true)
    expect(await throughProxy(fake, 'GET', url, { range: `bytes=${archive.length}-${archive.length + 9}` })).toMatchObject({
      status: 416,
      headers: expect.objectContaining({ 'x-ms-error-code': 'InvalidRange', 'content-range': `bytes */${archive.length}` })
    })
    expect(await throughProxy(fake, 'GET', url, { 'x-ms-range': 'bytes=0-1', 'if-match': '"0xOTHER"' })).toMatchObject({
      status: 412,
      headers: expect.objectContaining({ 'x-ms-error-code': 'ConditionNotMet' })
    })
    expect((await throughProxy(fake, 'GET', url, { 'x-ms-range': 'bytes=0-1', 'if-match': String(head.headers.etag) })).status).toBe(206)
  })

  it('forwards nothing to any other host, and serves no blob on its own origin', async () => {
    const elsewhere = await throughProxy(fake, 'GET', 'http://example.com/anything')
    expect(elsewhere.status).toBe(502)
    expect(elsewhere.body.toString()).toBe(
      `The fake Actions cache service proxies only ${AZURE_BLOB_HOST}; it does not forward to example.com.`
    )
    // A tunnel (what an https target would ask for) is refused the same way.
    const proxy = new URL(fake.url)
    const tunnel = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: `${AZURE_BLOB_HOST}:443` })
      request.on('connect', (response, socket) => {
        socket.destroy()
        resolve(response.statusCode ?? 0)
      })
      request.on('error', reject)
      request.end()
    })
    expect(tunnel).toBe(502)
    expect((await fetch(`${fake.url}/devstoreaccount1/actions-cache/1-00000000.tar`)).status).toBe(404)
    expect(fake.requests.map(({ method, host, proxied: viaProxy, status }) => [method, host, viaProxy, status])).toEqual([
      ['GET', 'example.com', true, 502],
      ['CONNECT', `${AZURE_BLOB_HOST}:443`, true, 502],
      ['GET', proxy.host, false, 404]
    ])
  })
})
