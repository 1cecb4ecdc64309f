// What the lookup (cache-lookup.ts) and the save (entry-save.ts) share of the two Actions cache
// protocols (docs/protocol.md §6): where the service is, one Twirp JSON call (v2) or one REST
// call under `_apis/artifactcache/` (v1) with the runtime token, the answer read as a JSON
// object, and a signed URL masked the moment it is read. Errors name the endpoint's origin and
// path only, never a body, a query string or a header.
import * as core from '@actions/core'
import { requestBounded, type BoundedResponse } from '../http/bounded-request.js'
import { MalformedResponseError } from '../http/errors.js'
import { USER_AGENT } from '../http/user-agent.js'
import { cacheServiceProtocol, type CacheServiceProtocol } from './service.js'
import { definedFields } from '../defined.js'

/** The service answered, but with a status that is neither a hit nor a miss. Never carries its body. */
export class CacheServiceError extends Error {
  override readonly name = 'CacheServiceError'
}

/** Where this step's cache service is and the token it takes. */
export interface CacheService {
  protocol: CacheServiceProtocol
  /** v2: ACTIONS_RESULTS_URL; v1: ACTIONS_CACHE_URL. */
  base: URL
  token: string
}

export interface CacheCall {
  timeoutMs: number
  signal?: AbortSignal
}

/** What the service answered: its status, the body as a JSON object when it is one, and the endpoint for messages. */
export interface CacheAnswer {
  status: number
  body: Buffer
  endpoint: string
}

const TWIRP_SERVICE = '/twirp/github.actions.results.api.v1.CacheService/'
const V1_ACCEPT = 'application/json;api-version=6.0-preview.1'
/** A service answer is a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024

export function cacheService(env: NodeJS.ProcessEnv = process.env): CacheService {
  const protocol = cacheServiceProtocol(env)
  const token = env.ACTIONS_RUNTIME_TOKEN ?? ''
  if (protocol === undefined || token === '') throw new CacheServiceError('the Actions cache service is not configured for this step')
  const base =
    protocol === 'v2'
      ? serviceUrl(env.ACTIONS_RESULTS_URL ?? '', 'ACTIONS_RESULTS_URL')
      : serviceUrl(env.ACTIONS_CACHE_URL ?? '', 'ACTIONS_CACHE_URL')
  return { protocol, base, token }
}

/** One Twirp JSON call: `POST <origin>/twirp/…CacheService/<method>` (resolved as the library resolves it: any base path discarded). */
export async function twirpCall(
  service: CacheService,
  method: string,
  request: Record<string, unknown>,
  call: CacheCall
): Promise<CacheAnswer> {
  const url = new URL(`${TWIRP_SERVICE}${method}`, service.base)
  const response = await requestBounded({
    operation: method,
    method: 'POST',
    url,
    headers: { ...authorized(service), 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(request),
    timeoutMs: call.timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
    ...definedFields({ signal: call.signal })
  })
  return answer(response, url)
}

/** One v1 REST call at `<ACTIONS_CACHE_URL>_apis/artifactcache/<resource>` (the base path kept: GHES serves the cache under one of its own). */
export async function artifactCacheCall(
  service: CacheService,
  operation: string,
  call: CacheCall & {
    method: 'GET' | 'POST' | 'PATCH'
    resource: string
    json?: Record<string, unknown>
    bytes?: Buffer
    headers?: Record<string, string>
  }
): Promise<CacheAnswer> {
  const url = new URL(`${service.base.href}_apis/artifactcache/${call.resource}`)
  const contentType: Record<string, string> = call.json !== undefined ? { 'content-type': 'application/json' } : {}
  const response = await requestBounded({
    operation,
    method: call.method,
    url,
    headers: { ...authorized(service), accept: V1_ACCEPT, ...contentType, ...call.headers },
    ...definedFields({ body: call.json !== undefined ? JSON.stringify(call.json) : call.bytes }),
    timeoutMs: call.timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
    ...definedFields({ signal: call.signal })
  })
  return answer(response, url)
}

/** The error for an answer that is neither success nor a status the caller knows. */
export function unexpectedStatus(operation: string, answer: CacheAnswer): CacheServiceError {
  return new CacheServiceError(`${operation} at ${answer.endpoint} answered HTTP ${answer.status}`)
}

export function jsonObject(answer: CacheAnswer, operation: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(answer.body.toString('utf8'))
  } catch {
    throw new MalformedResponseError(operation, answer.endpoint, 'the body is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new MalformedResponseError(operation, answer.endpoint, 'the body is not a JSON object')
  return parsed as Record<string, unknown>
}

/**
 * Masks a signed URL from an answer (an Azure SAS or a GHES token), once, before anything else is
 * done with it: whatever goes wrong after, it cannot reach the log.
 */
export function maskSignedUrl(value: unknown): void {
  if (typeof value === 'string' && value !== '') core.setSecret(value)
}

/**
 * The signed URL (masked already, maskSignedUrl), required to be plain http(s) without
 * credentials. Its signature is masked apart too: the runner masks exact strings, and a log may
 * quote it decoded or alone.
 */
export function signedUrl(value: unknown, operation: string, endpoint: string, what: string): URL {
  if (typeof value !== 'string') throw new MalformedResponseError(operation, endpoint, `the ${what} is missing`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new MalformedResponseError(operation, endpoint, `the ${what} is not a URL`)
  }
  for (const [, parameter] of url.searchParams) if (parameter.length >= 8) core.setSecret(parameter)
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new MalformedResponseError(operation, endpoint, `the ${what} is not a plain http(s) URL`)
  }
  return url
}

function authorized(service: CacheService): Record<string, string> {
  return { 'user-agent': USER_AGENT, authorization: `Bearer ${service.token}` }
}

function answer(response: BoundedResponse, url: URL): CacheAnswer {
  return { status: response.status, body: response.body, endpoint: `${url.origin}${url.pathname}` }
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
