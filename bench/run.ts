// `npm run bench`: one run on this machine, printed as a table and written to bench/results.json.
// docs/performance.md explains each figure. Scenarios, each repeated --runs times:
// 1. time to prompt: bare `node -e 0`, the action with the cache off, the action with a cached
//    registration, the AWS SDK script, interleaved round by round so a load spike on the machine
//    hits every subject alike;
// 2. approval to exit: the action approved right after a pending poll (interval 1 s);
// 3. whole runs approved a known time after the device authorization: requests per endpoint,
//    and peak RSS and CPU time of the process (beside the SDK script and bare Node);
// 4. the hand-off (bench/handoff.ts): deploy-runner minutes while a person approves, the gate in
//    each deploy job against one small gate job, and approval to credentials in the consumer step.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { repositoryRoot } from '../__tests__/harness/runner.js'
import { inspectBundle } from './bundle.js'
import {
  approvalToExit,
  floorStart,
  fullRun,
  readUsage,
  startBackend,
  timeToPrompt,
  warmRegistrationCache,
  type Backend,
  type FullRun,
  type Subject
} from './measure.js'
import { HelpRequested, parseBenchOptions, USAGE, UsageError, type BenchOptions } from './options.js'
import { renderTable, summarizeCounts, withVerdicts, type MeasuredResults, type RequestFigures, type UsageFigures } from './report.js'
import { maxPollsAllowed, summarize } from './stats.js'
import { measureHandoff } from './handoff.js'
import { handoffCost, renderHandoffTable } from './handoff-cost.js'

const INTERVAL_SECONDS = 1
/** The known wait before approval in whole runs: a few polls, never a round number of intervals. */
const APPROVE_AFTER_SECONDS = { full: 2.5, quick: 1.5 }

const progress = (text: string): void => {
  process.stderr.write(`bench: ${text}\n`)
}

async function measureTimeToPrompt(options: BenchOptions, backend: Backend): Promise<MeasuredResults['timeToPromptMs']> {
  const samples = { floor: [] as number[], action: [] as number[], actionCached: [] as number[], sdk: [] as number[] }
  for (let round = 1; round <= options.runs; round++) {
    progress(`time to prompt, round ${round}/${options.runs}`)
    samples.floor.push(await floorStart())
    samples.action.push(await timeToPrompt(backend, 'action'))
    samples.actionCached.push(await timeToPrompt(backend, 'action-cached'))
    samples.sdk.push(await timeToPrompt(backend, 'sdk'))
  }
  return {
    floor: summarize(samples.floor),
    action: summarize(samples.action),
    actionCached: summarize(samples.actionCached),
    sdk: summarize(samples.sdk)
  }
}

function requestFigures(runs: FullRun[]): RequestFigures {
  const gaps = runs.flatMap((run) => (run.smallestPollGapMs === undefined ? [] : [run.smallestPollGapMs]))
  return {
    aws: summarizeCounts(runs.map((run) => run.aws)),
    cache: summarizeCounts(runs.map((run) => run.cache)),
    slowDowns: runs.reduce((sum, run) => sum + run.slowDowns, 0),
    smallestPollGapMs: gaps.length > 0 ? summarize(gaps) : null
  }
}

function usageFigures(usages: { peakRssMiB: number; cpuMs: number }[]): UsageFigures {
  return { peakRssMiB: summarize(usages.map((usage) => usage.peakRssMiB)), cpuMs: summarize(usages.map((usage) => usage.cpuMs)) }
}

