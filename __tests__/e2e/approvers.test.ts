// Who approved, and who may (issue 13): the approver recorded in every channel and the outputs,
// an approval by someone the policy refuses (token revoked at once, a fresh code, then an allowed
// person approves), two approvers side by side, the same person twice, a denial by the second,
// and the person who started the run excluded. Against the emulator's per-user directory and its
// STS, through dist/, every secret scanned for.
import { describe, expect, it } from '@jest/globals'
import { prGatePerTest, type PrGate } from '../harness/pr-gate.js'
import type { ActionRun, RunningAction } from '../harness/runner.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'
import type { DirectoryInput } from '../../emulator/server.js'

const prGate = prGatePerTest()

const ACCOUNT = '111111111111'
const deploy = [{ accountId: ACCOUNT, accountName: 'Prod', emailAddress: 'prod@example.com', roles: ['Deploy'] }]
const PEOPLE: DirectoryInput = {
  users: ['alice@example.com', 'bob@example.com', 'mallory@evil.test'].map((userName) => ({ userName, accounts: deploy }))
}
const role = { 'account-id': ACCOUNT, 'role-name': 'Deploy' }

/** The role keys reach GITHUB_ENV as meant (for the next steps); nowhere else. */
const ROLE_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']

function expectSafe(run: ActionRun, pr: PrGate): void {
  expectNoSecretLeaks(run, pr.secrets(), {
    maskedOutputs: ['access-token'],
    exportedEnv: ROLE_ENV,
    texts: pr.commentTexts(),
    scanState: true
  })
}

async function until<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The codes waiting at the emulator that are not in `seen`, once there are `count` of them. */
async function newCodes(pr: PrGate, seen: readonly string[], count = 1): Promise<string[]> {
  return until(() => {
    const codes = pr.backend.emulator
      .pending()
      .map(({ userCode }) => userCode)
      .filter((code) => !seen.includes(code))
    return codes.length >= count ? codes : undefined
  })
}

/** Approves `code` as `user` and waits until the step has looked them up (the identity's log line). */
async function approveAs(pr: PrGate, step: RunningAction, code: string, user: string): Promise<void> {
  const before = step.stdout.split(`The approval is by ${user} (`).length
  pr.backend.emulator.approve(code, user)
  await until(() => (step.stdout.split(`The approval is by ${user} (`).length > before ? true : undefined))
}

