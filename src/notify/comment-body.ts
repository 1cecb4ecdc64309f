// The PR comment an approver reads: while pending, everything needed to decide (where to approve,
// the code to compare, until when, and which run is asking); once decided, what happened and what
// to do, with the code and the link removed so nobody approves a request that is over.
// Every value from the run or the inputs goes through markdown.ts: the comment must not become a
// vehicle for someone else's link, HTML or @mention.
import { COMMENT_BODY_BUDGET, commentSize } from './comment-size.js'
import { noticeText } from './endpoint-notice.js'
import { codeSpan, escapeText, link } from './markdown.js'
import { pageInstruction, regionHint, verificationStep } from './verification.js'
import { formatUtc } from '../time/format.js'
import type { ApprovalRequest, Outcome, RequestResult, RunContext } from '../model/request.js'
import { TITLES, type RequestState } from './titles.js'
import { approvalsSentence, approvedBySentence, refusalSentence, renewalSentence } from './approvals.js'

export type CommentState = RequestState

/**
 * The comment body (without the hidden marker, which StickyComment adds). `result` supplies the
 * time of the outcome, the message and the access expiry; `state` decides what is shown.
 *
 * GitHub refuses a longer comment outright, which would leave the approver with none, so a body
 * over `budget` (UTF-8 bytes, comment-size.ts) is shortened. The one part without a bound of its
 * own is the list of profiles (`roles` may name hundreds); every other part is cut to its own
 * length where it is rendered. So the title, the code, the link, the warning and who is asking
 * always stay, the profile list is cut to what fits, and the comment says so and where the whole
 * list is (the job log).
 */
export function renderComment(request: ApprovalRequest, state: CommentState, result?: RequestResult, budget = COMMENT_BODY_BUDGET): string {
  const profiles = request.profiles?.length ?? 0
  const whole = composeComment(request, state, result, profiles)
  if (commentSize(whole) <= budget) return whole
  // The most profiles that fit: the size grows with the count, so a binary search finds it.
  let fits = 0
  for (let low = 0, high = profiles - 1; low <= high;) {
    const middle = Math.floor((low + high) / 2)
    if (commentSize(composeComment(request, state, result, middle)) <= budget) {
      fits = middle
      low = middle + 1
    } else high = middle - 1
  }
  return composeComment(request, state, result, fits)
}

/** The body listing the first `shownProfiles` profiles; a shortened list is said to be one. */
function composeComment(request: ApprovalRequest, state: CommentState, result: RequestResult | undefined, shownProfiles: number): string {
  const sections = [`### ${TITLES[state]}`, ...(state === 'pending' ? pendingSections(request) : outcomeSections(request, state, result))]
  const shortened = shownProfiles < (request.profiles?.length ?? 0)
  sections.push(contextSection(request, shownProfiles))
  if (shortened) {
    sections.push("<sub>This comment was shortened to fit GitHub's limit on a comment's length; the job log has the whole request.</sub>")
  }
  sections.push('<sub>Posted by aws-sso-device-auth. This comment is updated in place as the request changes.</sub>')
  return `${sections.join('\n\n')}\n`
}

function pendingSections(request: ApprovalRequest): string[] {
  const step = verificationStep(request)
  const sections = [
    ...(request.refusal ? [`> 🛑 ${escapeText(refusalSentence(request.refusal), 1000)}`] : []),
    `A job in this pull request is waiting for someone with AWS access to approve its sign-in through IAM Identity Center.`,
    `**${link('Open the AWS verification page', step.link)}**${hostNote(step.link)}. ${escapeText(pageInstruction(step.form))} ${codeSpan(request.userCode, 64)}.`,
    `**Code:** ${codeSpan(request.userCode, 64)}`,
    ...noticeQuote(request),
    escapeText(regionHint(request.region), 1000)
  ]
  let timing = `The code expires at **${formatUtc(request.expiresAt)}**.`
  if (request.expiresAt.getTime() - request.deadline.getTime() >= 1000) {
    timing += ` The job stops waiting at **${formatUtc(request.deadline)}**.`
  }
  const renewal = renewalSentence(request)
  if (renewal) timing += ` ${escapeText(renewal)}`
  sections.push(timing)
  sections.push(...approvalSections(request))
  sections.push(
    [
      `> ⚠️ **Approve only if you started this run and expect it to use your AWS access.**`,
      `> Check that the code matches the one in the job log of ${link('this run', request.context.runUrl)}.`,
      `> Anyone can post a comment that looks like this one: approving someone else's code gives them your AWS access.`
    ].join('\n')
  )
  return sections
}

/** Several approvers: how many and who approved, and the other codes, each for another person. */
function approvalSections(request: ApprovalRequest): string[] {
  const sentence = approvalsSentence(request)
  if (!sentence) return []
  const codes = (request.otherCodes ?? []).map(
    (code) => `- ${link('Another approver', code.verificationUriComplete)}: code ${codeSpan(code.userCode, 64)}`
  )
  return [escapeText(sentence, 1000), ...(codes.length > 0 ? [codes.join('\n')] : [])]
}

