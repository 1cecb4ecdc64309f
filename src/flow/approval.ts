// 6. An approval arrived: the token masked, the approver looked up when anything needs to know
// who it is, held to the policy; the tokens the job will not act with are revoked at once.
import * as core from '@actions/core'
import { attemptTimeoutMs, exportDeadline } from '../deadline.js'
import { maskTokenSet } from '../model/secrets.js'
import type { RevokeRecord } from '../model/post-step-state.js'
import type { ActionInputs } from '../inputs.js'
import type { Refusal } from '../model/request.js'
import type { ClientRegistration, TokenSet } from '../oidc/types.js'
import type { Verdict } from '../gate/rounds.js'
import { revokeTokens } from '../cleanup/revoke.js'
import { needsIdentity, refusalReason } from '../gate/policy.js'
import type { RoleTarget } from '../portal/types.js'
import { sanitize } from '../text/sanitize.js'
import { definedFields } from '../defined.js'
import { type Flow, type Round, type Approval, type Gate, portalClient, setupRetry } from './flow.js'

/**
 * An approval arrived. The token is masked at once, and the approver looked up when anything needs
 * to know who it is (gate/policy.ts decides whether they may approve). A refused approval's token
 * is revoked at once; so is every accepted one but the first, which the job acts with and the
 * post step revokes.
 */
export async function judgeApproval(
  flow: Flow,
  gate: Gate,
  round: Round,
  token: TokenSet,
  approvals: readonly Approval[]
): Promise<Verdict<Approval, Refusal>> {
  maskTokenSet(token)
  const approvedAt = new Date()
  // The first approval may be the one the job acts with: the post step knows to revoke it before
  // anything can fail (a lookup cut short by cancellation leaves it to the post step).
  const first = approvals.length === 0
  if (first && flow.inputs.revoke) flow.postStep.update((state) => (state.revoke = revokeRecord(flow, token, round.registration)))
  // `revoke: false`: the post step says the approver's access outlives the job, and until when.
  else if (first) flow.postStep.update((state) => (state.notRevoked = { expiresAt: token.expiresAt }))
  let identified: Pick<Approval, 'approver' | 'lookup'>
  try {
    identified = await identify(flow, gate, token, approvedAt)
  } catch (error) {
    // Unknown, so not acting with it: the token goes before the failure ends the request.
    if (!flow.signal.aborted) await revokeNow(flow, token, 'The token of the approval that could not be identified', first)
    throw error
  }
  const approval: Approval = { token, round, ...identified }
  const userName = approval.approver?.userName
  const shownName = sanitize(userName ?? 'another approver', { maxLength: 128 })
  const approvedSoFar = approvals.flatMap(({ approver }) => (approver ? [approver.userName] : []))
  const reason = userName === undefined ? undefined : refusalReason(userName, flow.inputs.policy, approvedSoFar)
  if (userName !== undefined && reason !== undefined) {
    await revokeNow(flow, token, `The token of ${shownName}, whose approval was not accepted,`, first)
    core.warning(
      `${shownName} approved but ${reason}: the approval is not accepted and their token is revoked. Another person must approve the new code.`
    )
    return { refused: { userName, reason, at: approvedAt } }
  }
  if (!first) await revokeNow(flow, token, `The token of the approval by ${shownName}`, false)
  return { accepted: approval }
}

/** Who approved (STS GetCallerIdentity through the role their token opens), when anything needs it. */
async function identify(flow: Flow, gate: Gate, token: TokenSet, approvedAt: Date): Promise<Pick<Approval, 'approver' | 'lookup'>> {
  const through = identifiedThrough(flow.inputs)
  if (through === false || flow.endpoints.sts === undefined) return {}
  const deadline = exportDeadline(gate.base.deadline.getTime())
  // Loaded once an approval arrives (its own chunk, with STS and the signer): the prompt does not wait for it.
  const { identifyApprover } = await import('../identity/approver.js')
  const { approver, credentials } = await identifyApprover(token, through, {
    portal: portalClient(flow, deadline),
    sts: flow.endpoints.sts,
    signal: flow.signal,
    ...definedFields({ deadline }),
    log: (line) => core.info(line),
    retry: () => setupRetry(flow, deadline),
    approvedAt,
    requestTimeoutMs: attemptTimeoutMs(flow.inputs.timeoutSeconds)
  })
  const target = through
    ? { accountId: through.accountId, roleName: through.roleName }
    : { accountId: approver.accountId, roleName: roleOfArn(approver.arn) }
  return { approver, lookup: { target, credentials } }
}

/**
 * Which role the approver is looked up through: the requested role (`account-id`/`role-name`,
 * else the first `roles` line); undefined for "the first role they have", when only the policy
 * needs the identity; false when nothing needs it.
 */
export function identifiedThrough(inputs: ActionInputs): (RoleTarget & { source: string }) | undefined | false {
  if (inputs.role) return { ...inputs.role, source: "input 'role-name'" }
  const [first] = inputs.profiles
  if (first) return { accountId: first.accountId, roleName: first.roleName, source: first.source }
  return needsIdentity(inputs.policy) ? undefined : false
}

/** The permission set's name in `…:assumed-role/AWSReservedSSO_<set>_<id>/<user>`, for the record. */
function roleOfArn(arn: string): string {
  return /assumed-role\/AWSReservedSSO_(.+)_[0-9a-f]{16}\//.exec(arn)?.[1] ?? ''
}

/**
 * What the post step needs to log out the token, and, should it have expired by then, to end its
 * session through the refresh token (cleanup/refresh.ts). Secrets: it goes only into the post-step state
 * file (model/post-step-state.ts), never into GITHUB_STATE.
 */
function revokeRecord({ endpoints }: Flow, token: TokenSet, registration: ClientRegistration): RevokeRecord {
  const record: RevokeRecord = { portalEndpoint: endpoints.portal, accessToken: token.accessToken, expiresAt: token.expiresAt }
  if (token.refreshToken !== undefined) {
    record.refresh = {
      oidcEndpoint: endpoints.oidc,
      clientId: registration.clientId,
      clientSecret: registration.clientSecret,
      registrationExpiresAt: registration.clientSecretExpiresAt * 1000,
      refreshToken: token.refreshToken
    }
  }
  return record
}

/** Logs out a token the job will not act with, now; one held for the post step is then no longer its business. */
async function revokeNow(flow: Flow, token: TokenSet, label: string, heldForPostStep: boolean): Promise<void> {
  await revokeAtOnce(flow, [{ token, label }])
  if (heldForPostStep) flow.postStep.update((state) => delete state.revoke)
}

/** Logs out tokens the job will not act with (refused, extra, or held when the request failed), now. */
async function revokeAtOnce(flow: Flow, tokens: ReadonlyArray<{ token: TokenSet; label: string }>): Promise<void> {
  for (const { token, label } of tokens) {
    await revokeTokens({ portalEndpoint: flow.endpoints.portal, tokens: [token], label }, core)
  }
}

/** The approvals accepted before the request failed: their tokens are logged out now, and the post step has nothing left to revoke. */
export async function revokeHeld(flow: Flow, approvals: readonly Approval[]): Promise<void> {
  if (approvals.length === 0) return
  await revokeAtOnce(
    flow,
    approvals.map(({ token }) => ({ token, label: 'The token of an approval this request no longer needs' }))
  )
  flow.postStep.update((state) => delete state.revoke)
}
