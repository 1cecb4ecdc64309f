// One JSON request to an AWS endpoint, as every client of this action makes it: a per-attempt
// timeout that a hung connection cannot outlive, the caller's cancellation, a debug line without
// secrets, and typed errors. One attempt only: retrying is the caller's decision (src/retry.ts).
import { definedFields } from '../defined.js'
import type { Dispatcher } from 'undici'
import { awsErrorFromResponse } from './aws-error.js'
import { requestBounded } from './bounded-request.js'
import { MalformedResponseError, RequestTimeoutError } from './errors.js'
import { USER_AGENT } from './user-agent.js'

/** What one AWS call may take when nothing shorter is asked for: connect, headers and body. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000
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
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json', ...options.headers }
  let payload: string | undefined
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body)
    headers['content-type'] = 'application/json'
  }
  const response = await requestBounded({
    operation,
    method,
    url,
    headers,
    ...definedFields({ body: payload }),
    ...attemptLimit(options, endpoint),
    maxBodyBytes: MAX_BODY_BYTES,
    ...definedFields({ signal: options.signal, dispatcher: options.dispatcher })
  })
  const { status, headers: responseHeaders } = response
  const text = response.body.toString('utf8')

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

/**
 * The attempt's timeout, shortened to what is left before the deadline (`cutShort` says so);
 * none left: not sent at all.
 */
export function attemptLimit(
  options: Pick<JsonRequest, 'operation' | 'timeoutMs' | 'deadline' | 'now'>,
  endpoint: string
): { timeoutMs: number; cutShort: boolean } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  if (options.deadline === undefined) return { timeoutMs, cutShort: false }
  const left = Math.floor(options.deadline - (options.now ?? Date.now)())
  if (left <= 0) throw new RequestTimeoutError(options.operation, endpoint, 0)
  return left < timeoutMs ? { timeoutMs: left, cutShort: true } : { timeoutMs, cutShort: false }
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
