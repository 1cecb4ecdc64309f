// Load (issue 6, item 7): many gates against one emulator, as a monorepo's matrix of deploy jobs
// would hit one IAM Identity Center. Two measurements, each returning its figures so the test can
// assert on them and scripts/bench-reliability.ts can report them:
// - `runConcurrentGates(n)`: n bundled actions (separate processes) at once, each must end
//   approved with a token of its own;
// - `runConcurrentPollers(n)`: n device flows polling at once in this process (the OIDC client
//   and poll loop of src/), each must end approved without a single error answer.
import { Agent } from 'undici'
import type { EmulatorOptions } from '../../emulator/server.js'
import { SsoOidcClient } from '../../src/oidc/client.js'
import { pollForToken } from '../../src/poll.js'
import { startEmulator } from '../../emulator/server.js'
import { createJob } from '../harness/runner.js'
import { actionEntry, requiredInputs, startSsoBackend } from '../harness/sso-backend.js'
import { leaksIn } from './support.js'

/** Approve each request a second after it starts; poll every half second. */
const LOAD_EMULATOR: EmulatorOptions = { interval: 0.5, approveAfter: 1 }

export interface GateLoadFigures {
  gates: number
  approved: number
  /** Distinct access tokens among the approved gates. */
  distinctTokens: number
  /** Tokens the emulator still accepts. */
  validTokens: number
  /** From the first start to the last exit. */
  wallMs: number
  /** Per process, start to exit. */
  p50Ms: number
  p95Ms: number
  maxMs: number
  /** AWS requests the emulator answered, and those that were errors other than authorization_pending. */
  requests: number
  unexpectedAnswers: number
  leaks: string[]
  /** The first failures, for a report. */
  failures: string[]
}

export async function runConcurrentGates(gates: number): Promise<GateLoadFigures> {
  const backend = await startSsoBackend(LOAD_EMULATOR)
  const jobs = Array.from({ length: gates }, () => createJob({ env: backend.env }))
  try {
    const started = performance.now()
    const steps = jobs.map((job) => job.start({ ...actionEntry(), inputs: { ...requiredInputs, timeout: '120' }, timeoutMs: 150_000 }))
    const settled = await Promise.allSettled(steps.map((step) => step.result))
    const wallMs = performance.now() - started
    const runs = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    const failures = settled.flatMap((result, index) =>
      result.status === 'rejected' ? [`gate ${index}: ${String(result.reason).split('\n')[0]}`] : []
    )
    const approved = runs.filter((run) => run.outputs.outcome === 'approved')
    for (const run of runs)
      if (run.outputs.outcome !== 'approved') failures.push(`outcome ${run.outputs.outcome}: ${run.errors.join(' | ')}`)
    const tokens = approved.map((run) => run.outputs['access-token'] ?? '')
    const durations = runs.map((run) => run.durationMs).sort((a, b) => a - b)
    const leaks = runs.flatMap((run) => leaksIn(run, { backend, job: run.job }))
    return {
      gates,
      approved: approved.length,
      distinctTokens: new Set(tokens).size,
      validTokens: tokens.filter((token) => backend.emulator.isAccessTokenValid(token)).length,
      wallMs: Math.round(wallMs),
      p50Ms: percentile(durations, 0.5),
      p95Ms: percentile(durations, 0.95),
      maxMs: Math.round(durations.at(-1) ?? 0),
      requests: backend.emulator.requests.length,
      unexpectedAnswers: backend.emulator.requests.filter(isUnexpected).length,
      leaks,
      failures: failures.slice(0, 5)
    }
  } finally {
    await backend.close()
    for (const job of jobs) job.dispose()
  }
}

export interface PollerLoadFigures {
  pollers: number
  approved: number
  distinctTokens: number
  wallMs: number
  requests: number
  /** CreateToken calls across all pollers. */
  polls: number
  slowDowns: number
  transientErrors: number
  unexpectedAnswers: number
  failures: string[]
}

export async function runConcurrentPollers(pollers: number): Promise<PollerLoadFigures> {
  const emulator = await startEmulator(LOAD_EMULATOR)
  const dispatcher = new Agent({ connections: pollers })
  try {
    const client = new SsoOidcClient({ endpoint: emulator.endpoint, dispatcher })
    const started = performance.now()
    const flows = await Promise.allSettled(
      Array.from({ length: pollers }, async (_, index) => {
        const registration = await client.registerClient({ clientName: `load ${index}`, scopes: ['sso:account:access'] })
        const authorization = await client.startDeviceAuthorization(registration, requiredInputs['start-url'])
        return pollForToken({
          createToken: (signal) => client.createToken(registration, authorization.deviceCode, signal),
          interval: authorization.interval,
          codeExpiresAt: authorization.startedAt + authorization.expiresIn * 1000,
          timeoutAt: Date.now() + 60_000
        })
      })
    )
    const wallMs = performance.now() - started
    const results = flows.flatMap((flow) => (flow.status === 'fulfilled' ? [flow.value] : []))
    const failures = flows.flatMap((flow) => (flow.status === 'rejected' ? [String(flow.reason)] : []))
    for (const result of results) if (result.outcome !== 'approved') failures.push(`outcome ${result.outcome}`)
    const sum = (key: 'polls' | 'slowDowns' | 'transientErrors') => results.reduce((total, result) => total + result[key], 0)
    return {
      pollers,
      approved: results.filter((result) => result.outcome === 'approved').length,
      distinctTokens: new Set(results.map((result) => result.token?.accessToken)).size,
      wallMs: Math.round(wallMs),
      requests: emulator.requests.length,
      polls: sum('polls'),
      slowDowns: sum('slowDowns'),
      transientErrors: sum('transientErrors'),
      unexpectedAnswers: emulator.requests.filter(isUnexpected).length,
      failures: failures.slice(0, 5)
    }
  } finally {
    await dispatcher.close()
    await emulator.close()
  }
}

/** An answer a healthy flow never gets: no answer, a 5xx, a 429, or any error but "keep polling". */
function isUnexpected(request: { status: number; error?: string }): boolean {
  if (request.status === 0 || request.status >= 500 || request.status === 429) return true
  return request.status >= 400 && request.error !== 'AuthorizationPendingException'
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!)
}
