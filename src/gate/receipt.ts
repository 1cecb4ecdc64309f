// The approval receipt (the `receipt` output, a table in the job summary): one JSON object that
// lets an audit find the approval in CloudTrail: which run asked for what, who approved and when,
// and the request IDs of the AWS calls that named each approver. Every value from outside (the
// run's context from the runner, user names and ARNs from STS) goes through the sanitiser.
import type { Approver } from '../model/approver.js'
import type { ApprovalRequest, Receipt, RunContext } from '../model/request.js'
import { sanitize } from '../text/sanitize.js'
import { isoUtc } from '../time/format.js'

type Requested = Pick<ApprovalRequest, 'startUrl' | 'region' | 'accountId' | 'roleName' | 'profiles' | 'requiredApprovals'>

const text = (value: string, maxLength = 256): string => sanitize(value, { maxLength })

export function approvalReceipt(context: RunContext, requested: Requested, approvers: readonly Approver[]): Receipt {
  return {
    repository: text(context.repository),
    runId: text(context.runId, 32),
    runAttempt: text(context.runAttempt, 10),
    commit: text(context.sha, 64),
    requested: {
      startUrl: text(requested.startUrl, 300),
      region: text(requested.region, 64),
      ...(requested.accountId === undefined ? {} : { accountId: text(requested.accountId, 12) }),
      ...(requested.roleName === undefined ? {} : { roleName: text(requested.roleName, 128) }),
      ...(requested.profiles?.length
        ? {
            profiles: requested.profiles.map(({ profile, accountId, roleName }) => ({
              profile: text(profile, 64),
              accountId: text(accountId, 12),
              roleName: text(roleName, 128)
            }))
          }
        : {})
    },
    requiredApprovals: requested.requiredApprovals ?? 1,
    approvers: approvers.map((approver) => ({
      userName: text(approver.userName, 128),
      arn: text(approver.arn, 2048),
      approvedAt: isoUtc(approver.approvedAt.getTime()),
      accountId: text(approver.accountId, 12),
      requestIds: approver.requestIds.map((id) => text(id, 128))
    }))
  }
}
