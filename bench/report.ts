// The bench's results: their shape in results.json, the targets they are held to, and the table
// printed from them. Pure functions of the results, so the report is tested on planted figures.
import type { BundleReport } from './bundle.js'
import { ratio, summarize, type Summary } from './stats.js'

export interface RequestFigures {
  /** AWS requests per operation, per run. */
  aws: Record<string, Summary>
  /** Actions cache service requests per endpoint, per run; downloads per method ('download GET'), proxy tunnels ('proxy tunnel'). */
  cache: Record<string, Summary>
  /** slow_down answers over all runs. */
  slowDowns: number
  /** Smallest time between two polls within a run; null when no run polled twice. */
  smallestPollGapMs: Summary | null
}

export interface UsageFigures {
  peakRssMiB: Summary
  cpuMs: Summary
}

export interface Target {
  name: string
  /** The measured value the target is judged on. */
  value: number
  limit: number
  /** How value compares with limit: 'max' means value ≤ limit, 'below' value < limit. */
  kind: 'max' | 'below'
  unit: string
  met: boolean
}

export interface BenchResults {
  generatedAt: string
  machine: { node: string; platform: string; arch: string; cpus: number; cpuModel: string; loadAverage: { start: number; end: number } }
  settings: { runs: number; quick: boolean; intervalSeconds: number; approveAfterSeconds: number; maxPollsAllowed: number }
  timeToPromptMs: { floor: Summary; action: Summary; actionCached: Summary; sdk: Summary }
  approvalToExitMs: Summary
  requestsPerApproval: { action: RequestFigures; actionCached: RequestFigures; sdk: RequestFigures }
  resources: { floor: UsageFigures; action: UsageFigures; actionCached: UsageFigures; sdk: UsageFigures }
  bundle: BundleReport
  ratios: Record<string, number>
  targets: Target[]
}

export type MeasuredResults = Omit<BenchResults, 'ratios' | 'targets'>

/** Per-run counts (a name missing from a run counts 0 there) as one summary per name. */
export function summarizeCounts(perRun: readonly Record<string, number>[]): Record<string, Summary> {
  const names = [...new Set(perRun.flatMap((counts) => Object.keys(counts)))]
  return Object.fromEntries(names.map((name) => [name, summarize(perRun.map((counts) => counts[name] ?? 0))]))
}

export const TARGETS = {
  /** Time to prompt, cache off, as a multiple of bare Node's start (issue 16: with no private internals nor run-time patching). */
  promptOverFloor: 3.5,
  /** Added to the interval: how late after an approval the process may exit. */
  exitAfterIntervalMs: 300,
  /** Issue 16's bound once the speed levers on private internals were gone (issue 7 had 80). */
  peakRssMiB: 100
}

export function ratiosOf(results: MeasuredResults): Record<string, number> {
  const prompt = results.timeToPromptMs
  const { floor, action, actionCached, sdk } = results.resources
  return {
    'prompt: action / floor': ratio(prompt.action, prompt.floor),
    'prompt: action / sdk': ratio(prompt.action, prompt.sdk),
    'prompt: action cached / floor': ratio(prompt.actionCached, prompt.floor),
    'prompt: action cached / sdk': ratio(prompt.actionCached, prompt.sdk),
    'prompt: sdk / floor': ratio(prompt.sdk, prompt.floor),
    'peak rss: action / floor': ratio(action.peakRssMiB, floor.peakRssMiB),
    'peak rss: action / sdk': ratio(action.peakRssMiB, sdk.peakRssMiB),
    'peak rss: action cached / sdk': ratio(actionCached.peakRssMiB, sdk.peakRssMiB),
    'cpu: action / floor': ratio(action.cpuMs, floor.cpuMs),
    'cpu: action / sdk': ratio(action.cpuMs, sdk.cpuMs),
    'cpu: action cached / sdk': ratio(actionCached.cpuMs, sdk.cpuMs)
  }
}

