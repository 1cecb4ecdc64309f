// The SSO portal API (docs/protocol.md §4): what an access token is worth. Authenticated only by the
// `x-amz-sso_bearer_token` header; errors in the portal dialect ({message, __type}).
import type { IncomingHttpHeaders } from 'node:http'
import { PortalError } from './errors.js'
import type { Directory } from './directory.js'
import type { Account, IssuedToken, Store } from './store.js'

export const BEARER_HEADER = 'x-amz-sso_bearer_token'
/** The scope that lets a token see and use account assignments. */
export const ACCOUNT_ACCESS_SCOPE = 'sso:account:access'
/** Role sessions last an hour, the permission-set default. */
export const ROLE_SESSION_SECONDS = 3600
const DEFAULT_PAGE_SIZE = 20
const MAX_PAGE_SIZE = 100

export interface PortalContext {
  store: Store
  directory: Directory
  now: () => number
  /** How long role credentials live, in seconds (ROLE_SESSION_SECONDS unless a test shortens it). */
  roleSessionSeconds?: number | undefined
}

export interface PortalRequest {
  query: URLSearchParams
  headers: IncomingHttpHeaders
}

type JsonObject = Record<string, unknown>

export function getRoleCredentials(ctx: PortalContext, request: PortalRequest): JsonObject {
  const token = authenticate(ctx, request)
  authorizeAccountAccess(token)
  const roleName = requiredParameter(request, 'role_name')
  const accountId = requiredParameter(request, 'account_id')
  const account = accountsOf(ctx, token).find((candidate) => candidate.accountId === accountId)
  if (!account || !account.roles.includes(roleName)) throw new PortalError('ResourceNotFoundException', 'No access')
  // A role session named after the user, as IAM Identity Center opens it: STS names it back.
  const session = ctx.store.openRoleSession(token.user, accountId, roleName, ctx.roleSessionSeconds ?? ROLE_SESSION_SECONDS)
  return {
    roleCredentials: {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      // Milliseconds, unlike every time in the OIDC API.
      expiration: session.expiresAt
    }
  }
}

export function listAccounts(ctx: PortalContext, request: PortalRequest): JsonObject {
  const token = authenticate(ctx, request)
  authorizeAccountAccess(token)
  const accounts = accountsOf(ctx, token).map(({ accountId, accountName, emailAddress }) => ({ accountId, accountName, emailAddress }))
  const { items, nextToken } = page(request, 'accounts', accounts)
  return withNextToken({ accountList: items }, nextToken)
}

export function listAccountRoles(ctx: PortalContext, request: PortalRequest): JsonObject {
  const token = authenticate(ctx, request)
  authorizeAccountAccess(token)
  const accountId = requiredParameter(request, 'account_id')
  const account = accountsOf(ctx, token).find((candidate) => candidate.accountId === accountId)
  if (!account) throw new PortalError('ResourceNotFoundException', 'No access')
  const roles = account.roles.map((roleName) => ({ roleName, accountId }))
  const { items, nextToken } = page(request, `roles:${accountId}`, roles)
  return withNextToken({ roleList: items }, nextToken)
}

/** Revokes the access token and its refresh token. */
export function logout(ctx: PortalContext, request: PortalRequest): void {
  const token = authenticate(ctx, request)
  ctx.store.revoke(token.accessToken)
}

/** What the token's user is assigned: nothing for a user the directory does not list. */
function accountsOf(ctx: PortalContext, token: IssuedToken): Account[] {
  return ctx.directory.accountsOf(token.user) ?? []
}

function authenticate(ctx: PortalContext, request: PortalRequest): IssuedToken {
  const header = request.headers[BEARER_HEADER]
  const accessToken = Array.isArray(header) ? header[0] : header
  const token = accessToken ? ctx.store.validToken(accessToken) : undefined
  // The same answer for missing, unknown, expired and revoked: the caller learns nothing more.
  if (!token) throw new PortalError('UnauthorizedException', 'Session token not found or invalid')
  return token
}

/**
 * Accounts, roles and role credentials need a token with sso:account:access. A token registered
 * with other scopes only (say codewhisperer:completions) is refused with the portal's modelled
 * "not authorized" shape, UnauthorizedException 401 (docs/protocol.md §4). A token registered with
 * no scopes at all is the legacy kind the AWS CLI still gets for profiles without an sso-session,
 * and keeps its account access. Logout needs no scope: any token may end its own session.
 */
function authorizeAccountAccess(token: IssuedToken): void {
  if (token.scopes.length > 0 && !token.scopes.includes(ACCOUNT_ACCESS_SCOPE)) {
    throw new PortalError('UnauthorizedException', 'Session token not found or invalid')
  }
}

function requiredParameter(request: PortalRequest, name: string): string {
  const value = request.query.get(name)
  if (value === null || value === '') throw new PortalError('InvalidRequestException', `Missing required parameter: ${name}`)
  return value
}

/** One page of `items`, with an opaque next_token bound to the listing it came from. */
function page<T>(request: PortalRequest, listing: string, items: T[]): { items: T[]; nextToken?: string } {
  const size = pageSize(request.query.get('max_result'))
  const token = request.query.get('next_token')
  const offset = token === null || token === '' ? 0 : decodeNextToken(token, listing)
  const end = offset + size
  return end < items.length ? { items: items.slice(offset, end), nextToken: encodeNextToken(listing, end) } : { items: items.slice(offset) }
}

function pageSize(value: string | null): number {
  if (value === null || value === '') return DEFAULT_PAGE_SIZE
  const size = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw new PortalError('InvalidRequestException', `max_result must be between 1 and ${MAX_PAGE_SIZE}`)
  }
  return size
}

function encodeNextToken(listing: string, offset: number): string {
  return Buffer.from(JSON.stringify({ listing, offset })).toString('base64url')
}

function decodeNextToken(token: string, listing: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { listing?: unknown; offset?: unknown }
    if (parsed.listing === listing && Number.isInteger(parsed.offset) && (parsed.offset as number) >= 0) return parsed.offset as number
  } catch {
    // Falls through to the error below.
  }
  throw new PortalError('InvalidRequestException', 'Invalid next_token')
}

function withNextToken(body: JsonObject, nextToken: string | undefined): JsonObject {
  return nextToken === undefined ? body : { ...body, nextToken }
}
