// Finds the newest Actions cache entry under a key prefix, over the protocol @actions/cache 6
// would speak in this environment (service.ts), without downloading anything
// (docs/protocol.md §6):
// - v2: Twirp JSON `POST <ACTIONS_RESULTS_URL origin>/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL`
//   with `{key, restore_keys, version}`; `{ok: false}` is a miss, `{ok: true, signed_download_url,
//   matched_key}` a hit.
// - v1 (GHES): `GET <ACTIONS_CACHE_URL>_apis/artifactcache/cache?keys=<k,…>&version=<v>`; 204 is a
//   miss, 200 `{cacheKey, archiveLocation}` a hit.
// Both carry `Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>`. The answer is checked before use:
// the key must be one under the prefix asked for, the archive URL plain http(s) without
// credentials. The URL is signed (an Azure SAS or a GHES token): it is masked the moment it is
// read and never logged; errors name the endpoint's origin and path only.
import { definedFields } from '../defined.js'
import * as core from '@actions/core'
import { requestBounded } from '../http/bounded-request.js'
import { MalformedResponseError } from '../http/errors.js'
import { USER_AGENT } from '../http/user-agent.js'
import { cacheServiceProtocol } from './service.js'

export interface CacheLookup {
  /** Looked up as the primary key and as the one restore key: the newest entry under it wins. */
  prefix: string
  version: string
  timeoutMs: number
  signal?: AbortSignal
}

export type CacheLookupResult = { found: false } | { found: true; matchedKey: string; archiveUrl: URL }

/** The service answered, but with a status that is neither a hit nor a miss. Never carries its body. */
export class CacheServiceError extends Error {
  override readonly name = 'CacheServiceError'
}

const TWIRP_PATH = '/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL'
const V1_ACCEPT = 'application/json;api-version=6.0-preview.1'
/** A lookup answer is a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024
/** What the service allows in a key (@actions/cache checkKey): at most 512 characters, no comma. */
const KEY_SHAPE = /^[\x21-\x2b\x2d-\x7e]{1,512}$/

export async function lookUpCacheEntry(lookup: CacheLookup, env: NodeJS.ProcessEnv = process.env): Promise<CacheLookupResult> {
  const protocol = cacheServiceProtocol(env)
  const token = env.ACTIONS_RUNTIME_TOKEN ?? ''
  if (protocol === undefined || token === '') throw new CacheServiceError('the Actions cache service is not configured for this step')
  return protocol === 'v2' ? lookUpV2(lookup, env.ACTIONS_RESULTS_URL ?? '', token) : lookUpV1(lookup, env.ACTIONS_CACHE_URL ?? '', token)
}

async function lookUpV2(lookup: CacheLookup, resultsUrl: string, token: string): Promise<CacheLookupResult> {
  const operation = 'GetCacheEntryDownloadURL'
  // As the library resolves it: against the origin, any base path discarded.
  const url = new URL(TWIRP_PATH, serviceUrl(resultsUrl, 'ACTIONS_RESULTS_URL'))
  const response = await requestBounded({
    operation,
    method: 'POST',
    url,
    headers: { 'user-agent': USER_AGENT, authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ key: lookup.prefix, restore_keys: [lookup.prefix], version: lookup.version }),
    timeoutMs: lookup.timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
    ...definedFields({ signal: lookup.signal })
  })
  const endpoint = `${url.origin}${url.pathname}`
  if (response.status !== 200) throw new CacheServiceError(`${operation} at ${endpoint} answered HTTP ${response.status}`)
  const answer = jsonObject(response.body, operation, endpoint)
  if (answer.ok !== true) return { found: false }
  return hit(answer.matched_key, answer.signed_download_url, lookup.prefix, operation, endpoint)
}

async function lookUpV1(lookup: CacheLookup, cacheUrl: string, token: string): Promise<CacheLookupResult> {
  const operation = 'artifactcache lookup'
  // The base path is kept: GHES serves the cache under an opaque path of its own.
  const base = serviceUrl(cacheUrl, 'ACTIONS_CACHE_URL')
  const url = new URL(`${base.href}_apis/artifactcache/cache?keys=${encodeURIComponent(lookup.prefix)}&version=${encodeURIComponent(lookup.version)}`)
  const response = await requestBounded({
    operation,
    method: 'GET',
    url,
    headers: { 'user-agent': USER_AGENT, authorization: `Bearer ${token}`, accept: V1_ACCEPT },
    timeoutMs: lookup.timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
    ...definedFields({ signal: lookup.signal })
  })
  const endpoint = `${url.origin}${url.pathname}`
  if (response.status === 204) return { found: false }
  if (response.status !== 200) throw new CacheServiceError(`${operation} at ${endpoint} answered HTTP ${response.status}`)
  const answer = jsonObject(response.body, operation, endpoint)
  return hit(answer.cacheKey, answer.archiveLocation, lookup.prefix, operation, endpoint)
}

function serviceUrl(value: string, variable: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new CacheServiceError(`${variable} is not a URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CacheServiceError(`${variable} is not an http(s) URL`)
  return url
}

function jsonObject(body: Buffer, operation: string, endpoint: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new MalformedResponseError(operation, endpoint, 'the body is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MalformedResponseError(operation, endpoint, 'the body is not a JSON object')
  return parsed as Record<string, unknown>
}

function hit(key: unknown, location: unknown, prefix: string, operation: string, endpoint: string): CacheLookupResult {
  // Masked first: whatever goes wrong below, the signed URL cannot reach the log.
  if (typeof location === 'string' && location !== '') core.setSecret(location)
  if (typeof key !== 'string' || !KEY_SHAPE.test(key) || !key.startsWith(prefix)) {
    throw new MalformedResponseError(operation, endpoint, 'the matched key is not a key of the shape this action saves, under the prefix asked for')
  }
  if (typeof location !== 'string') throw new MalformedResponseError(operation, endpoint, 'the archive URL is missing')
  let archiveUrl: URL
  try {
    archiveUrl = new URL(location)
  } catch {
    throw new MalformedResponseError(operation, endpoint, 'the archive URL is not a URL')
  }
  if ((archiveUrl.protocol !== 'https:' && archiveUrl.protocol !== 'http:') || archiveUrl.username !== '' || archiveUrl.password !== '') {
    throw new MalformedResponseError(operation, endpoint, 'the archive URL is not a plain http(s) URL')
  }
  // The signature alone, too: the runner masks exact strings, and a log may quote it decoded or apart.
  for (const [, value] of archiveUrl.searchParams) if (value.length >= 8) core.setSecret(value)
  return { found: true, matchedKey: key, archiveUrl }
}