function target(name: string, value: number, kind: Target['kind'], limit: number, unit: string): Target {
  return { name, value, limit, kind, unit, met: kind === 'max' ? value <= limit : value < limit }
}

/** Times on medians; memory on the worst run (a peak is a peak); polls and slow_down on every run. */
export function targetsOf(results: MeasuredResults): Target[] {
  const { timeToPromptMs: prompt, settings } = results
  const maxPolls = (figures: RequestFigures) => figures.aws.CreateToken?.max ?? 0
  const { action, actionCached } = results.requestsPerApproval
  return [
    target('time to prompt, cache off, over bare Node', ratio(prompt.action, prompt.floor), 'max', TARGETS.promptOverFloor, '×'),
    target('time to prompt, cache off, against the AWS SDK script', prompt.action.median, 'below', prompt.sdk.median, 'ms'),
    target('approval to exit', results.approvalToExitMs.median, 'max', settings.intervalSeconds * 1000 + TARGETS.exitAfterIntervalMs, 'ms'),
    target('peak RSS, cache off', results.resources.action.peakRssMiB.max, 'max', TARGETS.peakRssMiB, 'MiB'),
    target('peak RSS, cached registration', results.resources.actionCached.peakRssMiB.max, 'max', TARGETS.peakRssMiB, 'MiB'),
    target('polls per approval, cache off', maxPolls(action), 'max', settings.maxPollsAllowed, ''),
    target('polls per approval, cached registration', maxPolls(actionCached), 'max', settings.maxPollsAllowed, ''),
    target('slow_down answers', action.slowDowns + actionCached.slowDowns, 'max', 0, '')
  ]
}

export function withVerdicts(results: MeasuredResults): BenchResults {
  return { ...results, ratios: ratiosOf(results), targets: targetsOf(results) }
}

// ---- the table ----

