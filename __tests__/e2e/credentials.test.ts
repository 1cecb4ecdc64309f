// From token to work (issue 5), end to end: the bundled main and post steps, run as the runner
// runs them, against the emulator. Role credentials in the exported environment, several roles as
// profiles, an unknown role, the profiles and token cache the AWS tools read, revocation in the post
// step, and a cleanup that leaves the user's own AWS config byte for byte. Every run is scanned for
// every secret the wire tap saw, the role keys included.
import { describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadSharedConfigFiles } from '@smithy/core/config'
import type { Account, EmulatorOptions, Fault } from '../../emulator/server.js'
import { createJob, type ActionJob, type ActionRun, type EnvOverrides, type Inputs } from '../harness/runner.js'
import { expectMaskedBeforeUse, expectNoSecretLeaks } from '../harness/secrets.js'
import {
  actionEntry,
  approveWhenPrompted,
  knownSecrets,
  postEntry,
  requiredInputs,
  startSsoBackend,
  waitForPrompt,
  type SsoBackend
} from '../harness/sso-backend.js'
import { afterThisTest } from '../support/after-test.js'

const isoSeconds = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
const ROLE_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const
const KEY_OUTPUTS = ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'] as const

const DIRECTORY: Account[] = [
  { accountId: '111111111111', accountName: 'Sandbox', emailAddress: 'sandbox@example.com', roles: ['Deploy', 'ReadOnly'] },
  { accountId: '222222222222', accountName: 'Staging', emailAddress: 'staging@example.com', roles: ['Deploy'] }
]

interface Gate {
  backend: SsoBackend
  job: ActionJob
  run: ActionRun
}

/** Runs the main step to its end, approving the request as soon as the log shows it. */
async function approvedRun(
  inputs: Inputs,
  options: { emulator?: EmulatorOptions; env?: EnvOverrides; beforeRun?: (job: ActionJob) => void; faults?: readonly Fault[] } = {}
): Promise<Gate> {
  const backend = await startSsoBackend({ interval: 0.5, directory: DIRECTORY, ...options.emulator })
  afterThisTest(() => backend.close())
  for (const fault of options.faults ?? []) backend.emulator.injectFault(fault)
  const job = createJob({ env: { ...backend.env, ...options.env } })
  afterThisTest(() => job.dispose())
  options.beforeRun?.(job)
  const step = job.start({ ...actionEntry(), inputs: { ...requiredInputs, ...inputs } })
  return { backend, job, run: await approveWhenPrompted(step, backend.emulator) }
}

/** An emulator and a job pointed at it, both undone after the test. */
async function emulatorAndJob(): Promise<{ backend: SsoBackend; job: ActionJob }> {
  const backend = await startSsoBackend({ interval: 0.5, directory: DIRECTORY })
  afterThisTest(() => backend.close())
  const job = createJob({ env: backend.env })
  afterThisTest(() => job.dispose())
  return { backend, job }
}

function runPost(gate: Gate): Promise<ActionRun> {
  return gate.job.run({ ...postEntry(), mainStep: gate.run })
}

/** The one token the emulator issued (the tap saw it cross). */
function issuedToken(gate: Gate): string {
  const token = gate.backend.tap.secrets().accessToken
  expect(token).toEqual(expect.any(String))
  return token!
}

/** No secret anywhere but in the masked outputs and exported variables named; the state holds none. */
function expectNoLeaks(gate: Gate, run: ActionRun, allowed: { outputs?: readonly string[]; env?: readonly string[] } = {}): void {
  expectNoSecretLeaks(run, knownSecrets(gate.backend, gate.job), {
    maskedOutputs: ['access-token', ...(allowed.outputs ?? [])],
    exportedEnv: allowed.env ?? [],
    scanState: true
  })
}

/** What a failed step must look like: one error line matching `message`, nothing exported. */
function expectFailedWithoutAccess(run: ActionRun, message: RegExp): void {
  expect(run.code).toBe(1)
  expect(run.outputs.outcome).toBe('error')
  expect(run.errors).toHaveLength(1)
  expect(run.errors[0]).not.toMatch(/\n/)
  expect(run.errors[0]).toMatch(message)
  expect(run.outputs['access-token'] ?? '').toBe('')
  expect(Object.keys(run.env).filter((name) => name.startsWith('AWS_'))).toEqual([])
}

