// Who approved: the approver's access token opens a role session (GetRoleCredentials), and STS
// GetCallerIdentity, signed with that session's credentials, names it. IAM Identity Center names
// every role session after the user, so the session name is the approver's user name, vouched
// for by AWS, not by anything the run, GitHub or the approval page says (docs/identity.md).
// The credentials are masked the moment they arrive and returned, so a flow that exports the same
// role does not ask for them twice.
import type { Dispatcher } from 'undici'
import { definedFields } from '../defined.js'
import { UserFacingError } from '../errors.js'
import type { Approver } from '../model/approver.js'
import { maskRoleCredentials } from '../model/secrets.js'
import { isNotAssigned, missingRoleError } from '../portal/assignments.js'
import type { PageWrapper, SsoPortalClient } from '../portal/client.js'
import type { RoleCredentials, RoleInfo, RoleTarget } from '../portal/types.js'
import { withRetry, type RetryOptions } from '../retry.js'
import { StsClient } from '../sts/client.js'
import type { StsEndpoint } from '../sts/endpoint.js'
import type { CallerIdentity } from '../sts/types.js'
import { sanitize } from '../text/sanitize.js'

export interface IdentifyDependencies {
  /** The portal client of the flow (src/export/aws-access.ts builds the same one). */
  portal: SsoPortalClient
  /** From stsEndpoint(region). */
  sts: StsEndpoint
  /** Cancels every call. */
  signal?: AbortSignal
  /** Epoch ms (on `now`): no call runs past it, no retry starts after it. */
  deadline?: number
  /** One line for the job's log (core.info); every line given to it is already sanitised. */
  log: (line: string) => void
  /** Fresh retry options for one call; default: retry transient failures until `deadline` (no retry without one). */
  retry?: () => RetryOptions
  /** Epoch ms; default Date.now. */
  now?: () => number
  /** When the token arrived; default now. */
  approvedAt?: Date
  /** Per-attempt limit of the STS call. */
  requestTimeoutMs?: number
  /** Defaults to the shared, proxy-aware dispatcher. */
  dispatcher?: Dispatcher
  /** Registers a secret with the runner; default core.setSecret. */
  mask?: (secret: string) => void
}

/** The identity STS named cannot be the approver's IAM Identity Center role session. */
export class ApproverIdentityError extends UserFacingError {
  override readonly name = 'ApproverIdentityError'
}

/** The approver has no role at all to be looked up through. */
export class NoRoleToIdentifyError extends UserFacingError {
  override readonly name = 'NoRoleToIdentifyError'
}

/** IAM Identity Center's role for a permission set: AWSReservedSSO_<permission set>_<16 hex digits>. */
function isIdentityCenterRole(roleName: string, permissionSet: string): boolean {
  const prefix = `AWSReservedSSO_${permissionSet}_`
  return roleName.startsWith(prefix) && /^[0-9a-f]{16}$/.test(roleName.slice(prefix.length))
}

/**
 * The approver, learned through `through` (account and permission set), or, when none is given,
 * through the first role the approver has (ListAccounts, then ListAccountRoles). Returns the role
 * credentials too, masked.
 */
export async function identifyApprover(
  token: { accessToken: string },
  through: { accountId: string; roleName: string; source?: string } | undefined,
  deps: IdentifyDependencies
): Promise<{ approver: Approver; credentials: RoleCredentials }> {
  const now = deps.now ?? Date.now
  const approvedAt = deps.approvedAt ?? new Date(now())
  const retrying = <T>(call: () => Promise<T>): Promise<T> => {
    const options = deps.retry?.() ?? (deps.deadline === undefined ? undefined : defaultRetry(deps.deadline, deps.signal))
    return options === undefined ? call() : withRetry(call, options)
  }
  const eachPage: PageWrapper = (call) => retrying(call)

  const target = through ?? (await firstRole(token.accessToken, deps, eachPage))
  let credentials: RoleCredentials
  try {
    credentials = await retrying(() => deps.portal.getRoleCredentials(token.accessToken, target.accountId, target.roleName))
  } catch (error) {
    if (!isNotAssigned(error)) throw error
    // The input that asked for the role, when the caller names it: that is what the user fixes.
    const source = through ? (through.source ?? 'the role the approver is identified through') : 'their first role'
    throw await missingRoleError([{ ...target, source }], deps.portal, token.accessToken, eachPage)
  }
  maskRoleCredentials(credentials, deps.mask)

  const sts = new StsClient({
    endpoint: deps.sts,
    now,
    ...definedFields({ deadline: deps.deadline, signal: deps.signal, requestTimeoutMs: deps.requestTimeoutMs, dispatcher: deps.dispatcher })
  })
  const identity = await retrying(() => sts.getCallerIdentity(credentials))
  checkSession(identity, target)

  const approver: Approver = {
    userName: identity.sessionName,
    arn: identity.arn,
    accountId: target.accountId,
    approvedAt,
    requestIds: [credentials.requestId, identity.requestId].filter((id): id is string => id !== undefined)
  }
  deps.log(
    sanitize(
      `The approval is by ${approver.userName} (${approver.arn}), as STS names the role session their access opens in account ` +
        `${target.accountId} (GetRoleCredentials and GetCallerIdentity, CloudTrail request IDs ${approver.requestIds.join(', ')}).`
    )
  )
  return { approver, credentials }
}

/** The first role of the first account that has one; logged, since these calls show in CloudTrail. */
async function firstRole(accessToken: string, deps: IdentifyDependencies, eachPage: PageWrapper): Promise<RoleTarget> {
  deps.log(
    'No role was requested: the approver is identified through the first role they have (ListAccounts, ListAccountRoles, ' +
      "GetRoleCredentials and STS GetCallerIdentity: these calls show in CloudTrail under the approver's name)."
  )
  const accounts = await deps.portal.listAllAccounts(accessToken, eachPage)
  for (const account of accounts) {
    let role: RoleInfo | undefined
    try {
      role = (await eachPage(() => deps.portal.listAccountRoles(accessToken, account.accountId, { maxResults: 1 }))).items[0]
    } catch (error) {
      // An assignment removed since ListAccounts: the next account may still do.
      if (!isNotAssigned(error)) throw error
    }
    if (role !== undefined) return { accountId: account.accountId, roleName: role.roleName }
  }
  throw new NoRoleToIdentifyError(
    accounts.length === 0
      ? 'The approver has no AWS account assigned, so who they are cannot be learned from AWS. Ask an IAM Identity Center administrator to assign them a permission set, or approve as someone who has one.'
      : `The approver has no role in any of their ${accounts.length} accounts, so who they are cannot be learned from AWS. Ask an IAM Identity Center administrator to assign them a permission set.`
  )
}

/** The session must be the one GetRoleCredentials opened: the same account, the permission set's role. */
function checkSession(identity: CallerIdentity, target: RoleTarget): void {
  if (identity.account !== target.accountId) {
    throw new ApproverIdentityError(
      `STS named a caller in account ${identity.account}, not ${target.accountId} whose role the approver's access opened: the approver is not identified. Check that AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, if set, leads to AWS STS.`
    )
  }
  if (!isIdentityCenterRole(identity.roleName, target.roleName)) {
    throw new ApproverIdentityError(
      `STS named the role ${identity.roleName}, not the IAM Identity Center role of the permission set ${target.roleName} (AWSReservedSSO_${target.roleName}_…): the approver is not identified. Check that AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, if set, leads to AWS STS.`
    )
  }
}

function defaultRetry(deadline: number, signal: AbortSignal | undefined): RetryOptions {
  return signal === undefined ? { deadline } : { deadline, signal }
}
