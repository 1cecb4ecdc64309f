// `npm run demo [-- --manual | --deny | --timeout D]`: the whole life of the gate on one machine,
// without AWS or GitHub. Starts the local IAM Identity Center emulator, runs the bundled action
// (dist/index.js) exactly as the GitHub runner would (the test harness's runner), streams its log
// as github.com shows it, approves at the verification page after 3 s (or denies with --deny, or
// lets nobody answer with --timeout, or waits for you with --manual), then runs the post step
// (dist/post/index.js) as the runner does at the end of the job: it revokes the token and removes
// the AWS profile the main step wrote. Prints the outcome, the outputs (secrets shortened) and what
// the post step left, and exits with the main step's exit code: 0 when approved.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../emulator/server.js'
import { LogView } from '../__tests__/harness/log-view.js'
import { createJob, readActionYml, repositoryRoot, type ActionJob, type ActionRun } from '../__tests__/harness/runner.js'
import { actionEntry, postEntry, requiredInputs, waitForPrompt } from '../__tests__/harness/sso-backend.js'

const AUTO_DECIDE_AFTER_MS = 3_000
/** Polls every second: quick enough to see the approval land, slow enough to read the log. */
const DEMO_INTERVAL_SECONDS = 1
const CODE_LIFETIME_SECONDS = 600

/** The role the demo asks for: in the emulator's default directory, as in the README's examples. */
const DEMO_ACCESS = { 'account-id': '111122223333', 'role-name': 'Deployer', profile: 'demo' } as const

const usage = `Usage: npm run demo [-- --manual | --deny | --timeout D]

Runs the bundled action against a local IAM Identity Center emulator, as the GitHub runner would,
then its post step (revocation and cleanup), as the runner does at the end of the job.
  (default)     approves the request at the verification page after 3 seconds
  --deny        denies it there after 3 seconds instead
  --timeout D   sets the action's timeout input (e.g. 10s, 2m) and answers nothing: the step times out
  --manual      waits for you to open the printed URL in a browser and approve (or deny) it
The demo exits with the main step's exit code: 0 when approved.`

type Decision = 'approve' | 'deny' | 'none' | 'manual'

interface DemoOptions {
  decision: Decision
  /** The action's `timeout` input, as given. */
  timeout?: string
}

function parseArguments(argv: string[]): DemoOptions {
  const fail = (message: string): never => {
    console.error(`demo: ${message}\n\n${usage}`)
    process.exit(2)
  }
  const decisions: Decision[] = []
  let timeout: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!
    if (argument === '--manual') decisions.push('manual')
    else if (argument === '--deny') decisions.push('deny')
    else if (argument === '--timeout' || argument.startsWith('--timeout=')) {
      timeout = argument.startsWith('--timeout=') ? argument.slice('--timeout='.length) : argv[++i]
      // The action checks the value itself; the demo only needs one.
      if (!timeout) fail('--timeout needs a duration, e.g. --timeout 10s')
    } else if (argument === '--help' || argument === '-h') {
      console.log(usage)
      process.exit(0)
    } else fail(`unknown argument '${argument}'`)
  }
  if (decisions.length > 1) fail('--manual and --deny exclude each other')
  const decision = decisions[0] ?? (timeout === undefined ? 'approve' : 'none')
  return { decision, ...(timeout === undefined ? {} : { timeout }) }
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

