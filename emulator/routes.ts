// The emulator's route table: which method and path is which operation, and how its body is read.
import type { IncomingHttpHeaders } from 'node:http'
import { decideFromPage, parseForm, showDevicePage } from './device-page.js'
import { OidcError, type Reply } from './errors.js'
import { jsonReply } from './http.js'
import { createToken, registerClient, startDeviceAuthorization, type OidcContext } from './oidc.js'
import { getRoleCredentials, listAccountRoles, listAccounts, logout, type PortalContext, type PortalRequest } from './portal.js'
import { handleQuery, type StsContext } from './sts.js'
import type { Directory } from './directory.js'
import type { Store } from './store.js'

export interface Exchange {
  url: URL
  headers: IncomingHttpHeaders
  body: Buffer
}

/** Which AWS service an operation belongs to: it decides the error dialect. */
export type Api = 'oidc' | 'portal' | 'sts'

export interface Route {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  operation: string
  /** AWS operations are counted, recorded and open to faults; the page and control routes are not. */
  api?: Api
  handle(exchange: Exchange): Reply | Promise<Reply>
}

export interface RouteContext {
  store: Store
  oidc: OidcContext
  portal: PortalContext
  sts: StsContext
  directory: Directory
}

export const OIDC_OPERATIONS = ['RegisterClient', 'StartDeviceAuthorization', 'CreateToken'] as const

export function oidcRoutes(ctx: RouteContext): Route[] {
  const json =
    (operation: (oidc: OidcContext, body: Record<string, unknown>) => Record<string, unknown>) =>
    (exchange: Exchange): Reply =>
      jsonReply(200, operation(ctx.oidc, parseJsonObject(exchange.body)))
  return [
    { method: 'POST', path: '/client/register', operation: 'RegisterClient', api: 'oidc', handle: json(registerClient) },
    {
      method: 'POST',
      path: '/device_authorization',
      operation: 'StartDeviceAuthorization',
      api: 'oidc',
      handle: json(startDeviceAuthorization)
    },
    { method: 'POST', path: '/token', operation: 'CreateToken', api: 'oidc', handle: json(createToken) }
  ]
}

export function portalRoutes(ctx: RouteContext): Route[] {
  const request = (exchange: Exchange): PortalRequest => ({ query: exchange.url.searchParams, headers: exchange.headers })
  const json =
    (operation: (portal: PortalContext, request: PortalRequest) => Record<string, unknown>) =>
    (exchange: Exchange): Reply =>
      jsonReply(200, operation(ctx.portal, request(exchange)))
  return [
    { method: 'GET', path: '/federation/credentials', operation: 'GetRoleCredentials', api: 'portal', handle: json(getRoleCredentials) },
    { method: 'GET', path: '/assignment/accounts', operation: 'ListAccounts', api: 'portal', handle: json(listAccounts) },
    { method: 'GET', path: '/assignment/roles', operation: 'ListAccountRoles', api: 'portal', handle: json(listAccountRoles) },
    {
      method: 'POST',
      path: '/logout',
      operation: 'Logout',
      api: 'portal',
      handle: (exchange) => {
        logout(ctx.portal, request(exchange))
        return { status: 200, headers: {}, body: '' }
      }
    }
  ]
}

/** STS on the emulator's own origin, so AWS_ENDPOINT_URL_STS can point at it: `POST /` (Query protocol). */
export function stsRoutes(ctx: RouteContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/',
      operation: 'GetCallerIdentity',
      api: 'sts',
      handle: (exchange) => handleQuery(ctx.sts, { method: 'POST', ...exchange })
    }
  ]
}

export function pageRoutes(ctx: RouteContext): Route[] {
  const decide =
    (decision: 'approve' | 'deny') =>
    (exchange: Exchange): Reply =>
      decideFromPage(
        ctx.store,
        { accept: exchange.headers.accept, directory: ctx.directory },
        decision,
        parseForm(exchange.headers['content-type'], exchange.body)
      )
  return [
    {
      method: 'GET',
      path: '/device',
      operation: 'VerificationPage',
      handle: (exchange) =>
        showDevicePage(ctx.store, { accept: exchange.headers.accept, directory: ctx.directory }, exchange.url.searchParams.get('user_code'))
    },
    { method: 'POST', path: '/device/approve', operation: 'ApproveDevice', handle: decide('approve') },
    { method: 'POST', path: '/device/deny', operation: 'DenyDevice', handle: decide('deny') }
  ]
}

export function findRoute(routes: Route[], method: string | undefined, pathname: string): Route | undefined {
  // A trailing slash is forgiven: `/device/` is what people type.
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname
  return routes.find((route) => route.method === method && route.path === path)
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new OidcError('InvalidRequestException', 'Request body is not valid JSON')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OidcError('InvalidRequestException', 'Request body must be a JSON object')
  }
  return parsed as Record<string, unknown>
}
