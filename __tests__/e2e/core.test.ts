// The action end to end (issue 2, item 8): the bundled dist/index.js, run as the GitHub runner
// runs it, against the local IAM Identity Center emulator. Each outcome is checked where a
// workflow would see it (exit code, outputs file, job summary, the step log's one error line) and
// everything captured is scanned for every secret that crossed the wire.
import { describe, expect, it } from '@jest/globals'
import type { EmulatorOptions } from '../../emulator/server.js'
import {
  createJob,
  runUrl,
  type ActionJob,
  type ActionRun,
  type Inputs,
  type RunningAction,
  type StreamListener
} from '../harness/runner.js'
import { expectMaskedBeforeUse, expectNoSecretLeaks } from '../harness/secrets.js'
import {
  actionEntry,
  ENDPOINT_WARNING,
  knownSecrets,
  otherWarnings,
  requiredInputs,
  startSsoBackend,
  waitForPrompt,
  type Prompt,
  type SsoBackend
} from '../harness/sso-backend.js'
import { afterThisTest } from '../support/after-test.js'

const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/

/** An emulator, a job pointed at it, and the action started as a step of that job. */
async function startGate(emulatorOptions: EmulatorOptions, inputs: Inputs = {}, stepOptions: { onStdout?: StreamListener } = {}) {
  // Closed when the test ends, job first: the tests run side by side (afterThisTest).
  const backend = await startSsoBackend({ interval: 0.5, ...emulatorOptions })
  afterThisTest(() => backend.close())
  const job = createJob({ env: backend.env })
  afterThisTest(() => job.dispose())
  const step: RunningAction = job.start({ ...actionEntry(), inputs: { ...requiredInputs, ...inputs }, ...stepOptions })
  return { backend, job, step, emulator: backend.emulator }
}

/** What every unapproved outcome must look like: failed step, one error line, the outcome recorded. */
function expectUnapproved(run: ActionRun, outcome: string, message: RegExp): void {
  expect(run.code).toBe(1)
  expect(run.signal).toBeNull()
  expect(run.outputs.outcome).toBe(outcome)
  expect(run.outputs['access-token'] ?? '').toBe('')
  expect(run.errors).toHaveLength(1)
  expect(run.errors[0]).not.toMatch(/\n/)
  expect(run.errors[0]).toMatch(message)
  expect(run.stdout.split('\n').filter((line) => line.startsWith('::error')).length).toBe(1)
  expect(run.summary).toContain(`<code>${outcome}</code>`)
  expect(run.summary).toContain(runUrl(run.context))
}

/** Every secret the tap saw was masked before any trace of it, and none leaked anywhere. */
function expectSecretsSafe(run: ActionRun, gate: { backend: SsoBackend; job: ActionJob }, expectedFields: string[]): void {
  const secrets = knownSecrets(gate.backend, gate.job)
  expect(Object.keys(secrets).sort()).toEqual([...expectedFields, 'githubToken'].sort())
  for (const field of expectedFields) expectMaskedBeforeUse(run, secrets[field], field)
  expectNoSecretLeaks(run, secrets, { maskedOutputs: ['access-token'] })
}

/** The outputs name the links AWS sent: in today's form (the emulator's default) one link for both. */
function expectPromptFields(run: ActionRun, prompt: Prompt, endpoint: string, form: 'current' | 'legacy' = 'current'): void {
  expect(run.outputs['user-code']).toBe(prompt.userCode)
  expect(run.outputs['verification-uri']).toBe(form === 'current' ? prompt.verificationUriComplete : `${endpoint}/device`)
  expect(run.outputs['verification-uri-complete']).toBe(prompt.verificationUriComplete)
}

/** The link in the log, in the form the emulator answered in. */
function expectedLink(endpoint: string, form: 'current' | 'legacy', userCode: string): RegExp {
  const base = endpoint.replace(/[.]/g, '\\.')
  return form === 'current'
    ? new RegExp(`^${base}/platform/authorize\\?request_uri=[\\w%.-]+$`)
    : new RegExp(`^${base}/device\\?user_code=${userCode}$`)
}

