// Secret hygiene as a property (issue 6, item 8): across generated flows (how the gate ends, a
// fault on any endpoint, RUNNER_DEBUG=1, the inputs, the registration cache with or without an
// encryption key, a PR comment, role credentials or a profile) no secret reaches stdout, stderr,
// the job summary, an unmasked output, a comment or a cache entry in clear, in the main step or
// the post step. The secrets are learned independently of the action, from the wire tap (client
// secret, device code, access and refresh tokens, role keys) plus the job's GitHub token and the
// encryption key, so a secret the action forgets to mask is still found. Each flow is a real run
// of dist/, so the number of runs is bounded (HYGIENE_RUNS, default 16). Each flow mostly waits
// (polls, timeouts), so the runs are split over a few properties that run concurrently, each with
// a seed of its own; a failure prints fast-check's seed and path, which HYGIENE_SEED and
// HYGIENE_PATH replay (as one property).
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { allFaultCases, type FaultCase } from './fault-matrix.js'
import { leaksIn, until, withWorld, type GateSpec } from './support.js'

type Ending = 'approve' | 'deny' | 'expire' | 'time-out' | 'SIGINT' | 'SIGTERM'

interface Flow {
  ending: Ending
  /** A fault on one endpoint, from the fault matrix's tables. */
  fault: FaultCase | undefined
  debug: boolean
  clientName: string | undefined
  scopes: string | undefined
  notify: string | undefined
  /** With the Actions cache service at hand (the registration is cached), and the key that encrypts it. */
  cache: boolean
  /** On a pull request, with a PR comment written through the fake GitHub. */
  prComment: boolean
  /** Role credentials exported (and as outputs), or a profile written, or neither. */
  access: 'none' | 'role' | 'role-outputs' | 'profile'
  encryptionKey: string | undefined
  /**
   * For the signals: how long after the step's first output. Before Node has loaded the bundle no
   * handler exists yet, and a signal ends the process as it ends any program; the handler is
   * installed before the action writes anything. (Counted from the start, a busy machine, or
   * flows running side by side, could signal before the bundle had loaded.)
   */
  signalAfterMs: number
}

const OUTCOMES = ['approved', 'denied', 'expired', 'timed-out', 'cancelled', 'error']

const flows: fc.Arbitrary<Flow> = fc.record({
  ending: fc.constantFrom<Ending>('approve', 'deny', 'expire', 'time-out', 'SIGINT', 'SIGTERM'),
  fault: fc.option(fc.constantFrom(...allFaultCases()), { nil: undefined, freq: 2 }),
  debug: fc.boolean(),
  clientName: fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,39}$/), { nil: undefined }),
  scopes: fc.constantFrom(undefined, 'sso:account:access', 'sso:account:access, codewhisperer:completions'),
  notify: fc.constantFrom(undefined, '', 'summary'),
  cache: fc.boolean(),
  prComment: fc.boolean(),
  access: fc.constantFrom<Flow['access']>('none', 'role', 'role-outputs', 'profile'),
  encryptionKey: fc.option(
    fc.base64String({ minLength: 24, maxLength: 44 }).filter((key) => key.length >= 22 && new Set(key).size >= 8),
    { nil: undefined }
  ),
  signalAfterMs: fc.integer({ min: 0, max: 1_750 })
})

// The account and roles the emulator's default directory assigns to every approver.
const ACCESS_INPUTS: Record<Flow['access'], Record<string, string>> = {
  none: {},
  role: { 'account-id': '111111111111', 'role-name': 'Deploy' },
  'role-outputs': { 'account-id': '111111111111', 'role-name': 'Deploy', 'output-credentials': 'true' },
  profile: { roles: '111111111111:ReadOnly=readonly' }
}

