// One JSON request to an AWS endpoint, as every client of this action makes it: a per-attempt
// timeout that a hung connection cannot outlive, the caller's cancellation, a debug line without
// secrets, and typed errors. One attempt only: retrying is the caller's decision (src/retry.ts).
import * as core from '@actions/core'
import type { Dispatcher } from 'undici'
import { awsErrorFromResponse } from './aws-error.js'
import { sharedDispatcher } from './dispatcher.js'
import { MAX_ATTEMPT_TIMEOUT_MS } from '../deadline.js'
import { MalformedResponseError, NetworkError, RequestTimeoutError } from './errors.js'
import { USER_AGENT } from './user-agent.js'

export const DEFAULT_REQUEST_TIMEOUT_MS = MAX_ATTEMPT_TIMEOUT_MS
/** AWS answers are a few KB; a bigger body is not an AWS answer and must not eat the runner's memory. */
const MAX_BODY_BYTES = 1024 * 1024

export interface JsonRequest {
  /** The AWS operation name, for messages and logs: 'CreateToken', 'GetRoleCredentials'. */
  operation: string
  method: 'GET' | 'POST'
  url: URL
  /** Sent as JSON with Content-Type: application/json. Never logged. */
  body?: unknown
  /** Extra headers (e.g. x-amz-sso_bearer_token). Never logged. */
  headers?: Record<string, string>
  /** Limit for the whole attempt: connect, headers and body. Default 15 s. */
  timeoutMs?: number
  /** Epoch ms (on `now`) after which no request may run, whatever `timeoutMs` says: the flow's hard stop. */
  deadline?: number
  /** The caller's cancellation: when it aborts, the request is torn down and its reason thrown. */
  signal?: AbortSignal
  /** Defaults to the shared dispatcher (proxy-aware, keep-alive). */
  dispatcher?: Dispatcher
  /** Epoch ms, to read an HTTP-date Retry-After. */
  now?: () => number
}

export interface JsonResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON; undefined when the body was empty (Logout). */
  body: unknown
}

/**
 * Sends one request and returns a 2xx response's parsed body.
 * Throws AwsServiceError for any other status, NetworkError / RequestTimeoutError when no
 * complete answer came, MalformedResponseError when a 2xx body is not JSON, and the caller's
 * `signal.reason` when the caller cancelled.
 */
export async function requestJson(options: JsonRequest): Promise<JsonResponse> {
  const { operation, method, url } = options
  // Errors and logs name the origin and path only: a query string may carry identifiers.
  const endpoint = `${url.origin}${url.pathname}`
  const timeoutMs = attemptLimit(options, endpoint)
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json', ...options.headers }
  let payload: string | undefined
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body)
    headers['content-type'] = 'application/json'
  }

  const started = performance.now()
  const elapsed = (): number => Math.round(performance.now() - started)
  let status: number
  let responseHeaders: JsonResponse['headers']
  let text: string
  try {
    // The dispatcher's own request(): the bundle's undici has no top-level request() (undici-parts.ts).
    const response = await (options.dispatcher ?? sharedDispatcher()).request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      body: payload,
      signal,
      // Belt and braces with the signal: undici's own timers also cover a stalled socket.
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs
    })
    status = response.statusCode
    responseHeaders = response.headers
    text = await readLimited(response.body, operation, endpoint)
  } catch (error) {
    if (error instanceof MalformedResponseError) throw error
    const failure = requestFailure(error, { operation, endpoint, timeoutMs, callerSignal: options.signal, timeout })
    core.debug(`${method} ${url.pathname} failed after ${elapsed()} ms: ${failure instanceof Error ? failure.message : 'cancelled'}`)
    throw failure
  }
  core.debug(`${method} ${url.pathname} ${status} ${elapsed()} ms`)

  if (status < 200 || status > 299) {
    throw awsErrorFromResponse({
      operation,
      endpoint,
      status,
      headers: responseHeaders,
      body: tryParseJson(text),
      now: (options.now ?? Date.now)()
    })
  }
  if (text.trim() === '') return { status, headers: responseHeaders, body: undefined }
  try {
    return { status, headers: responseHeaders, body: JSON.parse(text) as unknown }
  } catch {
    // The parser's message quotes the body; it stays out of the error.
    throw new MalformedResponseError(operation, endpoint, `HTTP ${status} body is not JSON`)
  }
}

/** The attempt's timeout, shortened to what is left before the deadline; none left: not sent at all. */
function attemptLimit(options: JsonRequest, endpoint: string): number {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  if (options.deadline === undefined) return timeoutMs
  const left = Math.floor(options.deadline - (options.now ?? Date.now)())
  if (left <= 0) throw new RequestTimeoutError(options.operation, endpoint, 0)
  return Math.min(timeoutMs, left)
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }, operation: string, endpoint: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) {
      body.destroy()
      throw new MalformedResponseError(operation, endpoint, `body larger than ${MAX_BODY_BYTES} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
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
  context: { operation: string; endpoint: string; timeoutMs: number; callerSignal?: AbortSignal; timeout: AbortSignal }
): unknown {
  const { operation, endpoint, timeoutMs } = context
  if (context.callerSignal?.aborted) return context.callerSignal.reason
  const code = errorCode(error)
  if (context.timeout.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new RequestTimeoutError(operation, endpoint, timeoutMs, { cause: error })
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
  const message = error instanceof Error ? firstLine(error.message) : code
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

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200)
}
