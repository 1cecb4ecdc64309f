// A loopback reverse proxy between the action and a service (the emulator, a fake), which
// records every secret that crosses the wire: client secrets, device codes, tokens, role keys.
// The leak scan then looks for secrets the test learned independently of the action, so an
// action that forgets to mask a value (and never prints an add-mask line for it) still fails.
// It forwards status, headers and bodies untouched, and turns an upstream reset into a reset.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** Field names (case and `_` ignored) whose values are secrets, in JSON or form bodies, at any depth. */
const secretFields = new Map(
  [
    'clientSecret',
    'deviceCode',
    'accessToken',
    'refreshToken',
    'idToken',
    'accessKeyId',
    'secretAccessKey',
    'sessionToken',
    'codeVerifier'
  ].map((name) => [name.toLowerCase(), name])
)
/** Request headers that carry a secret (the SSO portal's bearer token). */
const secretHeaders = new Map([
  ['x-amz-sso_bearer_token', 'accessToken'],
  ['authorization', 'authorization']
])

export interface WireTap {
  /** Point the action here instead of at the upstream. */
  endpoint: string
  /** Every distinct secret seen so far, labelled by field (`accessToken`, `accessToken#2`, …). */
  secrets(): Record<string, string>
  /** Requests forwarded: method, path (no query), status (0 when the upstream reset). */
  exchanges: Array<{ method: string; path: string; status: number }>
  close(): Promise<void>
}

function canonical(field: string): string | undefined {
  return secretFields.get(field.replace(/_/g, '').toLowerCase())
}

function collectFromJson(value: unknown, found: (field: string, value: string) => void): void {
  if (Array.isArray(value)) value.forEach((item) => collectFromJson(item, found))
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const field = canonical(key)
      if (field && typeof inner === 'string' && inner !== '') found(field, inner)
      else collectFromJson(inner, found)
    }
  }
}

function collectFromBody(body: string, contentType: string | undefined, found: (field: string, value: string) => void): void {
  if (body === '') return
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body)) {
      const field = canonical(key)
      if (field && value !== '') found(field, value)
    }
    return
  }
  try {
    collectFromJson(JSON.parse(body), found)
  } catch {
    // Not JSON (an HTML page, an empty error): nothing structured to collect.
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
  })
}

/** Starts a tap in front of `upstream` (e.g. the emulator's endpoint) on a free loopback port. */
export async function startWireTap(upstream: string): Promise<WireTap> {
  const target = new URL(upstream)
  const byValue = new Map<string, string>()
  const perField = new Map<string, number>()
  const exchanges: WireTap['exchanges'] = []
  const sockets = new Set<Socket>()

  const found = (field: string, value: string): void => {
    if (byValue.has(value)) return
    const count = (perField.get(field) ?? 0) + 1
    perField.set(field, count)
    byValue.set(value, count === 1 ? field : `${field}#${count}`)
  }

  const forward = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const body = await readAll(incoming)
    const path = (incoming.url ?? '/').split('?')[0]
    collectFromBody(body.toString('utf8'), incoming.headers['content-type'], found)
    for (const [header, field] of secretHeaders) {
      const value = incoming.headers[header]
      if (typeof value === 'string' && value !== '') found(field, value.replace(/^Bearer\s+/i, ''))
    }
    // A SigV4 signature covers the Host header (STS GetCallerIdentity): such a request keeps the
    // host it was signed for, as a proxy in front of AWS must; every other one names the upstream.
    const signed = /^AWS4-HMAC-SHA256 /.test(incoming.headers.authorization ?? '')
    const headers: IncomingHttpHeaders = signed ? { ...incoming.headers } : { ...incoming.headers, host: target.host }
    const upstreamRequest = httpRequest({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: incoming.method,
      path: incoming.url,
      headers,
      agent: false
    })
    upstreamRequest.on('response', (response) => {
      void readAll(response).then(
        (responseBody) => {
          collectFromBody(responseBody.toString('utf8'), response.headers['content-type'], found)
          exchanges.push({ method: incoming.method ?? 'GET', path, status: response.statusCode ?? 0 })
          const { 'transfer-encoding': _chunked, connection: _connection, ...passed } = response.headers
          outgoing.writeHead(response.statusCode ?? 502, { ...passed, 'content-length': String(responseBody.length) })
          outgoing.end(responseBody)
        },
        () => outgoing.socket?.destroy()
      )
    })
    // The upstream reset or vanished: the client must see the same, not a made-up reply.
    upstreamRequest.on('error', () => {
      exchanges.push({ method: incoming.method ?? 'GET', path, status: 0 })
      outgoing.socket?.destroy()
    })
    // The client gave up (its timeout, a cancelled run): hang up upstream too, as a proxy does.
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) upstreamRequest.destroy()
    })
    upstreamRequest.end(body)
  }

  const server = createServer((incoming, outgoing) => {
    forward(incoming, outgoing).catch(() => outgoing.socket?.destroy())
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    secrets: () => Object.fromEntries([...byValue].map(([value, label]) => [label, value])),
    exchanges,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    }
  }
}
