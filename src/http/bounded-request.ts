// One HTTP request with everything outside the action's control bounded: a per-attempt timeout
// that a hung connection cannot outlive (the caller's AbortSignal tears the request down too),
// a response body read only up to a limit, a debug line without query string, headers or bodies,
// and the network failure named as a typed error. It knows nothing of what the body means: the
// AWS clients (request.ts) and the Actions cache lookup and download build on it.
import * as core from '@actions/core'
import type { Dispatcher } from 'undici'
import { sharedDispatcher } from './dispatcher.js'
import { MalformedResponseError, NetworkError, RequestTimeoutError } from './errors.js'
import { clip, firstLine } from '../text/lines.js'

export interface BoundedRequest {
  /** The operation name, for messages and logs: 'CreateToken', 'GetCacheEntryDownloadURL'. */
  operation: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH'
  url: URL
  /** Never logged. */
  headers: Record<string, string>
  /** Never logged. */
  body?: string | Buffer
  /** Limit for the whole attempt: connect, headers and body. */
  timeoutMs: number
  /** `timeoutMs` was shortened to what the caller's deadline left (see RequestTimeoutError.cutShort). */
  cutShort?: boolean
  /** A body longer than this is not read further: the request fails with MalformedResponseError. */
  maxBodyBytes: number
  /** The caller's cancellation: when it aborts, the request is torn down and its reason thrown. */
  signal?: AbortSignal
  /** Defaults to the shared dispatcher (proxy-aware, keep-alive). */
  dispatcher?: Dispatcher
}

export interface BoundedResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/**
 * Sends one request and returns whatever status came back with its (bounded) body.
 * Throws NetworkError / RequestTimeoutError when no complete answer came, MalformedResponseError
 * when the body is too long, and the caller's `signal.reason` when the caller cancelled.
 */
export async function requestBounded(options: BoundedRequest): Promise<BoundedResponse> {
  const { operation, method, url, timeoutMs } = options
  // Errors and logs name the origin and path only: a query string may carry identifiers or a signature.
  const endpoint = `${url.origin}${url.pathname}`
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const started = performance.now()
  const elapsed = (): number => Math.round(performance.now() - started)
  let response: BoundedResponse
  try {
    // The dispatcher's own request() (undici's public Dispatcher API): the one the caller gave, or the shared one.
    const answer = await (options.dispatcher ?? sharedDispatcher()).request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers: options.headers,
      body: options.body,
      signal,
      // Belt and braces with the signal: undici's own timers also cover a stalled socket.
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs
    })
    const body = await readLimited(answer.body, options.maxBodyBytes, operation, endpoint)
    response = { status: answer.statusCode, headers: answer.headers, body }
  } catch (error) {
    if (error instanceof MalformedResponseError) throw error
    const failure = requestFailure(error, {
      operation,
      endpoint,
      timeoutMs,
      cutShort: options.cutShort === true,
      callerSignal: options.signal,
      timeout
    })
    // The path is the URL parser's serialisation (percent-encoded, one line); the cause may quote
    // what the network or a proxy said, so it passes the one sanitiser.
    core.debug(
      `${method} ${url.pathname} failed after ${elapsed()} ms: ${failure instanceof Error ? clip(failure.message, 500) : 'cancelled'}`
    )
    throw failure
  }
  core.debug(`${method} ${url.pathname} ${response.status} ${elapsed()} ms`)
  return response
}

/** The body, or MalformedResponseError as soon as it grows past `max` (the rest is never read). */
async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  max: number,
  operation: string,
  endpoint: string
): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > max) {
      body.destroy()
      throw new MalformedResponseError(operation, endpoint, `body larger than ${max} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])

const EXTRA_CA_HINT = ' (a corporate CA can be added with NODE_EXTRA_CA_CERTS)'

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_ABORTED: 'request aborted',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'response shorter than its Content-Length',
  // A TLS-inspecting corporate proxy is the usual cause of an untrusted chain on a runner.
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: `the TLS certificate chain has an untrusted self-signed root${EXTRA_CA_HINT}`,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: `the TLS certificate's issuer is not trusted${EXTRA_CA_HINT}`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: `the TLS certificate's issuer is not trusted${EXTRA_CA_HINT}`,
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate does not match the host name'
}

// Certificate problems and a proxy refusing our credentials answer the same way every time.
const PERMANENT_CODE = /^(CERT_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_|ERR_SSL_|UND_ERR_INVALID_ARG)/

function requestFailure(
  error: unknown,
  context: { operation: string; endpoint: string; timeoutMs: number; cutShort: boolean; callerSignal?: AbortSignal; timeout: AbortSignal }
): unknown {
  const { operation, endpoint, timeoutMs } = context
  if (context.callerSignal?.aborted) return context.callerSignal.reason
  const code = errorCode(error)
  if (context.timeout.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new RequestTimeoutError(operation, endpoint, timeoutMs, { cause: error, cutShort: context.cutShort })
  }
  if (code === undefined) return error // not a network failure: a bug, let it surface as is
  const proxyStatus = proxyRefusal(error)
  if (proxyStatus !== undefined) {
    // 407 and 403 are the proxy's policy and will not change on a retry; a 5xx may.
    const hint = proxyStatus === 407 ? ': check the credentials in the proxy URL' : ''
    return new NetworkError(operation, endpoint, `the proxy refused the connection with HTTP ${proxyStatus}${hint}`, {
      cause: error,
      retryable: proxyStatus >= 500
    })
  }
  const known = NETWORK_REASONS[code]
  const message = error instanceof Error ? firstLine(error.message, 200) : code
  const reason = `${known ?? (message === code ? 'connection failed' : message)} (${code})`
  return new NetworkError(operation, endpoint, reason, { cause: error, retryable: !PERMANENT_CODE.test(code) })
}

// undici reports a refused CONNECT only in its message: "Proxy response (407) !== 200 when HTTP Tunneling".
function proxyRefusal(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : ''
  const match = /^Proxy response \((\d{3})\)/.exec(message)
  return match ? Number(match[1]) : undefined
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') return code
  // undici sometimes wraps the socket error
  const cause = (error as { cause?: unknown }).cause
  return cause === undefined ? undefined : errorCode(cause)
}
