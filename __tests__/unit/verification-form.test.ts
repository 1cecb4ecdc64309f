// Every channel's instructions for each form of AWS's answer (notify/verification.ts): one link,
// the code to check, and no claim the link does not keep.
import { describe, expect, it } from '@jest/globals'
import { renderComment } from '../../src/notify/comment-body.js'
import { createLogNotifier, renderLogPrompt } from '../../src/notify/log.js'
import { renderPendingSummary } from '../../src/notify/summary.js'
import { verificationStep } from '../../src/notify/verification.js'
import { unapprovedMessage } from '../../src/failure.js'
import { approvalRequest, NOW } from './notify-fixtures.js'

const CURRENT = 'https://us-east-1.signin.aws/platform/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3AQkFTRTY0'
const LEGACY_PAGE = 'https://device.sso.us-east-1.amazonaws.com/'
const LEGACY_COMPLETE = `${LEGACY_PAGE}?user_code=WDJB-MJHT`

/** Today's answer: one opaque link, as both URIs; the page shows the code to confirm. */
const current = approvalRequest({ verificationUri: CURRENT, verificationUriComplete: CURRENT })
/** The older answer: a page to type the code on, and a link that fills it in. */
const legacy = approvalRequest({ verificationUri: LEGACY_PAGE, verificationUriComplete: LEGACY_COMPLETE })
/** The older page without a complete link (responses.ts then makes it the plain page). */
const bare = approvalRequest({ verificationUri: LEGACY_PAGE, verificationUriComplete: LEGACY_PAGE })

describe('verificationStep: the form is decided from the links AWS returned', () => {
  it.each([
    ['current (opaque request link)', current, 'confirm', CURRENT],
    ['legacy (complete link with the code)', legacy, 'prefilled', LEGACY_COMPLETE],
    ['legacy page without a complete link', bare, 'enter', LEGACY_PAGE],
    [
      'a complete link that is not the page but carries no code',
      approvalRequest({ verificationUri: LEGACY_PAGE, verificationUriComplete: CURRENT }),
      'confirm',
      CURRENT
    ],
    [
      'the code escaped, in lower case, in a fragment',
      approvalRequest({ verificationUriComplete: 'https://d-1.awsapps.com/start/#/device?user_code=wdjb%2Dmjht' }),
      'prefilled',
      'https://d-1.awsapps.com/start/#/device?user_code=wdjb%2Dmjht'
    ],
    [
      'a host that spells the code carries nothing',
      approvalRequest({ verificationUri: 'https://wdjb-mjht.example/', verificationUriComplete: 'https://wdjb-mjht.example/' }),
      'enter',
      'https://wdjb-mjht.example/'
    ],
    ['an empty complete link falls back to the page', approvalRequest({ verificationUriComplete: '' }), 'enter', LEGACY_PAGE]
  ])('%s', (_name, request, form, link) => {
    expect(verificationStep(request)).toEqual({ form, link })
  })
})

describe('the step log', () => {
  it('current form: one link, then "confirm only if it is" the code; no "fills in" claim', () => {
    const text = renderLogPrompt(current, NOW)
    expect(text).toContain(`  1. Open ${CURRENT}\n  2. The page asks you to confirm a code. Confirm only if it is:\n\n         WDJB-MJHT\n`)
    expect(text).not.toMatch(/fills in|Enter the code/)
    expect(text.split(CURRENT)).toHaveLength(2)
  })

  it('legacy form: the link that fills in the code, and the code to check', () => {
    const text = renderLogPrompt(legacy, NOW)
    expect(text).toContain(
      `  1. Open ${LEGACY_COMPLETE}\n  2. The link fills in the code. Check that the page shows:\n\n         WDJB-MJHT\n`
    )
    expect(text).not.toContain(`Open ${LEGACY_PAGE}\n`)
  })

  it('a bare page: enter the code', () => {
    expect(renderLogPrompt(bare, NOW)).toContain(`  1. Open ${LEGACY_PAGE}\n  2. Enter the code:\n`)
  })

  it.each([current, legacy, bare])('says what a wrong region looks like and what to check', (request) => {
    expect(renderLogPrompt(request, NOW)).toContain(
      `  If the AWS page shows an error (such as "invalid_grant") instead of the code, the request cannot be approved: the workflow's 'region' input (us-east-1) must be the home region of the IAM Identity Center instance. Tell whoever runs this workflow.`
    )
  })

  it.each([
    ['current', current, 'Scan to open the AWS page that asks you to confirm the code:', CURRENT],
    ['legacy', legacy, 'Scan to open the link that fills in the code:', LEGACY_COMPLETE],
    ['bare', bare, 'Scan to open the verification page:', LEGACY_PAGE]
  ])('%s form: the QR code opens the one link, and its caption says what it does', async (_name, request, caption, link) => {
    const written: string[] = []
    const asked: string[] = []
    const notifier = createLogNotifier({
      write: (text) => written.push(text),
      now: () => NOW,
      qr: async (text) => {
        asked.push(text)
        return '<qr>'
      }
    })
    await notifier.prompt(request)
    expect(written[1]).toBe(`${caption}\n<qr>`)
    expect(asked).toEqual([link])
  })
})

