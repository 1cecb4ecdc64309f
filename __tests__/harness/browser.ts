// A real browser for the approver's side: headless Chromium driven by playwright-core, the
// system's own binary (`apt-get install -y chromium`; .ci/run installs it). A missing browser is
// an error with the fix in it, never a skipped test: the browser test is what proves a person can
// approve from the PR comment.
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** The Chromium binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium'
}

// Headless, and quiet on the network: no update checks, sync or field trials leave loopback.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}: install it with \`apt-get install -y chromium\` (as .ci/run does), or set CHROMIUM_PATH.`
    )
  }
  return chromium.launch({ executablePath, args: ARGS })
}
