// Saves a registration entry's archive (archive-write.ts) to the Actions cache, over the protocol
// @actions/cache 6 would speak in this environment (service.ts), with the action's own requests
// (docs/protocol.md §6):
// - v2: Twirp `CreateCacheEntry {key, version}` → `{ok, signed_upload_url}`; one Azure Blob
//   `PUT` of the archive to that URL (`x-ms-blob-type: BlockBlob`; an entry is a few KB, far under
//   the single-PUT limit, so never blocks); Twirp `FinalizeCacheEntryUpload {key, version,
//   size_bytes}` → `{ok, entry_id}`.
// - v1 (GHES): `POST caches {key, version, cacheSize}` → `{cacheId}`; one `PATCH caches/{id}`
//   with `Content-Range: bytes 0-<last>/*`; `POST caches/{id} {size}`.
// A duplicate key (Twirp 409 `already_exists`, v1 409) is its own outcome: another job saved first.
//
// Why not @actions/cache saveCache, as this action did before: for one file of a few KB it cost
// about 64 MiB of memory (the library with the Azure Storage SDK, and Node's own undici, which
// the SDK's FormData check loads), more than the action's whole bound allows on top of the rest;
// it prints to the step log on its own, so it had to run in a worker thread whose output the
// action read back and demoted; and its requests have no timeout a deadline could stop. Its restore
// was already not used, for safety (SECURITY.md, "Cache poisoning"). The protocol is five small
// calls, and the tests prove both ways against the real library: what this saves, its
// restoreCache extracts; what its saveCache saved, this action's restore reads.
//
// Every request is bounded by what is left of the caller's time and torn down by its signal;
// the blob upload goes through the shared dispatcher like every other request (the proxy
// variables apply). No body is ever logged; the signed upload URL is masked the moment it is read.
import { requestBounded } from '../http/bounded-request.js'
import { USER_AGENT } from '../http/user-agent.js'
import {
  artifactCacheCall,
  CacheServiceError,
  cacheService,
  jsonObject,
  maskSignedUrl,
  signedUrl,
  twirpCall,
  unexpectedStatus,
  type CacheCall,
  type CacheService
} from './cache-client.js'
import { definedFields } from '../defined.js'

export interface EntrySave {
  key: string
  version: string
  archive: Buffer
  timeoutMs: number
  signal?: AbortSignal
}

/** `saved`: the service committed the entry (its id as it gave it); `exists`: the key was taken, by another job. */
export type EntrySaveResult = { status: 'saved'; entryId: string } | { status: 'exists' }

/** Azure's version of the Blob REST API the upload speaks (the one the Storage SDK in @actions/cache 6 sends). */
const AZURE_API_VERSION = '2026-02-06'
/** Azure answers a Put Blob with a short XML body at most. */
const MAX_UPLOAD_ANSWER_BYTES = 64 * 1024

/** Throws what the service or the network did wrong (CacheServiceError, NetworkError, RequestTimeoutError, …). */
export async function saveCacheEntry(save: EntrySave, env: NodeJS.ProcessEnv = process.env): Promise<EntrySaveResult> {
  const service = cacheService(env)
  const started = Date.now()
  const call = (): CacheCall => ({
    timeoutMs: Math.max(1, save.timeoutMs - (Date.now() - started)),
    ...definedFields({ signal: save.signal })
  })
  return service.protocol === 'v2' ? saveV2(save, service, call) : saveV1(save, service, call)
}

async function saveV2(save: EntrySave, service: CacheService, call: () => CacheCall): Promise<EntrySaveResult> {
  const create = 'CreateCacheEntry'
  const created = await twirpCall(service, create, { key: save.key, version: save.version }, call())
  if (created.status === 409) return { status: 'exists' }
  if (created.status !== 200) throw unexpectedStatus(create, created)
  const reservation = jsonObject(created, create)
  // Masked before anything else is looked at, even when the answer says it is not ok.
  maskSignedUrl(reservation.signed_upload_url)
  if (reservation.ok !== true) throw new CacheServiceError(`${create} at ${created.endpoint} did not accept the entry`)
  const uploadUrl = signedUrl(reservation.signed_upload_url, create, created.endpoint, 'upload URL')

  await uploadBlob(uploadUrl, save.archive, call())

  const finalize = 'FinalizeCacheEntryUpload'
  const finalized = await twirpCall(
    service,
    finalize,
    { key: save.key, version: save.version, size_bytes: String(save.archive.length) },
    call()
  )
  if (finalized.status !== 200) throw unexpectedStatus(finalize, finalized)
  const commit = jsonObject(finalized, finalize)
  if (commit.ok !== true) throw new CacheServiceError(`${finalize} at ${finalized.endpoint} did not accept the entry`)
  return { status: 'saved', entryId: String(commit.entry_id ?? '') }
}

/** Azure Put Blob: the whole archive in one request. No runtime token: the signed URL is the credential. */
async function uploadBlob(url: URL, archive: Buffer, call: CacheCall): Promise<void> {
  const operation = 'cache archive upload'
  const response = await requestBounded({
    operation,
    method: 'PUT',
    url,
    headers: {
      'user-agent': USER_AGENT,
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-version': AZURE_API_VERSION,
      'content-type': 'application/octet-stream',
      'content-length': String(archive.length)
    },
    body: archive,
    timeoutMs: call.timeoutMs,
    maxBodyBytes: MAX_UPLOAD_ANSWER_BYTES,
    ...definedFields({ signal: call.signal })
  })
  if (response.status !== 201) throw new CacheServiceError(`${operation} to ${url.origin} answered HTTP ${response.status}`)
}

async function saveV1(save: EntrySave, service: CacheService, call: () => CacheCall): Promise<EntrySaveResult> {
  const reserve = 'artifactcache reserve'
  const reserved = await artifactCacheCall(service, reserve, {
    ...call(),
    method: 'POST',
    resource: 'caches',
    json: { key: save.key, version: save.version, cacheSize: save.archive.length }
  })
  if (reserved.status === 409) return { status: 'exists' }
  if (reserved.status !== 200 && reserved.status !== 201) throw unexpectedStatus(reserve, reserved)
  const cacheId = jsonObject(reserved, reserve).cacheId
  if (typeof cacheId !== 'number' || !Number.isSafeInteger(cacheId) || cacheId <= 0)
    throw new CacheServiceError(`${reserve} at ${reserved.endpoint} answered without a cache id`)

  const upload = 'artifactcache upload'
  const uploaded = await artifactCacheCall(service, upload, {
    ...call(),
    method: 'PATCH',
    resource: `caches/${cacheId}`,
    bytes: save.archive,
    headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${save.archive.length - 1}/*` }
  })
  if (uploaded.status < 200 || uploaded.status > 299) throw unexpectedStatus(upload, uploaded)

  const commit = 'artifactcache commit'
  const committed = await artifactCacheCall(service, commit, {
    ...call(),
    method: 'POST',
    resource: `caches/${cacheId}`,
    json: { size: save.archive.length }
  })
  if (committed.status < 200 || committed.status > 299) throw unexpectedStatus(commit, committed)
  return { status: 'saved', entryId: String(cacheId) }
}