describe('the job summary (phase: start)', () => {
  it('current form: the link, "confirm only if it is" the code, and the region hint', () => {
    const html = renderPendingSummary(current)
    expect(html).toContain(
      `<p><strong><a href="${CURRENT}">Open the AWS verification page</a></strong>. The page asks you to confirm a code: confirm only if it is <code>WDJB-MJHT</code>.</p>`
    )
    expect(html).toContain('<p>If the AWS page shows an error (such as &quot;invalid_grant&quot;) instead of the code')
    expect(html).not.toContain('fills in')
  })

  it('legacy form: the link that fills in the code, and only that link', () => {
    const html = renderPendingSummary(legacy)
    expect(html).toContain(
      `<p><strong><a href="${LEGACY_COMPLETE}">Open the AWS verification page</a></strong>. The link fills in the code: before you approve, check that the page shows <code>WDJB-MJHT</code>.</p>`
    )
    expect(html).not.toContain(`href="${LEGACY_PAGE}"`)
  })
})

describe('the PR comment', () => {
  it('current form: one link, the code to confirm, the region hint; no "enter it at"', () => {
    const body = renderComment(current, 'pending')
    expect(body).toContain(
      `**[Open the AWS verification page](${CURRENT})** on \`us-east-1.signin.aws\`. The page asks you to confirm a code\\: confirm only if it is \`WDJB-MJHT\`.`
    )
    expect(body).not.toMatch(/enter it at|fills in/)
    expect(body).toContain('If the AWS page shows an error \\(such as "invalid\\_grant"\\) instead of the code')
    expect(body).toContain("the workflow's 'region' input \\(us\\-east\\-1\\) must be the home region")
    expect(body.split(`](${CURRENT})`)).toHaveLength(2)
  })

  it('legacy form: the link that fills in the code, and the code to check', () => {
    const body = renderComment(legacy, 'pending')
    expect(body).toContain(
      `**[Open the AWS verification page](${LEGACY_COMPLETE})** on \`device.sso.us-east-1.amazonaws.com\`. The link fills in the code\\: before you approve, check that the page shows \`WDJB-MJHT\`.`
    )
    expect(body).not.toContain(`](${LEGACY_PAGE})`)
  })

  it('a bare page: enter the code', () => {
    expect(renderComment(bare, 'pending')).toContain('The page asks for a code\\: enter `WDJB-MJHT`.')
  })
})

describe('the failure line of an unapproved end', () => {
  it.each(['expired', 'timed-out'] as const)('%s: says what to check when the approver saw an error instead of the code', (outcome) => {
    expect(unapprovedMessage(outcome, { userCode: 'WDJB-MJHT', region: 'eu-west-1', timeoutSeconds: 90 })).toMatch(
      / If the approver saw an error on the AWS page instead of the code, check that input 'region' \(eu-west-1\) is the home region of your IAM Identity Center instance\.$/
    )
  })

  it('a denial blames no region: the approver answered', () => {
    expect(unapprovedMessage('denied', { region: 'eu-west-1' })).not.toContain('region')
  })
})