function home(gate: Gate): string {
  return gate.job.home
}

function fileMode(path: string): number {
  return statSync(path).mode & 0o777
}

function tokenCacheFiles(homeDir: string): string[] {
  const dir = join(homeDir, '.aws', 'sso', 'cache')
  return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : []
}

describe('role credentials (account-id, role-name)', () => {
  it.concurrent('exports the role keys masked before any trace, sets the outputs, and the post step revokes the token', async () => {
    const gate = await approvedRun({ 'account-id': '111111111111', 'role-name': 'Deploy', 'aws-region': 'eu-west-1' })
    const { run, backend: sso } = gate
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.outcome).toBe('approved')

    const secrets = sso.tap.secrets()
    expect(run.env.AWS_ACCESS_KEY_ID).toBe(secrets.accessKeyId)
    expect(run.env.AWS_SECRET_ACCESS_KEY).toBe(secrets.secretAccessKey)
    expect(run.env.AWS_SESSION_TOKEN).toBe(secrets.sessionToken)
    expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(run.env.AWS_REGION).toBe('eu-west-1')
    expect(run.env.AWS_DEFAULT_REGION).toBe('eu-west-1')
    expect(run.env.AWS_PROFILE).toBeUndefined()
    for (const field of ['accessKeyId', 'secretAccessKey', 'sessionToken']) expectMaskedBeforeUse(run, secrets[field]!, field)

    expect(run.outputs['aws-account-id']).toBe('111111111111')
    expect(run.outputs['aws-expiration']).toMatch(isoSeconds)
    const expiresIn = Date.parse(run.outputs['aws-expiration']!) - Date.now()
    expect(expiresIn).toBeGreaterThan(3500_000)
    expect(expiresIn).toBeLessThanOrEqual(3600_000)
    for (const output of KEY_OUTPUTS) expect(run.outputs[output]).toBeUndefined()
    expect(sso.emulator.counts).toMatchObject({ GetRoleCredentials: 1, ListAccounts: 0, ListAccountRoles: 0, Logout: 0 })
    // No profile was asked for: nothing written for the AWS tools.
    expect(existsSync(join(home(gate), '.aws'))).toBe(false)
    expectNoLeaks(gate, run, { env: ROLE_ENV })

    // The state names a private file; the token travels there, never through GITHUB_STATE.
    expect(Object.keys(run.state)).toEqual(['post_step'])
    const postStep = run.state.post_step!
    expect(postStep.startsWith(`${gate.job.runnerTemp}/`)).toBe(true)
    expect(fileMode(postStep)).toBe(0o600)

    const token = issuedToken(gate)
    expect(sso.emulator.isAccessTokenValid(token)).toBe(true)
    const post = await runPost(gate)
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
    expect(post.stdout).toMatch(/token is revoked \(sso:Logout\)/)
    expect(sso.emulator.counts.Logout).toBe(1)
    expect(sso.emulator.isAccessTokenValid(token)).toBe(false)
    expect(existsSync(postStep)).toBe(false)
    expectNoLeaks(gate, post)
  })

  it.concurrent(
    'post step after the token expired: refreshes it once, logs out the new token, and the refresh token no longer works',
    async () => {
      // The emulator's clock is moved past the token's life below, as if the job ran longer than it.
      let offsetMs = 0
      const gate = await approvedRun(
        { 'account-id': '111111111111', 'role-name': 'Deploy' },
        { emulator: { tokenTtl: 30, now: () => Date.now() + offsetMs } }
      )
      const { run, backend: sso } = gate
      expect(run.code).toBe(0)
      const issued = sso.tap.secrets()
      // The post-step state (mode 0600, never GITHUB_STATE) carries the refresh token and its registration.
      const postStep = JSON.parse(readFileSync(run.state.post_step!, 'utf8')) as { revoke: { refresh?: Record<string, unknown> } }
      expect(postStep.revoke.refresh).toEqual({
        oidcEndpoint: sso.tap.endpoint,
        clientId: expect.any(String),
        clientSecret: issued.clientSecret,
        registrationExpiresAt: expect.any(Number),
        refreshToken: issued.refreshToken
      })

      offsetMs = 31_000
      expect(sso.emulator.isAccessTokenValid(issued.accessToken!)).toBe(false)
      expect(sso.emulator.isRefreshTokenValid(issued.refreshToken!)).toBe(true)
      const before = { ...sso.emulator.counts }
      const post = await runPost(gate)
      expect(post.code).toBe(0)
      expect(post.warnings).toEqual([])
      expect(post.stdout).toContain(
        'The IAM Identity Center token has expired; refreshed it once (CreateToken, refresh_token grant) to end its session.'
      )
      expect(post.stdout).toContain('The token refreshed to end the session is revoked (sso:Logout): it no longer works anywhere.')
      expect(post.stdout).not.toContain('nothing to revoke')
      expect(sso.emulator.counts.CreateToken - before.CreateToken!).toBe(1)
      expect(sso.emulator.counts.Logout - before.Logout!).toBe(1)

      // The tokens the refresh brought: masked before any trace, and dead after the Logout.
      const renewed = sso.tap.secrets()
      const newAccess = renewed['accessToken#2']!
      const newRefresh = renewed['refreshToken#2']!
      expectMaskedBeforeUse(post, newAccess, 'accessToken#2')
      expectMaskedBeforeUse(post, newRefresh, 'refreshToken#2')
      expect(sso.emulator.isAccessTokenValid(newAccess)).toBe(false)
      expect(sso.emulator.isRefreshTokenValid(newRefresh)).toBe(false)
      expect(sso.emulator.isRefreshTokenValid(issued.refreshToken!)).toBe(false)
      expectNoLeaks(gate, post)
    }
  )

  it.concurrent('sets the keys as masked outputs too with output-credentials: true', async () => {
    const gate = await approvedRun({ 'account-id': '222222222222', 'role-name': 'Deploy', 'output-credentials': true })
    const { run } = gate
    expect(run.code).toBe(0)
    expect(run.outputs['aws-account-id']).toBe('222222222222')
    expect(run.outputs['aws-access-key-id']).toBe(run.env.AWS_ACCESS_KEY_ID)
    expect(run.outputs['aws-secret-access-key']).toBe(run.env.AWS_SECRET_ACCESS_KEY)
    expect(run.outputs['aws-session-token']).toBe(run.env.AWS_SESSION_TOKEN)
    // aws-region defaults to region.
    expect(run.env.AWS_REGION).toBe('us-east-1')
    expectNoLeaks(gate, run, { outputs: KEY_OUTPUTS, env: ROLE_ENV })
  })

  it.concurrent('fails with one line listing every account and role the approver has (all pages) when the role is not theirs', async () => {
    // 130 accounts: ListAccounts needs two pages of 100; the message lists the first 25.
    const many: Account[] = Array.from({ length: 128 }, (_, index) => ({
      accountId: String(300000000000 + index),
      accountName: `Team ${index}`,
      emailAddress: `team${index}@example.com`,
      roles: ['ReadOnly']
    }))
    const gate = await approvedRun(
      { 'account-id': '111111111111', 'role-name': 'Admin' },
      { emulator: { directory: [...DIRECTORY, ...many] } }
    )
    const { run, backend: sso } = gate
    expectFailedWithoutAccess(run, /^The approver has no role "Admin" in account 111111111111 \(input 'role-name'\)\. /)
    expect(run.errors[0]).toContain(
      'They have: 111111111111 (Sandbox): Deploy, ReadOnly; 222222222222 (Staging): Deploy; 300000000000 (Team 0): ReadOnly;'
    )
    expect(run.errors[0]).toContain('300000000022 (Team 22): ReadOnly; and 105 more accounts.')
    expect(run.errors[0]).toMatch(/Set 'account-id' and 'role-name' to a role they have, or ask an IAM Identity Center administrator/)
    expect(sso.emulator.counts).toMatchObject({ GetRoleCredentials: 1, ListAccounts: 2, ListAccountRoles: 25 })
    expectNoLeaks(gate, run)

    // The token was issued all the same: the post step still revokes it.
    const post = await runPost(gate)
    expect(post.code).toBe(0)
    expect(sso.emulator.isAccessTokenValid(issuedToken(gate))).toBe(false)
  })

  it.concurrent('still fails with one line naming the role when the accounts cannot be listed (ListAccounts refused)', async () => {
    const gate = await approvedRun(
      { 'account-id': '111111111111', 'role-name': 'Admin' },
      { faults: [{ operation: 'ListAccounts', kind: 'status', status: 403, errorType: 'AccessDeniedException', times: Infinity }] }
    )
    const { run, backend: sso } = gate
    expectFailedWithoutAccess(
      run,
      /^The approver has no role "Admin" in account 111111111111 \(input 'role-name'\)\. Their accounts could not be listed \(ListAccounts at \S+ failed: AccessDeniedException \(HTTP 403\)[^)]*\)\. Set 'account-id' and 'role-name' to a role they have/
    )
    // A refusal is not retried.
    expect(sso.emulator.counts).toMatchObject({ GetRoleCredentials: 1, ListAccounts: 1 })
    expectNoLeaks(gate, run)
  })

  it.concurrent('retries a transient ListAccounts failure and lists the accounts all the same', async () => {
    const gate = await approvedRun(
      { 'account-id': '111111111111', 'role-name': 'Admin' },
      { faults: [{ operation: 'ListAccounts', kind: 'status', status: 500, times: 1 }] }
    )
    const { run, backend: sso } = gate
    expectFailedWithoutAccess(
      run,
      /^The approver has no role "Admin" in account 111111111111 \(input 'role-name'\)\. They have: 111111111111 \(Sandbox\): Deploy, ReadOnly; 222222222222 \(Staging\): Deploy\. /
    )
    expect(sso.emulator.counts).toMatchObject({ ListAccounts: 2 })
    expectNoLeaks(gate, run)
  })

  it.concurrent('keeps the token valid with revoke: false', async () => {
    const gate = await approvedRun({ 'account-id': '111111111111', 'role-name': 'ReadOnly', revoke: false })
    expect(gate.run.code).toBe(0)
    const post = await runPost(gate)
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
    expect(gate.backend.emulator.counts.Logout).toBe(0)
    expect(gate.backend.emulator.isAccessTokenValid(issuedToken(gate))).toBe(true)
    // The post step says why the access outlives the job, and until when.
    expect(post.stdout).toMatch(
      /^Not revoking the IAM Identity Center token \(input 'revoke' is false\): the approver's access does not end with the job\. It stays valid until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\.$/m
    )
  })
})

