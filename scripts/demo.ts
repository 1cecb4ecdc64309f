// `npm run demo [-- --manual]`: the whole gate on one machine, without AWS or GitHub. Starts the
// local IAM Identity Center emulator, runs the bundled action (dist/index.js) exactly as the
// GitHub runner would (the test harness's runner), streams its log as github.com shows it, then
// approves at the verification page after 3 s, or, with --manual, waits for you to approve in a
// browser at the printed URL. Prints the outcome and the outputs (secrets shortened) and exits:
// 0 when approved.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator } from '../emulator/server.js'
import { LogView } from '../__tests__/harness/log-view.js'
import { createJob, readActionYml, repositoryRoot, type ActionRun } from '../__tests__/harness/runner.js'
import { actionEntry, requiredInputs, waitForPrompt } from '../__tests__/harness/sso-backend.js'

const AUTO_APPROVE_AFTER_MS = 3_000
/** Polls every second: quick enough to see the approval land, slow enough to read the log. */
const DEMO_INTERVAL_SECONDS = 1
const CODE_LIFETIME_SECONDS = 600

const usage = `Usage: npm run demo [-- --manual]

Runs the bundled action against a local IAM Identity Center emulator, as the GitHub runner would.
  (default)  approves the request at the verification page after 3 seconds
  --manual   waits for you to open the printed URL in a browser and approve (or deny) it`

function parseArguments(argv: string[]): { manual: boolean } {
  let manual = false
  for (const argument of argv) {
    if (argument === '--manual') manual = true
    else if (argument === '--help' || argument === '-h') {
      console.log(usage)
      process.exit(0)
    } else {
      console.error(`demo: unknown argument '${argument}'\n\n${usage}`)
      process.exit(2)
    }
  }
  return { manual }
}

const say = (text: string): void => {
  process.stdout.write(`» ${text}\n`)
}

/** dist/ is committed, so only a broken checkout lacks it; build it rather than fail. */
function ensureBundle(): void {
  if (existsSync(join(repositoryRoot, 'dist', 'index.js'))) return
  say('dist/index.js is missing: building it with `npm run bundle`…')
  // Under `npm run`, npm_execpath is npm's own CLI script: run it with this Node.
  const npmCli = process.env.npm_execpath
  const [command, args] =
    npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli, 'run', '-s', 'bundle']] : ['npm', ['run', '-s', 'bundle']]
  const build = spawnSync(command, args, { cwd: repositoryRoot, stdio: 'inherit' })
  if (build.status !== 0) {
    console.error('demo: `npm run bundle` failed; see above.')
    process.exit(1)
  }
}

/** Approves as a person would: the form post behind the page's Approve button. */
async function approveAtPage(endpoint: string, userCode: string): Promise<void> {
  const response = await fetch(`${endpoint}/device/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user_code: userCode, user: 'demo-approver' }).toString()
  })
  await response.arrayBuffer()
  if (!response.ok) throw new Error(`the verification page answered ${response.status}`)
}

/** A masked value shown as its first characters: enough to tell it is there, useless to anyone. */
function shorten(value: string): string {
  return `${value.slice(0, 4)}… (${value.length} chars, masked)`
}

function printResult(run: ActionRun): void {
  const seconds = (run.durationMs / 1000).toFixed(1)
  const outcome = run.outputs.outcome ?? '(none)'
  say(`Outcome: ${outcome} (exit code ${run.code ?? `signal ${run.signal}`}, ${seconds} s)`)
  const declared = Object.keys(readActionYml().outputs)
  const names = [...declared.filter((name) => name in run.outputs), ...Object.keys(run.outputs).filter((name) => !declared.includes(name))]
  const width = Math.max(0, ...names.map((name) => name.length))
  say('Outputs:')
  for (const name of names) {
    const value = run.outputs[name]
    const secret = run.masks.some((mask) => value.includes(mask))
    process.stdout.write(`    ${name.padEnd(width)}  ${secret ? shorten(value) : value}\n`)
  }
  const heading = run.summary
    .split('\n')[0]
    ?.replace(/<[^>]+>/g, '')
    .trim()
  if (heading) say(`Job summary (uploaded by the runner when the step ends): ${heading}`)
}

async function main(): Promise<void> {
  const { manual } = parseArguments(process.argv.slice(2))
  const fromSource = process.env.E2E_FROM_SOURCE === '1'
  if (!fromSource) ensureBundle()

  const emulator = await startEmulator({ interval: DEMO_INTERVAL_SECONDS, expiresIn: CODE_LIFETIME_SECONDS })
  const job = createJob({ env: { AWS_ENDPOINT_URL_SSO_OIDC: emulator.endpoint, AWS_ENDPOINT_URL_SSO: emulator.endpoint } })
  say(`Local IAM Identity Center emulator listening at ${emulator.endpoint}`)

  const entry = fromSource ? 'src/index.ts (E2E_FROM_SOURCE=1)' : 'dist/index.js'
  say(`Running ${entry} as the GitHub runner would, for ${job.context.repository} (step log below):`)
  const log = new LogView({ write: (line) => process.stdout.write(`  │ ${line}\n`) })
  const step = job.start({
    // dist/index.js from action.yml; E2E_FROM_SOURCE=1 runs src/ through tsx, as the e2e tests do.
    ...actionEntry(),
    inputs: requiredInputs,
    onStdout: (text) => log.push(text),
    onStderr: (text) => {
      process.stderr.write(text)
    },
    // The action stops by itself at the code's expiry; the harness's limit is only a backstop.
    timeoutMs: (manual ? CODE_LIFETIME_SECONDS + 60 : 60) * 1000
  })

  // The step runs in its own process group, so Ctrl+C reaches only the demo: cancel the step the
  // way the runner cancels one (SIGINT first), and let a second Ctrl+C end everything at once.
  let cancelling = false
  process.on('SIGINT', () => {
    if (cancelling) process.exit(130)
    cancelling = true
    say('Ctrl+C: cancelling the step as the runner would (SIGINT)…')
    void step.cancel()
  })

  let approval: NodeJS.Timeout | undefined
  waitForPrompt(step, emulator).then(
    (prompt) => {
      if (manual) {
        say(`Open ${prompt.verificationUriComplete} in a browser on this machine, and approve or deny.`)
        say(`Waiting until the code expires (${CODE_LIFETIME_SECONDS / 60} minutes); Ctrl+C cancels.`)
        return
      }
      say(`Approving code ${prompt.userCode} at the verification page in ${AUTO_APPROVE_AFTER_MS / 1000} s, as a person would…`)
      approval = setTimeout(() => {
        approveAtPage(emulator.endpoint, prompt.userCode).then(
          () => say(`Approved ${prompt.userCode} as demo-approver.`),
          (error: unknown) => say(`Could not approve: ${error instanceof Error ? error.message : String(error)}`)
        )
      }, AUTO_APPROVE_AFTER_MS)
    },
    () => say('The action ended without showing a prompt (is dist/ current? `npm run bundle` rebuilds it).')
  )

  let exitCode = 1
  try {
    const run = await step.result
    log.end()
    printResult(run)
    exitCode = run.code === 0 ? 0 : 1
  } catch (error) {
    log.end()
    say(`The step did not finish: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    clearTimeout(approval)
    await emulator.close()
    job.dispose()
  }
  process.exit(exitCode)
}

await main()
