// What the reliability tests share: a gate (emulator behind a wire tap, a job, the bundled action
// as a step) set up and torn down in one call, a bounded pool to run table rows concurrently
// without starving two cores, and the checks every failing gate must pass (one error line, no
// secret anywhere).
import type { EmulatorOptions, Fault } from '../../emulator/server.js'
import { createJob, type ActionJob, type ActionRun, type EnvOverrides, type Inputs, type RunningAction } from '../harness/runner.js'
import { findSecretLeaks, type LeakScanOptions as HarnessScanOptions } from '../harness/secrets.js'
import { actionEntry, knownSecrets, requiredInputs, startSsoBackend, type SsoBackend } from '../harness/sso-backend.js'
import { openArchive } from '../cache/support.js'
import { startCacheService, type CacheProtocol, type FakeCacheService } from '../fakes/cache-service.js'
import { startGitHubApi, type FakeGitHubApi } from '../fakes/github-api.js'

export interface LeakScanOptions extends HarnessScanOptions {
  /** Secrets the tap cannot see (an encryption key given as an input), by label. */
  extraSecrets?: Record<string, string>
}

// The pull request a `github` world's runs belong to (pr-gate.ts, which needs jest, uses the same).
const PR_REPOSITORY = 'octo-org/deploy-service'
const PULL_REQUEST = 42

/** Polls every 0.2 s and approves at the first poll: a healthy gate ends in well under a second. */
export const FAST_APPROVAL: EmulatorOptions = { interval: 0.2, approveAfter: 0 }

/** The `timeout` input the fault tests run with: short, so a persistent fault ends quickly. */
export const FAULT_TIMEOUT_SECONDS = 6

export interface GateSpec {
  emulator?: EmulatorOptions
  /** Armed before the step starts. */
  faults?: Fault[]
  /** A fake Actions cache service speaking this protocol, given to the step as the runner would. */
  cache?: CacheProtocol
  /**
   * A run on a pull request, with the fake GitHub REST API as GITHUB_API_URL and its token as
   * `github-token`, and `notify: summary, pr-comment` unless the inputs say otherwise.
   */
  github?: boolean
  inputs?: Inputs
  /** The job's env on top of the endpoint overrides. */
  env?: EnvOverrides
  /** More of the job's env, once the services' addresses are known (e.g. endpoints behind a proxy). */
  envFor?: (world: World) => EnvOverrides
  debug?: boolean
  /** The harness kills the step after this long (a failed bound, reported as such). */
  killAfterMs?: number
}

/** The services a gate talks to, shared by the gates started in it (a warm-up, then the case). */
export interface World {
  backend: SsoBackend
  cache?: FakeCacheService
  github?: FakeGitHubApi
  /** Starts the action as a step of a new job, with the spec's inputs and env. */
  start(): Gate
}

export interface Gate {
  backend: SsoBackend
  cache?: FakeCacheService
  github?: FakeGitHubApi
  job: ActionJob
  step: RunningAction
  /** Epoch ms when the step was started. */
  startedAt: number
}

/**
 * Opens a world (emulator behind a wire tap, the cache fake if asked for), runs `use`, then kills
 * any step still running, closes the services and removes the jobs, whatever happened. Faults
 * in the spec are armed before `use` runs.
 */
export async function withWorld<T>(spec: GateSpec, use: (world: World) => Promise<T>): Promise<T> {
  const backend = await startSsoBackend({ ...FAST_APPROVAL, ...spec.emulator })
  const cache = spec.cache ? await startCacheService({ protocol: spec.cache }) : undefined
  const github = spec.github ? await startGitHubApi({ repository: PR_REPOSITORY }) : undefined
  for (const fault of spec.faults ?? []) backend.emulator.injectFault(fault)
  const services = { ...(cache ? { cache } : {}), ...(github ? { github } : {}) }
  const gates: Gate[] = []
  const world: World = {
    backend,
    ...services,
    start() {
      const job = createJob({
        env: { ...backend.env, ...cache?.env, ...spec.env, ...spec.envFor?.(world) },
        debug: spec.debug ?? false,
        ...(github
          ? {
              githubToken: github.token,
              event: { name: 'pull_request', number: PULL_REQUEST },
              context: { repository: PR_REPOSITORY, apiUrl: github.url }
            }
          : {})
      })
      const startedAt = Date.now()
      const inputs = { ...requiredInputs, ...(github ? { notify: 'summary, pr-comment' } : {}), ...spec.inputs }
      const step = job.start({ ...actionEntry(), inputs, timeoutMs: spec.killAfterMs ?? 60_000 })
      const gate: Gate = { backend, ...services, job, step, startedAt }
      gates.push(gate)
      return gate
    }
  }
  try {
    return await use(world)
  } finally {
    // A step still running (a failed test) must not outlive its services.
    for (const gate of gates) gate.step.signal('SIGKILL')
    await Promise.all(gates.map((gate) => gate.step.result.catch(() => undefined)))
    await backend.close()
    await cache?.close()
    await github?.close()
    for (const gate of gates) gate.job.dispose()
  }
}