describe('two phases', () => {
  it.concurrent('exports the role and writes the profile in the wait step; each step’s post step cleans up after itself', async () => {
    const { backend, job } = await emulatorAndJob()
    const inputs = {
      ...requiredInputs,
      'account-id': '222222222222',
      'role-name': 'Deploy',
      profile: 'staging',
      'cache-registration': false
    }
    const start = await job.run({ ...actionEntry(), inputs: { ...inputs, phase: 'start' } })
    expect(start.code).toBe(0)
    // The start step's prompt already names what will be handed over.
    expect(start.stdout).toContain('staging: role Deploy in account 222222222222')
    expect(start.env).toEqual({})
    backend.emulator.approve(start.outputs['user-code']!)
    const wait = await job.run({ ...actionEntry(), inputs: { ...inputs, phase: 'wait' } })
    expect(wait.errors).toEqual([])
    expect(wait.code).toBe(0)
    expect(wait.outputs['aws-account-id']).toBe('222222222222')
    expect(wait.env.AWS_ACCESS_KEY_ID).toBe(backend.tap.secrets().accessKeyId)
    expect(tokenCacheFiles(job.home)).toHaveLength(1)
    expectNoSecretLeaks(wait, knownSecrets(backend, job), { maskedOutputs: ['access-token'], exportedEnv: ROLE_ENV, scanState: true })

    // The runner runs post steps in reverse order: the wait step's first.
    const waitPost = await job.run({ ...postEntry(), mainStep: wait })
    const startPost = await job.run({ ...postEntry(), mainStep: start })
    for (const post of [waitPost, startPost]) {
      expect(post.code).toBe(0)
      expect(post.warnings).toEqual([])
    }
    expect(backend.emulator.isAccessTokenValid(backend.tap.secrets().accessToken!)).toBe(false)
    expect(existsSync(join(job.home, '.aws'))).toBe(false)
  })
})

