// The job summary: the record of how the gate ended. The runner uploads a step's summary only
// after the step's process exits, so in a single step it cannot prompt anyone; it records what was
// requested, by which run, the outcome and when. A `phase: start` step exits right after the
// prompt, so there the summary is the prompt, visible while the job goes on.
// core.summary escapes nothing: every value is escaped here.
import * as core from '@actions/core'
import type { GateRecord, Notifier } from './channel.js'
import { plain } from './format.js'
import { formatUtc } from '../time/format.js'
import { noticeText } from './endpoint-notice.js'
import { escapeHtml, link } from './html.js'
import type { ApprovalRequest, Receipt } from '../model/request.js'
import { subjectRows } from './subject.js'
import { pageInstruction, regionHint, verificationStep } from './verification.js'
import { TITLES } from './titles.js'
import { approvalsSentence, approverList, refusalSentence, renewalSentence } from './approvals.js'

type Row = [label: string, cell: string]

/** The prompt, for a step that exits while the request is pending (`phase: start`). */
export function renderPendingSummary(request: ApprovalRequest): string {
  const code = `<code>${escapeHtml(plain(request.userCode))}</code>`
  const step = verificationStep(request)
  const rows: Row[] = [
    ['User code', code],
    ['Verification page', link(step.link, plain(step.link))],
    ['Code expires', escapeHtml(formatUtc(request.expiresAt))]
  ]
  if (request.deadline.getTime() < request.expiresAt.getTime())
    rows.push(['The job stops waiting', escapeHtml(formatUtc(request.deadline))])
  for (const code of request.otherCodes ?? []) {
    rows.push(["Another approver's code", `<code>${link(code.verificationUriComplete, plain(code.userCode))}</code>`])
  }
  const progress = [request.refusal && refusalSentence(request.refusal), approvalsSentence(request), renewalSentence(request)]
  const parts = [
    `<h2>${TITLES.pending}</h2>`,
    ...progress.filter((sentence) => sentence !== undefined).map((sentence) => `<p>${escapeHtml(sentence)}</p>`),
    `<p><strong>${link(step.link, 'Open the AWS verification page')}</strong>. ${escapeHtml(pageInstruction(step.form))} ${code}.</p>`,
    ...noticeParagraph(request),
    `<p>${escapeHtml(regionHint(request.region))}</p>`,
    table([...rows, ...subjectTableRows(request)]),
    '<p>⚠️ <strong>Approve only a request you expect.</strong> Approving gives this job your AWS access until its token expires. ' +
      "Anyone can start a request that looks like this one: check that the code matches this run's log, and if in doubt, deny it.</p>"
  ]
  return parts.join('\n')
}

export function renderSummary({ subject, request, result }: GateRecord): string {
  const rows: Row[] = [
    ['Outcome', `<code>${escapeHtml(result.outcome)}</code>`],
    ['At', escapeHtml(formatUtc(result.at))]
  ]
  if (result.approvals?.length) rows.push(['Approved by', escapeHtml(approverList(result.approvals))])
  if (result.accessExpiresAt) rows.push(['Token expires', escapeHtml(formatUtc(result.accessExpiresAt))])
  if (request) {
    rows.push(['User code', `<code>${escapeHtml(plain(request.userCode))}</code>`])
    rows.push(['Code expires', escapeHtml(formatUtc(request.expiresAt))])
    rows.push(['Verification page', link(request.verificationUri, plain(request.verificationUri))])
  }
  rows.push(...subjectTableRows(subject))
  const parts = [`<h2>${TITLES[result.outcome]}</h2>`]
  if (result.message) parts.push(`<p>${escapeHtml(plain(result.message))}</p>`)
  // The record shows the code too: it keeps the warning the approver was given beside it.
  if (request) parts.push(...noticeParagraph(request))
  parts.push(table(rows))
  if (result.receipt) parts.push(receiptTable(result.receipt))
  return parts.join('\n')
}

/** The approval receipt (the `receipt` output), for an audit in CloudTrail: the run, then each approver. */
function receiptTable(receipt: Receipt): string {
  const text = (value: string) => escapeHtml(plain(value))
  const rows: Row[] = [
    ['Repository', text(receipt.repository)],
    ['Run', `${text(receipt.runId)} (attempt ${text(receipt.runAttempt)})`],
    ['Commit', `<code>${text(receipt.commit)}</code>`],
    ['Approvals required', String(receipt.requiredApprovals)]
  ]
  receipt.approvers.forEach((approver, index) => {
    const which = receipt.approvers.length === 1 ? 'Approver' : `Approver ${index + 1}`
    rows.push([which, text(approver.userName)])
    rows.push([`${which}: ARN`, `<code>${text(approver.arn)}</code>`])
    rows.push([`${which}: approved at`, text(approver.approvedAt)])
    rows.push([`${which}: CloudTrail request IDs`, text(approver.requestIds.join(', '))])
  })
  return ['<h3>Approval receipt</h3>', table(rows)].join('\n')
}

function noticeParagraph(request: ApprovalRequest): string[] {
  if (!request.endpointNotice) return []
  const { heading, details } = noticeText(request.endpointNotice)
  return [`<p>🛑 <strong>${escapeHtml(heading)}</strong> ${details.map(escapeHtml).join(' ')}</p>`]
}

function subjectTableRows(subject: GateRecord['subject']): Row[] {
  return subjectRows(subject).map((row) => {
    const value = row.href ? link(row.href, row.value) : escapeHtml(row.value)
    return [row.label, row.note ? `${value} ${escapeHtml(row.note)}` : value]
  })
}

function table(rows: Row[]): string {
  return [
    '<table>',
    ...rows.map(([label, cell]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${cell}</td></tr>`),
    '</table>'
  ].join('\n')
}

export interface SummaryNotifierOptions {
  /** The step exits while the request is pending (`phase: start`): its summary is the prompt. */
  showPrompt?: boolean
}

export function createSummaryNotifier(options: SummaryNotifierOptions = {}): Notifier {
  return {
    name: 'job summary',
    async prompt(request) {
      // Otherwise nothing to show while waiting: nobody sees this step's summary before it exits.
      if (options.showPrompt) await core.summary.addRaw(renderPendingSummary(request), true).write({ overwrite: true })
    },
    async record(gate) {
      await core.summary.addRaw(renderSummary(gate), true).write()
    }
  }
}
