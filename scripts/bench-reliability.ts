// The figures of docs/reliability.md: runs the fault matrix, the cancellation table and the load
// measurements through the bundled action (run `npm run bundle` first) and prints them as Markdown.
//
//   npm run bench:reliability            everything
//   npm run bench:reliability -- matrix  one part: matrix, cancel, load
//   npm run bench:load                   the load part, with LOAD_GATES / LOAD_POLLERS to go bigger
//
// RELIABILITY_CONCURRENCY sets how many gates of a table run at once (default 4). Exit code 1 when
// any case did not hold, so the script doubles as a long-form check.
import { cpus } from 'node:os'
import { cancelCases, EXIT_WITHIN_MS, runCancelCase } from '../__tests__/reliability/cancellation.js'
import { allFaultCases, CASE_BOUND_MS, runFaultCase, type CaseResult } from '../__tests__/reliability/fault-matrix.js'
import { runConcurrentGates, runConcurrentPollers } from '../__tests__/reliability/load.js'
import { concurrency, inPool } from '../__tests__/reliability/support.js'

const parts = process.argv.slice(2)
const wanted = (part: string): boolean => parts.length === 0 || parts.includes(part)
let failed = false

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

async function matrix(): Promise<void> {
  const cases = allFaultCases()
  const started = performance.now()
  const results = await inPool(cases, concurrency(), runFaultCase)
  const wallMs = performance.now() - started
  const held = results.filter((result) => result.problems.length === 0)
  failed ||= held.length !== results.length

  console.log('## Fault matrix\n')
  console.log(
    `${cases.length} cases tried, ${held.length} held, in ${seconds(wallMs)} (${concurrency()} at a time; bound per case ${seconds(CASE_BOUND_MS)}).\n`
  )
  console.log('| Endpoint | Faults | Expected | Held | Slowest |')
  console.log('| --- | --- | --- | --- | --- |')
  const groups = new Map<string, CaseResult[]>()
  for (const result of results) {
    const key = `${result.endpoint}\u0000${result.expected}`
    groups.set(key, [...(groups.get(key) ?? []), result])
  }
  for (const [key, group] of groups) {
    const [endpoint, expected] = key.split('\u0000')
    const slowest = Math.max(...group.map((result) => result.durationMs))
    const ok = group.filter((result) => result.problems.length === 0).length
    console.log(
      `| ${endpoint} | ${group.map((result) => result.fault).join('; ')} | ${expected} | ${ok}/${group.length} | ${seconds(slowest)} |`
    )
  }
  for (const result of results.filter((r) => r.problems.length > 0))
    console.log(`\nDID NOT HOLD: ${result.name}: ${result.problems.join('; ')}`)
  console.log()
}

async function cancel(): Promise<void> {
  const cases = cancelCases()
  const started = performance.now()
  const results = await inPool(cases, concurrency(), runCancelCase)
  const wallMs = performance.now() - started
  console.log('## Cancellation\n')
  console.log(`${cases.length} cases, in ${seconds(wallMs)}.\n`)
  console.log('| Stage | Held by | Signal | Outcome | Exit after the signal | AWS calls after it |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  results.forEach((result, index) => {
    const { stage, signal } = cases[index]!
    const ok =
      result.run.outputs.outcome === 'cancelled' &&
      result.exitMs <= EXIT_WITHIN_MS &&
      result.after.length === 0 &&
      result.leaks.length === 0
    failed ||= !ok
    console.log(
      `| ${stage.name} | ${stage.hold} | ${signal} | ${result.run.outputs.outcome} | ${result.exitMs} ms | ${result.after.length} |`
    )
  })
  console.log()
}

async function load(): Promise<void> {
  const gates = Number(process.env.LOAD_GATES ?? 50)
  const pollers = Number(process.env.LOAD_POLLERS ?? 200)
  const gateFigures = await runConcurrentGates(gates)
  const pollerFigures = await withoutDebugLines(() => runConcurrentPollers(pollers))
  failed ||=
    gateFigures.approved !== gates ||
    gateFigures.distinctTokens !== gates ||
    gateFigures.unexpectedAnswers > 0 ||
    gateFigures.leaks.length > 0
  failed ||= pollerFigures.approved !== pollers || pollerFigures.unexpectedAnswers > 0 || pollerFigures.transientErrors > 0
  console.log('## Load\n')
  console.log(
    `On ${cpus().length} CPU(s), Node ${process.version}; the emulator approves each request 1 s after it starts, interval 0.5 s.\n`
  )
  console.log('| Measurement | Figures |')
  console.log('| --- | --- |')
  const g = gateFigures
  console.log(
    `| ${g.gates} gates (bundled action, one process each) at once | ${g.approved} approved, ${g.distinctTokens} distinct tokens (${g.validTokens} valid); ` +
      `all done in ${seconds(g.wallMs)}; per gate p50 ${seconds(g.p50Ms)}, p95 ${seconds(g.p95Ms)}, max ${seconds(g.maxMs)}; ` +
      `${g.requests} AWS requests, ${g.unexpectedAnswers} error answers; ${g.leaks.length} leaks |`
  )
  const p = pollerFigures
  console.log(
    `| ${p.pollers} device flows polling at once (in process) | ${p.approved} approved, ${p.distinctTokens} distinct tokens; all done in ${seconds(p.wallMs)}; ` +
      `${p.polls} polls, ${p.requests} requests, ${p.slowDowns} slow_down, ${p.transientErrors} transient errors, ${p.unexpectedAnswers} error answers |`
  )
  for (const failure of [...g.failures, ...p.failures]) console.log(`\nFAILURE: ${failure}`)
  console.log()
}

/** The in-process pollers log through @actions/core, whose debug lines would bury the report. */
async function withoutDebugLines<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    String(chunk).startsWith('::debug::') ? true : write(chunk, ...(rest as []))) as typeof process.stdout.write
  try {
    return await work()
  } finally {
    process.stdout.write = write
  }
}

if (wanted('matrix')) await matrix()
if (wanted('cancel')) await cancel()
if (wanted('load')) await load()
process.exit(failed ? 1 : 0)
