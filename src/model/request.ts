// One model of an approval request, rendered by every channel (log, job summary, PR comment),
// so that all of them tell the approver the same story.
import { definedFields } from '../defined.js'

/** Where the request comes from: shown to the approver so they approve only what they expect. */
export interface RunContext {
  /** owner/repo */
  repository: string
  workflow: string
  job: string
  runId: string
  runAttempt: string
  /** Link to the run on the GitHub server. */
  runUrl: string
  actor: string
  eventName: string
  ref: string
  sha: string
  serverUrl: string
  /** The pull request number when the run belongs to one. */
  pullRequest?: number
  /** What started the run, as a phrase ("a comment on PR #7 by alice"; trigger.ts). */
  trigger?: string
}

/** What becomes of a request. `error` is any failure that is not the approver's answer. */
export type Outcome = 'approved' | 'denied' | 'expired' | 'timed-out' | 'cancelled' | 'error'

/** Everything an approver needs to decide; contains no secret. */
export interface ApprovalRequest {
  userCode: string
  verificationUri: string
  verificationUriComplete: string
  /** When the code stops working (absolute time). */
  expiresAt: Date
  /** When the action stops waiting: the earlier of the code's expiry and the `timeout` input. */
  deadline: Date
  startUrl: string
  /** The IAM Identity Center region. */
  region: string
  /** The client name the approver sees on the AWS consent page. */
  clientName: string
  /** The OIDC scopes asked for (what the token will allow), e.g. sso:account:access. */
  scopes?: string[]
  context: RunContext
  /** Requested account and role, when the job asks for role credentials. */
  accountId?: string
  roleName?: string
  /** Named profiles the job asks for (`profile`, `roles`), each a role in an account. */
  profiles?: Array<{ profile: string; accountId: string; roleName: string }>
  /** Set when the request does not go to AWS's own endpoints: every channel warns next to the code. */
  endpointNotice?: EndpointNotice
}

/** Where a request goes that is not AWS's own (notify/endpoint-notice.ts decides). */
export interface EndpointNotice {
  /** Endpoint variables in effect: which one, for which service, to which origin. */
  overrides: Array<{ variable: string; service: string; origin: string }>
  /** Hosts (host[:port]) of verification links that are not AWS's. */
  linkHosts: string[]
}

/** What was asked for and by which run: known even when the gate fails before a request exists. */
export type RequestSubject = { context: RunContext } & Partial<
  Pick<ApprovalRequest, 'startUrl' | 'region' | 'clientName' | 'scopes' | 'accountId' | 'roleName' | 'profiles'>
>

/** The end of a request, for the channels that record it. */
export interface RequestResult {
  outcome: Outcome
  /** When the outcome was reached. */
  at: Date
  /** One line: what happened and what to do. Absent for `approved`. */
  message?: string
  /** When the token (or role credentials) stop working, for `approved`. */
  accessExpiresAt?: Date
}

/** An ApprovalRequest as JSON, times as ISO strings: how it travels between steps in a file. */
export type StoredRequest = Omit<ApprovalRequest, 'expiresAt' | 'deadline'> & { expiresAt: string; deadline: string }

export function storeRequest(request: ApprovalRequest): StoredRequest {
  return { ...request, expiresAt: request.expiresAt.toISOString(), deadline: request.deadline.toISOString() }
}

/** Throws a TypeError when `stored` is not a stored request (a file from another version, say). */
export function restoreRequest(stored: unknown): ApprovalRequest {
  const value = stored as Partial<StoredRequest> | null
  const text = ['userCode', 'verificationUri', 'verificationUriComplete', 'startUrl', 'region', 'clientName'] as const
  if (typeof value !== 'object' || value === null || text.some((key) => typeof value[key] !== 'string')) {
    throw new TypeError('not a stored approval request')
  }
  const expiresAt = new Date(value.expiresAt ?? '')
  const deadline = new Date(value.deadline ?? '')
  if (Number.isNaN(expiresAt.getTime()) || Number.isNaN(deadline.getTime()))
    throw new TypeError('stored approval request without valid times')
  if (typeof value.context !== 'object' || value.context === null) throw new TypeError('stored approval request without its run context')
  if (value.scopes !== undefined && !(Array.isArray(value.scopes) && value.scopes.every((scope) => typeof scope === 'string'))) {
    throw new TypeError('stored approval request with scopes that are not a list of text')
  }
  restoreAccess(value)
  // Not taken from the file: the step that shows the request again decides it from its own
  // environment (main.ts), and an outcome rendered from a file shows no code to warn about.
  const { endpointNotice: _notice, ...request } = value as StoredRequest
  return { ...request, expiresAt, deadline }
}

const ACCOUNT_ID = /^\d{12}$/

/**
 * Checks the access a stored request names: the wait step compares it with its own inputs to
 * decide what it may export, so a wrong type must fail here, not pass as "nothing was shown".
 */
function restoreAccess(value: Partial<StoredRequest>): void {
  const { accountId, roleName, profiles } = value
  if ((accountId === undefined) !== (roleName === undefined) || !(accountId === undefined || isRole(accountId, roleName))) {
    throw new TypeError('stored approval request with an account-id and role-name that are not a role')
  }
  if (profiles === undefined) return
  if (!Array.isArray(profiles)) throw new TypeError('stored approval request with profiles that are not a list')
  for (const entry of profiles as unknown[]) {
    const target = entry as Record<string, unknown> | null
    if (
      typeof target !== 'object' ||
      target === null ||
      typeof target.profile !== 'string' ||
      target.profile === '' ||
      !isRole(target.accountId, target.roleName)
    ) {
      throw new TypeError('stored approval request with a profile that is not a profile name and a role')
    }
  }
}

function isRole(accountId: unknown, roleName: unknown): boolean {
  return typeof accountId === 'string' && ACCOUNT_ID.test(accountId) && typeof roleName === 'string' && roleName !== ''
}

/** A RequestResult as JSON, for the post step to finish recording it. */
export type StoredResult = Omit<RequestResult, 'at' | 'accessExpiresAt'> & { at: string; accessExpiresAt?: string }

export function storeResult(result: RequestResult): StoredResult {
  const { accessExpiresAt, at, ...rest } = result
  return { ...rest, at: at.toISOString(), ...definedFields({ accessExpiresAt: accessExpiresAt?.toISOString() }) }
}

export function restoreResult(stored: StoredResult): RequestResult {
  const { accessExpiresAt, at, ...rest } = stored
  return {
    ...rest,
    at: new Date(at),
    ...definedFields({ accessExpiresAt: accessExpiresAt === undefined ? undefined : new Date(accessExpiresAt) })
  }
}