function number(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 || unit === '' ? 0 : 1
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`
}

function range(summary: Summary, unit: string): string {
  return `${number(summary.median, unit).padStart(10)}  [${number(summary.min, '')} … ${number(summary.max, '')}]`
}

function bytes(count: number): string {
  return count >= 1024 * 1024 ? `${(count / 1024 / 1024).toFixed(2)} MiB` : `${(count / 1024).toFixed(1)} KiB`
}

function row(label: string, cell: string, note = ''): string {
  return `  ${label.padEnd(36)}${cell.padEnd(32)}${note}`.trimEnd()
}

function requestCells(figures: RequestFigures): string {
  const aws = Object.entries(figures.aws).map(([name, summary]) => `${name} ${countCell(summary)}`)
  const cache = Object.entries(figures.cache).map(([name, summary]) => `cache ${name} ${countCell(summary)}`)
  const gap = figures.smallestPollGapMs ? `smallest poll gap ${number(figures.smallestPollGapMs.min, 'ms')}` : 'one poll'
  return [...aws, ...cache, `slow_down ${figures.slowDowns}`, gap].join(', ')
}

function countCell(summary: Summary): string {
  return summary.min === summary.max ? String(summary.median) : `${summary.median} [${summary.min} … ${summary.max}]`
}

function times(value: number): string {
  return `${value.toFixed(2)}×`
}

/** Times measured while other work held the CPUs are inflated, the floor's most of all. */
function busyWarning(machine: BenchResults['machine']): string[] {
  const load = Math.max(machine.loadAverage.start, machine.loadAverage.end)
  if (load <= machine.cpus) return []
  return [
    `WARNING: the load average (${load.toFixed(1)}) exceeded the ${machine.cpus} CPUs: other work competed with the bench, ` +
      'so its times (and the ratios to the floor) are not comparable; rerun on a quiet machine before quoting them.'
  ]
}

export function renderTable(results: BenchResults): string {
  const { settings, machine, timeToPromptMs: prompt, resources, bundle } = results
  const floor = prompt.floor.median
  const sdk = prompt.sdk.median
  const promptNote = (summary: Summary) => `${times(summary.median / floor)} floor, ${times(summary.median / sdk)} SDK`
  const interval = settings.intervalSeconds * 1000
  const usageRow = (label: string, usage: UsageFigures) =>
    row(label, range(usage.peakRssMiB, 'MiB'), `CPU ${range(usage.cpuMs, 'ms').trim()}`)
  const lines = [
    `Bench: Node ${machine.node}, ${machine.platform} ${machine.arch}, ${machine.cpus} × ${machine.cpuModel}, ` +
      `load ${machine.loadAverage.start.toFixed(1)} → ${machine.loadAverage.end.toFixed(1)}`,
    `${settings.runs} runs per figure: median [min … max]${settings.quick ? ' (--quick: not for quoting)' : ''}`,
    ...busyWarning(machine),
    '',
    'Time to prompt (process start → complete URL on stdout)',
    row('node -e 0 (floor: start to exit)', range(prompt.floor, 'ms')),
    row('action, cache off', range(prompt.action, 'ms'), promptNote(prompt.action)),
    row('action, cached registration', range(prompt.actionCached, 'ms'), promptNote(prompt.actionCached)),
    row('AWS SDK script', range(prompt.sdk, 'ms'), `${times(sdk / floor)} floor`),
    '',
    `Approval → exit (interval ${settings.intervalSeconds} s, approved right after a pending poll)`,
    row(
      'action, cache off',
      range(results.approvalToExitMs, 'ms'),
      `interval + ${number(results.approvalToExitMs.median - interval, 'ms')}`
    ),
    '',
    `Requests per run (approved ${settings.approveAfterSeconds} s after the device authorization: at most ${settings.maxPollsAllowed} polls)`,
    row('action, cache off', requestCells(results.requestsPerApproval.action)),
    row('action, cached registration', requestCells(results.requestsPerApproval.actionCached)),
    row('AWS SDK script', requestCells(results.requestsPerApproval.sdk)),
    '',
    'Peak RSS and CPU time of the whole run (same runs)',
    usageRow('node -e 0 (floor)', resources.floor),
    usageRow('action, cache off', resources.action),
    usageRow('action, cached registration', resources.actionCached),
    usageRow('AWS SDK script', resources.sdk),
    '',
    `dist/: ${bytes(bundle.totalBytes)} in all; main chunk ${bytes(bundle.mainChunkBytes)}; undici copies: ` +
      Object.entries(bundle.undiciCopies)
        .map(([entry, copies]) => `${copies} in ${entry}`)
        .join(', '),
    ...bundle.chunks.map((chunk) => `  ${chunk.file.padEnd(34)}${bytes(chunk.bytes).padStart(12)}`),
    ...bundle.lazyLibraries.map(
      ({ library, chunks, inMainChunk }) =>
        `  ${library.padEnd(34)}${inMainChunk ? 'IN THE MAIN CHUNK' : chunks.length === 0 ? 'not bundled (no code path uses it)' : `lazy: ${chunks.join(', ')}`}`
    ),
    ...(bundle.absentLibraries ?? []).map(
      ({ library, chunks }) =>
        `  ${library.padEnd(34)}${chunks.length === 0 ? 'not bundled (never used)' : `BUNDLED: ${chunks.join(', ')}`}`
    ),
    '',
    'Ratios (medians)',
    ...Object.entries(results.ratios).map(([name, value]) => `  ${name.padEnd(34)}${times(value).padStart(12)}`),
    '',
    'Targets',
    ...results.targets.map((goal) => {
      const value = goal.unit === '×' ? times(goal.value) : number(goal.value, goal.unit)
      const limit = goal.unit === '×' ? times(goal.limit) : number(goal.limit, goal.unit)
      return `  ${goal.met ? 'met ' : 'MISS'}  ${goal.name}: ${value} (${goal.kind === 'max' ? '≤' : '<'} ${limit})`
    })
  ]
  return lines.join('\n')
}