async function measureWholeRuns(options: BenchOptions, backend: Backend, scratch: string) {
  const runs: Record<Subject, FullRun[]> = { action: [], 'action-cached': [], sdk: [] }
  const floor: { peakRssMiB: number; cpuMs: number }[] = []
  for (let round = 1; round <= options.runs; round++) {
    progress(`whole runs, round ${round}/${options.runs}`)
    const probeFile = join(scratch, `floor-${round}.json`)
    await floorStart(probeFile)
    floor.push(readUsage(probeFile))
    runs.action.push(await fullRun(backend, 'action'))
    const cached = await fullRun(backend, 'action-cached')
    if ((cached.aws.RegisterClient ?? 0) > 0)
      throw new Error('a run with a cached registration called RegisterClient: it did not use the cache')
    runs['action-cached'].push(cached)
    runs.sdk.push(await fullRun(backend, 'sdk'))
  }
  return {
    requests: {
      action: requestFigures(runs.action),
      actionCached: requestFigures(runs['action-cached']),
      sdk: requestFigures(runs.sdk)
    },
    resources: {
      floor: usageFigures(floor),
      action: usageFigures(runs.action.map((run) => run.usage)),
      actionCached: usageFigures(runs['action-cached'].map((run) => run.usage)),
      sdk: usageFigures(runs.sdk.map((run) => run.usage))
    }
  }
}

async function bench(options: BenchOptions): Promise<MeasuredResults> {
  const loadAtStart = loadavg()[0]
  const bundle = inspectBundle(join(repositoryRoot, 'dist'))
  const approveAfterSeconds = options.quick ? APPROVE_AFTER_SECONDS.quick : APPROVE_AFTER_SECONDS.full
  const scratch = mkdtempSync(join(tmpdir(), 'aws-sso-device-auth-bench-'))

  const interactive = await startBackend({ intervalSeconds: INTERVAL_SECONDS })
  const approving = await startBackend({ intervalSeconds: INTERVAL_SECONDS, approveAfterSeconds })
  try {
    progress('filling the Actions cache with a registration (one run per emulator)')
    await warmRegistrationCache(interactive)
    await warmRegistrationCache(approving)
    const timeToPromptMs = await measureTimeToPrompt(options, interactive)
    const approvals: number[] = []
    for (let round = 1; round <= options.runs; round++) {
      progress(`approval to exit, round ${round}/${options.runs}`)
      approvals.push(await approvalToExit(interactive))
    }
    const whole = await measureWholeRuns(options, approving, scratch)
    const cpu = cpus()
    return {
      generatedAt: new Date().toISOString(),
      machine: {
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        cpus: cpu.length,
        cpuModel: cpu[0]?.model.trim() ?? 'unknown',
        loadAverage: { start: loadAtStart, end: loadavg()[0] }
      },
      settings: {
        runs: options.runs,
        quick: options.quick,
        intervalSeconds: INTERVAL_SECONDS,
        approveAfterSeconds,
        maxPollsAllowed: maxPollsAllowed(approveAfterSeconds * 1000, INTERVAL_SECONDS * 1000)
      },
      timeToPromptMs,
      approvalToExitMs: summarize(approvals),
      requestsPerApproval: whole.requests,
      resources: whole.resources,
      bundle
    }
  } finally {
    await Promise.all([interactive.close(), approving.close()])
    rmSync(scratch, { recursive: true, force: true })
  }
}

async function main(): Promise<number> {
  let options: BenchOptions
  try {
    options = parseBenchOptions(process.argv.slice(2))
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(USAGE)
      return 0
    }
    if (error instanceof UsageError) {
      console.error(`bench: ${error.message}\n\n${USAGE}`)
      return 2
    }
    throw error
  }
  const results = withVerdicts(await bench(options))
  // 4. the hand-off: what waiting for a person costs the deploy jobs, gate inside them or beside them.
  const handoff = await measureHandoff({ runs: options.runs, approverDelaySeconds: options.quick ? 1 : 5, matrix: 3 }, progress)
  const handoffFigures = { ...handoff, cost: handoffCost(handoff) }
  const out = resolve(options.out)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify({ ...results, handoff: handoffFigures }, null, 2)}\n`)
  console.log(renderTable(results))
  console.log(`\n${renderHandoffTable(handoff, handoffFigures.cost)}`)
  console.log(`\nWrote ${out}`)
  return 0
}

process.exitCode = await main()
