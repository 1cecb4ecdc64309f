// Two phases end to end (issue 4, item 3): `phase: start` prompts (log, job summary, PR comment),
// sets the public outputs, keeps the pending request in a mode-0600 file under RUNNER_TEMP and
// exits 0; a later step approves; `phase: wait` picks the request up, polls and exports, editing
// the same comment. The post steps then find nothing left to finalize and leave no file behind.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { AWS_OPERATIONS, type Account } from '../../emulator/server.js'
import { prGatePerTest, type PrGate } from '../harness/pr-gate.js'
import { createJob, type ActionJob, type ActionRun, type Inputs } from '../harness/runner.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'
import { actionEntry, otherWarnings, requiredInputs, startSsoBackend, type SsoBackend } from '../harness/sso-backend.js'
import { afterThisTest } from '../support/after-test.js'

const prGate = prGatePerTest()

const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

function privateDirectory(pr: PrGate): string {
  return join(pr.job.runnerTemp, 'aws-sso-device-auth')
}

function filesLeft(pr: PrGate): string[] {
  try {
    return readdirSync(privateDirectory(pr))
  } catch {
    return []
  }
}

function expectSafe(run: ActionRun, pr: PrGate): void {
  // The state goes to the post step as environment: it must hold no secret either.
  expectNoSecretLeaks(run, pr.secrets(), { maskedOutputs: ['access-token'], texts: pr.commentTexts(), scanState: true })
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** What a step between the phases does with the `user-code` output: the page's own form post. */
async function decide(pr: PrGate, userCode: string, decision: 'approve' | 'deny'): Promise<void> {
  const response = await fetch(`${pr.backend.emulator.endpoint}/device/${decision}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ user_code: userCode }).toString()
  })
  expect(response.status).toBe(200)
}

describe('phase: start, then phase: wait', () => {
  it.concurrent('start prompts and exits; wait picks the request up, polls, exports and edits the same comment', async () => {
    const pr = await prGate()
    const before = Date.now()
    const start = await pr.start({ phase: 'start' }).result

    // start: exit 0 at once with the public outputs, nothing secret, no outcome yet.
    expect(start.code).toBe(0)
    expect(start.errors).toEqual([])
    expect(otherWarnings(start)).toEqual([])
    const userCode = start.outputs['user-code']!
    expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/)
    // Today's form: one link naming the request, in both outputs.
    expect(start.outputs['verification-uri']).toMatch(new RegExp(`^${pr.backend.emulator.endpoint}/platform/authorize\\?request_uri=`))
    expect(start.outputs['verification-uri-complete']).toBe(start.outputs['verification-uri'])
    expect(start.outputs['expires-at']).toMatch(isoUtc)
    const codeExpiresAt = Date.parse(start.outputs['expires-at']!)
    expect(codeExpiresAt).toBeGreaterThanOrEqual(before + 600_000 - 2_000)
    expect(codeExpiresAt).toBeLessThanOrEqual(Date.now() + 600_000)
    expect(start.outputs.outcome).toBeUndefined()
    expect(start.outputs['access-token']).toBeUndefined()
    expect(pr.backend.emulator.counts).toMatchObject({ RegisterClient: 1, StartDeviceAuthorization: 1, CreateToken: 0 })

    // The job summary is the prompt, readable while the job goes on.
    expect(start.summary).toContain('<h2>🔐 AWS sign-in waiting for approval</h2>')
    expect(start.summary).toContain(`<code>${userCode}</code>`)
    expect(start.summary).toContain(`<a href="${start.outputs['verification-uri-complete']}">Open the AWS verification page</a>`)

    // The pending request: one mode-0600 file in a mode-0700 directory, holding the secrets.
    const pendingFiles = filesLeft(pr).filter((name) => name.startsWith('pending-'))
    expect(pendingFiles).toHaveLength(1)
    const pendingPath = join(privateDirectory(pr), pendingFiles[0]!)
    expect(statSync(pendingPath).mode & 0o777).toBe(0o600)
    expect(statSync(privateDirectory(pr)).mode & 0o777).toBe(0o700)
    const secrets = pr.backend.tap.secrets()
    expect(readFileSync(pendingPath, 'utf8')).toContain(secrets.deviceCode)
    expect(readFileSync(pendingPath, 'utf8')).toContain(secrets.clientSecret)
    expect(Object.keys(start.state)).toEqual(['post_step'])
    expect(start.state.post_step!.startsWith(privateDirectory(pr))).toBe(true)
    expect(statSync(start.state.post_step!).mode & 0o777).toBe(0o600)

    const [pending] = pr.comments()
    expect(pending!.body).toContain('### 🔐 AWS sign-in waiting for approval')
    expect(pending!.body).toContain(`\`${userCode}\``)
    expect(start.outputs['comment-url']).toContain(`#issuecomment-${pending!.id}`)
    expectSafe(start, pr)

    // A step in between (the chat webhook's place) acts on the public outputs only.
    await decide(pr, userCode, 'approve')

    const wait = await pr.start({ phase: 'wait' }).result
    expect(wait.code).toBe(0)
    expect(wait.errors).toEqual([])
    expect(wait.outputs.outcome).toBe('approved')
    expect(pr.backend.emulator.isAccessTokenValid(wait.outputs['access-token']!)).toBe(true)
    expect(wait.outputs['expires-at']).toMatch(isoUtc)
    expect(wait.outputs['user-code']).toBe(userCode)
    expect(wait.outputs['comment-url']).toBe(start.outputs['comment-url'])
    // The wait step registered nothing and started nothing: it used the start step's request.
    expect(pr.backend.emulator.counts).toMatchObject({ RegisterClient: 1, StartDeviceAuthorization: 1 })
    expect(wait.stdout).toContain(userCode)
    expect(wait.summary).toContain('<code>approved</code>')
    expect(pr.comments()).toHaveLength(1)
    expect(pr.comments()[0]!.id).toBe(pending!.id)
    expect(pr.comments()[0]!.body).toContain('### ✅ AWS sign-in approved')
    expect(filesLeft(pr).filter((name) => name.startsWith('pending-'))).toEqual([])
    expectSafe(wait, pr)

    // The post steps, in the runner's order (the last step's first): nothing to finalize, no file left.
    const requestsBefore = pr.api.requests.length
    const postWait = await pr.job.run({ entry: 'post', mainStep: wait })
    const postStart = await pr.job.run({ entry: 'post', mainStep: start })
    for (const post of [postWait, postStart]) {
      expect(post.code).toBe(0)
      expect(post.warnings).toEqual([])
      expectSafe(post, pr)
    }
    expect(pr.api.requests.length).toBe(requestsBefore)
    expect(pr.comments()[0]!.body).toContain('### ✅ AWS sign-in approved')
    expect(filesLeft(pr)).toEqual([])
  })

  // Alone: it times the wait step.
  it("the start step's timeout holds in the wait step", async () => {
    const pr = await prGate({ emulator: { expiresIn: 600 } })
    const start = await pr.start({ phase: 'start', timeout: '2' }).result
    expect(start.code).toBe(0)
    const wait = await pr.start({ phase: 'wait' }).result
    expect(wait.code).toBe(1)
    expect(wait.outputs.outcome).toBe('timed-out')
    expect(pr.comments()[0]!.body).toContain('### ⌛ AWS sign-in timed out')
    expectSafe(wait, pr)
  })

  it.concurrent('wait without a start fails with one clear line, before any AWS call', async () => {
    const pr = await prGate()
    const wait = await pr.start({ phase: 'wait' }).result
    expect(wait.code).toBe(1)
    expect(wait.outputs).toEqual({ outcome: 'error' })
    expect(wait.errors).toEqual([
      'phase: wait found no pending request for this gate: add a step with phase: start and the same inputs before it in this job, or use phase: all.'
    ])
    expect(pr.backend.emulator.counts).toEqual(Object.fromEntries(AWS_OPERATIONS.map((operation) => [operation, 0])))
    expect(pr.comments()).toEqual([])
  })

  it.concurrent('start without a wait: its post step marks the comment failed and removes the pending request', async () => {
    const pr = await prGate()
    const start = await pr.start({ phase: 'start' }).result
    expect(start.code).toBe(0)
    expect(filesLeft(pr).some((name) => name.startsWith('pending-'))).toBe(true)

    const post = await pr.job.run({ entry: 'post', mainStep: start })
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
    const body = pr.comments()[0]!.body
    expect(body).toContain('### ❌ AWS sign-in failed')
    expect(body).toContain('do not approve the code')
    expect(body).not.toContain(start.outputs['user-code']!)
    expect(filesLeft(pr)).toEqual([])
    expectSafe(post, pr)
  })

  it.concurrent("a killed wait step: its post step marks the comment cancelled, the start step's post step leaves it", async () => {
    const pr = await prGate()
    const start = await pr.start({ phase: 'start' }).result
    const waiting = pr.start({ phase: 'wait' })
    // Polling means the prompt is done, the comment handed over: now the runner kills the step.
    await until(() => pr.backend.emulator.counts.CreateToken! >= 1)
    waiting.signal('SIGKILL')
    const wait = await waiting.result
    expect(wait.signal).toBe('SIGKILL')

    const postWait = await pr.job.run({ entry: 'post', mainStep: wait })
    expect(postWait.warnings).toEqual([])
    expect(pr.comments()[0]!.body).toContain('### 🚫 AWS sign-in cancelled')
    const updates = pr.api.requests.filter((r) => r.route === 'update').length
    const postStart = await pr.job.run({ entry: 'post', mainStep: start })
    expect(postStart.warnings).toEqual([])
    expect(pr.api.requests.filter((r) => r.route === 'update').length).toBe(updates)
    expect(pr.comments()[0]!.body).toContain('### 🚫 AWS sign-in cancelled')
    expect(filesLeft(pr)).toEqual([])
  })
})

