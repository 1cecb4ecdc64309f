// A loopback fake of the GitHub Actions cache service, close enough to the real one that the real
// @actions/cache (and the Azure Storage SDK inside it) can save and restore through it.
// Both protocols the runner can hand a node action:
//
// v2 (github.com since 2025-02): Twirp JSON at `/twirp/github.actions.results.api.v1.CacheService/<M>`
//   (the client resolves that path against ACTIONS_RESULTS_URL, discarding any base path), with
//   snake_case fields. CreateCacheEntry answers a signed blob URL; the client uploads with the Azure
//   SDK (one PUT up to 128 MiB, else `?comp=block` PUTs and a `?comp=blocklist` PUT), then calls
//   FinalizeCacheEntryUpload. GetCacheEntryDownloadURL answers `ok:false` on a miss. A duplicate
//   key+version is a Twirp 409 `already_exists`, which the client reports as "another job may be
//   creating this cache".
//   Blob URLs, by `blobHost`:
//   - 'loopback' (default): `http://127.0.0.1:P/devstoreaccount1/<container>/<blob>?...&sig=`. For an
//     IP host the SDK takes the first path segment as the account (and throws "Provided
//     containerName is invalid" without a container segment). @actions/cache downloads these with
//     one plain GET (its http-client), as it does any host but Azure's.
//   - 'azure': `http://devstoreaccount1.blob.core.windows.net/<container>/<blob>?...&sig=` (the
//     account comes from the host name), which is what a hosted runner is given (over https). For
//     a host ending in `.blob.core.windows.net` @actions/cache downloads with the Azure SDK: a HEAD
//     (getProperties) for the length, then ranged GETs (`x-ms-range: bytes=a-b`, 4 MiB each, up to
//     8 at once; later ones `If-Match` the first ETag). The name must reach this server, so it is
//     also an HTTP forward proxy for that one host: `env` adds HTTP_PROXY (its origin; the SDK reads
//     HTTPS_PROXY, ALL_PROXY, then HTTP_PROXY, each upper case first, and sends an http target in
//     absolute form, `GET http://host/path`) and NO_PROXY=127.0.0.1,localhost (the action's own
//     AWS, GitHub and Twirp traffic stays direct). The action's own restore downloads with one plain
//     GET through undici's proxy agent, which tunnels even http targets: `CONNECT <that host>:80` is
//     accepted and the tunnel leads back into this server. Any other host asked of the proxy,
//     absolute form or CONNECT (an https target included), gets a 502 and never leaves the machine. Plain http because TLS would need a
//     certificate the action trusts; the SDK accepts http URLs as they are.
//   Blob reads answer as Azure does: HEAD 200 with Content-Length, ETag, Last-Modified,
//   x-ms-blob-type, Accept-Ranges; GET with `x-ms-range` (else `Range`) 206 with Content-Range and
//   exactly that slice, 416 past the end, 412 when If-Match names another ETag; GET without one 200
//   with the whole blob. Errors are Azure XML with `x-ms-error-code` (HEAD: the header alone).
// v1 REST (GitHub Enterprise Server): `<ACTIONS_CACHE_URL>_apis/artifactcache/...`, where the base
//   path is kept (the fake checks it): `GET cache?keys=a,b&version=` (204 on a miss), `POST caches`
//   to reserve (409 on a duplicate), `PATCH caches/{id}` chunks with `Content-Range`, `POST
//   caches/{id}` to commit, and a plain archive GET.
//
// Matching, as GitHub documents it: each key in order (the primary key, then the restore keys) is
// tried first exactly, then as a prefix, and among several prefix matches the newest entry wins.
// Only committed entries with the same version match. One scope only.
//
// Faults can be set per endpoint (a status with a Twirp/JSON/Azure error body, a hang that never
// answers, or a TCP reset), for a number of requests or until cleared, optionally for one HTTP
// method only (the Azure download's HEAD or its GETs). The request log records method, host,
// whether it came through the proxy, path, endpoint, range, status and whether the bearer token was
// right; it never keeps bodies.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type CacheProtocol = 'v2' | 'v1'

/** Where v2 blob URLs point (see the header): this server's origin, or Azure's host through this server as a proxy. */
export type BlobHost = 'loopback' | 'azure'

