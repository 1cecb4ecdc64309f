// A local IAM Identity Center: one loopback HTTP server for the OIDC service, the portal and the
// verification page, speaking AWS's wire protocol. The programmatic API below is what tests, the
// demo and the CLI build on.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { OidcError, PortalError, StsError, type Reply } from './errors.js'
import { BodyTooLargeError, jsonReply, readBody, writeReply } from './http.js'
import { parseDirectory, USER_NAME, type DirectoryInput } from './directory.js'
import { newRequestId } from './ids.js'
import { controlRoutes } from './control.js'
import {
  FaultPlan,
  malformedJsonReply,
  statusFaultReply,
  withOverrides,
  withoutEssentialFields,
  type Fault,
  type FaultKind
} from './faults.js'
import { VERIFICATION_FORMS, type OidcSettings, type VerificationForm } from './oidc.js'
import { findRoute, oidcRoutes, pageRoutes, portalRoutes, stsRoutes, type Api, type Route, type RouteContext } from './routes.js'
import { Store, type Account, type Authorization } from './store.js'

export type { Account } from './store.js'
export type { DirectoryInput, DirectoryUser } from './directory.js'
export type { Fault, FaultKind } from './faults.js'
export type { VerificationForm } from './oidc.js'

export interface EmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string
  /** Default 0: the OS picks a free port. */
  port?: number
  /** Seconds returned by StartDeviceAuthorization, default 5; fractions allowed (fast tests). */
  interval?: number
  /** Device code lifetime in seconds, default 600. */
  expiresIn?: number
  /** Access token lifetime in seconds, default 3600. */
  tokenTtl?: number
  /** Role credentials' lifetime in seconds, default 3600 (a test of their expiry shortens it). */
  roleSessionTtl?: number
  /** Client registration lifetime in seconds, default 90 days. */
  registrationTtl?: number
  /**
   * How StartDeviceAuthorization names the verification page: 'current' (default, what AWS answers
   * today: one per-request link whose page asks to confirm the code) or 'legacy' (`/device` and
   * `/device?user_code=…`, which fills the code in). See VerificationForm in oidc.ts.
   */
  verificationForm?: VerificationForm
  /** Approve each device authorization this many seconds after it starts, as the directory's first user. */
  approveAfter?: number
  /** Users and their portal assignments: a list of accounts everyone shares, or `{ users: [...] }` (emulator/README.md). */
  directory?: DirectoryInput
  /** Clock in epoch ms, default Date.now: lets tests fast-forward expiry. */
  now?: () => number
  /** One line per request: method, path, operation, status, ms. Never bodies or secrets. */
  log?: (line: string) => void
}

export interface RequestRecord {
  operation: string
  /** Epoch ms on the emulator's clock. */
  at: number
  /** HTTP status; 0 when no answer was sent (an injected reset or hang). */
  status: number
  /** The AWS error shape, e.g. 'SlowDownException'. */
  error?: string
  /** The injected fault that shaped this answer, if any. */
  fault?: FaultKind
}

export interface PendingAuthorization {
  userCode: string
  clientName: string
  startUrl: string
  /** Epoch ms. */
  expiresAt: number
}

export interface Emulator {
  /** 'http://127.0.0.1:PORT': serves OIDC, the portal and the verification page. */
  endpoint: string
  /** Requests per AWS operation. */
  counts: Record<string, number>
  requests: RequestRecord[]
  /**
   * Approves a pending authorization as `user` (default: the directory's first user); throws if the
   * code is unknown, expired, decided or its client invalid, or the directory does not list the user.
   */
  approve(userCode: string, user?: string): void
  deny(userCode: string): void
  pending(): PendingAuthorization[]
  isAccessTokenValid(accessToken: string): boolean
  /** False once the refresh token was exchanged (rotation) or its session logged out. */
  isRefreshTokenValid(refreshToken: string): boolean
  /** Makes a registration stale, as if its 90 days had passed. */
  expireRegistration(clientId: string): void
  /** Makes role credentials stale, as if their hour had passed: STS then answers ExpiredToken. */
  expireRoleCredentials(accessKeyId: string): void
  /** Who approves when nobody is named: the directory's first user (`demo-user` for a shared directory). */
  defaultUser: string
  /** Arms a fault for the next matching requests (see Fault); throws on an invalid fault. */
  injectFault(fault: Fault): void
  clearFaults(): void
  /** Closes every socket, hung ones included. */
  close(): Promise<void>
}

