// Fault injection: scripted misbehaviour per operation and count, so clients can be tested against
// what real networks and services do (docs/protocol.md §2 errors, resets, stalls, slowness, bad bodies).
import { OidcError, PortalError, StsError, type Reply } from './errors.js'
import { newRequestId } from './ids.js'

export const FAULT_KINDS = ['status', 'reset', 'hang', 'slow', 'malformed-json', 'missing-fields', 'override'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface Fault {
  /** An AWS operation, e.g. 'CreateToken', or '*' for every AWS operation (never the page). */
  operation: string
  /** status: an AWS error reply; reset: the socket is destroyed; hang: no answer until close();
   *  slow: the real answer after delayMs; malformed-json: a 200 whose JSON is cut short;
   *  missing-fields: the real 200 answer without the fields a client needs (errors pass untouched);
   *  override: the real answer (success or error), or with `status` an injected error, with the
   *  `fields` and `headers` given set in it: a hostile or buggy server's values, one field at a time. */
  kind: FaultKind
  /** For 'status', default 500. */
  status?: number
  /** AWS error shape for 'status', e.g. 'InternalServerException'; default from the status. */
  errorType?: string
  /** For 'slow'. */
  delayMs?: number
  /** How many matching requests it affects: default 1; Infinity = always. */
  times?: number
  /** Adds a Retry-After header (seconds) to a 'status' reply. */
  retryAfter?: number
  /** For 'override': JSON body members to set, by dotted path (`roleCredentials.accessKeyId`,
   *  `accountList.0.accountName`); a path whose parent is missing is created. Any JSON value. */
  fields?: Record<string, unknown>
  /** For 'override': response headers to set (lower-case names, e.g. `x-amzn-errortype`). */
  headers?: Record<string, string>
}

/** The fields a client cannot do without, per operation: what 'missing-fields' removes. */
export const ESSENTIAL_FIELDS: Record<string, string[]> = {
  RegisterClient: ['clientId', 'clientSecret', 'clientSecretExpiresAt'],
  StartDeviceAuthorization: ['deviceCode', 'userCode', 'verificationUri', 'verificationUriComplete'],
  CreateToken: ['accessToken', 'expiresIn'],
  GetRoleCredentials: ['roleCredentials.secretAccessKey', 'roleCredentials.sessionToken'],
  ListAccounts: ['accountList'],
  ListAccountRoles: ['roleList'],
  Logout: [],
  // XML elements, by name.
  GetCallerIdentity: ['Arn']
}

interface ActiveFault {
  fault: Fault
  remaining: number
}

/** The queue of injected faults. The first one matching an operation applies, until its count is spent. */
export class FaultPlan {
  private active: ActiveFault[] = []

  constructor(private readonly operations: readonly string[]) {}

  add(fault: Fault): void {
    this.addAll([fault])
  }

  /** Arms all or none: every fault is checked before any is armed. */
  addAll(faults: unknown[]): void {
    const checked = faults.map((fault) => validateFault(fault, this.operations))
    for (const fault of checked) this.active.push({ fault, remaining: fault.times ?? 1 })
  }

  clear(): void {
    this.active = []
  }

  /** The fault that applies to this operation now, without spending it. */
  match(operation: string): Fault | undefined {
    return this.active.find(({ fault }) => fault.operation === operation || fault.operation === '*')?.fault
  }

  /** Spends one use of a fault returned by match(). */
  spend(fault: Fault): void {
    const entry = this.active.find((candidate) => candidate.fault === fault)
    if (!entry) return
    entry.remaining -= 1
    if (entry.remaining <= 0) this.active = this.active.filter((candidate) => candidate !== entry)
  }

  /** What is still armed, JSON-safe (Infinity as the string "Infinity"). */
  describe(): Array<Omit<Fault, 'times'> & { remaining: number | 'Infinity' }> {
    return this.active.map(({ fault, remaining }) => {
      const { times: _times, ...rest } = fault
      return { ...rest, remaining: Number.isFinite(remaining) ? remaining : 'Infinity' }
    })
  }
}

export class FaultError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FaultError'
  }
}