/** One gate in a world of its own: the common case. */
export function withGate<T>(spec: GateSpec, use: (gate: Gate) => Promise<T>): Promise<T> {
  return withWorld(spec, (world) => use(world.start()))
}

/** A line of a V8 stack trace: `    at fn (file:1:2)` or `    at file:1:2`. */
const STACK_FRAME = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m

/** Whether a stack trace reached anywhere a user reads: stdout (debug lines included) or stderr. */
export function hasStackTrace(run: Pick<ActionRun, 'stdout' | 'stderr'>): boolean {
  return STACK_FRAME.test(run.stdout) || STACK_FRAME.test(run.stderr)
}

/**
 * Where any secret the tap saw (or the job's GitHub token) appears in what the step left behind,
 * PR comments and cache entries (unpacked) included, as `label as form in place` lines: empty
 * when nothing leaked.
 * The outputs and variables that carry a secret by design (masked) are not scanned.
 *
 * One exception, by design (README, "Who can read the cache"; SECURITY.md): an entry saved without
 * `cache-encryption-key` holds the OIDC client registration in plain JSON, client secret included.
 * That, and nothing else, is allowed in a plain entry; an encrypted entry may hold nothing at all.
 */
export function leaksIn(run: ActionRun, gate: Pick<Gate, 'backend' | 'job' | 'cache' | 'github'>, options: LeakScanOptions = {}): string[] {
  const { extraSecrets, ...scan } = options
  const secrets = { ...knownSecrets(gate.backend, gate.job), ...extraSecrets }
  const texts: Record<string, string> = { ...scan.texts }
  for (const comment of gate.github?.commentsOn(PULL_REQUEST) ?? []) texts[`PR comment ${comment.id}`] = comment.body
  for (const [index, entry] of (gate.cache?.entries ?? []).entries()) {
    texts[`${isPlainEntry(entry.key) ? PLAIN_ENTRY : 'cache entry'} ${index + 1}`] = unpacked(entry.archive)
  }
  return findSecretLeaks(run, secrets, { maskedOutputs: MASKED_OUTPUTS, exportedEnv: EXPORTED_SECRETS, ...scan, texts })
    .filter((leak) => !(leak.where.startsWith(`text '${PLAIN_ENTRY}`) && leak.secret.startsWith('clientSecret')))
    .map((leak) => `${leak.secret} as ${leak.form} in ${leak.where}`)
}

const PLAIN_ENTRY = 'plain cache entry'

/** Where the action hands secrets on by design, masked: these outputs and variables. */
const MASKED_OUTPUTS = ['access-token', 'aws-access-key-id', 'aws-secret-access-key', 'aws-session-token']
const EXPORTED_SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']

/** Keys say how the entry is stored: `…-plain-<digest>-<time>` or `…-aes-<digest>-<time>` (src/registration/key.ts). */
function isPlainEntry(key: string): boolean {
  return key.includes('-plain-')
}

/** An entry's archive as text: unpacked when it is one, as uploaded otherwise (an upload cut short). */
function unpacked(archive: Buffer): string {
  try {
    return openArchive(archive).toString('latin1')
  } catch {
    return archive.toString('latin1')
  }
}

/**
 * Runs `work` on every item with at most `limit` running at once; results in input order. Each
 * gate mostly waits (polls, hangs, backoff), so a few at a time fit on two cores.
 */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** How many gates run at once: RELIABILITY_CONCURRENCY, else 4 (each mostly waits). */
export function concurrency(fallback = 4): number {
  const configured = Number(process.env.RELIABILITY_CONCURRENCY)
  return Number.isInteger(configured) && configured > 0 ? configured : fallback
}

/** Waits until `condition` holds, checking every 20 ms; throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
