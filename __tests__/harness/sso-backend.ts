// What every end-to-end test of the action needs around the runner harness: the emulator with a
// wire tap in front (so the test knows every secret the action handled), the environment that
// points the action at them, the prompt read from the live log, and the secrets to scan for.
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRequire } from 'node:module'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js'
import { repositoryRoot, type ActionJob, type ActionRun, type RunningAction, type StepOptions } from './runner.js'
import { startWireTap, type WireTap } from './wire-tap.js'

export interface SsoBackend {
  emulator: Emulator
  /** Sits between the action and the emulator; records the secrets that cross. */
  tap: WireTap
  /** The step environment that points the action at the tap (as a user points it at a real endpoint). */
  env: { AWS_ENDPOINT_URL_SSO_OIDC: string; AWS_ENDPOINT_URL_SSO: string; AWS_ENDPOINT_URL_STS: string }
  close(): Promise<void>
}

/** Starts an emulator (fast settings welcome: `interval: 0.5`) with a wire tap in front. */
export async function startSsoBackend(options: EmulatorOptions = {}): Promise<SsoBackend> {
  const emulator = await startEmulator(options)
  const tap = await startWireTap(emulator.endpoint)
  return {
    emulator,
    tap,
    // STS too (GetCallerIdentity, the approver's identity): the emulator serves it on its origin.
    env: { AWS_ENDPOINT_URL_SSO_OIDC: tap.endpoint, AWS_ENDPOINT_URL_SSO: tap.endpoint, AWS_ENDPOINT_URL_STS: tap.endpoint },
    async close() {
      await tap.close()
      await emulator.close()
    }
  }
}

/** Inputs every run needs; a realistic portal URL (the emulator accepts any). */
export const requiredInputs = { 'start-url': 'https://d-1234567890.awsapps.com/start', region: 'us-east-1' } as const

/**
 * How to run the action: `dist/index.js` from action.yml, as the runner does. With
 * E2E_FROM_SOURCE=1 the sources run through tsx instead, to iterate without re-bundling
 * (CI runs the bundle, and checks it matches the sources).
 */
export function actionEntry(): Pick<StepOptions, 'entry' | 'execArgv'> {
  return entryFor('main', 'index.ts')
}

/** The post step (runs.post, or src/post.ts with E2E_FROM_SOURCE=1); pass `mainStep` with it. */
export function postEntry(): Pick<StepOptions, 'entry' | 'execArgv'> {
  return entryFor('post', 'post.ts')
}

function entryFor(entry: 'main' | 'post', source: string): Pick<StepOptions, 'entry' | 'execArgv'> {
  if (process.env.E2E_FROM_SOURCE !== '1') return { entry }
  const tsxLoader = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx')), 'loader.mjs')).href
  return { entry: join(repositoryRoot, 'src', source), execArgv: ['--import', tsxLoader] }
}

export interface Prompt {
  userCode: string
  verificationUriComplete: string
  /** When the harness saw it (epoch ms). */
  seenAt: number
}

/**
 * Waits until the log's prompt shows a verification link of `emulator` and returns it with the
 * code on its own line below it. Either form the emulator answers in: today's
 * `<endpoint>/platform/authorize?request_uri=…` (the page asks to confirm the code) or the legacy
 * `<endpoint>/device?user_code=<code>`.
 */
export async function waitForPrompt(step: RunningAction, emulator: Emulator, timeoutMs?: number): Promise<Prompt> {
  const escaped = emulator.endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const prompt = new RegExp(`^ {2}1\\. Open (${escaped}/\\S+)\\n.*\\n\\n {9}([A-Z0-9-]+)$`, 'm')
  const match = await step.waitForStdout(prompt, timeoutMs === undefined ? {} : { timeoutMs })
  return { userCode: match[2]!, verificationUriComplete: match[1]!, seenAt: Date.now() }
}

/** Approves the code as soon as the step's prompt shows it, as an approver at the page would, and waits for the step to end. */
export async function approveWhenPrompted(step: RunningAction, emulator: Emulator): Promise<ActionRun> {
  const { userCode } = await waitForPrompt(step, emulator)
  emulator.approve(userCode)
  return step.result
}

/** Every secret the action handled (from the tap) plus the job's GitHub token, for the leak scan. */
export function knownSecrets(backend: SsoBackend, job: ActionJob): Record<string, string> {
  return { ...backend.tap.secrets(), githubToken: job.githubToken }
}

/**
 * The warning annotation of every step that shows a prompt against the emulator: the harness
 * points the action at it through AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO, which is
 * exactly what the action warns the approver about (src/notify/endpoint-notice.ts).
 */
export const ENDPOINT_WARNING = /^This request does not go to AWS's own endpoints\. /

/** A run's warnings but the endpoint notice, for tests about other warnings. */
export function otherWarnings(run: { warnings: string[] }): string[] {
  return run.warnings.filter((warning) => !ENDPOINT_WARNING.test(warning))
}
