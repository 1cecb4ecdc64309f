// `npm run screenshots`: the emulator's verification page as an approver sees it, photographed by
// headless Chromium (the browser the tests use) into docs/: the confirm page today's link opens,
// the enter-code page, and the result of Approve and of Deny. The README shows them. Needs Chromium
// (`apt-get install -y chromium`, or CHROMIUM_PATH).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { startEmulator } from '../emulator/server.js'
import { launchChromium } from '../__tests__/harness/browser.js'
import { repositoryRoot } from '../__tests__/harness/runner.js'
import { registerAndStart } from '../__tests__/emulator/requests.js'

const DOCS = join(repositoryRoot, 'docs')
const REQUEST = { clientName: 'GitHub Actions octo-org/app', startUrl: 'https://d-1234567890.awsapps.com/start' }
/** A phone-sized page too would crop the confirm page's buttons; this is a laptop window. */
const VIEWPORT = { width: 760, height: 640 }

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(DOCS, name)
  await page.screenshot({ path, fullPage: true })
  console.log(`wrote ${path}`)
}

const emulator = await startEmulator()
const browser = await launchChromium()
try {
  mkdirSync(DOCS, { recursive: true })
  const page = await browser.newPage({ viewport: VIEWPORT })

  // Approve: from the link, as AWS answers today (the page shows the request's code to confirm),
  // and as the PR comment and the log give it.
  const toApprove = await registerAndStart(emulator.endpoint, REQUEST)
  await page.goto(toApprove.verificationUriComplete)
  await page.getByRole('button', { name: 'Approve' }).waitFor()
  await shoot(page, 'emulator-confirm.png')
  await page.getByRole('button', { name: 'Approve' }).click()
  await page.getByRole('status').waitFor()
  await shoot(page, 'emulator-approved.png')

  // Deny: typed by hand on the bare page (/device), where the older form's link fills the code in.
  const toDeny = await registerAndStart(emulator.endpoint, REQUEST)
  await page.goto(`${emulator.endpoint}/device`)
  await page.getByLabel('Code').fill(toDeny.userCode)
  await shoot(page, 'emulator-enter-code.png')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByRole('button', { name: 'Deny' }).click()
  await page.getByRole('status').waitFor()
  await shoot(page, 'emulator-denied.png')
} finally {
  await browser.close()
  await emulator.close()
}