/** Checks a fault from code, JSON or the CLI; `times` may be the string "Infinity" (JSON has no Infinity). */
export function validateFault(value: unknown, operations: readonly string[]): Fault {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FaultError('A fault must be an object')
  const input = value as Record<string, unknown>
  const { operation, kind } = input
  if (typeof operation !== 'string' || (operation !== '*' && !operations.includes(operation))) {
    throw new FaultError(`fault.operation must be '*' or one of ${operations.join(', ')}; got ${JSON.stringify(operation)}`)
  }
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new FaultError(`fault.kind must be one of ${FAULT_KINDS.join(', ')}; got ${JSON.stringify(kind)}`)
  }
  const fault: Fault = { operation, kind: kind as FaultKind }

  if (input.status !== undefined) {
    if (!Number.isInteger(input.status) || (input.status as number) < 400 || (input.status as number) > 599) {
      throw new FaultError(`fault.status must be an HTTP error status 400-599; got ${JSON.stringify(input.status)}`)
    }
    fault.status = input.status as number
  }
  if (input.errorType !== undefined) {
    if (typeof input.errorType !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(input.errorType)) {
      throw new FaultError(
        `fault.errorType must be an AWS shape name such as InternalServerException; got ${JSON.stringify(input.errorType)}`
      )
    }
    fault.errorType = input.errorType
  }
  if (input.delayMs !== undefined || kind === 'slow') {
    if (typeof input.delayMs !== 'number' || !Number.isFinite(input.delayMs) || input.delayMs < 0) {
      throw new FaultError(`fault.delayMs must be a number of milliseconds (needed by 'slow'); got ${JSON.stringify(input.delayMs)}`)
    }
    fault.delayMs = input.delayMs
  }
  if (input.times !== undefined) {
    const times = input.times === 'Infinity' ? Infinity : input.times
    if (times !== Infinity && !(Number.isInteger(times) && (times as number) >= 1)) {
      throw new FaultError(`fault.times must be a whole number from 1, or Infinity; got ${JSON.stringify(input.times)}`)
    }
    fault.times = times as number
  }
  if (input.retryAfter !== undefined) {
    if (typeof input.retryAfter !== 'number' || !Number.isFinite(input.retryAfter) || input.retryAfter < 0) {
      throw new FaultError(`fault.retryAfter must be a number of seconds; got ${JSON.stringify(input.retryAfter)}`)
    }
    fault.retryAfter = input.retryAfter
  }
  if (input.fields !== undefined || input.headers !== undefined || kind === 'override') {
    const { fields, headers } = input
    const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
    if (kind !== 'override') throw new FaultError(`fault.fields and fault.headers belong to 'override'; got kind ${JSON.stringify(kind)}`)
    if (fields !== undefined && !isRecord(fields))
      throw new FaultError(`fault.fields must be an object of dotted paths to JSON values; got ${JSON.stringify(fields)}`)
    if (headers !== undefined && !(isRecord(headers) && Object.values(headers).every((v) => typeof v === 'string'))) {
      throw new FaultError(`fault.headers must be an object of header names to text; got ${JSON.stringify(headers)}`)
    }
    if (fields === undefined && headers === undefined) throw new FaultError("fault 'override' needs fields or headers to set")
    if (fields !== undefined) fault.fields = fields
    if (headers !== undefined)
      fault.headers = Object.fromEntries(Object.entries(headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]))
  }
  if (kind === 'missing-fields' && operation !== '*' && ESSENTIAL_FIELDS[operation]?.length === 0) {
    throw new FaultError(`fault 'missing-fields' does not apply to ${operation}: its answer has no fields`)
  }
  return fault
}

/**
 * The CLI's short form: `OP:status[:STATUS[:ERRORTYPE[:TIMES]]]`, `OP:slow:DELAYMS[:TIMES]`, or
 * `OP:KIND[:TIMES]` for reset, hang, malformed-json and missing-fields. TIMES may be `inf`.
 */
