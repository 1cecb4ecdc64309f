// The SSO portal calls (docs/protocol.md §4): GetRoleCredentials, ListAccounts, ListAccountRoles,
// Logout. Unsigned: the only credential is the access token in the `x-amz-sso_bearer_token`
// header, which requestJson never logs. One attempt per call, like the OIDC client; wrap calls in
// withRetry (src/retry.ts) for transient failures. The listings also come as whole lists, paged
// with `max_result` (singular on the wire) and `next_token` until no token comes back.
import type { Dispatcher } from 'undici'
import { requestIdOf } from '../http/aws-error.js'
import { requestJson } from '../http/request.js'
import { parseAccountPage, parseRolePage, parseRoleCredentials } from './responses.js'
import type { AccountInfo, Page, RoleCredentials, RoleInfo } from './types.js'

export const BEARER_TOKEN_HEADER = 'x-amz-sso_bearer_token'
/** The largest page the portal serves (1–100). */
export const MAX_PAGE_SIZE = 100
/** A portal that keeps handing out next tokens must not keep the job forever. */
const MAX_PAGES = 100

export interface SsoPortalClientOptions {
  /** From portalEndpoint(): an origin, optionally with a path prefix. */
  endpoint: string
  /** Per-attempt limit for connect, headers and body. Default 15 000 ms. */
  requestTimeoutMs?: number
  /** Epoch ms (on `now`): no call through this client runs past it (see requestJson). */
  deadline?: number
  /** Cancels every call made through this client. */
  signal?: AbortSignal
  /** Defaults to the shared, proxy-aware dispatcher. */
  dispatcher?: Dispatcher
  /** Epoch ms, for Retry-After dates. */
  now?: () => number
  /** Items per listing page, 1–100; default 100 (fewest requests). */
  pageSize?: number
}

/** One page request: `maxResults` 1–100, `nextToken` from the previous page. */
export interface PageRequest {
  maxResults?: number
  nextToken?: string
}

export class SsoPortalClient {
  private readonly base: URL

  constructor(private readonly options: SsoPortalClientOptions) {
    this.base = new URL(options.endpoint)
  }

  /** Temporary credentials for `roleName` in `accountId`; ResourceNotFoundException when not assigned. */
  async getRoleCredentials(accessToken: string, accountId: string, roleName: string): Promise<RoleCredentials> {
    const { body, context, headers } = await this.call('GetRoleCredentials', 'GET', '/federation/credentials', accessToken, {
      role_name: roleName,
      account_id: accountId
    })
    const credentials = parseRoleCredentials(body, context)
    const requestId = requestIdOf(headers)
    return requestId === undefined ? credentials : { ...credentials, requestId }
  }

  async listAccounts(accessToken: string, page: PageRequest = {}): Promise<Page<AccountInfo>> {
    const { body, context } = await this.call('ListAccounts', 'GET', '/assignment/accounts', accessToken, pageQuery(page))
    return parseAccountPage(body, context)
  }

  async listAccountRoles(accessToken: string, accountId: string, page: PageRequest = {}): Promise<Page<RoleInfo>> {
    const query = { ...pageQuery(page), account_id: accountId }
    const { body, context } = await this.call('ListAccountRoles', 'GET', '/assignment/roles', accessToken, query)
    return parseRolePage(body, context, accountId)
  }

  /** Every account, page by page. `eachPage` wraps each page request (for retries). */
  async listAllAccounts(accessToken: string, eachPage: PageWrapper = (call) => call()): Promise<AccountInfo[]> {
    return collectPages(this.pageSize, (page) => eachPage(() => this.listAccounts(accessToken, page)))
  }

  async listAllAccountRoles(accessToken: string, accountId: string, eachPage: PageWrapper = (call) => call()): Promise<RoleInfo[]> {
    return collectPages(this.pageSize, (page) => eachPage(() => this.listAccountRoles(accessToken, accountId, page)))
  }

  /** Ends the token's session: the access token (and its refresh token) stop working. */
  async logout(accessToken: string): Promise<void> {
    await this.call('Logout', 'POST', '/logout', accessToken, {})
  }

  private get pageSize(): number {
    return this.options.pageSize ?? MAX_PAGE_SIZE
  }

  private async call(operation: string, method: 'GET' | 'POST', path: string, accessToken: string, query: Record<string, string>) {
    const url = new URL(this.base)
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
    const now = this.options.now ?? Date.now
    const response = await requestJson({
      operation,
      method,
      url,
      headers: { [BEARER_TOKEN_HEADER]: accessToken },
      timeoutMs: this.options.requestTimeoutMs,
      deadline: this.options.deadline,
      signal: this.options.signal,
      dispatcher: this.options.dispatcher,
      now
    })
    return { body: response.body, headers: response.headers, context: { operation, endpoint: `${url.origin}${url.pathname}`, now: now() } }
  }
}

/** Runs one page request; the default runs it as is. */
export type PageWrapper = <T>(call: () => Promise<T>) => Promise<T>

function pageQuery(page: PageRequest): Record<string, string> {
  const query: Record<string, string> = {}
  if (page.maxResults !== undefined) query.max_result = String(page.maxResults)
  if (page.nextToken !== undefined) query.next_token = page.nextToken
  return query
}

async function collectPages<T>(maxResults: number, fetchPage: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = []
  let nextToken: string | undefined
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await fetchPage(nextToken === undefined ? { maxResults } : { maxResults, nextToken })
    items.push(...page.items)
    if (page.nextToken === undefined || page.nextToken === nextToken) return items
    nextToken = page.nextToken
  }
  return items
}
