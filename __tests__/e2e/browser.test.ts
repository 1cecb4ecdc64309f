// The approver's side in a real browser (issue 4, item 6): headless Chromium opens the
// verification-uri-complete taken from the PR comment's body, as a person clicking it would, sees
// the emulator's confirm page (today's AWS form: the link names the request, the page asks to
// confirm the code) with the code the comment showed, clicks Approve, and the bundled
// action ends approved, its comment edited to say so.
import { afterEach, describe, expect, it } from '@jest/globals'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../harness/browser.js'
import { prGatePerTest } from '../harness/pr-gate.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'

const prGate = prGatePerTest()
let browser: Browser | undefined
afterEach(async () => {
  await browser?.close()
  browser = undefined
})

describe('an approver in a browser', () => {
  it('opens the link in the PR comment, clicks Approve, and the job goes on approved', async () => {
    const pr = await prGate({ emulator: { interval: 1 } })
    browser = await launchChromium()
    const step = pr.start()
    const pending = await pr.waitForComment((comment) => comment.body.includes('### 🔐 AWS sign-in waiting for approval'))
    // The link as the comment renders it: [Open the AWS verification page](<url>).
    const link = /\[Open the AWS verification page\]\(([^)\s]+)\)/.exec(pending.body)?.[1]
    const shownCode = /\*\*Code:\*\* `([A-Z0-9-]+)`/.exec(pending.body)?.[1]
    // Today's form, the emulator's default: one opaque link naming the request, not the code.
    expect(link).toMatch(new RegExp(`^${pr.backend.emulator.endpoint.replace(/[.]/g, '\\.')}/platform/authorize\\?request_uri=[\\w%.-]+$`))
    expect(link).not.toContain(shownCode)
    expect(pending.body).toContain(`The page asks you to confirm a code\\: confirm only if it is \`${shownCode}\`.`)

    const page = await browser.newPage()
    const response = await page.goto(link!)
    expect(response?.status()).toBe(200)
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Authorize request')
    // The page shows the code the comment showed, and the client name the approver must check.
    await expect(page.locator('code.code').textContent()).resolves.toBe(shownCode)
    await expect(page.getByText('Confirm that this code matches the one the application shows.').isVisible()).resolves.toBe(true)
    await expect(page.getByText(`GitHub Actions ${pr.job.context.repository}`).first().isVisible()).resolves.toBe(true)
    await page.getByRole('button', { name: 'Approve' }).click()
    await expect(page.getByRole('status').textContent()).resolves.toContain('You approved the request')

    const run = await step.result
    expect(run.code).toBe(0)
    expect(run.outputs.outcome).toBe('approved')
    expect(pr.backend.emulator.isAccessTokenValid(run.outputs['access-token']!)).toBe(true)
    expect(pr.comments()).toHaveLength(1)
    expect(pr.comments()[0]!.body).toContain('### ✅ AWS sign-in approved')
    expectNoSecretLeaks(run, pr.secrets(), { maskedOutputs: ['access-token'], texts: pr.commentTexts() })
  })
})