export const AWS_OPERATIONS = [
  'RegisterClient',
  'StartDeviceAuthorization',
  'CreateToken',
  'GetRoleCredentials',
  'ListAccounts',
  'ListAccountRoles',
  'Logout',
  'GetCallerIdentity'
] as const

/**
 * Without --directory: the accounts and roles the README's examples ask for (111122223333 and
 * 444455556666, role Deployer), so they run against the emulator as written, and a sandbox.
 */
export const DEFAULT_DIRECTORY: Account[] = [
  { accountId: '111111111111', accountName: 'Sandbox', emailAddress: 'sandbox@example.com', roles: ['Deploy', 'ReadOnly'] },
  { accountId: '111122223333', accountName: 'Production', emailAddress: 'aws-prod@example.com', roles: ['Deployer', 'ReadOnly'] },
  { accountId: '444455556666', accountName: 'Staging', emailAddress: 'aws-staging@example.com', roles: ['Deployer'] }
]

/** What the options default to; `npm run emulator -- --help` shows them. */
export const EMULATOR_DEFAULTS = { interval: 5, expiresIn: 600, tokenTtl: 3600, registrationTtl: 90 * 24 * 3600 }

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const settings = validateSettings(options)
  const now = options.now ?? Date.now
  const log = options.log ?? (() => {})
  const host = options.host ?? '127.0.0.1'
  const directory = parseDirectory(options.directory ?? DEFAULT_DIRECTORY)
  const store = new Store(now)
  const counts: Record<string, number> = Object.fromEntries(AWS_OPERATIONS.map((operation) => [operation, 0]))
  const requests: RequestRecord[] = []
  const timers = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()

  const server = createServer()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  const scheduleApproval = (authorization: Authorization): void => {
    if (options.approveAfter === undefined) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      // A code that was denied, expired or whose client went stale meanwhile stays as it is.
      store.decide(authorization.userCode, 'approve', directory.defaultUser)
    }, options.approveAfter * 1000)
    timer.unref()
    timers.add(timer)
  }

  const ctx: RouteContext = {
    store,
    oidc: {
      store,
      settings,
      now,
      endpoint,
      verificationForm: options.verificationForm ?? 'current',
      onAuthorizationStarted: scheduleApproval
    },
    portal: { store, directory, now, roleSessionSeconds: options.roleSessionTtl },
    sts: { store, now },
    directory
  }
  const routes: Route[] = [...oidcRoutes(ctx), ...portalRoutes(ctx), ...stsRoutes(ctx), ...pageRoutes(ctx)]

  const faults = new FaultPlan(AWS_OPERATIONS)
  const pending = (): PendingAuthorization[] =>
    store.pending().map(({ authorization, clientName }) => ({
      userCode: authorization.userCode,
      clientName,
      startUrl: authorization.startUrl,
      expiresAt: authorization.expiresAt
    }))
  routes.push(...controlRoutes({ faults, state: () => ({ counts, requests, pending: pending(), faults: faults.describe() }) }))

  const record = (route: Route | undefined, at: number, status: number, error?: string, fault?: FaultKind): void => {
    if (!route?.api) return
    counts[route.operation] = (counts[route.operation] ?? 0) + 1
    const entry: RequestRecord = { operation: route.operation, at, status }
    if (error !== undefined) entry.error = error
    if (fault !== undefined) entry.fault = fault
    requests.push(entry)
  }

  /**
   * Waits for a 'slow' fault: true when the delay ran out, false as soon as the client hung up (it
   * gave up waiting). close() cancels the wait, and the answer is then never sent.
   */
  const delay = (ms: number, res: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      const onClose = (): void => {
        clearTimeout(timer)
        timers.delete(timer)
        resolve(false)
      }
      const timer = setTimeout(() => {
        timers.delete(timer)
        res.off('close', onClose)
        resolve(true)
      }, ms)
      timers.add(timer)
      res.once('close', onClose)
    })

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedMs = performance.now()
    const at = now()
    const url = new URL(req.url ?? '/', 'http://emulator.invalid')
    const route = findRoute(routes, req.method, url.pathname)
    const operation = route?.operation ?? 'UnknownOperation'
    // The path without its query, the operation, the status, the time: never a body or a header value.
    const logLine = (outcome: string, fault?: FaultKind): void =>
      log(
        `${req.method} ${url.pathname} ${operation} ${outcome}${fault ? ` fault=${fault}` : ''} ${Math.round(performance.now() - startedMs)}ms`
      )
    const finish = (reply: Reply, fault?: FaultKind): void => {
      writeReply(res, reply)
      const error = errorShapeOf(reply)
      record(route, at, reply.status, error, fault)
      logLine(`${reply.status}${error ? ` ${error}` : ''}`, fault)
    }

    let body: Buffer
    try {
      body = await readBody(req)
    } catch (error) {
      finish(errorReply(route?.api, error))
      return
    }
    if (!route) {
      finish(unknownOperation())
      return
    }

    const fault = route.api ? faults.match(route.operation) : undefined
    if (fault && route.api) {
      switch (fault.kind) {
        case 'reset':
          faults.spend(fault)
          record(route, at, 0, undefined, 'reset')
          logLine('reset', 'reset')
          req.socket.destroy()
          return
        case 'hang':
          // No answer at all; close() destroys the socket.
          faults.spend(fault)
          record(route, at, 0, undefined, 'hang')
          logLine('hang', 'hang')
          return
        case 'status':
          faults.spend(fault)
          finish(statusFaultReply(fault, route.api), 'status')
          return
        case 'malformed-json':
          faults.spend(fault)
          finish(malformedJsonReply(), 'malformed-json')
          return
        case 'slow':
          faults.spend(fault)
          if (!(await delay(fault.delayMs ?? 0, res))) {
            // Recorded now, like a hang: the client gave up before the answer was due.
            record(route, at, 0, undefined, 'slow')
            logLine('abandoned', 'slow')
            return
          }
          break
        case 'override':
          if (fault.status !== undefined) {
            faults.spend(fault)
            finish(withOverrides(fault, statusFaultReply(fault, route.api)), 'override')
            return
          }
          break
        case 'missing-fields':
          break
      }
    }

    let reply: Reply
    try {
      reply = await route.handle({ url, headers: req.headers, body })
    } catch (error) {
      reply = errorReply(route.api, error)
    }
    if (fault?.kind === 'missing-fields') {
      // Only a successful answer can lack fields; errors pass and the fault waits for a success.
      const stripped = withoutEssentialFields(route.operation, reply)
      if (stripped) {
        faults.spend(fault)
        finish(stripped, 'missing-fields')
        return
      }
    }
    if (fault?.kind === 'override') {
      faults.spend(fault)
      finish(withOverrides(fault, reply), 'override')
      return
    }
    finish(reply, fault?.kind === 'slow' ? 'slow' : undefined)
  }
  server.on('request', (req: IncomingMessage, res: ServerResponse) => void handleRequest(req, res))

  const emulator: Emulator = {
    endpoint,
    counts,
    requests,
    defaultUser: directory.defaultUser,
    approve(userCode, user = directory.defaultUser) {
      if (!USER_NAME.test(user)) throw new Error(`Cannot approve ${userCode} as ${JSON.stringify(user)}: not a role session name`)
      if (!directory.accountsOf(user)) throw new Error(`Cannot approve ${userCode} as ${user}: the directory has no such user`)
      const result = store.decide(userCode, 'approve', user)
      if (result.kind !== 'approved') throw new Error(`Cannot approve ${userCode}: ${result.kind}`)
    },
    deny(userCode) {
      const result = store.decide(userCode, 'deny', directory.defaultUser)
      if (result.kind !== 'denied') throw new Error(`Cannot deny ${userCode}: ${result.kind}`)
    },
    pending,
    isAccessTokenValid(accessToken) {
      return store.validToken(accessToken) !== undefined
    },
    isRefreshTokenValid(refreshToken) {
      return store.isRefreshTokenValid(refreshToken)
    },
    expireRegistration(clientId) {
      store.expireRegistration(clientId)
    },
    expireRoleCredentials(accessKeyId) {
      store.expireRoleSession(accessKeyId)
    },
    injectFault(fault) {
      faults.add(fault)
    },
    clearFaults() {
      faults.clear()
    },
    async close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Hung and keep-alive connections would hold close() open forever.
      for (const socket of sockets) socket.destroy()
      server.closeAllConnections()
      await closed
    }
  }
  return emulator
}

