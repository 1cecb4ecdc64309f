// The cache lookup takes the service's answer as hostile: a hit is believed only with a key under
// the prefix asked for and a plain http(s) archive URL, which is masked before anything else; an
// error status is reported without its body. Against a loopback server answering what each test says.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CacheServiceError, lookUpCacheEntry } from '../../src/registration/cache-lookup.js'
import { MalformedResponseError } from '../../src/http/errors.js'
import { captureStdout } from '../support/capture.js'

const PREFIX = 'aws-sso-device-auth-registration-v1-plain-abc-'
let server: Server
let origin = ''
let answer: { status: number; body?: string } = { status: 200, body: '{"ok":false}' }
let seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = []
let stdout: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      res.writeHead(answer.status, { 'content-type': 'application/json' })
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(() => {
  seen = []
  stdout = captureStdout().chunks
})

afterEach(() => {
  jest.restoreAllMocks()
})

const v2 = (): NodeJS.ProcessEnv => ({
  ACTIONS_CACHE_SERVICE_V2: 'True',
  ACTIONS_RESULTS_URL: `${origin}/ignored/base/`,
  ACTIONS_RUNTIME_TOKEN: 'runtime-token'
})
const v1 = (): NodeJS.ProcessEnv => ({ ACTIONS_CACHE_URL: `${origin}/opaque/`, ACTIONS_RUNTIME_TOKEN: 'runtime-token' })
const lookup = { prefix: PREFIX, version: 'f'.repeat(64), timeoutMs: 5_000 }
const hit = (fields: Record<string, unknown>): string => JSON.stringify({ ok: true, ...fields })

describe('lookUpCacheEntry over v2', () => {
  it('asks as the library does and believes a hit under the prefix, masking its signed URL first', async () => {
    const url = `${origin}/devstoreaccount1/actions-cache/1.tar?sv=2025&sig=c2lnbmF0dXJlLXNlY3JldA`
    answer = { status: 200, body: hit({ matched_key: `${PREFIX}1750000000`, signed_download_url: url }) }

    const found = await lookUpCacheEntry(lookup, v2())

    expect(found).toEqual({ found: true, matchedKey: `${PREFIX}1750000000`, archiveUrl: new URL(url) })
    expect(seen).toEqual([
      expect.objectContaining({ method: 'POST', url: '/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL' })
    ])
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer runtime-token', 'content-type': 'application/json' })
    expect(JSON.parse(seen[0]!.body)).toEqual({ key: PREFIX, restore_keys: [PREFIX], version: lookup.version })
    const log = stdout.join('')
    expect(log).toContain(`::add-mask::${url}`)
    expect(log).toContain('::add-mask::c2lnbmF0dXJlLXNlY3JldA')
    expect(log.replace(/^::add-mask::.*$/gm, '')).not.toContain('c2lnbmF0dXJlLXNlY3JldA')
  })

  it('reports a miss as one', async () => {
    answer = { status: 200, body: '{"ok":false}' }
    expect(await lookUpCacheEntry(lookup, v2())).toEqual({ found: false })
  })

  it.each<[string, Record<string, unknown>]>([
    ['a key outside the prefix', { matched_key: 'another-action-key', signed_download_url: 'https://x.blob.core.windows.net/c/b' }],
    ['a key with a comma', { matched_key: `${PREFIX}1,2`, signed_download_url: 'https://x.blob.core.windows.net/c/b' }],
    ['no URL', { matched_key: `${PREFIX}1` }],
    ['a file: URL', { matched_key: `${PREFIX}1`, signed_download_url: 'file:///home/runner/.aws/config' }],
    ['a URL with credentials', { matched_key: `${PREFIX}1`, signed_download_url: 'https://user:pass@x.blob.core.windows.net/c/b' }],
    ['a URL that does not parse', { matched_key: `${PREFIX}1`, signed_download_url: 'http://[' }]
  ])('refuses a hit with %s', async (_what, fields) => {
    answer = { status: 200, body: hit(fields) }
    await expect(lookUpCacheEntry(lookup, v2())).rejects.toBeInstanceOf(MalformedResponseError)
  })

  it('names an error status without the body, and refuses a body that is not JSON or too long', async () => {
    answer = { status: 429, body: JSON.stringify({ code: 'resource_exhausted', msg: 'token=leaked-secret' }) }
    const error = await lookUpCacheEntry(lookup, v2()).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CacheServiceError)
    expect((error as Error).message).toBe(
      `GetCacheEntryDownloadURL at ${origin}/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL answered HTTP 429`
    )

    answer = { status: 200, body: 'not json' }
    await expect(lookUpCacheEntry(lookup, v2())).rejects.toThrow(/the body is not JSON/)
    answer = { status: 200, body: JSON.stringify({ ok: false, padding: 'x'.repeat(100 * 1024) }) }
    await expect(lookUpCacheEntry(lookup, v2())).rejects.toThrow(/body larger than/)
  })
})

describe('lookUpCacheEntry over v1', () => {
  it('keeps the base path, sends the library Accept header, and reads 204 as a miss', async () => {
    answer = { status: 204 }

    expect(await lookUpCacheEntry(lookup, v1())).toEqual({ found: false })
    expect(seen[0]!.url).toBe(`/opaque/_apis/artifactcache/cache?keys=${encodeURIComponent(PREFIX)}&version=${lookup.version}`)
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer runtime-token', accept: 'application/json;api-version=6.0-preview.1' })
  })

  it('believes a hit under the prefix and refuses one outside it', async () => {
    answer = { status: 200, body: JSON.stringify({ cacheKey: `${PREFIX}7`, archiveLocation: `${origin}/archives/7?sig=abcdefghij` }) }
    expect(await lookUpCacheEntry(lookup, v1())).toMatchObject({ found: true, matchedKey: `${PREFIX}7` })

    answer = { status: 200, body: JSON.stringify({ cacheKey: 'setup-node-cache', archiveLocation: `${origin}/archives/7` }) }
    await expect(lookUpCacheEntry(lookup, v1())).rejects.toThrow(/not a key of the shape this action saves, under the prefix/)
  })

  it('refuses to run without a runtime token', async () => {
    await expect(lookUpCacheEntry(lookup, { ...v1(), ACTIONS_RUNTIME_TOKEN: '' })).rejects.toBeInstanceOf(CacheServiceError)
    expect(seen).toEqual([])
  })
})
