// One model of an approval request, rendered by every channel (log, job summary, PR comment),
// so that all of them tell the approver the same story.
import { definedFields } from '../defined.js'
import type { Approver } from './approver.js'

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
  /**
   * When the action stops waiting for the request: the end of the `timeout` input, or without one
   * when the first code expires. A code that expires before it is replaced by a new one (a round).
   */
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
  /** How many different people must approve (`required-approvals`); absent means one. */
  requiredApprovals?: number
  /** Who has approved so far, the first first. */
  approvals?: ApprovalRecord[]
  /** With several approvers: the other codes still waiting, each for another person. */
  otherCodes?: OtherCode[]
  /** The latest approval the gate did not accept: every channel says who tried and why. */
  refusal?: Refusal
}

/** Who approved, as every channel shows it (model/approver.ts has the whole record). */
export type ApprovalRecord = Pick<Approver, 'userName' | 'arn' | 'approvedAt'>

/** One more code of the same request, for another approver (`required-approvals`). */
export interface OtherCode {
  userCode: string
  verificationUri: string
  verificationUriComplete: string
  expiresAt: Date
}

/** An approval that was not accepted (gate/policy.ts says why); the token was revoked at once. */
export interface Refusal {
  /** The IAM Identity Center user who approved. */
  userName: string
  /** Why they may not: one line, e.g. "not in the input 'approvers'". */
  reason: string
  at: Date
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
  /** Who approved (`approved`, when the identity was looked up), the first first: the job acts as the first. */
  approvals?: ApprovalRecord[]
  /** The approval receipt (the `receipt` output), for `approved`. */
  receipt?: Receipt
}

/** The `receipt` output: what an audit needs to find the approval in CloudTrail. */
export interface Receipt {
  repository: string
  runId: string
  runAttempt: string
  commit: string
  /** The access the approvers were shown and handed over. */
  requested: {
    startUrl: string
    region: string
    accountId?: string
    roleName?: string
    profiles?: Array<{ profile: string; accountId: string; roleName: string }>
  }
  requiredApprovals: number
  approvers: Array<{
    userName: string
    arn: string
    /** ISO 8601 UTC. */
    approvedAt: string
    /** The account the identity was looked up through. */
    accountId: string
    /** The AWS calls that established the identity, for CloudTrail (`requestID`). */
    requestIds: string[]
  }>
}

type Stored<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | undefined ? string | undefined : T[K] }

/** An ApprovalRequest as JSON, times as ISO strings: how it travels between steps in a file. */
export type StoredRequest = Omit<Stored<ApprovalRequest>, 'approvals' | 'otherCodes' | 'refusal'> & {
  approvals?: Array<Stored<ApprovalRecord>>
  otherCodes?: Array<Stored<OtherCode>>
  refusal?: Stored<Refusal>
}

export function storeRequest(request: ApprovalRequest): StoredRequest {
  const { approvals, otherCodes, refusal, ...rest } = request
  return {
    ...rest,
    expiresAt: request.expiresAt.toISOString(),
    deadline: request.deadline.toISOString(),
    ...definedFields({
      approvals: approvals?.map(storeApproval),
      otherCodes: otherCodes?.map((code) => ({ ...code, expiresAt: code.expiresAt.toISOString() })),
      refusal: refusal && { ...refusal, at: refusal.at.toISOString() }
    })
  }
}

function storeApproval(approval: ApprovalRecord): Stored<ApprovalRecord> {
  return { userName: approval.userName, arn: approval.arn, approvedAt: approval.approvedAt.toISOString() }
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
  const { endpointNotice: _notice, approvals, otherCodes, refusal, ...request } = value as StoredRequest
  if (request.requiredApprovals !== undefined && !isApprovalCount(request.requiredApprovals)) {
    throw new TypeError('stored approval request with a required number of approvals that is not 1 to 5')
  }
  return {
    ...request,
    expiresAt,
    deadline,
    ...definedFields({
      approvals: approvals === undefined ? undefined : restoreApprovals(approvals),
      otherCodes: otherCodes === undefined ? undefined : restoreOtherCodes(otherCodes),
      refusal: refusal === undefined ? undefined : restoreRefusal(refusal)
    })
  }
}

/** The most approvers one request may need (`required-approvals`): a gate, not a committee. */
export const MAX_REQUIRED_APPROVALS = 5

export function isApprovalCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_REQUIRED_APPROVALS
}

function restoredDate(value: unknown, what: string): Date {
  const date = new Date(typeof value === 'string' ? value : '')
  if (Number.isNaN(date.getTime())) throw new TypeError(`stored ${what} without a valid time`)
  return date
}

function restoreApprovals(value: unknown): ApprovalRecord[] {
  if (!Array.isArray(value)) throw new TypeError('stored approvals that are not a list')
  return (value as unknown[]).map((entry) => {
    const approval = entry as Record<string, unknown> | null
    if (typeof approval !== 'object' || approval === null || typeof approval.userName !== 'string' || typeof approval.arn !== 'string') {
      throw new TypeError('stored approval without a user name and ARN')
    }
    return { userName: approval.userName, arn: approval.arn, approvedAt: restoredDate(approval.approvedAt, 'approval') }
  })
}

function restoreOtherCodes(value: unknown): OtherCode[] {
  if (!Array.isArray(value)) throw new TypeError('stored codes that are not a list')
  return (value as unknown[]).map((entry) => {
    const code = entry as Record<string, unknown> | null
    const text = ['userCode', 'verificationUri', 'verificationUriComplete'] as const
    if (typeof code !== 'object' || code === null || text.some((key) => typeof code[key] !== 'string')) {
      throw new TypeError('stored code without its code and links')
    }
    return {
      userCode: code.userCode as string,
      verificationUri: code.verificationUri as string,
      verificationUriComplete: code.verificationUriComplete as string,
      expiresAt: restoredDate(code.expiresAt, 'code')
    }
  })
}

function restoreRefusal(value: unknown): Refusal {
  const refusal = value as Record<string, unknown> | null
  if (typeof refusal !== 'object' || refusal === null || typeof refusal.userName !== 'string' || typeof refusal.reason !== 'string') {
    throw new TypeError('stored refusal without who and why')
  }
  return { userName: refusal.userName, reason: refusal.reason, at: restoredDate(refusal.at, 'refusal') }
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

/** A RequestResult as JSON, for the post step to finish recording it (the receipt stays out: the outputs have it). */
export type StoredResult = Omit<RequestResult, 'at' | 'accessExpiresAt' | 'approvals' | 'receipt'> & {
  at: string
  accessExpiresAt?: string
  approvals?: Array<Stored<ApprovalRecord>>
}

export function storeResult(result: RequestResult): StoredResult {
  const { accessExpiresAt, at, approvals, receipt: _receipt, ...rest } = result
  return {
    ...rest,
    at: at.toISOString(),
    ...definedFields({ accessExpiresAt: accessExpiresAt?.toISOString(), approvals: approvals?.map(storeApproval) })
  }
}

export function restoreResult(stored: StoredResult): RequestResult {
  const { accessExpiresAt, at, approvals, ...rest } = stored
  return {
    ...rest,
    at: new Date(at),
    ...definedFields({
      accessExpiresAt: accessExpiresAt === undefined ? undefined : new Date(accessExpiresAt),
      approvals: approvals === undefined ? undefined : restoreApprovals(approvals)
    })
  }
}
