// The hand-off (issue 14), end to end through dist/: a gate job approved against the emulator
// seals the requested roles' credentials as the `handoff` output; a second job (fresh runner
// directories, the same repository and run) opens it with the same key, asks nobody anything and
// exports as the gate did, and its post step removes what it wrote. Each refusal is one line and
// writes nothing. Every run is scanned for every secret the wire tap saw, the role keys and the
// hand-off key included: the sealed value carries none of them in any form.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadSharedConfigFiles } from '@smithy/core/config'
import type { Account, EmulatorOptions } from '../../emulator/server.js'
import { createJob, type ActionJob, type ActionRun, type Inputs } from '../harness/runner.js'
import { expectMaskedBeforeUse, expectNoSecretLeaks, findSecretLeaks } from '../harness/secrets.js'
import {
  actionEntry,
  approveWhenPrompted,
  knownSecrets,
  postEntry,
  requiredInputs,
  startSsoBackend,
  type SsoBackend
} from '../harness/sso-backend.js'
import { afterThisTest } from '../support/after-test.js'

const KEY = 'eTJ3bXZ0c2Rrd2Jxc2R3cXJ0eXVpb3BsbWtqbmhi'
const DIRECTORY: Account[] = [
  { accountId: '111111111111', accountName: 'Sandbox', emailAddress: 'sandbox@example.com', roles: ['Deploy', 'ReadOnly'] },
  { accountId: '222222222222', accountName: 'Staging', emailAddress: 'staging@example.com', roles: ['Deploy'] }
]
const ROLE_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const
const TWO_ROLES = '111111111111:Deploy=sandbox\n222222222222:Deploy=staging'

interface Gate {
  backend: SsoBackend
  job: ActionJob
  run: ActionRun
}

/** The gate job: approved as soon as the prompt shows, `handoff-key` set. */
async function gateJob(inputs: Inputs, emulator: EmulatorOptions = {}): Promise<Gate> {
  const backend = await startSsoBackend({ interval: 0.5, directory: DIRECTORY, ...emulator })
  afterThisTest(() => backend.close())
  const job = createJob({ env: backend.env })
  afterThisTest(() => job.dispose())
  const step = job.start({ ...actionEntry(), inputs: { ...requiredInputs, 'handoff-key': KEY, ...inputs } })
  const run = await approveWhenPrompted(step, backend.emulator)
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  return { backend, job, run }
}

/** Another job of the same run: fresh HOME, RUNNER_TEMP and workspace; no IAM Identity Center endpoint at all. */
function deployJob(gate: Gate, context: Partial<ActionJob['context']> = {}): ActionJob {
  const job = createJob({ context: { ...gate.job.context, ...context } })
  afterThisTest(() => job.dispose())
  return job
}

function openIn(job: ActionJob, handoff: string, inputs: Inputs = {}): Promise<ActionRun> {
  return job.run({ ...actionEntry(), inputs: { handoff, 'handoff-key': KEY, ...inputs } })
}

/** Every secret of the gate (tokens, client secret, role keys) and the key: in no form anywhere, the named places aside. */
function expectNoLeaks(gate: Gate, run: ActionRun, env: readonly string[] = []): void {
  expectNoSecretLeaks(run, { ...knownSecrets(gate.backend, gate.job), handoffKey: KEY }, { exportedEnv: env, scanState: true })
}

function expectRefusedWithoutWriting(run: ActionRun, job: ActionJob, line: RegExp): void {
  expect(run.code).toBe(1)
  expect(run.outputs.outcome).toBe('error')
  expect(run.errors).toHaveLength(1)
  expect(run.errors[0]).toMatch(line)
  expect(Object.keys(run.env)).toEqual([])
  expect(Object.keys(run.outputs)).toEqual(['outcome'])
  expect(existsSync(join(job.home, '.aws'))).toBe(false)
  // No post-step state either: the post step has nothing to undo.
  expect(run.state).toEqual({})
}

