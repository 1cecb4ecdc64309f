// Cancellation at every stage (issue 6, item 6): the runner cancels a step with SIGINT (and
// SIGTERM 7.5 s later); a user's `kill` or a container stop sends SIGTERM alone. Whichever comes,
// at whichever stage, the action makes no further AWS call, records `cancelled`, and exits within
// 2 s. Each stage is held open with a fault (a hung request) or by the approver's silence; the
// table grows by a row per stage.
// The rows run here; cancellation.test.ts asserts on them and scripts/bench-reliability.ts
// reports their figures.
import type { EmulatorOptions, Fault, RequestRecord } from '../../emulator/server.js'
import type { ActionRun, Inputs } from '../harness/runner.js'
import type { CacheEndpoint, CacheFault } from '../fakes/cache-service.js'
import type { FakeRoute } from '../fakes/github-api.js'
import { leaksIn, until, withWorld, type World } from './support.js'

/** Exit within this long of the signal. */
export const EXIT_WITHIN_MS = 2_000

export interface Stage {
  name: string
  /** What holds the flow in this stage. */
  hold: string
  faults: Fault[]
  /** The Actions cache service at hand (v2), with this fault on every request to one of its steps. */
  cache?: { endpoint: CacheEndpoint; fault: CacheFault }
  /** A run on a pull request with a PR comment, GitHub never answering this route. */
  githubHangs?: FakeRoute
  emulator?: EmulatorOptions
  inputs?: Inputs
  /** The flow is in the stage once the services have seen this. */
  reached: (world: World) => boolean
}

const seen = (operation: string) => (world: World) => world.backend.emulator.requests.some((request) => request.operation === operation)
const cacheSaw = (endpoint: CacheEndpoint) => (world: World) =>
  world.cache?.requests.some((request) => request.endpoint === endpoint) ?? false

export const STAGES: Stage[] = [
  {
    name: 'registering',
    hold: 'the Actions cache never answers the restore',
    faults: [],
    cache: { endpoint: 'lookup', fault: { kind: 'hang' } },
    reached: cacheSaw('lookup')
  },
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
    name: 'prompting',
    hold: 'GitHub never answers the pending PR comment',
    faults: [],
    githubHangs: 'create',
    reached: (world) => world.github?.requests.some((request) => request.route === 'create') ?? false
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
  },
  {
    name: 'polling',
    hold: 'nobody approves while the cache never takes the save',
    faults: [],
    cache: { endpoint: 'reserve', fault: { kind: 'hang' } },
    emulator: { interval: 1, approveAfter: undefined },
    reached: (world) => cacheSaw('reserve')(world) && seen('CreateToken')(world)
  },
  {
    name: 'exporting',
    hold: 'GetRoleCredentials never answers (account-id and role-name)',
    faults: [{ operation: 'GetRoleCredentials', kind: 'hang', times: Infinity }],
    inputs: { 'account-id': '111111111111', 'role-name': 'Deploy' },
    reached: seen('GetRoleCredentials')
  },
  {
    name: 'exporting',
    hold: 'ListAccountRoles never answers (roles)',
    faults: [{ operation: 'ListAccountRoles', kind: 'hang', times: Infinity }],
    inputs: { roles: '111111111111:ReadOnly=readonly' },
    reached: seen('ListAccountRoles')
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

/** No new request for this long: nothing was in flight when the signal went. Shorter than any poll interval here. */
const QUIET_MS = 300

async function quiet(world: World, ms: number): Promise<void> {
  for (;;) {
    const seen = requestCount(world)
    await new Promise((resolve) => setTimeout(resolve, ms))
    if (requestCount(world) === seen) return
  }
}

function requestCount(world: World): number {
  return world.backend.emulator.requests.length + (world.cache?.requests.length ?? 0) + (world.github?.requests.length ?? 0)
}

export function cancelCases(stages: readonly Stage[] = STAGES): CancelCase[] {
  return stages.flatMap((stage) => SIGNALS.map((signal) => ({ stage, signal })))
}

/** Holds the flow in the stage, sends the signal, and reports what followed. */
export function runCancelCase({ stage, signal }: CancelCase): Promise<CancelResult> {
  const spec = {
    faults: stage.faults,
    emulator: stage.emulator ?? {},
    inputs: stage.inputs ?? {},
    killAfterMs: 30_000,
    ...(stage.cache ? { cache: 'v2' as const } : {}),
    ...(stage.githubHangs ? { github: true } : {})
  }
  return withWorld(spec, async (world) => {
    if (stage.cache) world.cache!.setFault(stage.cache.endpoint, stage.cache.fault)
    if (stage.githubHangs) world.github!.setFault({ route: stage.githubHangs, status: 'hang', count: Infinity })
    const gate = world.start()
    const { emulator } = gate.backend
    await until(() => stage.reached(world), 15_000, `the ${stage.name} stage`)
    // A request the action sent just before reaching the stage (a retry) may still be on its way
    // through the tap: let it arrive, so "after the signal" means after it.
    await quiet(world, QUIET_MS)
    const signalledAt = Date.now()
    gate.step.signal(signal)
    const run = await gate.step.result
    const exitMs = Date.now() - signalledAt
    return { run, exitMs, after: emulator.requests.filter((request) => request.at >= signalledAt), leaks: leaksIn(run, gate) }
  })
}