describe('profiles for the AWS tools (profile, roles)', () => {
  it.concurrent(
    'writes one profile per roles line, one sso-session and its token cache, and removes them all in the post step',
    async () => {
      const gate = await approvedRun({
        roles: '111111111111:Deploy=sandbox\n\n# staging keeps the default name\n222222222222:Deploy\n',
        'aws-region': 'eu-central-1'
      })
      const { run, backend: sso } = gate
      expect(run.errors).toEqual([])
      expect(run.code).toBe(0)
      // The approver saw every role they were about to hand over; the summary keeps the record.
      for (const text of [run.stdout, run.summary]) {
        expect(text).toContain('sandbox: role Deploy in account 111111111111')
        expect(text).toContain('222222222222-Deploy: role Deploy in account 222222222222')
      }
      // Several profiles: no default to export, and no role keys were asked for. The one
      // GetRoleCredentials identified the approver through the first roles line (then STS);
      // those credentials are masked and exported nowhere.
      expect(run.env).toEqual({})
      expect(sso.emulator.counts).toMatchObject({ GetRoleCredentials: 1, ListAccountRoles: 2 })
      expect(run.outputs.approver).toBe('demo-user')

      const configFile = join(home(gate), '.aws', 'config')
      const { configFile: config } = await loadSharedConfigFiles({
        configFilepath: configFile,
        filepath: join(home(gate), 'none'),
        ignoreCache: true
      })
      const sessionName = config.sandbox?.sso_session
      expect(sessionName).toMatch(new RegExp(`^aws-sso-device-auth-${gate.run.context.runId}-[0-9a-f]{8}$`))
      expect(config.sandbox).toEqual({
        sso_session: sessionName,
        sso_account_id: '111111111111',
        sso_role_name: 'Deploy',
        region: 'eu-central-1'
      })
      expect(config['222222222222-Deploy']).toEqual({
        sso_session: sessionName,
        sso_account_id: '222222222222',
        sso_role_name: 'Deploy',
        region: 'eu-central-1'
      })
      expect(config[`sso-session.${sessionName}`]).toEqual({
        sso_start_url: requiredInputs['start-url'],
        sso_region: 'us-east-1',
        sso_registration_scopes: 'sso:account:access'
      })

      const [cacheFile, ...others] = tokenCacheFiles(home(gate))
      expect(others).toEqual([])
      expect(cacheFile).toMatch(/\/[0-9a-f]{40}\.json$/)
      expect(fileMode(cacheFile!)).toBe(0o600)
      const entry = JSON.parse(readFileSync(cacheFile!, 'utf8')) as Record<string, string>
      const secrets = sso.tap.secrets()
      expect(Object.keys(entry)).toEqual([
        'startUrl',
        'region',
        'accessToken',
        'expiresAt',
        'clientId',
        'clientSecret',
        'registrationExpiresAt',
        'refreshToken',
        'awsSsoDeviceAuth'
      ])
      // The mark a later run on this runner knows its leftovers by; no AWS tool reads it.
      expect(entry.awsSsoDeviceAuth).toEqual({
        session: sessionName,
        runner: expect.stringMatching(/^GitHub-Actions-1000000002-[0-9a-f]{8}$/)
      })
      expect(entry).toMatchObject({
        startUrl: requiredInputs['start-url'],
        region: 'us-east-1',
        accessToken: secrets.accessToken,
        clientSecret: secrets.clientSecret,
        refreshToken: secrets.refreshToken
      })
      expect(entry.expiresAt).toMatch(isoSeconds)
      expect(entry.registrationExpiresAt).toMatch(isoSeconds)
      expect(Date.parse(entry.registrationExpiresAt!)).toBeGreaterThan(Date.now() + 80 * 86400_000)
      // Not a secret anywhere else, and the config file holds none.
      expectNoLeaks(gate, run)
      expectNoSecretLeaks(run, knownSecrets(sso, gate.job), {
        maskedOutputs: ['access-token'],
        texts: { config: readFileSync(configFile, 'utf8') }
      })

      const post = await runPost(gate)
      expect(post.code).toBe(0)
      expect(post.warnings).toEqual([])
      // The action created ~/.aws: all of it goes, nothing else was there.
      expect(existsSync(join(home(gate), '.aws'))).toBe(false)
      expect(sso.emulator.isAccessTokenValid(secrets.accessToken!)).toBe(false)
    }
  )

  it.concurrent('exports AWS_PROFILE for a single profile and no role keys', async () => {
    const gate = await approvedRun({ roles: '111111111111:ReadOnly=audit' })
    expect(gate.run.code).toBe(0)
    expect(gate.run.env).toEqual({ AWS_PROFILE: 'audit' })
  })

  it.concurrent('fails with one line naming each roles line the approver lacks, before writing anything', async () => {
    const gate = await approvedRun({ roles: '111111111111:Deploy=sandbox\n222222222222:ReadOnly=staging\n333333333333:Deploy' })
    const { run, backend: sso } = gate
    expectFailedWithoutAccess(
      run,
      /^The approver has no role "ReadOnly" in account 222222222222 \(input 'roles' line 2\), "Deploy" in account 333333333333 \(input 'roles' line 3\)\. They have: 111111111111 \(Sandbox\): Deploy, ReadOnly; 222222222222 \(Staging\): Deploy\. Set 'roles' to a role they have/
    )
    expect(existsSync(join(home(gate), '.aws'))).toBe(false)
    expect(sso.emulator.counts.ListAccounts).toBe(1)
    expectNoLeaks(gate, run)
  })

  it.concurrent('merges into the user’s config and restores it byte for byte, keeping their token cache', async () => {
    // Comments, odd spacing, CRLF line endings and no final line break: all must survive.
    const userConfig =
      '# my settings\r\n[default]\r\nregion = us-west-2\r\n\r\n; work\r\n[profile  mine]\r\nsso_session = corp\r\nsso_account_id = 999999999999'
    const userToken = '{"accessToken":"users-own-token","expiresAt":"2030-01-01T00:00:00Z"}'
    let configFile = ''
    let userTokenFile = ''
    const gate = await approvedRun(
      { 'account-id': '111111111111', 'role-name': 'Deploy', profile: 'deploy' },
      {
        beforeRun: (job) => {
          mkdirSync(join(job.home, '.aws', 'sso', 'cache'), { recursive: true })
          configFile = join(job.home, '.aws', 'config')
          userTokenFile = join(job.home, '.aws', 'sso', 'cache', 'c0ffee.json')
          writeFileSync(configFile, userConfig)
          writeFileSync(userTokenFile, userToken)
        }
      }
    )
    const { run } = gate
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    // Keys and a profile: no AWS_PROFILE, whose precedence over the keys differs between tools.
    expect(Object.keys(run.env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_DEFAULT_REGION',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN'
    ])
    const merged = readFileSync(configFile, 'utf8')
    expect(merged.startsWith(`${userConfig}\r\n# >>> aws-sso-device-auth `)).toBe(true)
    expect(merged).toMatch(
      /\r\n\[profile deploy\]\r\nsso_session = aws-sso-device-auth-\S+\r\nsso_account_id = 111111111111\r\nsso_role_name = Deploy\r\nregion = us-east-1\r\n/
    )
    const { configFile: config } = await loadSharedConfigFiles({
      configFilepath: configFile,
      filepath: join(home(gate), 'none'),
      ignoreCache: true
    })
    expect(config.default).toEqual({ region: 'us-west-2' })
    expect(config.deploy?.sso_role_name).toBe('Deploy')
    expect(tokenCacheFiles(home(gate))).toHaveLength(2)
    expectNoLeaks(gate, run, { env: ROLE_ENV })

    const post = await runPost(gate)
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
    expect(readFileSync(configFile, 'utf8')).toBe(userConfig)
    expect(tokenCacheFiles(home(gate))).toEqual([userTokenFile])
    expect(readFileSync(userTokenFile, 'utf8')).toBe(userToken)
    expectNoLeaks(gate, post)
  })

  it.concurrent('refuses a profile name the user’s config already has before asking anyone, and leaves the file alone', async () => {
    const userConfig = '[profile deploy]\nregion = eu-west-1\n'
    const backend = await startSsoBackend({ directory: DIRECTORY })
    afterThisTest(() => backend.close())
    const job = createJob({ env: { ...backend.env, AWS_CONFIG_FILE: 'ci/aws-config' } })
    afterThisTest(() => job.dispose())
    const configFile = join(job.workspace, 'ci', 'aws-config')
    mkdirSync(join(job.workspace, 'ci'))
    writeFileSync(configFile, userConfig)
    const run = await job.run({
      ...actionEntry(),
      inputs: { ...requiredInputs, 'account-id': '111111111111', 'role-name': 'Deploy', profile: 'deploy' }
    })
    expectFailedWithoutAccess(
      run,
      /^The AWS config file \S+\/ci\/aws-config already has \[profile deploy\] \(line 1\), which this action did not write; choose another profile name in input 'profile', or remove that section from the file\.$/
    )
    // Nobody was asked to approve a request the job could not use.
    expect(backend.emulator.requests).toEqual([])
    expect(readFileSync(configFile, 'utf8')).toBe(userConfig)
    expect(Object.keys(run.state)).toEqual([])
    const post = await job.run({ ...postEntry(), mainStep: run })
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
  })

  it.concurrent('writes where AWS_CONFIG_FILE points (relative to the workspace) and cleans up there', async () => {
    let configFile = ''
    const gate = await approvedRun(
      { roles: '111111111111:Deploy=deploy' },
      { env: { AWS_CONFIG_FILE: 'build/aws/config' }, beforeRun: (job) => (configFile = join(job.workspace, 'build', 'aws', 'config')) }
    )
    expect(gate.run.code).toBe(0)
    expect(readFileSync(configFile, 'utf8')).toMatch(
      /^# >>> aws-sso-device-auth \S+: written by the aws-sso-device-auth action for https:\/\/github\.com\/\S+\/actions\/runs\/\d+; its post step removes this block \(runner GitHub-Actions-1000000002-[0-9a-f]{8}\)\n\[profile deploy\]\n/
    )
    expect(existsSync(join(home(gate), '.aws', 'config'))).toBe(false)
    await runPost(gate)
    expect(existsSync(join(gate.job.workspace, 'build'))).toBe(false)
    expect(existsSync(join(home(gate), '.aws'))).toBe(false)
  })
})