describe('sealing in the gate job', () => {
  it.concurrent('sets the handoff output, unmasked, holding no secret in any form; the gate still exports as usual', async () => {
    const gate = await gateJob({ 'account-id': '111111111111', 'role-name': 'Deploy', roles: TWO_ROLES, 'aws-region': 'eu-west-1' })
    const { run, backend } = gate
    const sealed = run.outputs.handoff!
    expect(sealed).toMatch(/^h1\.[\w-]+\.[\w-]+$/)
    // Not registered as a mask: the runner would drop a job output holding a masked value.
    expect(run.masks).not.toContain(sealed)
    for (const mask of run.masks) expect(sealed).not.toContain(mask)
    // One GetRoleCredentials per distinct role: the account-id/role-name one is not asked twice.
    expect(backend.emulator.counts.GetRoleCredentials).toBe(2)
    expect(run.env.AWS_ACCESS_KEY_ID).toBe(backend.tap.secrets().accessKeyId)
    expect(run.stdout).toMatch(
      /Sealed the credentials of 3 roles as the handoff output, for the jobs of this run that need this job, valid until /
    )
    expectNoSecretLeaks(
      run,
      { ...knownSecrets(backend, gate.job), handoffKey: KEY },
      { maskedOutputs: ['access-token'], exportedEnv: ROLE_ENV }
    )
  })

  it.concurrent('refuses a short key before anyone is asked', async () => {
    const job = createJob()
    afterThisTest(() => job.dispose())
    const run = await job.run({
      ...actionEntry(),
      inputs: { ...requiredInputs, 'account-id': '111111111111', 'role-name': 'Deploy', 'handoff-key': 'short-key' }
    })
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([
      expect.stringMatching(/^Input 'handoff-key' is too weak to protect the role credentials handed to later jobs/)
    ])
    expect(run.masks).toContain('short-key')
  })
})

describe('opening in another job', () => {
  it.concurrent(
    'exports AWS_* for the role of account-id/role-name without asking anyone, in a later attempt too, and writes no file',
    async () => {
      const gate = await gateJob({ 'account-id': '111111111111', 'role-name': 'Deploy', 'aws-region': 'eu-west-1' })
      // A re-run of the failed deploy job: the same run, its next attempt.
      const job = deployJob(gate, { runAttempt: '2' })
      const before = { ...gate.backend.emulator.counts }
      const run = await openIn(job, gate.run.outputs.handoff!)
      expect(run.errors).toEqual([])
      expect(run.code).toBe(0)
      expect(run.outputs.outcome).toBe('approved')
      for (const name of [...ROLE_ENV, 'AWS_REGION', 'AWS_DEFAULT_REGION']) expect(run.env[name]).toBe(gate.run.env[name])
      expect(run.env.AWS_REGION).toBe('eu-west-1')
      expect(run.outputs['aws-account-id']).toBe('111111111111')
      expect(run.outputs['aws-expiration']).toBe(gate.run.outputs['aws-expiration'])
      const secrets = gate.backend.tap.secrets()
      for (const field of ['accessKeyId', 'secretAccessKey', 'sessionToken']) expectMaskedBeforeUse(run, secrets[field]!, field)
      // Nobody asked: the emulator saw no call from this job, and there is no prompt.
      expect(gate.backend.emulator.counts).toEqual(before)
      expect(run.stdout).not.toMatch(/user code|verification/i)
      expect(existsSync(join(job.home, '.aws'))).toBe(false)
      expectNoLeaks(gate, run, ROLE_ENV)
    }
  )

  it.concurrent('writes the profiles the gate wrote, holding their own keys, and its post step removes them', async () => {
    const gate = await gateJob({ roles: TWO_ROLES })
    const job = deployJob(gate)
    const run = await openIn(job, gate.run.outputs.handoff!)
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.env.AWS_PROFILE).toBeUndefined()
    const configFile = join(job.home, '.aws', 'config')
    const { configFile: profiles } = await loadSharedConfigFiles({ filepath: join(job.home, 'credentials'), configFilepath: configFile })
    expect(profiles.sandbox).toMatchObject({ aws_access_key_id: expect.stringMatching(/^ASIA/), region: 'us-east-1' })
    expect(profiles.staging).toMatchObject({ aws_access_key_id: expect.stringMatching(/^ASIA/), region: 'us-east-1' })
    expect(profiles.sandbox!.aws_access_key_id).not.toBe(profiles.staging!.aws_access_key_id)
    // The token stayed in the gate job: no token cache here, no sso-session.
    expect(existsSync(join(job.home, '.aws', 'sso'))).toBe(false)
    expect(readFileSync(configFile, 'utf8')).not.toContain('sso_session')
    expectNoLeaks(gate, run)

    const post = await job.run({ ...postEntry(), mainStep: run })
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
    expect(existsSync(configFile)).toBe(false)
    expect(existsSync(join(job.home, '.aws'))).toBe(false)
    expectNoLeaks(gate, post)
  })

  it.concurrent('a matrix job picks its role by profile name (AWS_PROFILE) or by account and role (AWS_*)', async () => {
    const gate = await gateJob({ roles: TWO_ROLES, 'aws-region': 'eu-west-1' })
    const byProfile = deployJob(gate)
    const picked = await openIn(byProfile, gate.run.outputs.handoff!, { profile: 'staging' })
    expect(picked.code).toBe(0)
    expect(picked.warnings).toEqual([])
    expect(picked.env.AWS_PROFILE).toBe('staging')
    const { configFile: profiles } = await loadSharedConfigFiles({
      filepath: join(byProfile.home, 'credentials'),
      configFilepath: join(byProfile.home, '.aws', 'config')
    })
    expect(Object.keys(profiles)).toEqual(['staging'])
    expect(profiles.staging!.region).toBe('eu-west-1')

    const byRole = deployJob(gate)
    const chosen = await openIn(byRole, gate.run.outputs.handoff!, {
      'account-id': '222222222222',
      'role-name': 'Deploy',
      'aws-region': 'ap-south-1'
    })
    expect(chosen.code).toBe(0)
    expect(chosen.env.AWS_ACCESS_KEY_ID).toBe(profiles.staging!.aws_access_key_id)
    expect(chosen.env.AWS_REGION).toBe('ap-south-1')
    expect(chosen.outputs['aws-account-id']).toBe('222222222222')
    expect(existsSync(join(byRole.home, '.aws'))).toBe(false)
    expectNoLeaks(gate, picked)
    expectNoLeaks(gate, chosen, ROLE_ENV)
  })
})

