// The step log: the one channel that is always there and streams live, so it carries the whole
// prompt at once. The approver may read it on a phone, from a chat link to the run: plain text,
// one link, the code on a line of its own, and a QR code of that link.
import * as core from '@actions/core'
import type { Notifier } from './channel.js'
import { formatRelative, plain } from './format.js'
import { formatUtc } from '../time/format.js'
import { renderQrCode } from './qr.js'
import { safeLogText } from '../text/sanitize.js'
import { noticeText } from './endpoint-notice.js'
import type { ApprovalRequest, EndpointNotice, RequestResult } from '../model/request.js'
import { subjectRows, type SubjectRow } from './subject.js'
import { regionHint, verificationStep, type VerificationForm } from './verification.js'
import { approvalsSentence, approvedBySentence, refusalSentence, renewalSentence } from './approvals.js'

const RULE = '='.repeat(78)

/** Step 2 of the prompt, right above the code: what the page asks of the approver. */
const CODE_STEP: Record<VerificationForm, string> = {
  prefilled: '  2. The link fills in the code. Check that the page shows:',
  confirm: '  2. The page asks you to confirm a code. Confirm only if it is:',
  enter: '  2. Enter the code:'
}

/** What the QR code opens, in the words of its caption. */
const QR_TARGET: Record<VerificationForm, string> = {
  prefilled: 'the link that fills in the code',
  confirm: 'the AWS page that asks you to confirm the code',
  enter: 'the verification page'
}

/** The prompt block, as printed. `now` sets the relative times ("in 10 minutes"). */
export function renderLogPrompt(request: ApprovalRequest, now: Date): string {
  const userCode = plain(request.userCode)
  const { form, link } = verificationStep(request)
  const lines = [
    RULE,
    'AWS access requested: approval needed in IAM Identity Center',
    RULE,
    'This job is waiting for someone with AWS access to approve its request.',
    ...(request.refusal ? ['', `  !!! ${refusalSentence(request.refusal)}`] : []),
    '',
    `  1. Open ${plain(link)}`,
    CODE_STEP[form],
    '',
    `         ${userCode}`,
    ''
  ]
  if (request.endpointNotice) lines.push(...noticeLines(request.endpointNotice), '')
  lines.push(...progressLines(request))
  lines.push(`  ${regionHint(request.region)}`, '')
  lines.push(`  The code expires at ${formatUtc(request.expiresAt)} (${formatRelative(request.expiresAt, now)}).`)
  if (request.deadline.getTime() < request.expiresAt.getTime()) {
    lines.push(`  This job stops waiting at ${formatUtc(request.deadline)} (${formatRelative(request.deadline, now)}; input 'timeout').`)
  }
  const renewal = renewalSentence(request)
  if (renewal) lines.push(`  ${renewal}`)
  lines.push('', 'Who is asking', ...table(subjectRows(request)), '')
  lines.push(
    `WARNING: approve only a request you expect. Check that the AWS page shows the code ${userCode}`,
    `and the client name "${plain(request.clientName)}", and that you know why this run needs AWS access.`,
    'Approving gives this job your AWS access until its token expires. If in doubt, deny it.',
    RULE
  )
  return lines.join('\n')
}

/** Right under the code and the links: the approver reads it before opening either. */
function noticeLines(notice: EndpointNotice): string[] {
  const { heading, details } = noticeText(notice)
  return [`  !!! WARNING: ${heading}`, ...details.map((detail) => `  !!! ${detail}`)]
}

/** Several approvers: the other codes, each for another person, and who has approved. */
function progressLines(request: ApprovalRequest): string[] {
  const sentence = approvalsSentence(request)
  if (!sentence) return []
  const lines = [`  ${sentence}`]
  for (const code of request.otherCodes ?? []) {
    lines.push(
      `  Another approver's code: ${plain(code.userCode)}  (${plain(code.verificationUriComplete) || plain(code.verificationUri)})`
    )
  }
  return [...lines, '']
}

function table(rows: SubjectRow[]): string[] {
  const width = Math.max(...rows.map(({ label }) => label.length))
  return rows.map(({ label, value, note }) => `  ${label.padEnd(width)}  ${value}${note ? ` ${note}` : ''}`)
}

/** The line printed when the request is approved; failures are reported by the step's error. */
export function renderApprovedLine(result: RequestResult): string {
  const expiry = result.accessExpiresAt
    ? ` The token expires at ${formatUtc(result.accessExpiresAt)} (${formatRelative(result.accessExpiresAt, result.at)}).`
    : ''
  return `${approvedBySentence(result.approvals) ?? `Approved at ${formatUtc(result.at)}.`}${expiry}`
}

export interface LogNotifierOptions {
  write?: (text: string) => void
  now?: () => Date
  qr?: (text: string) => Promise<string>
}

export function createLogNotifier(options: LogNotifierOptions = {}): Notifier {
  // The last guard: a line the runner would read as a workflow command never reaches stdout.
  const print = options.write ?? ((text: string) => core.info(text))
  const write = (text: string): void => print(safeLogText(text))
  const now = options.now ?? (() => new Date())
  const qr = options.qr ?? renderQrCode
  return {
    name: 'step log',
    async prompt(request) {
      // Printed before the QR library loads: the text is what matters, the QR code is a convenience.
      write(renderLogPrompt(request, now()))
      const { form, link } = verificationStep(request)
      try {
        write(`Scan to open ${QR_TARGET[form]}:\n${await qr(plain(link))}`)
      } catch (error) {
        write(`(No QR code: ${error instanceof Error ? error.message : String(error)})`)
      }
    },
    async record({ result }) {
      if (result.outcome === 'approved') write(renderApprovedLine(result))
    }
  }
}