describe('leftovers of a killed job on a self-hosted runner', () => {
  it.concurrent(
    'the next job’s main step removes this runner’s marked blocks and token caches, and nothing unmarked or still in use',
    async () => {
      const { backend, job } = await emulatorAndJob()
      const configFile = join(job.home, '.aws', 'config')
      const cacheDir = join(job.home, '.aws', 'sso', 'cache')
      mkdirSync(cacheDir, { recursive: true })
      // The user's own config and token, and another runner's block and token on the same HOME.
      const othersBlock =
        '# >>> aws-sso-device-auth aws-sso-device-auth-7-0f0f0f0f: written by the aws-sso-device-auth action (runner other-box-0123abcd)\n[profile theirs]\nsso_session = aws-sso-device-auth-7-0f0f0f0f\n# <<< aws-sso-device-auth aws-sso-device-auth-7-0f0f0f0f\n'
      const userConfig = `# mine\n[profile mine]\nregion = eu-west-1\n${othersBlock}`
      const userToken = join(cacheDir, 'c0ffee0000000000000000000000000000000000.json')
      const othersToken = join(cacheDir, 'beef000000000000000000000000000000000000.json')
      writeFileSync(configFile, userConfig)
      writeFileSync(userToken, '{"accessToken":"users-own-token","expiresAt":"2030-01-01T00:00:00Z"}')
      writeFileSync(
        othersToken,
        JSON.stringify({
          accessToken: 'their-token',
          expiresAt: '2030-01-01T00:00:00Z',
          awsSsoDeviceAuth: { session: 'aws-sso-device-auth-7-0f0f0f0f', runner: 'other-box-0123abcd' }
        })
      )
      const gate = async (roles: string) => {
        const step = job.start({ ...actionEntry(), inputs: { ...requiredInputs, roles } })
        backend.emulator.approve((await waitForPrompt(step, backend.emulator)).userCode)
        const run = await step.result
        expect(run.code).toBe(0)
        return run
      }
      const ours = () =>
        readdirSync(cacheDir)
          .map((name) => join(cacheDir, name))
          .filter((file) => ![userToken, othersToken].includes(file))

      // Two gates in one job: the second keeps the first's profile, which later steps still use.
      const first = await gate('111111111111:Deploy=deploy')
      const second = await gate('111111111111:ReadOnly=audit')
      expect(second.stdout).not.toContain('Removed what an earlier run')
      expect(readFileSync(configFile, 'utf8')).toContain('[profile deploy]')
      const killed = ours()
      expect(killed).toHaveLength(2)
      const killedTokens = killed.map((file) => (JSON.parse(readFileSync(file, 'utf8')) as { accessToken: string }).accessToken)
      for (const token of killedTokens) expect(backend.emulator.isAccessTokenValid(token)).toBe(true)

      // The runner dies: no post step. The next job on it starts with RUNNER_TEMP emptied.
      rmSync(job.runnerTemp, { recursive: true, force: true })
      mkdirSync(job.runnerTemp, { recursive: true })
      const next = await gate('222222222222:Deploy=staging')
      const infos = next.stdout.split('\n').filter((line) => line.startsWith('Removed what an earlier run'))
      expect(infos).toHaveLength(1)
      expect(infos[0]).toMatch(
        new RegExp(
          `^Removed what an earlier run of this action on this runner left behind \\(its post step never ran\\): 2 AWS config blocks \\(sso-session aws-sso-device-auth-\\S+, aws-sso-device-auth-\\S+\\) from ${configFile.replace(/[.]/g, '\\.')} and 2 SSO token cache files \\(.+\\)\\.$`
        )
      )
      for (const file of killed) expect(existsSync(file)).toBe(false)
      // Removing the files is not enough: whoever copied them before still holds working tokens.
      for (const token of killedTokens) expect(backend.emulator.isAccessTokenValid(token)).toBe(false)
      const revoked = next.stdout
        .split('\n')
        .filter((line) => / IAM Identity Center token an earlier run left in [0-9a-f]{40}\.json is revoked \(sso:Logout\)/.test(line))
      expect(revoked).toHaveLength(2)
      // The user's own token and the other runner's were never sent anywhere.
      expect(readFileSync(othersToken, 'utf8')).toContain('their-token')
      const config = readFileSync(configFile, 'utf8')
      expect(config).not.toContain('[profile deploy]')
      expect(config).not.toContain('[profile audit]')
      expect(config.startsWith(userConfig)).toBe(true)
      expect(config).toContain('[profile staging]')
      expect(readFileSync(userToken, 'utf8')).toContain('users-own-token')
      expect(existsSync(othersToken)).toBe(true)
      for (const run of [first, second, next])
        expectNoSecretLeaks(run, knownSecrets(backend, job), { maskedOutputs: ['access-token'], scanState: true })

      // Its own post step then leaves exactly what was there before this action ever ran.
      const post = await job.run({ ...postEntry(), mainStep: next })
      expect(post.code).toBe(0)
      expect(post.warnings).toEqual([])
      expect(readFileSync(configFile, 'utf8')).toBe(userConfig)
      expect(readdirSync(cacheDir).sort()).toEqual([othersToken, userToken].map((file) => file.slice(cacheDir.length + 1)).sort())
      expectNoSecretLeaks(post, knownSecrets(backend, job), { scanState: true })
    }
  )
})
