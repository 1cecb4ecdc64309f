// What the reliability tests share: a gate (emulator behind a wire tap, a job, the bundled action
// as a step) set up and torn down in one call, a bounded pool to run table rows concurrently
// without starving two cores, and the checks every failing gate must pass (one error line, no
// secret anywhere).
import type { EmulatorOptions, Fault } from '../../emulator/server.js'
import { createJob, type ActionJob, type ActionRun, type EnvOverrides, type Inputs, type RunningAction } from '../harness/runner.js'
import { findSecretLeaks, type LeakScanOptions as HarnessScanOptions } from '../harness/secrets.js'
import { actionEntry, knownSecrets, requiredInputs, startSsoBackend, type SsoBackend } from '../harness/sso-backend.js'

export interface LeakScanOptions extends HarnessScanOptions {
  /** Secrets the tap cannot see (an encryption key given as an input), by label. */
  extraSecrets?: Record<string, string>
}

/** Polls every 0.2 s and approves at the first poll: a healthy gate ends in well under a second. */
export const FAST_APPROVAL: EmulatorOptions = { interval: 0.2, approveAfter: 0 }

/** The `timeout` input the fault tests run with: short, so a persistent fault ends quickly. */
export const FAULT_TIMEOUT_SECONDS = 6

export interface GateSpec {
  emulator?: EmulatorOptions
  /** Armed before the step starts. */
  faults?: Fault[]
  inputs?: Inputs
  /** The job's env on top of the endpoint overrides. */
  env?: EnvOverrides
  /** More of the job's env, once the backend's addresses are known (e.g. endpoints behind a proxy). */
  envFor?: (backend: SsoBackend) => EnvOverrides
  debug?: boolean
  /** The harness kills the step after this long (a failed bound, reported as such). */
  killAfterMs?: number
}

export interface Gate {
  backend: SsoBackend
  job: ActionJob
  step: RunningAction
  /** Epoch ms when the step was started. */
  startedAt: number
}

/** Starts an emulator with a wire tap, arms the faults and starts the action as a step. */
export async function startGate(spec: GateSpec = {}): Promise<Gate> {
  const backend = await startSsoBackend({ ...FAST_APPROVAL, ...spec.emulator })
  for (const fault of spec.faults ?? []) backend.emulator.injectFault(fault)
  const job = createJob({ env: { ...backend.env, ...spec.env, ...spec.envFor?.(backend) }, debug: spec.debug ?? false })
  const startedAt = Date.now()
  const step = job.start({
    ...actionEntry(),
    inputs: { ...requiredInputs, ...spec.inputs },
    timeoutMs: spec.killAfterMs ?? 60_000
  })
  return { backend, job, step, startedAt }
}

/** Runs `use` on a started gate, then closes the emulator and removes the job, whatever happened. */
export async function withGate<T>(spec: GateSpec, use: (gate: Gate) => Promise<T>): Promise<T> {
  const gate = await startGate(spec)
  try {
    return await use(gate)
  } finally {
    // A step still running (a failed test) must not outlive its emulator.
    gate.step.signal('SIGKILL')
    await gate.step.result.catch(() => undefined)
    await gate.backend.close()
    gate.job.dispose()
  }
}

/** A line of a V8 stack trace: `    at fn (file:1:2)` or `    at file:1:2`. */
const STACK_FRAME = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m

/** Whether a stack trace reached anywhere a user reads: stdout (debug lines included) or stderr. */
export function hasStackTrace(run: Pick<ActionRun, 'stdout' | 'stderr'>): boolean {
  return STACK_FRAME.test(run.stdout) || STACK_FRAME.test(run.stderr)
}

/**
 * Where any secret the tap saw (or the job's GitHub token) appears in what the step left behind,
 * as `label as form in place` lines: empty when nothing leaked. Masked outputs are not scanned.
 */
export function leaksIn(run: ActionRun, gate: Pick<Gate, 'backend' | 'job'>, options: LeakScanOptions = {}): string[] {
  const secrets = { ...knownSecrets(gate.backend, gate.job), ...options.extraSecrets }
  return findSecretLeaks(run, secrets, { maskedOutputs: ['access-token'], ...options }).map((leak) => `${leak.secret} as ${leak.form} in ${leak.where}`)
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