function validateSettings(options: EmulatorOptions): OidcSettings {
  const settings: OidcSettings = {
    interval: options.interval ?? EMULATOR_DEFAULTS.interval,
    expiresIn: options.expiresIn ?? EMULATOR_DEFAULTS.expiresIn,
    tokenTtl: options.tokenTtl ?? EMULATOR_DEFAULTS.tokenTtl,
    registrationTtl: options.registrationTtl ?? EMULATOR_DEFAULTS.registrationTtl
  }
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value <= 0)
      throw new RangeError(`Emulator option ${name} must be a positive number of seconds, got ${value}`)
  }
  if (options.verificationForm !== undefined && !VERIFICATION_FORMS.includes(options.verificationForm)) {
    throw new RangeError(
      `Emulator option verificationForm must be one of ${VERIFICATION_FORMS.join(', ')}, got ${String(options.verificationForm)}`
    )
  }
  if (options.approveAfter !== undefined && !(Number.isFinite(options.approveAfter) && options.approveAfter >= 0)) {
    throw new RangeError(`Emulator option approveAfter must be zero or more seconds, got ${options.approveAfter}`)
  }
  return settings
}

function unknownOperation(): Reply {
  return {
    status: 404,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException:' },
    body: JSON.stringify({ message: 'Unknown operation' })
  }
}

