// The bench's command line: `npm run bench -- [--runs N] [--quick] [--out FILE]`.
import { parseArgs } from 'node:util'

export interface BenchOptions {
  /** Runs per figure. */
  runs: number
  /** A shorter known wait, and fewer runs allowed: for the smoke test, never for quoted figures. */
  quick: boolean
  /** Where results.json goes. */
  out: string
}

export const DEFAULT_RUNS = 10
/** The rule: a figure is the median of at least this many runs. */
export const MIN_QUOTABLE_RUNS = 10
export const DEFAULT_OUT = 'bench/results.json'

export const USAGE = `usage: npm run bench -- [--runs N] [--quick] [--out FILE]

Measures the bundled action (dist/) against the local emulator on loopback, beside bare Node and a
script using the official AWS SDK, prints a table and writes ${DEFAULT_OUT}.
  --runs N    runs per figure (default ${DEFAULT_RUNS}; fewer than ${MIN_QUOTABLE_RUNS} only with --quick)
  --quick     a shorter wait before approval and any number of runs: checks the bench works,
              its figures are not for quoting
  --out FILE  where to write the results (default ${DEFAULT_OUT})`

export class UsageError extends Error {}
export class HelpRequested extends Error {}

export function parseBenchOptions(argv: string[]): BenchOptions {
  let values: { runs?: string; quick?: boolean; out?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { runs: { type: 'string' }, quick: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
    }))
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  if (values.help) throw new HelpRequested()
  const quick = values.quick ?? false
  const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
    throw new UsageError(`--runs must be a whole number from 1 to 1000, for example --runs 20; got '${values.runs}'`)
  }
  if (runs < MIN_QUOTABLE_RUNS && !quick) {
    throw new UsageError(`--runs ${runs} is below ${MIN_QUOTABLE_RUNS}, too few for a median worth quoting; add --quick to run it anyway`)
  }
  const out = values.out ?? DEFAULT_OUT
  if (out.trim() === '') throw new UsageError('--out must name a file, for example --out /tmp/results.json')
  return { runs, quick, out }
}
