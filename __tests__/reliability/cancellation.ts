// Cancellation at every stage (issue 6, item 6): the runner cancels a step with SIGINT (and
// SIGTERM 7.5 s later); a user's `kill` or a container stop sends SIGTERM alone. Whichever comes,
// at whichever stage, the action makes no further AWS call, records `cancelled`, and exits within
// 2 s. Each stage is held open with a fault (a hung request) or by the approver's silence; the
// table grows by a row per stage.
// The rows run here; cancellation.test.ts asserts on them and scripts/bench-reliability.ts
// reports their figures.
import type { EmulatorOptions, Fault, RequestRecord } from '../../emulator/server.js'
import type { ActionRun, Inputs } from '../harness/runner.js'
import { leaksIn, until, withGate } from './support.js'

/** Exit within this long of the signal. */
export const EXIT_WITHIN_MS = 2_000

export interface Stage {
  name: string
  /** What holds the flow in this stage. */
  hold: string
  faults: Fault[]
  emulator?: EmulatorOptions
  inputs?: Inputs
  /** The flow is in the stage once the emulator has seen this. */
  reached: (requests: readonly RequestRecord[]) => boolean
}

const seen = (operation: string) => (requests: readonly RequestRecord[]) => requests.some((request) => request.operation === operation)

export const STAGES: Stage[] = [
  {
    name: 'registering',
    hold: 'RegisterClient never answers',
    faults: [{ operation: 'RegisterClient', kind: 'hang', times: Infinity }],
    reached: seen('RegisterClient')
  },
  {
    name: 'starting',
    hold: 'StartDeviceAuthorization never answers',
    faults: [{ operation: 'StartDeviceAuthorization', kind: 'hang', times: Infinity }],
    reached: seen('StartDeviceAuthorization')
  },
  {
    name: 'polling',
    hold: 'nobody approves (authorization_pending, 1 s interval)',
    faults: [],
    // No approval, and a wait between polls long enough that no poll is in flight at the signal.
    emulator: { interval: 1, approveAfter: undefined },
    reached: seen('CreateToken')
  },
  {
    name: 'polling',
    hold: 'a CreateToken poll never answers',
    faults: [{ operation: 'CreateToken', kind: 'hang', times: Infinity }],
    reached: seen('CreateToken')
  }
]

export const SIGNALS = ['SIGINT', 'SIGTERM'] as const

export interface CancelCase {
  stage: Stage
  signal: (typeof SIGNALS)[number]
}

export interface CancelResult {
  run: ActionRun
  /** From the signal to the process's exit. */
  exitMs: number
  /** AWS requests that arrived at the emulator after the signal was sent. */
  after: RequestRecord[]
  /** Secrets found in anything captured: labels and places only. */
  leaks: string[]
}

export function cancelCases(stages: readonly Stage[] = STAGES): CancelCase[] {
  return stages.flatMap((stage) => SIGNALS.map((signal) => ({ stage, signal })))
}

/** Holds the flow in the stage, sends the signal, and reports what followed. */
export function runCancelCase({ stage, signal }: CancelCase): Promise<CancelResult> {
  return withGate({ faults: stage.faults, emulator: stage.emulator ?? {}, inputs: stage.inputs ?? {}, killAfterMs: 30_000 }, async (gate) => {
    const { emulator } = gate.backend
    await until(() => stage.reached(emulator.requests), 15_000, `the ${stage.name} stage`)
    const signalledAt = Date.now()
    gate.step.signal(signal)
    const run = await gate.step.result
    const exitMs = Date.now() - signalledAt
    return { run, exitMs, after: emulator.requests.filter((request) => request.at >= signalledAt), leaks: leaksIn(run, gate) }
  })
}
