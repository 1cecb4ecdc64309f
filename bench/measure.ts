// The measured processes. Everything runs on loopback against the emulator (and, for the cached
// registration, the fake Actions cache service, its blobs on Azure's host so the action downloads
// them with the Azure SDK as on a hosted runner), every process on this Node (process.execPath),
// every run bounded by a hard timeout:
// - the action: dist/ as the runner starts it (the test harness's runner: INPUT_* variables, fresh
//   GITHUB_* files, nothing from the host but PATH), with `cache-registration` off, or on with
//   the cache service holding a registration from an earlier run;
// - the AWS SDK script (sdk-device-flow.mjs), started the same way;
// - the floor: bare `node -e 0`.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { startCacheService, type FakeCacheService, type RecordedCacheRequest } from '../__tests__/fakes/cache-service.js'
import { createJob, type ActionRun, type RunningAction } from '../__tests__/harness/runner.js'
import { requiredInputs } from '../__tests__/harness/sso-backend.js'
import { startEmulator, type Emulator, type RequestRecord } from '../emulator/server.js'
import { countBy, smallestGap } from './stats.js'

const benchDir = fileURLToPath(new URL('.', import.meta.url))
const SDK_SCRIPT = join(benchDir, 'sdk-device-flow.mjs')
const USAGE_PROBE = pathToFileURL(join(benchDir, 'usage-probe.mjs')).href

/** No single run may take longer than this; a hung run fails the bench instead of stalling it. */
const RUN_TIMEOUT_MS = 30_000
/** The input that switches the registration cache (on by default). */
const CACHE_INPUT = 'cache-registration'

export type Subject = 'action' | 'action-cached' | 'sdk'

/** The emulator (and a cache service of its own), with a hook called after each AWS request is answered. */
export interface Backend {
  emulator: Emulator
  cache: FakeCacheService
  /** Calls `listener` with each AWS request's record once its answer is written; returns the unsubscribe. */
  onAnswered(listener: (record: RequestRecord) => void): () => void
  close(): Promise<void>
}