describe('refusals: one line, nothing written', () => {
  it.concurrent('a wrong key, a tampered value, another repository, another run, a role not approved', async () => {
    const gate = await gateJob({ roles: TWO_ROLES })
    const sealed = gate.run.outputs.handoff!
    const [prefix, header, body] = sealed.split('.') as [string, string, string]
    const flipped = Buffer.from(body, 'base64url')
    flipped[flipped.length - 20] ^= 0x01
    const cases: Array<[string, () => Promise<ActionRun>, ActionJob, RegExp]> = []
    const add = (name: string, job: ActionJob, open: (job: ActionJob) => Promise<ActionRun>, line: RegExp) =>
      cases.push([name, () => open(job), job, line])
    add(
      'wrong key',
      deployJob(gate),
      (job) => openIn(job, sealed, { 'handoff-key': `${KEY}Z` }),
      /^Input 'handoff-key' does not open input 'handoff'/
    )
    add(
      'tampered',
      deployJob(gate),
      (job) => openIn(job, `${prefix}.${header}.${flipped.toString('base64url')}`),
      /^Input 'handoff' was altered after the gate job sealed it/
    )
    add(
      'other repository',
      deployJob(gate, { repository: 'octo-org/other-service' }),
      (job) => openIn(job, sealed),
      /^Input 'handoff' was sealed in another repository/
    )
    add(
      'other run',
      deployJob(gate, { runId: '12345' }),
      (job) => openIn(job, sealed),
      /^Input 'handoff' was sealed in another workflow run/
    )
    add(
      'role not approved',
      deployJob(gate),
      (job) => openIn(job, sealed, { 'account-id': '111111111111', 'role-name': 'ReadOnly' }),
      /^Input 'handoff' holds no credentials for the role ReadOnly in account 111111111111/
    )
    add(
      'profile not approved',
      deployJob(gate),
      (job) => openIn(job, sealed, { profile: 'prod' }),
      /holds no credentials for the profile prod \(input 'profile'\): the gate job sealed only 111111111111:Deploy=sandbox, 222222222222:Deploy=staging/
    )
    add('not a hand-off', deployJob(gate), (job) => openIn(job, 'hello'), /^Input 'handoff' is not a hand-off sealed by this action/)
    for (const [name, open, job, line] of cases) {
      const run = await open()
      try {
        expectRefusedWithoutWriting(run, job, line)
        expectNoLeaks(gate, run)
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`, { cause: error })
      }
    }
  })

  it.concurrent('an expired value: refused once the earliest credentials expire', async () => {
    // The role credentials the emulator issues live 3 s (the emulator's clock stays right: STS checks signatures against it).
    const gate = await gateJob({ 'account-id': '111111111111', 'role-name': 'Deploy' }, { roleSessionTtl: 3 })
    const { run } = gate
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(run.outputs['aws-expiration']!) - Date.now() + 1000)))
    const deploy = deployJob(gate)
    const opened = await openIn(deploy, run.outputs.handoff!)
    expectRefusedWithoutWriting(
      opened,
      deploy,
      /^Input 'handoff' expired at \S+Z, when the role credentials it holds expire; run the gate job again/
    )
    expectNoLeaks(gate, opened)
  })
})

describe('the secret scan sees through the seal', () => {
  it.concurrent('would report the credentials if the value carried them: the scan itself can fail', async () => {
    const gate = await gateJob({ 'account-id': '111111111111', 'role-name': 'Deploy' })
    const secrets = gate.backend.tap.secrets()
    const only = (handoff: string) => ({ stdout: '', stderr: '', summary: '', env: {}, path: [], state: {}, outputs: { handoff } })
    const leaky = only(Buffer.from(secrets.secretAccessKey!).toString('base64'))
    expect(findSecretLeaks(leaky, secrets, {}).map((leak) => leak.secret)).toContain('secretAccessKey')
    expect(findSecretLeaks(only(gate.run.outputs.handoff!), { ...secrets, handoffKey: KEY }, {})).toEqual([])
  })
})