function outcomeSections(request: ApprovalRequest, outcome: Outcome, result: RequestResult | undefined): string[] {
  const at = result?.at
  const when = (fallback?: Date): string => {
    const time = at ?? fallback
    return time ? ` at **${formatUtc(time)}**` : ''
  }
  // `message` is, by contract, one line saying what happened and what to do; without one, each
  // state has its own.
  const message = result?.message ? escapeText(result.message, 1000) : undefined
  const runLog = link('the job log', request.context.runUrl)

  switch (outcome) {
    case 'approved': {
      const until = result?.accessExpiresAt ? ` until **${formatUtc(result.accessExpiresAt)}**` : ''
      const by = approvedBySentence(result?.approvals)
      return [
        `${by ? escapeText(by, 1000) : `Approved${when()}.`} The job goes on with ${by ? "the first approver's" : "the approver's"} AWS access${until}.`,
        'The code and the verification link were removed from this comment; there is nothing left to do.'
      ]
    }
    case 'denied':
      return [
        `Denied${when()} at the AWS verification page. The job got no AWS access and failed.`,
        message ?? 'If that was a mistake, re-run the job to get a new code and approve it.'
      ]
    case 'expired':
      return [
        `The code expired${when(request.expiresAt)} before anyone approved it. The job got no AWS access.`,
        message ?? 'Re-run the job to get a new code, and approve it before it expires.'
      ]
    case 'timed-out':
      return [
        `The job stopped waiting${when(request.deadline)} before anyone approved it. The job got no AWS access.`,
        message ?? 'Re-run the job and approve sooner, or raise the `timeout` input.'
      ]
    case 'cancelled':
      return [
        `The run was cancelled${when()} while waiting for approval. The job got no AWS access.`,
        'The old code is no longer waited for: do not approve it.',
        message ?? 'Re-run the job to ask again.'
      ]
    case 'error':
      return [
        `The sign-in failed${when()}. The job got no AWS access.`,
        message ?? `See ${runLog} for what went wrong, then re-run the job.`
      ]
  }
}

function contextSection(request: ApprovalRequest, shownProfiles: number): string {
  const context: RunContext = request.context
  const lines = [
    '**Request**',
    `- Repository: ${codeSpan(context.repository)}`,
    `- Workflow: ${codeSpan(context.workflow)}, job ${codeSpan(context.job)}`,
    `- Run: ${link(runLabel(context), context.runUrl)}, started by ${codeSpan(context.actor, 64)} (event ${codeSpan(context.eventName, 64)})`,
    `- Ref: ${codeSpan(context.ref, 256)} at commit ${commitReference(context)}`,
    `- AWS access portal: ${codeSpan(request.startUrl, 300)} (region ${codeSpan(request.region, 64)})`
  ]
  if (request.accountId !== undefined || request.roleName !== undefined) {
    lines.push(`- AWS account and role: ${codeSpan(request.accountId ?? 'any', 64)} / ${codeSpan(request.roleName ?? 'any', 128)}`)
  }
  const profiles = request.profiles ?? []
  for (const { profile, accountId, roleName } of profiles.slice(0, shownProfiles)) {
    lines.push(`- AWS profile ${codeSpan(profile, 64)}: account and role ${codeSpan(accountId, 64)} / ${codeSpan(roleName, 128)}`)
  }
  const hidden = profiles.length - shownProfiles
  if (hidden > 0) {
    lines.push(
      `- **…and ${hidden} more AWS ${hidden === 1 ? 'profile' : 'profiles'}, not listed here** (too long for one comment): ${link('the job log', request.context.runUrl)} lists every role asked for. Check them there before approving.`
    )
  }
  lines.push(`- Client name on the AWS page: ${codeSpan(request.clientName, 128)}`)
  return lines.join('\n')
}

/** Right under the code: where the request goes when that is not AWS's own endpoints. */
function noticeQuote(request: ApprovalRequest): string[] {
  if (!request.endpointNotice) return []
  const { heading, details } = noticeText(request.endpointNotice)
  return [[`> 🛑 **${escapeText(heading)}**`, ...details.map((detail) => `> ${escapeText(detail)}`)].join('\n')]
}

/** " on `host`": lets the approver see where the link leads before following it. */
function hostNote(url: string): string {
  try {
    return ` on ${codeSpan(new URL(url).host, 253)}`
  } catch {
    return ''
  }
}

function runLabel(context: RunContext): string {
  const attempt = context.runAttempt && context.runAttempt !== '1' ? `, attempt ${escapeText(context.runAttempt, 10)}` : ''
  return `run ${escapeText(context.runId, 32)}${attempt}`
}

/** The short commit as a link to the commit, when the SHA and the server look like what they are. */
function commitReference(context: RunContext): string {
  const short = codeSpan(context.sha.slice(0, 7), 7)
  if (!/^[0-9a-f]{7,64}$/i.test(context.sha) || !/^[\w.-]+\/[\w.-]+$/.test(context.repository)) return short
  return link(short, `${context.serverUrl.replace(/\/+$/, '')}/${context.repository}/commit/${context.sha}`)
}
