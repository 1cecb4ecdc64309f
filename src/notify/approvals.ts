// What every channel says about the rounds and the approvers, in the same words: until when the
// job waits when a code expires before then, how many people must approve and who has, who tried
// and may not, who approved. Plain sentences with outside text (user names) through the sanitiser;
// each channel escapes them for its own format.
import type { ApprovalRecord, ApprovalRequest, Refusal } from '../model/request.js'
import { formatUtc } from '../time/format.js'
import { plain } from './format.js'

/** Set when the job waits past the code's expiry: a new code is shown then (gate/rounds.ts). */
export function renewalSentence(request: ApprovalRequest): string | undefined {
  if (request.deadline.getTime() - request.expiresAt.getTime() < 1000) return undefined
  return `When this code expires, a new one is shown here; the job waits until ${formatUtc(request.deadline)} (input 'timeout').`
}

/** With several approvers: how many, and who has approved so far. */
export function approvalsSentence(request: ApprovalRequest): string | undefined {
  const required = request.requiredApprovals ?? 1
  if (required < 2) return undefined
  const done = request.approvals ?? []
  const so = done.length === 0 ? 'Nobody has approved yet.' : `Approved so far (${done.length} of ${required}): ${approverList(done)}.`
  return `This request needs ${required} different people to approve, each with their own code. ${so}`
}

/** Who tried and may not: the token of that approval was revoked at once. */
export function refusalSentence(refusal: Refusal): string {
  return `Not accepted: ${plain(refusal.userName)} approved at ${formatUtc(refusal.at)} but ${plain(refusal.reason)}. Their token was revoked; the code shown now is a new one.`
}

/** "alice at 2026-05-01 12:10:00 UTC, bob at …". */
export function approverList(approvals: readonly ApprovalRecord[]): string {
  return approvals.map((approval) => `${plain(approval.userName)} at ${formatUtc(approval.approvedAt)}`).join(', ')
}

/** "Approved by alice at …" (and the others), or undefined when nobody's identity was looked up. */
export function approvedBySentence(approvals: readonly ApprovalRecord[] | undefined): string | undefined {
  if (approvals === undefined || approvals.length === 0) return undefined
  return `Approved by ${approverList(approvals)}.`
}