/**
 * The five steps of either protocol, named by what they do:
 * - lookup:   v2 GetCacheEntryDownloadURL, v1 `GET cache?keys&version`
 * - reserve:  v2 CreateCacheEntry,         v1 `POST caches`
 * - upload:   v2 blob PUT (single or block/blocklist), v1 `PATCH caches/{id}`
 * - commit:   v2 FinalizeCacheEntryUpload, v1 `POST caches/{id}`
 * - download: the archive GET of either protocol (v2: the blob's HEAD and GETs)
 */
export type CacheEndpoint = 'lookup' | 'reserve' | 'upload' | 'commit' | 'download'

export type CacheFault =
  /** Answer with this status and the protocol's error body (Retry-After when given). */
  (
    | { kind: 'status'; status: number; retryAfter?: number; message?: string }
    /** Read the request, then never answer: the client's own timeout (if any) must fire. */
    | { kind: 'hang' }
    /** Read the request, then reset the TCP connection (the client sees ECONNRESET). */
    | { kind: 'reset' }
  ) & {
    /** Only requests with this method (e.g. 'GET': the Azure download's ranged reads, not its HEAD); others pass. */
    method?: string
  }

export interface CacheEntry {
  id: number
  key: string
  version: string
  /** The archive exactly as uploaded (a zstd or gzip tarball): scan it for leaked secrets. */
  archive: Buffer
  /** Epoch milliseconds when the entry was reserved; the newest wins among prefix matches. */
  createdAt: number
  committed: boolean
}

export interface RecordedCacheRequest {
  method: string
  /** The host the client addressed: this server's `127.0.0.1:P`, or another host through the proxy. */
  host: string
  /** Whether it came through this server as a forward proxy (absolute form or CONNECT). */
  proxied: boolean
  /** Path without the query string. */
  path: string
  endpoint?: CacheEndpoint
  /** The Twirp method name for v2 service calls. */
  twirpMethod?: string
  /** 0 while the request is hanging or when it was reset. */
  status: number
  /** Whether the request carried the expected bearer token (blob requests carry a signature instead). */
  authorized: boolean
  /** For v2 uploads: 'single', 'block' or 'blocklist'. */
  uploadMode?: 'single' | 'block' | 'blocklist'
  /** For v2 blob GETs: the range asked for (`x-ms-range`, else `Range`), as sent. */
  range?: string
}

export interface FakeCacheServiceOptions {
  protocol: CacheProtocol
  /** The ACTIONS_RUNTIME_TOKEN the client must present. */
  token?: string
  /** v2 only: where blob URLs point. Default 'loopback'. */
  blobHost?: BlobHost
}

export interface FakeCacheService {
  protocol: CacheProtocol
  blobHost: BlobHost
  /** The origin, `http://127.0.0.1:P`. */
  url: string
  /**
   * What the runner gives a node action for this protocol (merge it into a child's env); with the
   * 'azure' blob host, also the proxy variables that route Azure's host name here.
   */
  env: Record<string, string>
  token: string
  /** Every entry, committed or not, in creation order. Live. */
  entries: readonly CacheEntry[]
  /** Every request, in arrival order. Live. */
  requests: readonly RecordedCacheRequest[]
  /** A fault for the next `times` requests to `endpoint` (every request when `times` is omitted). */
  setFault(endpoint: CacheEndpoint, fault: CacheFault, times?: number): void
  clearFaults(): void
  /**
   * Holds requests to `endpoint` until `count` of them are waiting, then lets them all through at
   * once (and later ones unheld): makes jobs that start together really meet, whatever their start-up.
   */
  holdUntilArrived(endpoint: CacheEndpoint, count: number): void
  /**
   * Adds a committed entry directly, as if an earlier run had saved it: with a raw archive of the
   * test's making, this is how a poisoned entry (anyone who can write the cache) is planted.
   */
  seedEntry(entry: { key: string; version: string; archive: Buffer; createdAt?: number }): CacheEntry
  close(): Promise<void>
}

export const DEFAULT_RUNTIME_TOKEN = 'fake-actions-runtime-token'
const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/'
const BLOB_ACCOUNT = 'devstoreaccount1'
const BLOB_CONTAINER = 'actions-cache'
/** The blob host for `blobHost: 'azure'`; @actions/cache keys its Azure SDK download on the suffix. */
export const AZURE_BLOB_HOST = `${BLOB_ACCOUNT}.blob.core.windows.net`
const STORAGE_VERSION = '2025-01-05'
const V1_ACCEPT = 'application/json;api-version=6.0-preview.1'

interface PendingBlob {
  /** Staged blocks by block id (base64, as the SDK sends it). */
  blocks: Map<string, Buffer>
  /** The committed blob, after a single-shot PUT or a blocklist. */
  data?: Buffer
}

