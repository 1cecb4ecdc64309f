// 7. Export: the first accepted approval's access goes to the job (variables, outputs, profiles,
// the hand-off); an unapproved end becomes its one-line result.
import { exportDeadline } from '../deadline.js'
import { explainFailure, unapprovedMessage } from '../failure.js'
import { formatDuration } from '../time/format.js'
import { exportAwsAccess, obtainAwsAccess } from '../export/aws-access.js'
import { exportApprovers, exportHandoff, exportToken } from '../export/outputs.js'
import type { GateSeal } from '../handoff/gate.js'
import type { ActionInputs } from '../inputs.js'
import type { RequestResult } from '../model/request.js'
import type { TokenSet } from '../oidc/types.js'
import type { PollResult } from '../poll.js'
import { approvalReceipt } from '../gate/receipt.js'
import { definedFields } from '../defined.js'
import { type Flow, type Round, type Approval, type GateEnd, type Gate, portalClient, setupRetry } from './flow.js'
import { codeExpiry, approvalRecord } from './rounds.js'
import { revokeHeld } from './approval.js'

/**
 * 7. Export. The tokens are masked before anything else sees them, and the post step learns what
 * to revoke before anything can fail. Every portal call and file write (role credentials, checked
 * roles, profiles) comes before the first variable or output, so a role the approver lacks leaves
 * nothing half exported.
 */
export async function exportAccess(flow: Flow, ended: GateEnd, { base }: Gate): Promise<RequestResult> {
  if (ended.outcome === 'unapproved') {
    // Nobody gets access: tokens already accepted (a second approver denied, say) end now.
    await revokeHeld(flow, ended.approvals)
    return unapprovedResult(ended.poll, ended.round, flow.inputs)
  }
  const { inputs, context, postStep } = flow
  const [first] = ended.approvals as [Approval, ...Approval[]]
  const { token, round } = first
  // Bounded like the rest of the flow: by then the deadline may be near, or past for an approval
  // that came in the grace; such an approval still gets one short attempt.
  const deadline = exportDeadline(base.deadline.getTime())
  const access = await obtainAwsAccess({
    inputs,
    token,
    registration: round.registration,
    portal: portalClient(flow, deadline),
    retry: () => setupRetry(flow, deadline),
    postStep,
    runId: context.runId,
    runUrl: context.runUrl,
    profileCredentials: inputs.handoffKey !== undefined,
    // The lookup opened the requested role already: its credentials are the ones exported.
    ...definedFields({ openedRole: first.lookup })
  })
  // Sealing is the export's last part that can fail: before the first variable or output.
  const handoff =
    inputs.handoffKey === undefined
      ? undefined
      : await (
          await import('../handoff/index.js')
        ).sealAccess(access, gateSeal(inputs, inputs.handoffKey, token, [round.registration.clientSecret, round.authorization.deviceCode]))
  exportToken(token)
  exportAwsAccess(access, inputs)
  if (handoff !== undefined) exportHandoff(handoff)
  const approvers = ended.approvals.flatMap(({ approver }) => (approver ? [approver] : []))
  const receipt = approvers.length > 0 ? approvalReceipt(context, base, approvers) : undefined
  if (receipt) exportApprovers(approvers[0]!, receipt)
  const approvals = ended.approvals.flatMap(approvalRecord)
  return {
    outcome: 'approved',
    at: new Date(),
    accessExpiresAt: new Date(token.expiresAt),
    ...(approvals.length > 0 ? { approvals } : {}),
    ...definedFields({ receipt })
  }
}

/** The hand-off's key, and every secret this step registered: none of them may appear in the sealed value. */
function gateSeal(inputs: ActionInputs, key: string, token: TokenSet, clientSecrets: string[]): GateSeal {
  const secrets = [
    token.accessToken,
    token.refreshToken,
    token.idToken,
    ...clientSecrets,
    inputs.cacheEncryptionKey,
    inputs.githubToken,
    key
  ]
  return { key, awsRegion: inputs.awsRegion, secrets: secrets.filter((secret): secret is string => secret !== undefined && secret !== '') }
}

function unapprovedResult(poll: PollResult, { authorization }: Round, inputs: ActionInputs): RequestResult {
  // 'approved' without a token would be a poll bug: report it rather than export nothing silently.
  if (poll.outcome === 'approved')
    return { outcome: 'error', at: new Date(), message: explainFailure(new Error('approved without a token')) }
  const details = {
    userCode: authorization.userCode,
    codeExpiresAt: new Date(codeExpiry(authorization)),
    region: inputs.region,
    ...definedFields({ timeoutSeconds: inputs.timeoutSeconds })
  }
  // The deadline came while AWS could not be reached: whether anyone approved is unknown, and the
  // failure, not the approver, is what to fix. It ends as an error naming the endpoint and cause.
  if (poll.lastError !== undefined) {
    return { outcome: 'error', at: new Date(), message: `${explainFailure(poll.lastError)} ${deadlineNote(poll.outcome, details)}` }
  }
  return { outcome: poll.outcome, at: new Date(), message: unapprovedMessage(poll.outcome, details) }
}

/** What the deadline was, for a poll that kept failing until it came. */
function deadlineNote(outcome: PollResult['outcome'], details: { timeoutSeconds?: number }): string {
  return outcome === 'timed-out' && details.timeoutSeconds !== undefined
    ? `No poll succeeded before the timeout of ${formatDuration(details.timeoutSeconds)} (input 'timeout').`
    : 'No poll succeeded before the code expired.'
}