/** The gate a flow runs: the emulator and inputs that make it end the way it asks. */
function gateFor(flow: Flow): GateSpec {
  return {
    debug: flow.debug,
    emulator: {
      approveAfter: flow.ending === 'approve' ? 0 : undefined,
      expiresIn: flow.ending === 'expire' ? 2 : 600
    },
    // A cache fault needs the cache service.
    ...(flow.cache || flow.fault?.service === 'actions cache' ? { cache: 'v2' as const } : {}),
    ...(flow.prComment || flow.fault?.service === 'github' ? { github: true } : {}),
    inputs: {
      timeout: flow.ending === 'time-out' ? '2' : '8',
      'client-name': flow.clientName,
      scopes: flow.scopes,
      // A PR comment needs `pr-comment` among the channels; otherwise the flow's own choice.
      notify: flow.prComment || flow.fault?.service === 'github' ? 'summary, pr-comment' : flow.notify,
      'cache-encryption-key': flow.encryptionKey,
      ...ACCESS_INPUTS[flow.access]
    },
    killAfterMs: 40_000
  }
}

const runs = Number(process.env.HYGIENE_RUNS ?? 16)
const replay = process.env.HYGIENE_SEED
  ? { seed: Number(process.env.HYGIENE_SEED), ...(process.env.HYGIENE_PATH ? { path: process.env.HYGIENE_PATH } : {}) }
  : undefined
/** Properties run side by side, each with its share of the runs; a replay is one. */
const PARTS = replay ? 1 : Math.min(4, runs)
const parts = Array.from({ length: PARTS }, (_, index) => [index + 1, Math.floor(runs / PARTS) + (index < runs % PARTS ? 1 : 0)] as const)

/** One flow, end to end, main step and post step. */
function checkFlow(flow: Flow): Promise<void> {
  return withWorld(gateFor(flow), async (world) => {
    flow.fault?.arm(world)
    const gate = world.start()
    const { emulator } = gate.backend
    if (flow.ending === 'deny') {
      await until(() => emulator.pending().length > 0 || gate.step.child.exitCode !== null, 20_000, 'a request to deny')
      for (const pending of emulator.pending()) emulator.deny(pending.userCode)
    } else if (flow.ending === 'SIGINT' || flow.ending === 'SIGTERM') {
      // A step that ends before it writes anything has nothing to cancel.
      await Promise.race([gate.step.waitForStdout(/\S/), gate.step.result]).catch(() => undefined)
      await new Promise((resolve) => setTimeout(resolve, flow.signalAfterMs))
      gate.step.signal(flow.ending)
    }
    const run = await gate.step.result
    expect(OUTCOMES).toContain(run.outputs.outcome)
    expect(run.code).toBe(run.outputs.outcome === 'approved' ? 0 : 1)
    // A flow that met no fault and was approved must have handled every kind of secret.
    if (run.outputs.outcome === 'approved')
      expect(Object.keys(gate.backend.tap.secrets())).toEqual(expect.arrayContaining(['clientSecret', 'deviceCode', 'accessToken']))
    const extraSecrets: Record<string, string> = flow.encryptionKey ? { encryptionKey: flow.encryptionKey } : {}
    expect(leaksIn(run, gate, { extraSecrets })).toEqual([])
    // An encrypted registration is stored only encrypted: the scan above looked inside every entry.
    if (flow.encryptionKey) for (const entry of gate.cache?.entries ?? []) expect(entry.key).toContain('-aes-')
    // The post step (revocation, finalizing the comment, cleanup) handles the same secrets.
    const post = await gate.job.run({ entry: 'post', timeoutMs: 30_000 })
    expect(post.code).toBe(0)
    expect(leaksIn(post, gate, { extraSecrets })).toEqual([])
  })
}

describe('no secret reaches anything a user or another step can read', () => {
  it.concurrent.each(parts)(
    `holds across generated flows (outcomes, faults, RUNNER_DEBUG, inputs): part %i of ${PARTS}, %i of ${runs} runs`,
    async (_part, numRuns) => {
      await fc.assert(fc.asyncProperty(flows, checkFlow), { numRuns, endOnFailure: true, ...replay })
    },
    600_000
  )
})
