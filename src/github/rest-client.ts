// The GitHub REST client: @actions/github's Octokit, loaded only when needed (it is heavy and most
// runs never comment), pointed at GITHUB_API_URL so GitHub Enterprise Server works, with a
// per-request timeout and bounded retries of idempotent requests. POSTs are not retried here: a
// POST whose response was lost may have succeeded, so its caller decides how to repeat it safely.
import type { getOctokit } from '@actions/github'
import { withRetry } from '../retry.js'
import { DEFAULT_RETRY_POLICY, failureFacts, retryDelayMs, type RetryPolicy } from './retry.js'

export type GitHubRest = ReturnType<typeof getOctokit>

export interface GitHubClientOptions {
  token: string
  /** The REST API base, e.g. https://api.github.com or https://ghes.example/api/v3. */
  apiUrl?: string
  retry?: Partial<RetryPolicy>
  /** Injected for tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>
  /** Epoch ms; injected for tests. */
  now?: () => number
  /** A request with no complete answer within this time is abandoned (and retried if idempotent). */
  requestTimeoutMs?: number
  /** Where retries are reported: method, route and status only, never bodies or the token. */
  debug?: (line: string) => void
  /**
   * The caller's limit on the work in progress, asked for at every attempt: once the signal it
   * returns has aborted, the request in flight is cut off and nothing more is tried.
   */
  limit?: () => AbortSignal | undefined
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/** GITHUB_API_URL as the runner sets it, without a trailing slash (Octokit appends '/repos/...'). */
export function apiBaseUrl(apiUrl?: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = apiUrl?.trim() || env.GITHUB_API_URL?.trim() || 'https://api.github.com'
  return url.replace(/\/+$/, '')
}

export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubRest> {
  // Dynamic on purpose: the import costs tens of milliseconds and megabytes, paid only when a
  // comment will actually be posted.
  const { getOctokit } = await import('@actions/github')
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const now = options.now ?? Date.now
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const debug = options.debug ?? (() => {})

  // Only top-level options here: a `request` option would replace @actions/github's proxy-aware
  // fetch (Octokit merges constructor options shallowly). Octokit's own warnings go to debug.
  const octokit = getOctokit(options.token, {
    baseUrl: apiBaseUrl(options.apiUrl),
    log: { debug: () => {}, info: () => {}, warn: debug, error: debug }
  })

  octokit.hook.wrap('request', async (request, endpoint) => {
    const retryable = IDEMPOTENT.has(endpoint.method.toUpperCase()) || isGraphqlQuery(endpoint)
    let limit: AbortSignal | undefined
    return withRetry(
      async () => {
        limit = options.limit?.()
        limit?.throwIfAborted()
        // A fresh timeout per attempt; merged into the per-request options so the proxy-aware fetch
        // from the client's defaults stays in place.
        const timeout = AbortSignal.timeout(timeoutMs)
        endpoint.request = { ...endpoint.request, signal: limit ? AbortSignal.any([timeout, limit]) : timeout }
        return request(endpoint)
      },
      {
        deadline: Number.POSITIVE_INFINITY,
        clock: { now, sleep: (ms) => sleep(ms) },
        delayBeforeRetry: (error, attempt, at) =>
          retryable && !limit?.aborted ? retryDelayMs(failureFacts(error), attempt, policy, at) : undefined,
        onRetry: ({ error, delayMs }) =>
          debug(
            `GitHub ${endpoint.method} ${routeOf(endpoint.url)}: ${failureFacts(error).status ?? 'no response'}; retrying in ${delayMs} ms`
          )
      }
    )
  })
  return octokit
}

/**
 * A GraphQL query (not a mutation) reads only, so it is as safe to repeat as a GET, though it is a
 * POST. Octokit's graphql() puts the document in the `query` option.
 */
function isGraphqlQuery(endpoint: { url: string; query?: unknown }): boolean {
  return routeOf(endpoint.url).endsWith('/graphql') && typeof endpoint.query === 'string' && /^\s*(?:query\b|\{)/.test(endpoint.query)
}

/** The path of a request URL, without query or host: what a debug line may show. */
function routeOf(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\?.*$/, '')
}