export function parseFaultSpec(spec: string, operations: readonly string[]): Fault {
  const [operation, kind, ...rest] = spec.split(':')
  const times = (value: string | undefined): number | undefined => {
    if (value === undefined || value === '') return undefined
    if (/^(inf|infinity)$/i.test(value)) return Infinity
    if (!/^\d+$/.test(value)) throw new FaultError(`times must be a whole number or inf; got "${value}"`)
    return Number(value)
  }
  const fault: Record<string, unknown> = { operation, kind }
  if (kind === 'status') {
    const [status, errorType, count] = rest
    if (status) fault.status = /^\d+$/.test(status) ? Number(status) : status
    if (errorType) fault.errorType = errorType
    fault.times = times(count)
  } else if (kind === 'slow') {
    const [delayMs, count] = rest
    fault.delayMs = delayMs !== undefined && /^\d+(\.\d+)?$/.test(delayMs) ? Number(delayMs) : delayMs
    fault.times = times(count)
  } else {
    if (rest.length > 1) throw new FaultError(`too many parts in "${spec}"`)
    fault.times = times(rest[0])
  }
  for (const key of Object.keys(fault)) if (fault[key] === undefined) delete fault[key]
  return validateFault(fault, operations)
}

/** The error shape a bare status stands for. */
export function defaultErrorType(status: number): string {
  if (status === 429) return 'TooManyRequestsException'
  if (status === 401) return 'UnauthorizedException'
  if (status === 404) return 'ResourceNotFoundException'
  if (status === 503) return 'ServiceUnavailableException'
  return status >= 500 ? 'InternalServerException' : 'InvalidRequestException'
}

/** A 'status' fault's reply, in the error dialect of the operation's service. */
export function statusFaultReply(fault: Fault, api: 'oidc' | 'portal' | 'sts'): Reply {
  const status = fault.status ?? 500
  const shape = fault.errorType ?? defaultErrorType(status)
  const reply =
    api === 'oidc'
      ? new OidcError(shape, 'Injected fault', status).toReply()
      : api === 'portal'
        ? new PortalError(shape, 'Injected fault', status).toReply()
        : new StsError(shape, 'Injected fault', status).toReply(newRequestId())
  if (fault.retryAfter !== undefined) reply.headers['retry-after'] = String(fault.retryAfter)
  return reply
}

/** A 200 whose JSON stops short, as a truncating proxy or a crashed server leaves it. */
export function malformedJsonReply(): Reply {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"injectedFault":"malformed-json",' }
}

/** The real answer without its essential fields; undefined when there is nothing to remove. */
export function withoutEssentialFields(operation: string, reply: Reply): Reply | undefined {
  const fields = ESSENTIAL_FIELDS[operation] ?? []
  if (reply.status !== 200 || fields.length === 0) return undefined
  if (isXml(reply)) {
    let body = reply.body
    for (const name of fields) body = body.replace(new RegExp(`\\s*<${name}>[^<]*</${name}>`), '')
    return { ...reply, body }
  }
  let body: Record<string, unknown>
  try {
    body = JSON.parse(reply.body) as Record<string, unknown>
  } catch {
    return undefined
  }
  for (const path of fields) {
    const [head, tail] = path.split('.')
    if (tail === undefined) delete body[head]
    else if (body[head] && typeof body[head] === 'object') delete (body[head] as Record<string, unknown>)[tail]
  }
  return { ...reply, body: JSON.stringify(body) }
}

/** The reply with an 'override' fault's fields set in its JSON body and its headers set. */
export function withOverrides(fault: Fault, reply: Reply): Reply {
  let body = reply.body
  if (fault.fields !== undefined && isXml(reply)) {
    // An XML answer (STS): each field names an element (the last part of its path) whose text is
    // replaced by the value, as given: a hostile server's markup is part of what a test can set.
    for (const [path, value] of Object.entries(fault.fields)) {
      const name = path.split('.').pop()!
      body = body.replace(new RegExp(`<${name}>[^<]*</${name}>`), () => `<${name}>${String(value)}</${name}>`)
    }
  } else if (fault.fields !== undefined) {
    let parsed: unknown
    try {
      parsed = JSON.parse(reply.body)
    } catch {
      parsed = {}
    }
    const root = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>
    for (const [path, value] of Object.entries(fault.fields)) {
      const parts = path.split('.')
      let node = root
      for (const part of parts.slice(0, -1)) {
        if (typeof node[part] !== 'object' || node[part] === null) node[part] = {}
        node = node[part] as Record<string, unknown>
      }
      node[parts[parts.length - 1]] = value
    }
    body = JSON.stringify(root)
  }
  return { ...reply, headers: { ...reply.headers, ...fault.headers }, body }
}

function isXml(reply: Reply): boolean {
  return reply.headers['content-type']?.startsWith('text/xml') === true
}