/** A thrown error as the wire reply of the route's service. */
function errorReply(api: Api | undefined, error: unknown): Reply {
  if (error instanceof OidcError || error instanceof PortalError) return error.toReply()
  if (error instanceof StsError) return error.toReply(newRequestId())
  if (api === 'sts') {
    const shape =
      error instanceof BodyTooLargeError
        ? new StsError('InvalidRequest', error.message, 400)
        : new StsError('InternalFailure', 'An internal error occurred')
    return shape.toReply(newRequestId())
  }
  if (error instanceof BodyTooLargeError) {
    return api === 'portal'
      ? new PortalError('InvalidRequestException', error.message).toReply()
      : new OidcError('InvalidRequestException', error.message).toReply()
  }
  // An emulator bug: answer like AWS does for its own faults, without leaking details.
  if (api === 'portal') return new PortalError('InternalServerException', 'An internal error occurred', 500).toReply()
  if (api === 'oidc') return new OidcError('InternalServerException', 'An internal error occurred').toReply()
  return jsonReply(500, { message: 'An internal error occurred' })
}

function errorShapeOf(reply: Reply): string | undefined {
  if (reply.error !== undefined) return reply.error
  const header = reply.headers['x-amzn-errortype']
  return header ? header.split(':')[0] : undefined
}