export async function startBackend(options: { intervalSeconds: number; approveAfterSeconds?: number }): Promise<Backend> {
  const listeners = new Set<(record: RequestRecord) => void>()
  let delivered = 0
  // The emulator logs every request after answering it; only AWS operations leave a record.
  const emulator: Emulator = await startEmulator({
    interval: options.intervalSeconds,
    expiresIn: 300,
    ...(options.approveAfterSeconds === undefined ? {} : { approveAfter: options.approveAfterSeconds }),
    log: () => {
      for (; delivered < emulator.requests.length; delivered++) {
        for (const listener of [...listeners]) listener(emulator.requests[delivered])
      }
    }
  })
  // Its own cache service: a registration cached from one emulator means nothing to another.
  // Blobs on Azure's host, as github.com hands them out: the restore's one plain GET goes through
  // the fake as HTTP_PROXY (a tunnel, as undici's proxy agent opens one), the lookup direct.
  const cache = await startCacheService({ protocol: 'v2', blobHost: 'azure' })
  return {
    emulator,
    cache,
    onAnswered(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    async close() {
      await cache.close()
      await emulator.close()
    }
  }
}

function promptPattern(emulator: Emulator): RegExp {
  const origin = emulator.endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  // Today's link names the request, not the code: the code is the first one after the link (on the
  // action's prompt a line below it, on the SDK script's line beside it).
  return new RegExp(`${origin}/platform/authorize\\?request_uri=\\S+[\\s\\S]*?\\b([A-Z]{4}-[A-Z]{4})\\s`)
}

interface StartedRun {
  step: RunningAction
  /** Resolves with performance.now() when the complete URL appears on stdout. */
  prompt: Promise<{ at: number; userCode: string }>
  /** Resolves with performance.now() when the process exits. */
  exit: Promise<number>
  usageFile: string
  dispose(): void
}

/** Starts one subject in a fresh job; with `probe`, its resource usage is written at exit. */
function startSubject(backend: Backend, subject: Subject, probe: boolean): StartedRun {
  const cached = subject === 'action-cached'
  const endpoints = {
    AWS_ENDPOINT_URL_SSO_OIDC: backend.emulator.endpoint,
    AWS_ENDPOINT_URL_SSO: backend.emulator.endpoint,
    AWS_ENDPOINT_URL_STS: backend.emulator.endpoint
  }
  const job = createJob({ env: { ...endpoints, ...(cached ? backend.cache.env : {}) } })
  const usageFile = join(job.dir, 'usage.json')
  const pattern = promptPattern(backend.emulator)
  let resolvePrompt!: (prompt: { at: number; userCode: string }) => void
  const prompt = new Promise<{ at: number; userCode: string }>((resolve) => (resolvePrompt = resolve))
  let prompted = false
  const step = job.start({
    ...(subject === 'sdk' ? { entry: SDK_SCRIPT } : { entry: 'main' }),
    inputs: { ...requiredInputs, ...(subject === 'sdk' ? {} : { [CACHE_INPUT]: String(cached) }) },
    env: {
      ...(subject === 'sdk' ? { SSO_START_URL: requiredInputs['start-url'], SSO_REGION: requiredInputs.region } : {}),
      ...(probe ? { BENCH_USAGE_FILE: usageFile } : {})
    },
    execArgv: probe ? ['--import', USAGE_PROBE] : [],
    timeoutMs: RUN_TIMEOUT_MS,
    onStdout: (_text, _child, soFar) => {
      if (prompted) return
      const match = pattern.exec(soFar)
      if (!match) return
      prompted = true
      resolvePrompt({ at: performance.now(), userCode: match[1] })
    }
  })
  const exit = new Promise<number>((resolve) => step.child.once('exit', () => resolve(performance.now())))
  return {
    step,
    prompt: beforeExit(step, prompt, `${subject} exited before printing the complete URL`),
    exit,
    usageFile,
    dispose: () => job.dispose()
  }
}

/** `awaited`, unless the process ends first: then the bench fails with the run's last lines, not a hang. */
function beforeExit<T>(step: RunningAction, awaited: Promise<T>, failure: string): Promise<T> {
  const ended = step.result.then((run) => {
    throw new Error(`${failure} (code ${run.code}, signal ${run.signal}):\n${lastLines(run)}`)
  })
  return Promise.race([awaited, ended])
}

/** What a failed run printed last, without the lines that register secrets. */
function lastLines(run: ActionRun): string {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('::add-mask::'))
  return lines.slice(-12).join('\n')
}