/** The access tokens the action received, in the order they came (the tap learns each once). */
function tokens(pr: PrGate): string[] {
  const secrets = pr.backend.tap.secrets()
  return Object.keys(secrets)
    .filter((key) => /^accessToken(#\d+)?$/.test(key))
    .sort((a, b) => Number(a.split('#')[1] ?? 1) - Number(b.split('#')[1] ?? 1))
    .map((key) => secrets[key]!)
}

describe('the approver, recorded', () => {
  it.concurrent('outputs, log, job summary and PR comment say who approved and when; the export reuses the lookup', async () => {
    const pr = await prGate({ emulator: { directory: PEOPLE } })
    const step = pr.start({ ...role })
    const [code] = await newCodes(pr, [])
    pr.backend.emulator.approve(code!, 'bob@example.com')
    const run = await step.result

    expect(run.code).toBe(0)
    expect(run.outputs.approver).toBe('bob@example.com')
    expect(run.outputs['approver-arn']).toMatch(
      new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Deploy_[0-9a-f]{16}/bob@example\\.com$`)
    )
    const receipt = JSON.parse(run.outputs.receipt!)
    expect(receipt).toMatchObject({
      repository: 'octo-org/deploy-service',
      runId: pr.job.context.runId,
      runAttempt: '1',
      commit: pr.job.context.sha,
      requested: { accountId: ACCOUNT, roleName: 'Deploy', region: 'us-east-1' },
      requiredApprovals: 1,
      approvers: [{ userName: 'bob@example.com', arn: run.outputs['approver-arn'], accountId: ACCOUNT }]
    })
    expect(receipt.approvers[0].approvedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(receipt.approvers[0].requestIds.length).toBeGreaterThanOrEqual(1)
    // One role session: the lookup's credentials are the ones exported.
    expect(pr.backend.emulator.counts.GetRoleCredentials).toBe(1)
    expect(run.stdout).toMatch(/^Approved by bob@example\.com at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\. The token expires at/m)
    expect(run.summary).toMatch(/<tr><th align="left">Approved by<\/th><td>bob@example\.com at \d{4}-/)
    expect(run.summary).toContain('<h3>Approval receipt</h3>')
    expect(run.summary).toContain(`<tr><th align="left">Approver: ARN</th><td><code>${run.outputs['approver-arn']}</code></td></tr>`)
    expect(pr.comments()[0]!.body).toContain('Approved by bob\\@example\\.com at ')
    expectSafe(run, pr)
  })

  it.concurrent('with no role requested and no policy, nobody is looked up: no STS call, no approver output', async () => {
    const pr = await prGate({ emulator: { directory: PEOPLE } })
    const step = pr.start({})
    const [code] = await newCodes(pr, [])
    pr.backend.emulator.approve(code!, 'bob@example.com')
    const run = await step.result
    expect(run.code).toBe(0)
    expect(run.outputs.approver).toBeUndefined()
    expect(pr.backend.emulator.counts).toMatchObject({ GetRoleCredentials: 0, GetCallerIdentity: 0 })
    expectSafe(run, pr)
  })
})

describe('who may approve', () => {
  it.concurrent(
    'a refused approver: token revoked at once, every channel says so, a fresh code, then an allowed one approves',
    async () => {
      const pr = await prGate({ emulator: { directory: PEOPLE } })
      // No role requested: the policy alone makes the lookup, through the first role each approver has.
      const step = pr.start({ approvers: '*@example.com', timeout: '60' })
      const [first] = await newCodes(pr, [])
      await approveAs(pr, step, first!, 'mallory@evil.test')
      const [second] = await newCodes(pr, [first!])
      const comment = await pr.waitForComment((c) => c.body.includes(second!))
      expect(comment.body).toContain('Not accepted\\: mallory\\@evil\\.test approved at')
      expect(comment.body).not.toContain(first!)
      const [malloryToken] = tokens(pr)
      expect(pr.backend.emulator.isAccessTokenValid(malloryToken!)).toBe(false)
      await approveAs(pr, step, second!, 'alice@example.com')
      const run = await step.result

      expect(run.code).toBe(0)
      expect(run.outputs.approver).toBe('alice@example.com')
      expect(run.warnings).toContain(
        "mallory@evil.test approved but is not one of the approvers (input 'approvers'): the approval is not accepted and their token is revoked. Another person must approve the new code."
      )
      expect(run.stdout).toContain('The token of mallory@evil.test, whose approval was not accepted, is revoked (sso:Logout)')
      expect(run.stdout).toContain('  !!! Not accepted: mallory@evil.test approved at')
      expect(run.stdout).toContain('No role was requested: the approver is identified through the first role they have')
      expect(pr.backend.emulator.isAccessTokenValid(run.outputs['access-token']!)).toBe(true)
      expectSafe(run, pr)
    }
  )

  it.concurrent('the person who started the run, excluded, may not approve; someone else may', async () => {
    const pr = await prGate({ emulator: { directory: PEOPLE } })
    // What `${{ fromJSON(vars.SSO_USERS)[github.actor] }}` hands over for the run's actor (README).
    const step = pr.start({ ...role, 'excluded-approvers': 'Alice@Example.com', timeout: '60' })
    const [first] = await newCodes(pr, [])
    await approveAs(pr, step, first!, 'alice@example.com')
    const [second] = await newCodes(pr, [first!])
    await approveAs(pr, step, second!, 'bob@example.com')
    const run = await step.result
    expect(run.code).toBe(0)
    expect(run.outputs.approver).toBe('bob@example.com')
    expect(run.warnings).toContain(
      "alice@example.com approved but is excluded from approving this run (input 'excluded-approvers'): the approval is not accepted and their token is revoked. Another person must approve the new code."
    )
    expect(pr.backend.emulator.isAccessTokenValid(tokens(pr)[0]!)).toBe(false)
    expectSafe(run, pr)
  })

  it.concurrent('a bad pattern fails at input time, before any AWS call', async () => {
    const pr = await prGate({ emulator: { directory: PEOPLE } })
    const run = await pr.start({ approvers: 'alice bob' }).result
    expect(run.code).toBe(1)
    expect(run.errors[0]).toMatch(/^Input 'approvers' must list IAM Identity Center user names or patterns with \*/)
    expect(pr.backend.emulator.counts.RegisterClient).toBe(0)
  })
})

/** A gate that needs two approvers, with both its codes waiting. */
async function twoPersonGate(): Promise<{ pr: PrGate; step: RunningAction; a: string; b: string }> {
  const pr = await prGate({ emulator: { directory: PEOPLE } })
  const step = pr.start({ ...role, 'required-approvals': '2', timeout: '60' })
  const [a, b] = await newCodes(pr, [], 2)
  return { pr, step, a: a, b: b }
}

describe('two-person rule (required-approvals)', () => {
  it.concurrent(
    'two people, each with their own code shown side by side; the job acts as the first; the second token is revoked',
    async () => {
      const pr = await prGate({ emulator: { directory: PEOPLE } })
      const step = pr.start({ ...role, 'required-approvals': '2', timeout: '60' })
      const [a, b] = await newCodes(pr, [], 2)
      const comment = await pr.waitForComment((c) => c.body.includes(a) && c.body.includes(b))
      expect(comment.body).toContain(
        'This request needs 2 different people to approve, each with their own code\\. Nobody has approved yet\\.'
      )
      await approveAs(pr, step, a, 'alice@example.com')
      await pr.waitForComment((c) => c.body.includes('Approved so far \\(1 of 2\\)\\: alice\\@example\\.com at'))
      await approveAs(pr, step, b, 'bob@example.com')
      const run = await step.result

      expect(run.code).toBe(0)
      expect(run.outputs.approver).toBe('alice@example.com')
      const receipt = JSON.parse(run.outputs.receipt!)
      expect(receipt.requiredApprovals).toBe(2)
      expect(receipt.approvers.map((approver: { userName: string }) => approver.userName)).toEqual(['alice@example.com', 'bob@example.com'])
      const [aliceToken, bobToken] = tokens(pr)
      expect(run.outputs['access-token']).toBe(aliceToken)
      expect(pr.backend.emulator.isAccessTokenValid(aliceToken!)).toBe(true)
      expect(pr.backend.emulator.isAccessTokenValid(bobToken!)).toBe(false)
      expect(run.stdout).toMatch(/Another approver's code: [A-Z]{4}-[A-Z]{4}/)
      expect(run.stdout).toMatch(/^Approved by alice@example\.com at .*, bob@example\.com at /m)
      expect(pr.comments()[0]!.body).toContain('Approved by alice\\@example\\.com at')
      expectSafe(run, pr)
    }
  )

  it.concurrent('the same person twice counts once: the extra token is revoked and a new code shown for someone else', async () => {
    const { pr, step, a, b } = await twoPersonGate()
    await approveAs(pr, step, a, 'alice@example.com')
    await approveAs(pr, step, b, 'alice@example.com')
    const [c] = await newCodes(pr, [a, b])
    await approveAs(pr, step, c!, 'bob@example.com')
    const run = await step.result
    expect(run.code).toBe(0)
    expect(run.warnings).toContain(
      'alice@example.com approved but has approved this request already: the approval is not accepted and their token is revoked. Another person must approve the new code.'
    )
    expect(JSON.parse(run.outputs.receipt!).approvers).toHaveLength(2)
    const [, aliceAgain] = tokens(pr)
    expect(pr.backend.emulator.isAccessTokenValid(aliceAgain!)).toBe(false)
    expectSafe(run, pr)
  })

  it.concurrent("a denial by the second ends the request as denied, and the first approver's token is revoked", async () => {
    const { pr, step, a, b } = await twoPersonGate()
    await approveAs(pr, step, a, 'alice@example.com')
    pr.backend.emulator.deny(b)
    const run = await step.result
    expect(run.code).toBe(1)
    expect(run.outputs.outcome).toBe('denied')
    expect(run.outputs['access-token']).toBeUndefined()
    expect(run.env).toEqual({})
    expect(pr.backend.emulator.isAccessTokenValid(tokens(pr)[0]!)).toBe(false)
    expect(pr.comments()[0]!.body).toContain('### ⛔ AWS sign-in denied')
    expectSafe(run, pr)
  })

  it.concurrent('two phases: the start step shows both codes; the wait step records both approvers', async () => {
    const pr = await prGate({ emulator: { directory: PEOPLE } })
    const start = await pr.start({ ...role, phase: 'start', 'required-approvals': '2', timeout: '60' }).result
    expect(start.code).toBe(0)
    const [a, b] = await newCodes(pr, [], 2)
    expect(start.summary).toContain('This request needs 2 different people to approve')
    expect(start.summary).toContain(a)
    expect(start.summary).toContain(b)
    const waiting = pr.start({ ...role, phase: 'wait', 'required-approvals': '2' })
    await waiting.waitForStdout('This request needs 2 different people to approve')
    await approveAs(pr, waiting, a, 'bob@example.com')
    await approveAs(pr, waiting, b, 'alice@example.com')
    const wait = await waiting.result
    expect(wait.code).toBe(0)
    expect(wait.outputs.approver).toBe('bob@example.com')
    expect(JSON.parse(wait.outputs.receipt!).approvers.map((x: { userName: string }) => x.userName)).toEqual([
      'bob@example.com',
      'alice@example.com'
    ])
    expect(pr.backend.emulator.counts.StartDeviceAuthorization).toBe(2)
    expectSafe(start, pr)
    expectSafe(wait, pr)
  })
})