// The approver approves what the start step showed them. A wait step that asks for more (an edited
// workflow, a copied step) is refused before it polls, with nothing exported. The request is
// approved before each refused wait step runs: without the guard, it would export.
describe('phase: wait gets no access its start step did not show the approver', () => {
  const directory: Account[] = [
    { accountId: '111111111111', accountName: 'Sandbox', emailAddress: 'sandbox@example.com', roles: ['Deploy', 'ReadOnly'] },
    { accountId: '222222222222', accountName: 'Staging', emailAddress: 'staging@example.com', roles: ['Deploy'] }
  ]

  /** Runs `phase: start` with `startInputs`, approves, then `phase: wait` with `waitInputs`. */
  async function startApproveWait(
    startInputs: Inputs,
    waitInputs: Inputs
  ): Promise<{ wait: ActionRun; backend: SsoBackend; job: ActionJob }> {
    const backend = await startSsoBackend({ interval: 0.5, directory })
    afterThisTest(() => backend.close())
    const job = createJob({ env: backend.env })
    afterThisTest(() => job.dispose())
    const base = { ...requiredInputs, 'cache-registration': false }
    const start = await job.run({ ...actionEntry(), inputs: { ...base, ...startInputs, phase: 'start' } })
    expect(start.code).toBe(0)
    backend.emulator.approve(start.outputs['user-code']!)
    const wait = await job.run({ ...actionEntry(), inputs: { ...base, ...waitInputs, phase: 'wait' } })
    return { wait, backend, job }
  }

  function expectRefused({ wait, backend, job }: { wait: ActionRun; backend: SsoBackend; job: ActionJob }, message: string): void {
    expect(wait.code).toBe(1)
    expect(wait.outputs).toEqual({ outcome: 'error' })
    expect(wait.errors).toEqual([message])
    // Refused before polling: no token was asked for, no role, no variable or profile written.
    expect(backend.emulator.counts).toMatchObject({ CreateToken: 0, GetRoleCredentials: 0, ListAccountRoles: 0 })
    expect(Object.keys(wait.env).filter((name) => name.startsWith('AWS_'))).toEqual([])
    expect(existsSync(join(job.home, '.aws'))).toBe(false)
  }

  const fix = 'give both steps the same account-id/role-name/roles/profile inputs.'

  it.concurrent('more roles at wait: refused, naming the role', async () => {
    const run = await startApproveWait(
      { roles: '111111111111:Deploy=sandbox' },
      { roles: '111111111111:Deploy=sandbox\n222222222222:Deploy=staging' }
    )
    expectRefused(
      run,
      `The wait step asks for profile "staging" with role Deploy in 222222222222, which its start step did not show the approver (it showed profile "sandbox" with role Deploy in 111111111111); ${fix}`
    )
  })

  it.concurrent('a roles line in another account at wait: refused', async () => {
    const run = await startApproveWait({ roles: '111111111111:Deploy=sandbox' }, { roles: '222222222222:Deploy=sandbox' })
    expectRefused(
      run,
      `The wait step asks for profile "sandbox" with role Deploy in 222222222222, which its start step did not show the approver (it showed profile "sandbox" with role Deploy in 111111111111); ${fix}`
    )
  })

  // Another account, role or start URL names another gate, which has no pending request: the
  // start step's request beside it says which input differs, as the region's check does.
  it.concurrent('another account-id at wait: refused, naming what the start step asked for', async () => {
    const run = await startApproveWait(
      { 'account-id': '111111111111', 'role-name': 'Deploy' },
      { 'account-id': '222222222222', 'role-name': 'Deploy' }
    )
    expectRefused(
      run,
      "phase: wait asks for role Deploy in account 222222222222 (inputs 'account-id' and 'role-name'), but the phase: start step of this job asked for role Deploy in account 111111111111; give both phases the same inputs."
    )
  })

  it.concurrent('another role-name, or none, at wait: refused, naming what the start step asked for', async () => {
    const start = { 'account-id': '111111111111', 'role-name': 'Deploy' }
    expectRefused(
      await startApproveWait(start, { 'account-id': '111111111111', 'role-name': 'ReadOnly' }),
      "phase: wait asks for role ReadOnly in account 111111111111 (inputs 'account-id' and 'role-name'), but the phase: start step of this job asked for role Deploy in account 111111111111; give both phases the same inputs."
    )
    expectRefused(
      await startApproveWait(start, {}),
      "phase: wait asks for no role (inputs 'account-id' and 'role-name'), but the phase: start step of this job asked for role Deploy in account 111111111111; give both phases the same inputs."
    )
  })

  it.concurrent('another start-url at wait: refused, naming both', async () => {
    const run = await startApproveWait({}, { 'start-url': 'https://d-0987654321.awsapps.com/start' })
    expectRefused(
      run,
      `Input 'start-url' is https://d-0987654321.awsapps.com/start but the phase: start step of this job used ${requiredInputs['start-url']}; give both phases the same inputs.`
    )
  })

  it.concurrent('the same roles, or fewer: exported', async () => {
    const roles = '111111111111:Deploy=sandbox\n222222222222:Deploy=staging'
    for (const waitRoles of [roles, '222222222222:Deploy=staging']) {
      const { wait, job } = await startApproveWait(
        { 'account-id': '111111111111', 'role-name': 'ReadOnly', roles },
        { 'account-id': '111111111111', 'role-name': 'ReadOnly', roles: waitRoles }
      )
      expect(wait.errors).toEqual([])
      expect(wait.code).toBe(0)
      expect(wait.outputs['aws-account-id']).toBe('111111111111')
      expect(wait.env.AWS_ACCESS_KEY_ID).toEqual(expect.any(String))
      const config = readFileSync(join(job.home, '.aws', 'config'), 'utf8')
      expect(config).toContain('[profile staging]')
      expect(config.includes('[profile sandbox]')).toBe(waitRoles === roles)
    }
  })
})