function killGroup(step: RunningAction): void {
  try {
    process.kill(-step.child.pid!, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/** Milliseconds from spawning `subject` to the complete URL on its stdout; the process is then killed. */
export async function timeToPrompt(backend: Backend, subject: Subject): Promise<number> {
  const registrationsBefore = backend.emulator.counts.RegisterClient
  const run = startSubject(backend, subject, false)
  try {
    const prompt = await run.prompt
    killGroup(run.step)
    await run.step.result
    if (subject === 'action-cached' && backend.emulator.counts.RegisterClient !== registrationsBefore) {
      throw new Error('the run with a cached registration called RegisterClient: it did not use the cache')
    }
    return prompt.at - run.step.startedAt
  } finally {
    run.dispose()
  }
}

/** Milliseconds for `node -e 0` from spawn to exit, spawned as the harness spawns the action. */
export async function floorStart(probeFile?: string): Promise<number> {
  const args = probeFile ? ['--import', USAGE_PROBE, '-e', '0'] : ['-e', '0']
  const env = { PATH: process.env.PATH ?? '', ...(probeFile ? { BENCH_USAGE_FILE: probeFile } : {}) }
  const startedAt = performance.now()
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (exitCode) => resolve(exitCode))
    })
    if (code !== 0) throw new Error(`node -e 0 exited with ${code}`)
    return performance.now() - startedAt
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs the action to its end, approving right after the first `authorization_pending` answer: the
 * token can come no sooner than one interval later. Returns milliseconds from the approval to the
 * process's exit.
 */
export async function approvalToExit(backend: Backend): Promise<number> {
  const run = startSubject(backend, 'action', false)
  try {
    const { userCode } = await run.prompt
    let stop = (): void => {}
    const firstPendingPoll = new Promise<number>((resolve) => {
      stop = backend.onAnswered((record) => {
        if (record.operation !== 'CreateToken' || record.error !== 'AuthorizationPendingException') return
        stop()
        backend.emulator.approve(userCode)
        resolve(performance.now())
      })
    })
    const approvedAt = await beforeExit(run.step, firstPendingPoll, 'the action exited before its first poll').finally(stop)
    const exitedAt = await run.exit
    const result = await run.step.result
    if (result.code !== 0 || result.outputs.outcome !== 'approved') {
      throw new Error(`the approved action ended with code ${result.code}, outcome ${result.outputs.outcome}:\n${lastLines(result)}`)
    }
    return exitedAt - approvedAt
  } finally {
    run.dispose()
  }
}

export interface ResourceUsage {
  peakRssMiB: number
  cpuMs: number
}

export function readUsage(file: string): ResourceUsage {
  const usage = JSON.parse(readFileSync(file, 'utf8')) as { maxRssKiB: number; userCpuMicros: number; systemCpuMicros: number }
  return { peakRssMiB: usage.maxRssKiB / 1024, cpuMs: (usage.userCpuMicros + usage.systemCpuMicros) / 1000 }
}

export interface FullRun {
  /** AWS requests per operation (from the emulator). */
  aws: Record<string, number>
  /** Actions cache service requests per endpoint (lookup, reserve, upload, commit), downloads per method ('download GET'), proxy tunnels ('proxy tunnel'). */
  cache: Record<string, number>
  slowDowns: number
  /** Smallest time between two CreateToken calls of the run, ms; undefined with one poll. */
  smallestPollGapMs: number | undefined
  usage: ResourceUsage
}

/**
 * One whole run on a backend that approves a known time after each device authorization: the
 * requests it made to each endpoint, and its peak memory and CPU time (the usage probe).
 */
export async function fullRun(backend: Backend, subject: Subject): Promise<FullRun> {
  const awsBefore = backend.emulator.requests.length
  const cacheBefore = backend.cache.requests.length
  const run = startSubject(backend, subject, true)
  try {
    await run.prompt
    const result = await run.step.result
    if (result.code !== 0) throw new Error(`${subject} ended with code ${result.code} instead of approved:\n${lastLines(result)}`)
    const aws = backend.emulator.requests.slice(awsBefore)
    const polls = aws.filter((record) => record.operation === 'CreateToken')
    return {
      aws: countBy(aws.map((record) => record.operation)),
      cache: countBy(backend.cache.requests.slice(cacheBefore).map(cacheRequestName)),
      slowDowns: aws.filter((record) => record.error === 'SlowDownException').length,
      smallestPollGapMs: smallestGap(polls.map((record) => record.at)),
      usage: readUsage(run.usageFile)
    }
  } finally {
    run.dispose()
  }
}

/** What the bench counts a cache request as: its endpoint; a download also by method; a proxy tunnel as one. */
function cacheRequestName(request: RecordedCacheRequest): string {
  if (request.endpoint === 'download') return `download ${request.method}`
  if (request.method === 'CONNECT') return 'proxy tunnel'
  return request.endpoint ?? 'other'
}

/**
 * Fills the cache service with a registration, as an earlier job would: one whole cached run,
 * approved at its prompt. Throws when nothing was saved (the flow does not use the cache).
 */
export async function warmRegistrationCache(backend: Backend): Promise<void> {
  const run = startSubject(backend, 'action-cached', false)
  try {
    const { userCode } = await run.prompt
    if (backend.emulator.pending().some((pending) => pending.userCode === userCode)) backend.emulator.approve(userCode)
    const result = await run.step.result
    if (result.code !== 0) throw new Error(`the run that fills the cache ended with code ${result.code}:\n${lastLines(result)}`)
  } finally {
    run.dispose()
  }
  if (!backend.cache.entries.some((entry) => entry.committed)) {
    throw new Error(`a run with ${CACHE_INPUT}: true saved no registration to the Actions cache service`)
  }
}
