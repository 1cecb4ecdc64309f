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
import { MalformedResponseError } from '../http/errors.js'
import {
  artifactCacheCall,
  cacheService,
  jsonObject,
  maskSignedUrl,
  signedUrl,
  twirpCall,
  unexpectedStatus,
  type CacheService
} from './cache-client.js'
import { definedFields } from '../defined.js'

export { CacheServiceError } from './cache-client.js'

export interface CacheLookup {
  /** Looked up as the primary key and as the one restore key: the newest entry under it wins. */
  prefix: string
  version: string
  timeoutMs: number
  signal?: AbortSignal
}

export type CacheLookupResult = { found: false } | { found: true; matchedKey: string; archiveUrl: URL }

/** What the service allows in a key (@actions/cache checkKey): at most 512 characters, no comma. */
const KEY_SHAPE = /^[\x21-\x2b\x2d-\x7e]{1,512}$/

export async function lookUpCacheEntry(lookup: CacheLookup, env: NodeJS.ProcessEnv = process.env): Promise<CacheLookupResult> {
  const service = cacheService(env)
  return service.protocol === 'v2' ? lookUpV2(lookup, service) : lookUpV1(lookup, service)
}

async function lookUpV2(lookup: CacheLookup, service: CacheService): Promise<CacheLookupResult> {
  const operation = 'GetCacheEntryDownloadURL'
  const request = { key: lookup.prefix, restore_keys: [lookup.prefix], version: lookup.version }
  const answer = await twirpCall(service, operation, request, call(lookup))
  if (answer.status !== 200) throw unexpectedStatus(operation, answer)
  const body = jsonObject(answer, operation)
  if (body.ok !== true) return { found: false }
  return hit(body.matched_key, body.signed_download_url, lookup.prefix, operation, answer.endpoint)
}

async function lookUpV1(lookup: CacheLookup, service: CacheService): Promise<CacheLookupResult> {
  const operation = 'artifactcache lookup'
  const resource = `cache?keys=${encodeURIComponent(lookup.prefix)}&version=${encodeURIComponent(lookup.version)}`
  const answer = await artifactCacheCall(service, operation, { ...call(lookup), method: 'GET', resource })
  if (answer.status === 204) return { found: false }
  if (answer.status !== 200) throw unexpectedStatus(operation, answer)
  const body = jsonObject(answer, operation)
  return hit(body.cacheKey, body.archiveLocation, lookup.prefix, operation, answer.endpoint)
}

function call(lookup: CacheLookup): { timeoutMs: number; signal?: AbortSignal } {
  return { timeoutMs: lookup.timeoutMs, ...definedFields({ signal: lookup.signal }) }
}

function hit(key: unknown, location: unknown, prefix: string, operation: string, endpoint: string): CacheLookupResult {
  // Masked first: whatever goes wrong below, the signed URL cannot reach the log.
  maskSignedUrl(location)
  if (typeof key !== 'string' || !KEY_SHAPE.test(key) || !key.startsWith(prefix)) {
    throw new MalformedResponseError(
      operation,
      endpoint,
      'the matched key is not a key of the shape this action saves, under the prefix asked for'
    )
  }
  return { found: true, matchedKey: key, archiveUrl: signedUrl(location, operation, endpoint, 'archive URL') }
}