export async function startCacheService(options: FakeCacheServiceOptions): Promise<FakeCacheService> {
  const protocol = options.protocol
  const token = options.token ?? DEFAULT_RUNTIME_TOKEN
  const blobHost = options.blobHost ?? 'loopback'
  if (protocol === 'v1' && blobHost !== 'loopback')
    throw new Error('blobHost applies to the v2 protocol only: v1 serves its archives itself')
  // v1 base URLs carry an opaque path on GHES; a random one proves the client keeps it.
  const v1Base = `/${randomBytes(6).toString('hex')}/`
  const entries: CacheEntry[] = []
  const requests: RecordedCacheRequest[] = []
  const faults = new Map<CacheEndpoint, { fault: CacheFault; remaining: number }>()
  const holds = new Map<CacheEndpoint, { count: number; waiting: Array<() => void> }>()
  // v2 blobs by name, with the signature issued for them; v1 archives are served by entry id.
  const blobs = new Map<string, PendingBlob & { entry: CacheEntry; sig: string }>()
  const sockets = new Set<Socket>()
  let nextId = 1
  let origin = ''
  /** `127.0.0.1:P`: requests for any other host came through the proxy. */
  let ownHost = ''

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500
        res.end()
      } else res.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // A tunnel is opened only to Azure's blob host on port 80 (plain http, as the blob URLs are), and
  // it leads back into this server: undici's proxy agent tunnels every proxied request, http
  // targets included. Any other tunnel (an https target, another host) is refused: nothing may leave.
  const tunnelled = new WeakSet<Socket>()
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const target = req.url ?? ''
    const open = blobHost === 'azure' && (target === `${AZURE_BLOB_HOST}:80` || target === AZURE_BLOB_HOST)
    requests.push({ method: 'CONNECT', host: target, proxied: true, path: '', status: open ? 200 : 502, authorized: false })
    if (!open) {
      const text = refusal(target)
      socket.end(
        `HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`
      )
      return
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    tunnelled.add(socket)
    if (head.length > 0) socket.unshift(head)
    server.emit('connection', socket)
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Absolute form (`GET http://host/path`) is how a client speaks to a forward proxy; a tunnel's
    // requests come in origin form on the tunnelled socket.
    const proxied = /^[a-z][a-z0-9+.-]*:\/\//i.test(req.url ?? '') || tunnelled.has(req.socket)
    const url = new URL(req.url ?? '/', tunnelled.has(req.socket) ? `http://${req.headers.host ?? ''}` : origin)
    const method = req.method ?? 'GET'
    const authorized = req.headers.authorization === `Bearer ${token}`
    const record: RecordedCacheRequest = { method, host: url.host, proxied, path: url.pathname, status: 0, authorized }
    requests.push(record)
    // The whole body is read before routing, so a fault never leaves a client blocked on a write.
    const body = await readBody(req)

    if (url.host !== ownHost && !(blobHost === 'azure' && url.host === AZURE_BLOB_HOST)) {
      return send(res, record, 502, 'text/plain', refusal(url.host))
    }
    const route = protocol === 'v2' ? routeV2(method, url) : routeV1(method, url)
    if (route === undefined) return send(res, record, 404, 'text/plain', 'Not Found')
    record.endpoint = route.endpoint
    if (route.twirpMethod) record.twirpMethod = route.twirpMethod

    await passHold(route.endpoint)
    const fault = takeFault(route.endpoint, method)
    if (fault) return applyFault(res, record, fault, route.errorStyle)

    await route.run(req, res, record, body, url)
  }

  function passHold(endpoint: CacheEndpoint): Promise<void> {
    const hold = holds.get(endpoint)
    if (!hold) return Promise.resolve()
    return new Promise((resolve) => {
      hold.waiting.push(resolve)
      if (hold.waiting.length < hold.count) return
      holds.delete(endpoint)
      for (const release of hold.waiting) release()
    })
  }

  type ErrorStyle = 'twirp' | 'azure' | 'json' | 'plain'
  interface Route {
    endpoint: CacheEndpoint
    twirpMethod?: string
    errorStyle: ErrorStyle
    run(req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest, body: Buffer, url: URL): Promise<void> | void
  }

  // ---- v2: Twirp service plus Azure-style blob storage -------------------------------------------

  function refusal(host: string): string {
    const served = blobHost === 'azure' ? `only ${AZURE_BLOB_HOST}` : 'no host'
    return `The fake Actions cache service proxies ${served}; it does not forward to ${host}.`
  }

  function routeV2(method: string, url: URL): Route | undefined {
    if (url.host === ownHost && method === 'POST' && url.pathname.startsWith(TWIRP_PREFIX)) {
      const twirpMethod = url.pathname.slice(TWIRP_PREFIX.length)
      const endpoint = (
        {
          CreateCacheEntry: 'reserve',
          FinalizeCacheEntryUpload: 'commit',
          GetCacheEntryDownloadURL: 'lookup'
        } as const
      )[twirpMethod]
      if (!endpoint) return undefined
      return { endpoint, twirpMethod, errorStyle: 'twirp', run: (req, res, record, body) => twirp(twirpMethod, req, res, record, body) }
    }
    const name = blobNameIn(url)
    if (name === undefined) return undefined
    if (method === 'PUT')
      return { endpoint: 'upload', errorStyle: 'azure', run: (req, res, record, body) => putBlob(name, req, res, record, body, url) }
    if (method === 'GET' || method === 'HEAD')
      return { endpoint: 'download', errorStyle: 'azure', run: (req, res, record) => readBlob(name, req, res, record, url) }
    return undefined
  }

  /** The blob a URL names, if it is one of this fake's blob URLs (see blobUrl). */
  function blobNameIn(url: URL): string | undefined {
    const [host, prefix] =
      blobHost === 'azure' ? [AZURE_BLOB_HOST, `/${BLOB_CONTAINER}/`] : [ownHost, `/${BLOB_ACCOUNT}/${BLOB_CONTAINER}/`]
    if (url.host !== host || !url.pathname.startsWith(prefix)) return undefined
    return decodeURIComponent(url.pathname.slice(prefix.length))
  }

  function twirp(twirpMethod: string, req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest, body: Buffer): void {
    if (!record.authorized) return twirpError(res, record, 401, 'unauthenticated', 'invalid or missing bearer token')
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      return twirpError(res, record, 415, 'bad_route', 'the fake speaks Twirp JSON only')
    }
    let request: Record<string, unknown>
    try {
      request = JSON.parse(body.toString('utf8')) as Record<string, unknown>
    } catch {
      return twirpError(res, record, 400, 'malformed', 'the request body is not JSON')
    }
    const key = typeof request.key === 'string' ? request.key : ''
    const version = typeof request.version === 'string' ? request.version : ''
    if (!key || !version) return twirpError(res, record, 400, 'invalid_argument', 'key and version are required')

    switch (twirpMethod) {
      case 'CreateCacheEntry': {
        if (findEntry(key, version)) {
          return twirpError(res, record, 409, 'already_exists', 'cache entry with the same key, version, and scope already exists')
        }
        const entry = addEntry(key, version, false)
        const name = `${entry.id}-${randomBytes(4).toString('hex')}.tar`
        const sig = randomBytes(16).toString('base64url')
        blobs.set(name, { entry, sig, blocks: new Map() })
        return sendJson(res, record, 200, { ok: true, signed_upload_url: blobUrl(name, sig) })
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = findEntry(key, version)
        if (!entry) return twirpError(res, record, 404, 'not_found', 'no cache entry was reserved for this key and version')
        if (entry.committed) {
          return twirpError(res, record, 409, 'already_exists', 'cache entry with the same key, version, and scope already exists')
        }
        const blob = [...blobs.values()].find((candidate) => candidate.entry === entry)
        const size = Number(request.size_bytes)
        if (!blob?.data) return sendJson(res, record, 200, { ok: false, message: 'no blob was uploaded for this cache entry' })
        if (size !== blob.data.length) {
          return sendJson(res, record, 200, {
            ok: false,
            message: `size_bytes ${size} does not match the uploaded ${blob.data.length} bytes`
          })
        }
        entry.archive = blob.data
        entry.committed = true
        // int64 travels as a JSON string in proto3 JSON.
        return sendJson(res, record, 200, { ok: true, entry_id: String(entry.id) })
      }
      case 'GetCacheEntryDownloadURL': {
        const restoreKeys = Array.isArray(request.restore_keys)
          ? request.restore_keys.filter((k): k is string => typeof k === 'string')
          : []
        const entry = match([key, ...restoreKeys], version)
        if (!entry) return sendJson(res, record, 200, { ok: false })
        const blob = [...blobs.entries()].find(([, candidate]) => candidate.entry === entry)
        const name = blob?.[0] ?? seedBlobFor(entry)
        const sig = blobs.get(name)?.sig ?? ''
        return sendJson(res, record, 200, { ok: true, signed_download_url: blobUrl(name, sig), matched_key: entry.key })
      }
    }
  }

  function putBlob(name: string, req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest, body: Buffer, url: URL): void {
    const blob = blobs.get(name)
    if (!blob || url.searchParams.get('sig') !== blob.sig)
      return azureError(res, record, 403, 'AuthenticationFailed', 'The signature does not match.')
    const comp = url.searchParams.get('comp')
    if (comp === 'block') {
      record.uploadMode = 'block'
      const blockId = url.searchParams.get('blockid')
      if (!blockId) return azureError(res, record, 400, 'InvalidQueryParameterValue', 'blockid is required.')
      blob.blocks.set(blockId, body)
      return azureCreated(res, record)
    }
    if (comp === 'blocklist') {
      record.uploadMode = 'blocklist'
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1] ?? '')
      const parts: Buffer[] = []
      for (const id of ids) {
        const block = blob.blocks.get(id)
        if (!block) return azureError(res, record, 400, 'InvalidBlockList', 'The specified block list is invalid.')
        parts.push(block)
      }
      blob.data = Buffer.concat(parts)
      blob.blocks.clear()
      return azureCreated(res, record)
    }
    if (comp !== null) return azureError(res, record, 400, 'InvalidQueryParameterValue', `comp=${comp} is not supported by the fake.`)
    record.uploadMode = 'single'
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
      return azureError(
        res,
        record,
        400,
        'MissingRequiredHeader',
        'An HTTP header that is mandatory for this request is not specified: x-ms-blob-type.'
      )
    }
    blob.data = body
    return azureCreated(res, record)
  }

  /** Get Blob Properties (HEAD) and Get Blob (GET, whole or one range), as Azure answers them. */
  function readBlob(name: string, req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest, url: URL): void {
    const blob = blobs.get(name)
    if (!blob || url.searchParams.get('sig') !== blob.sig)
      return azureError(res, record, 403, 'AuthenticationFailed', 'The signature does not match.')
    if (!blob.entry.committed) return azureError(res, record, 404, 'BlobNotFound', 'The specified blob does not exist.')
    const data = blob.entry.archive
    // Derived from the content: a test that rewrites an entry's archive changes its ETag too.
    const etag = `"0x${createHash('sha256').update(data).digest('hex').slice(0, 16).toUpperCase()}"`
    const ifMatch = req.headers['if-match']
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag) {
      return azureError(res, record, 412, 'ConditionNotMet', 'The condition specified using HTTP conditional header(s) is not met.')
    }
    const headers: Record<string, string> = {
      ...storageHeaders(),
      'content-type': 'application/octet-stream',
      etag,
      'last-modified': new Date(blob.entry.createdAt).toUTCString(),
      'x-ms-creation-time': new Date(blob.entry.createdAt).toUTCString(),
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-server-encrypted': 'true',
      'accept-ranges': 'bytes'
    }
    if (req.method === 'HEAD') return sendBlob(res, record, 200, headers, data, { bodyless: true })
    const asked = header(req, 'x-ms-range') ?? header(req, 'range')
    if (asked === undefined) return sendBlob(res, record, 200, headers, data)
    record.range = asked
    const range = /^bytes=(\d+)-(\d*)$/.exec(asked)
    if (!range)
      return azureError(res, record, 400, 'InvalidHeaderValue', 'The value for one of the HTTP headers is not in the correct format.')
    const start = Number(range[1])
    const end = Math.min(range[2] === '' ? Infinity : Number(range[2]), data.length - 1)
    if (start >= data.length || end < start) {
      return azureError(res, record, 416, 'InvalidRange', 'The range specified is invalid for the current size of the resource.', {
        'content-range': `bytes */${data.length}`
      })
    }
    return sendBlob(
      res,
      record,
      206,
      { ...headers, 'content-range': `bytes ${start}-${end}/${data.length}` },
      data.subarray(start, end + 1)
    )
  }

  function blobUrl(name: string, sig: string): string {
    const expiry = new Date(Date.now() + 3_600_000).toISOString()
    const base = blobHost === 'azure' ? `http://${AZURE_BLOB_HOST}/${BLOB_CONTAINER}` : `${origin}/${BLOB_ACCOUNT}/${BLOB_CONTAINER}`
    return `${base}/${encodeURIComponent(name)}?sv=${STORAGE_VERSION}&se=${encodeURIComponent(expiry)}&sr=b&sp=rw&sig=${encodeURIComponent(sig)}`
  }

  /** A seeded entry gets a blob on first lookup, so it downloads the same way as an uploaded one. */
  function seedBlobFor(entry: CacheEntry): string {
    const name = `${entry.id}-${randomBytes(4).toString('hex')}.tar`
    blobs.set(name, { entry, sig: randomBytes(16).toString('base64url'), blocks: new Map(), data: entry.archive })
    return name
  }

  // ---- v1: the REST artifact cache of GitHub Enterprise Server ------------------------------------

  function routeV1(method: string, url: URL): Route | undefined {
    const apiPrefix = `${v1Base}_apis/artifactcache/`
    if (url.pathname.startsWith('/archives/') && method === 'GET') {
      const id = Number(url.pathname.slice('/archives/'.length))
      return { endpoint: 'download', errorStyle: 'plain', run: (_req, res, record) => v1Download(id, res, record, url) }
    }
    if (!url.pathname.startsWith(apiPrefix)) return undefined
    const resource = url.pathname.slice(apiPrefix.length)
    if (resource === 'cache' && method === 'GET')
      return { endpoint: 'lookup', errorStyle: 'json', run: (req, res, record) => v1Lookup(req, res, record, url) }
    if (resource === 'caches' && method === 'POST')
      return { endpoint: 'reserve', errorStyle: 'json', run: (req, res, record, body) => v1Reserve(req, res, record, body) }
    const idMatch = /^caches\/(\d+)$/.exec(resource)
    if (idMatch) {
      const id = Number(idMatch[1])
      if (method === 'PATCH')
        return { endpoint: 'upload', errorStyle: 'json', run: (req, res, record, body) => v1Upload(id, req, res, record, body) }
      if (method === 'POST')
        return { endpoint: 'commit', errorStyle: 'json', run: (req, res, record, body) => v1Commit(id, req, res, record, body) }
    }
    return undefined
  }

  const v1Chunks = new Map<number, Array<{ start: number; data: Buffer }>>()
  const v1Signatures = new Map<number, string>()

  function v1Check(req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest): boolean {
    if (!record.authorized) {
      sendJson(res, record, 401, { message: 'The user is not authorized to access this resource.' })
      return false
    }
    if (req.headers.accept !== V1_ACCEPT) {
      sendJson(res, record, 400, { message: `expected Accept: ${V1_ACCEPT}` })
      return false
    }
    return true
  }

  function v1Lookup(req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest, url: URL): void {
    if (!v1Check(req, res, record)) return
    const keys = (url.searchParams.get('keys') ?? '').split(',').filter(Boolean)
    const version = url.searchParams.get('version') ?? ''
    if (keys.length === 0 || !version) return sendJson(res, record, 400, { message: 'keys and version are required' })
    const entry = match(keys, version)
    if (!entry) return send(res, record, 204)
    const sig = v1Signatures.get(entry.id) ?? randomBytes(16).toString('base64url')
    v1Signatures.set(entry.id, sig)
    return sendJson(res, record, 200, {
      scope: 'refs/heads/main',
      cacheKey: entry.key,
      cacheVersion: entry.version,
      creationTime: new Date(entry.createdAt).toISOString(),
      archiveLocation: `${origin}/archives/${entry.id}?sig=${encodeURIComponent(sig)}`
    })
  }

  function v1Reserve(req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest, body: Buffer): void {
    if (!v1Check(req, res, record)) return
    let request: { key?: unknown; version?: unknown }
    try {
      request = JSON.parse(body.toString('utf8')) as typeof request
    } catch {
      return sendJson(res, record, 400, { message: 'the request body is not JSON' })
    }
    if (typeof request.key !== 'string' || typeof request.version !== 'string') {
      return sendJson(res, record, 400, { message: 'key and version are required' })
    }
    if (findEntry(request.key, request.version)) {
      // The body GHES sends for a duplicate reservation.
      return sendJson(res, record, 409, {
        $id: '1',
        innerException: null,
        message: `Cache already exists. Scope: refs/heads/main, Key: ${request.key}, Version: ${request.version}`,
        typeName:
          'Microsoft.Azure.DevOps.PipelineCache.WebApi.ArtifactCacheAlreadyExistsException, Microsoft.Azure.DevOps.PipelineCache.WebApi',
        typeKey: 'ArtifactCacheAlreadyExistsException',
        errorCode: 0,
        eventId: 3000
      })
    }
    const entry = addEntry(request.key, request.version, false)
    v1Chunks.set(entry.id, [])
    return sendJson(res, record, 201, { cacheId: entry.id })
  }

  function v1Upload(id: number, req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest, body: Buffer): void {
    if (!v1Check(req, res, record)) return
    const chunks = v1Chunks.get(id)
    const entry = entries.find((candidate) => candidate.id === id)
    if (!chunks || !entry || entry.committed) return sendJson(res, record, 404, { message: `cache ${id} is not reserved` })
    const range = /^bytes (\d+)-(\d+)\/\*$/.exec(String(req.headers['content-range'] ?? ''))
    if (!range) return sendJson(res, record, 400, { message: 'Content-Range must look like "bytes start-end/*"' })
    const start = Number(range[1])
    const end = Number(range[2])
    if (end - start + 1 !== body.length) return sendJson(res, record, 400, { message: 'the chunk length does not match Content-Range' })
    chunks.push({ start, data: body })
    return send(res, record, 204)
  }

  function v1Commit(id: number, req: IncomingMessage, res: ServerResponse, record: RecordedCacheRequest, body: Buffer): void {
    if (!v1Check(req, res, record)) return
    const chunks = v1Chunks.get(id)
    const entry = entries.find((candidate) => candidate.id === id)
    if (!chunks || !entry || entry.committed) return sendJson(res, record, 404, { message: `cache ${id} is not reserved` })
    let size: unknown
    try {
      size = (JSON.parse(body.toString('utf8')) as { size?: unknown }).size
    } catch {
      return sendJson(res, record, 400, { message: 'the request body is not JSON' })
    }
    const archive = Buffer.alloc(chunks.reduce((total, chunk) => Math.max(total, chunk.start + chunk.data.length), 0))
    for (const chunk of chunks) chunk.data.copy(archive, chunk.start)
    if (size !== archive.length)
      return sendJson(res, record, 400, { message: `size ${String(size)} does not match the ${archive.length} bytes uploaded` })
    entry.archive = archive
    entry.committed = true
    v1Chunks.delete(id)
    return send(res, record, 204)
  }

  function v1Download(id: number, res: ServerResponse, record: RecordedCacheRequest, url: URL): void {
    const entry = entries.find((candidate) => candidate.id === id && candidate.committed)
    if (!entry || url.searchParams.get('sig') !== v1Signatures.get(id)) return send(res, record, 404, 'text/plain', 'Not Found')
    return sendBlob(res, record, 200, { 'content-type': 'application/octet-stream' }, entry.archive)
  }

  // ---- shared: entries, matching, faults, responses ----------------------------------------------

  function addEntry(
    key: string,
    version: string,
    committed: boolean,
    archive: Buffer = Buffer.alloc(0),
    createdAt = Date.now()
  ): CacheEntry {
    // Entries created in the same millisecond still order by creation.
    const last = entries.at(-1)
    const entry: CacheEntry = {
      id: nextId++,
      key,
      version,
      archive,
      createdAt: Math.max(createdAt, last ? last.createdAt + 1 : 0),
      committed
    }
    entries.push(entry)
    return entry
  }

  function findEntry(key: string, version: string): CacheEntry | undefined {
    return entries.find((entry) => entry.key === key && entry.version === version)
  }

  function match(keys: string[], version: string): CacheEntry | undefined {
    const candidates = entries.filter((entry) => entry.committed && entry.version === version)
    for (const key of keys) {
      const exact = candidates.find((entry) => entry.key === key)
      if (exact) return exact
      const newest = candidates.filter((entry) => entry.key.startsWith(key)).sort((a, b) => b.createdAt - a.createdAt)[0]
      if (newest) return newest
    }
    return undefined
  }

  function takeFault(endpoint: CacheEndpoint, method: string): CacheFault | undefined {
    const slot = faults.get(endpoint)
    if (!slot || (slot.fault.method !== undefined && slot.fault.method !== method)) return undefined
    if (slot.remaining !== Infinity) {
      slot.remaining -= 1
      if (slot.remaining <= 0) faults.delete(endpoint)
    }
    return slot.fault
  }

  function applyFault(res: ServerResponse, record: RecordedCacheRequest, fault: CacheFault, style: ErrorStyle): void {
    if (fault.kind === 'hang') return // the socket is destroyed by close()
    if (fault.kind === 'reset') {
      res.socket?.resetAndDestroy()
      return
    }
    const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}
    const message = fault.message ?? `fault injected by the fake cache service (${fault.status})`
    switch (style) {
      case 'twirp':
        return twirpError(res, record, fault.status, twirpCodeFor(fault.status), message, headers)
      case 'azure':
        return azureError(res, record, fault.status, fault.status === 503 ? 'ServerBusy' : 'InternalError', message, headers)
      case 'json':
        return sendJson(res, record, fault.status, { message }, headers)
      case 'plain':
        return send(res, record, fault.status, 'text/plain', message, headers)
    }
  }

  function twirpError(
    res: ServerResponse,
    record: RecordedCacheRequest,
    status: number,
    code: string,
    msg: string,
    headers: Record<string, string> = {}
  ): void {
    sendJson(res, record, status, { code, msg }, headers)
  }

  function azureError(
    res: ServerResponse,
    record: RecordedCacheRequest,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {}
  ): void {
    const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`
    send(res, record, status, 'application/xml', xml, { ...storageHeaders(), 'x-ms-error-code': code, ...headers })
  }

  function azureCreated(res: ServerResponse, record: RecordedCacheRequest): void {
    send(res, record, 201, undefined, undefined, {
      ...storageHeaders(),
      etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
      'last-modified': new Date().toUTCString(),
      'x-ms-request-server-encrypted': 'true'
    })
  }

  /** What every Azure Storage answer carries. */
  function storageHeaders(): Record<string, string> {
    return { 'x-ms-request-id': randomUUID(), 'x-ms-version': STORAGE_VERSION, date: new Date().toUTCString() }
  }

  function sendJson(
    res: ServerResponse,
    record: RecordedCacheRequest,
    status: number,
    json: unknown,
    headers: Record<string, string> = {}
  ): void {
    send(res, record, status, 'application/json', JSON.stringify(json), headers)
  }

  /** Bytes with their Content-Length: the toolkit's plain GET compares it with what it wrote, the SDK's HEAD reads the size from it. */
  function sendBlob(
    res: ServerResponse,
    record: RecordedCacheRequest,
    status: number,
    headers: Record<string, string>,
    bytes: Buffer,
    { bodyless = false } = {}
  ): void {
    record.status = status
    res.writeHead(status, { ...headers, 'content-length': String(bytes.length) })
    res.end(bodyless ? undefined : bytes)
  }

  function send(
    res: ServerResponse,
    record: RecordedCacheRequest,
    status: number,
    contentType?: string,
    text?: string,
    headers: Record<string, string> = {}
  ): void {
    record.status = status
    const all: Record<string, string> = { ...headers }
    if (contentType) all['content-type'] = contentType
    all['content-length'] = String(text === undefined ? 0 : Buffer.byteLength(text))
    res.writeHead(status, all)
    res.end(text)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  ownHost = `127.0.0.1:${(server.address() as AddressInfo).port}`
  origin = `http://${ownHost}`

  const env: Record<string, string> =
    protocol === 'v2'
      ? { ACTIONS_CACHE_SERVICE_V2: 'True', ACTIONS_RESULTS_URL: `${origin}/`, ACTIONS_RUNTIME_TOKEN: token }
      : { ACTIONS_CACHE_URL: `${origin}${v1Base}`, ACTIONS_RUNTIME_TOKEN: token }
  // Upper case only: every client involved (the Azure SDK, @actions/http-client, the action's
  // dispatcher) reads either case; HTTP_PROXY alone because the blob URLs are http.
  if (blobHost === 'azure') Object.assign(env, { HTTP_PROXY: origin, NO_PROXY: '127.0.0.1,localhost' })

  return {
    protocol,
    blobHost,
    url: origin,
    env,
    token,
    entries,
    requests,
    setFault(endpoint, fault, times) {
      faults.set(endpoint, { fault, remaining: times ?? Infinity })
    },
    clearFaults() {
      faults.clear()
    },
    holdUntilArrived(endpoint, count) {
      holds.set(endpoint, { count, waiting: [] })
    },
    seedEntry({ key, version, archive, createdAt }) {
      const entry = addEntry(key, version, true, archive, createdAt)
      if (protocol === 'v2') seedBlobFor(entry)
      return entry
    },
    async close() {
      // Hanging requests would otherwise keep close() waiting forever.
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function twirpCodeFor(status: number): string {
  if (status === 429) return 'resource_exhausted'
  if (status === 401) return 'unauthenticated'
  if (status === 403) return 'permission_denied'
  if (status === 404) return 'not_found'
  if (status === 409) return 'already_exists'
  if (status === 503) return 'unavailable'
  if (status >= 500) return 'internal'
  return 'invalid_argument'
}

/** A request header that was sent once (Node joins repeats of most headers; ranges are never repeated). */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