describe('the action against the emulator', () => {
  it.concurrent.each([
    [
      'current',
      '  2. The page asks you to confirm a code. Confirm only if it is:',
      'Scan to open the AWS page that asks you to confirm the code:'
    ],
    ['legacy', '  2. The link fills in the code. Check that the page shows:', 'Scan to open the link that fills in the code:']
  ] as const)(
    '%s verification form: the log shows one link, the words for that form, and the code on its own line',
    async (form, step, caption) => {
      const gate = await startGate({ verificationForm: form })
      const prompt = await waitForPrompt(gate.step, gate.emulator)
      gate.emulator.approve(prompt.userCode)
      const run = await gate.step.result
      expect(run.code).toBe(0)
      expect(prompt.verificationUriComplete).toMatch(expectedLink(gate.emulator.endpoint, form, prompt.userCode))
      const lines = run.stdout.split('\n')
      const open = lines.indexOf(`  1. Open ${prompt.verificationUriComplete}`)
      expect(lines.slice(open + 1, open + 4)).toEqual([step, '', `         ${prompt.userCode}`])
      expect(run.stdout).toContain(`${caption}\n`)
      // One link: the page and the complete link are never both offered.
      expect(run.stdout).not.toMatch(/Or open this link|Enter the code/)
      if (form === 'current') expect(run.stdout).not.toContain('fills in the code')
      expect(run.stdout).toContain(`the workflow's 'region' input (us-east-1) must be the home region of the IAM Identity Center instance.`)
      expectPromptFields(run, prompt, gate.emulator.endpoint, form)
      expectSecretsSafe(run, gate, ['clientSecret', 'deviceCode', 'accessToken', 'refreshToken'])
    }
  )

  it.concurrent('approved: exits 0 with a valid token, masked before any trace, and records the outcome', async () => {
    const gate = await startGate({ tokenTtl: 3600 })
    const prompt = await waitForPrompt(gate.step, gate.emulator)
    const lines = gate.step.stdout.split('\n')
    // The code stands on its own: today's AWS verification links do not contain it.
    expect(lines).toContain(`         ${prompt.userCode}`)
    expect(prompt.verificationUriComplete).not.toContain(prompt.userCode)
    const approvedAt = Date.now()
    gate.emulator.approve(prompt.userCode)
    const run = await gate.step.result

    expect(run.code).toBe(0)
    expect(run.errors).toEqual([])
    expect(run.outputs.outcome).toBe('approved')
    const token = run.outputs['access-token']
    expect(token).toBe(gate.backend.tap.secrets().accessToken)
    expect(gate.emulator.isAccessTokenValid(token)).toBe(true)
    expect(run.outputs['expires-at']).toMatch(isoUtc)
    const expiresAt = Date.parse(run.outputs['expires-at'])
    expect(expiresAt).toBeGreaterThanOrEqual(approvedAt + 3600_000 - 2_000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 2_000)
    expectPromptFields(run, prompt, gate.emulator.endpoint)
    expect(run.summary).toContain('<code>approved</code>')
    expect(run.summary).toContain(prompt.userCode)
    expect(run.summary).toContain(runUrl(run.context))
    expect(gate.emulator.counts).toMatchObject({ RegisterClient: 1, StartDeviceAuthorization: 1 })
    expect(gate.emulator.counts.CreateToken).toBeGreaterThanOrEqual(1)
    expectSecretsSafe(run, gate, ['clientSecret', 'deviceCode', 'accessToken', 'refreshToken'])
  })

  it.concurrent(
    'overridden endpoints: the log, the summary and a warning annotation say where the request goes, beside the code',
    async () => {
      const gate = await startGate({}, { notify: 'summary' })
      const prompt = await waitForPrompt(gate.step, gate.emulator)
      gate.emulator.deny(prompt.userCode)
      const run = await gate.step.result
      const tap = new URL(gate.backend.tap.endpoint).origin
      const linkHost = new URL(gate.emulator.endpoint).host
      const sentences = [
        `AWS_ENDPOINT_URL_SSO_OIDC sends the SSO OIDC calls to ${tap}, not to AWS.`,
        `AWS_ENDPOINT_URL_SSO sends the SSO portal calls to ${tap}, not to AWS.`,
        `The verification link goes to ${linkHost}, which is not an AWS host.`
      ]
      // The annotation: one line, naming each variable, its origin and the link's host.
      const [warning, ...more] = run.warnings.filter((line) => ENDPOINT_WARNING.test(line))
      expect(more).toEqual([])
      expect(warning).toBe(
        `This request does not go to AWS's own endpoints. ${sentences.join(' ')} The approval prompt tells the approver not to approve unless they expect this.`
      )
      expect(otherWarnings(run)).toEqual([])
      // The log: right under the link and the code.
      const lines = run.stdout.split('\n')
      const code = lines.indexOf(`         ${prompt.userCode}`, lines.indexOf(`  1. Open ${prompt.verificationUriComplete}`))
      expect(lines.slice(code + 2, code + 7)).toEqual([
        "  !!! WARNING: This request does not go to AWS's own endpoints.",
        ...sentences.map((sentence) => `  !!! ${sentence}`),
        '  !!! If you did not expect this (an emulator or a proxy your team set up), do not approve: deny the request and tell whoever runs this workflow.'
      ])
      // The summary records it beside the code.
      expect(run.summary).toContain(`<p>🛑 <strong>This request does not go to AWS&#39;s own endpoints.</strong> ${sentences.join(' ')}`)
      expectSecretsSafe(run, gate, ['clientSecret', 'deviceCode'])
    }
  )

  it.concurrent('denied: fails with one line, outcome denied, and no token', async () => {
    const gate = await startGate({})
    const prompt = await waitForPrompt(gate.step, gate.emulator)
    gate.emulator.deny(prompt.userCode)
    const run = await gate.step.result
    expectUnapproved(run, 'denied', /denied/i)
    expectPromptFields(run, prompt, gate.emulator.endpoint)
    expectSecretsSafe(run, gate, ['clientSecret', 'deviceCode'])
  })

  it.concurrent('expired: fails with one line naming the expired code when nobody approves in time', async () => {
    const gate = await startGate({ expiresIn: 2 })
    const prompt = await waitForPrompt(gate.step, gate.emulator)
    const run = await gate.step.result
    expectUnapproved(run, 'expired', new RegExp(`${prompt.userCode}.*expired`))
    // The commonest reason nobody could approve, said in the failure line too.
    expect(run.errors[0]).toContain(
      "If the approver saw an error on the AWS page instead of the code, check that input 'region' (us-east-1)"
    )
    expect(run.durationMs).toBeGreaterThanOrEqual(1_500)
    expectPromptFields(run, prompt, gate.emulator.endpoint)
    expectSecretsSafe(run, gate, ['clientSecret', 'deviceCode'])
  })

  it.concurrent('timed out: stops at the timeout input, well before the code expires', async () => {
    const gate = await startGate({ expiresIn: 600 }, { timeout: '2' })
    const prompt = await waitForPrompt(gate.step, gate.emulator)
    const run = await gate.step.result
    expectUnapproved(run, 'timed-out', /timeout/)
    expect(run.durationMs).toBeLessThan(15_000)
    expect(gate.emulator.pending().map((p) => p.userCode)).toContain(prompt.userCode)
    expectSecretsSafe(run, gate, ['clientSecret', 'deviceCode'])
  })

  it.concurrent('cancelled: stops on the runner’s SIGINT without needing SIGTERM', async () => {
    const gate = await startGate({})
    await waitForPrompt(gate.step, gate.emulator)
    const run = await gate.step.cancel({ sigtermAfterMs: 5_000, killAfterMs: 1_000 })
    expectUnapproved(run, 'cancelled', /cancelled/)
    expect(run.stdout).not.toMatch(/SIGTERM/)
    expectSecretsSafe(run, gate, ['clientSecret', 'deviceCode'])
  })

  it.concurrent('shows the prompt (URL and code) on stdout before the first CreateToken poll', async () => {
    let pollsWhenPromptSeen: number | undefined
    let promptSeenAt: number | undefined
    // Assigned before the step can print anything (its output arrives after this await).
    // A `let`, not a const: the callback may run before the await ends, and must then see undefined.
    let started: Awaited<ReturnType<typeof startGate>> | undefined
    // eslint-disable-next-line prefer-const
    started = await startGate(
      { interval: 1 },
      {},
      {
        onStdout: (_text, _child, soFar) => {
          if (pollsWhenPromptSeen === undefined && /\n {9}[A-Z0-9]{4}-[A-Z0-9]{4}\n/.test(soFar)) {
            pollsWhenPromptSeen = started?.emulator.counts.CreateToken
            promptSeenAt = Date.now()
          }
        }
      }
    )
    const gate = started
    const prompt = await waitForPrompt(gate.step, gate.emulator)
    expect(gate.step.stdout).toContain(`  1. Open ${prompt.verificationUriComplete}`)
    expect(gate.step.stdout).toContain(prompt.userCode)
    // Let at least one poll happen, then end the request.
    await new Promise((resolve) => setTimeout(resolve, 1_300))
    gate.emulator.deny(prompt.userCode)
    await gate.step.result
    const firstPoll = gate.emulator.requests.find((request) => request.operation === 'CreateToken')
    expect(pollsWhenPromptSeen).toBe(0)
    expect(firstPoll).toBeDefined()
    expect(firstPoll?.at).toBeGreaterThanOrEqual(promptSeenAt ?? Infinity)
  })
})