/** Decides as a person would: the form post behind the page's Approve or Deny button. */
async function decideAtPage(endpoint: string, userCode: string, decision: 'approve' | 'deny'): Promise<void> {
  const response = await fetch(`${endpoint}/device/${decision}`, {
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
  const options = parseArguments(process.argv.slice(2))
  const manual = options.decision === 'manual'
  const fromSource = process.env.E2E_FROM_SOURCE === '1'
  if (!fromSource) ensureBundle()

  const emulator = await startEmulator({ interval: DEMO_INTERVAL_SECONDS, expiresIn: CODE_LIFETIME_SECONDS })
  const job = createJob({
    env: { AWS_ENDPOINT_URL_SSO_OIDC: emulator.endpoint, AWS_ENDPOINT_URL_SSO: emulator.endpoint, AWS_ENDPOINT_URL_STS: emulator.endpoint }
  })
  say(`Local IAM Identity Center emulator listening at ${emulator.endpoint}`)

  const entry = fromSource ? 'src/index.ts (E2E_FROM_SOURCE=1)' : 'dist/index.js'
  const inputs = { ...requiredInputs, ...DEMO_ACCESS, ...(options.timeout === undefined ? {} : { timeout: options.timeout }) }
  say(`Running ${entry} as the GitHub runner would, for ${job.context.repository} (step log below):`)
  const log = new LogView({ write: (line) => process.stdout.write(`  │ ${line}\n`) })
  const step = job.start({
    // dist/index.js from action.yml; E2E_FROM_SOURCE=1 runs src/ through tsx, as the e2e tests do.
    ...actionEntry(),
    inputs,
    onStdout: (text) => log.push(text),
    onStderr: (text) => {
      process.stderr.write(text)
    },
    // The action stops by itself at the code's expiry or its timeout; the harness's limit is only a backstop.
    timeoutMs: (manual || options.timeout !== undefined ? CODE_LIFETIME_SECONDS + 60 : 60) * 1000
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

  let decision: NodeJS.Timeout | undefined
  waitForPrompt(step, emulator).then(
    (prompt) => {
      if (options.decision === 'manual') {
        say(`Open ${prompt.verificationUriComplete} in a browser on this machine, and approve or deny.`)
        say(`Waiting until the code expires (${CODE_LIFETIME_SECONDS / 60} minutes); Ctrl+C cancels.`)
        return
      }
      if (options.decision === 'none') {
        say(`Nobody answers code ${prompt.userCode}: the step gives up at its timeout (${options.timeout}).`)
        return
      }
      const act = options.decision
      const [verb, done] = act === 'approve' ? ['Approving', 'Approved'] : ['Denying', 'Denied']
      say(`${verb} code ${prompt.userCode} at the verification page in ${AUTO_DECIDE_AFTER_MS / 1000} s, as a person would…`)
      decision = setTimeout(() => {
        decideAtPage(emulator.endpoint, prompt.userCode, act).then(
          () => say(`${done} ${prompt.userCode} as demo-approver.`),
          (error: unknown) => say(`Could not ${act}: ${error instanceof Error ? error.message : String(error)}`)
        )
      }, AUTO_DECIDE_AFTER_MS)
    },
    () => say('The action ended without showing a prompt (is dist/ current? `npm run bundle` rebuilds it).')
  )

  let exitCode = 1
  try {
    const run = await step.result
    log.end()
    printResult(run)
    exitCode = run.code === 0 ? 0 : 1
    await runPostStep(job, run, emulator)
  } catch (error) {
    log.end()
    say(`The step did not finish: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    clearTimeout(decision)
    await emulator.close()
    job.dispose()
  }
  process.exit(exitCode)
}

/** The post step, as the runner runs it when the job ends: then what it left behind. */
async function runPostStep(job: ActionJob, main: ActionRun, emulator: Emulator): Promise<void> {
  const configFile = join(job.home, '.aws', 'config')
  const wroteConfig = existsSync(configFile)
  say(
    `The job's last step is done: the runner runs the post step (${process.env.E2E_FROM_SOURCE === '1' ? 'src/post.ts' : 'dist/post/index.js'}):`
  )
  let lines = 0
  const log = new LogView({
    masks: job.masks,
    write: (line) => {
      lines++
      process.stdout.write(`  │ ${line}\n`)
    }
  })
  const post = await job.run({
    ...postEntry(),
    mainStep: main,
    onStdout: (text) => log.push(text),
    onStderr: (text) => {
      process.stderr.write(text)
    },
    timeoutMs: 60_000
  })
  log.end()
  if (lines === 0) say('The post step had nothing to do: no token was issued and no file written.')
  say(`Post step: exit code ${post.code ?? `signal ${post.signal}`}, ${post.warnings.length} warning(s)`)
  const token = main.outputs['access-token']
  if (token) say(`The approver's token ${emulator.isAccessTokenValid(token) ? 'STILL WORKS' : 'is revoked: the emulator refuses it'}.`)
  if (wroteConfig) say(`The AWS profile the main step wrote (${configFile}) is ${existsSync(configFile) ? 'STILL THERE' : 'removed'}.`)
}

await main()
