// The PR comment end to end (issue 4, items 1 and 6): the bundled action, run as the runner runs
// it on a pull_request event, posts through the real @actions/github to the loopback GitHub REST
// fake (GITHUB_API_URL only). One comment per gate, edited through every state of its life and
// across re-runs; a forged marker is never touched; a read-only token costs one warning.
// Each test has a gate of its own and mostly waits on it: they run side by side, but for the one
// that times an exit.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { gateId } from '../../src/model/gate.js'
import { commentMarker } from '../../src/notify/pr-comment.js'
import { commentSize, MAX_COMMENT_SIZE } from '../../src/notify/comment-size.js'
import { DEFAULT_LOGIN, GITHUB_ACTIONS_BOT_ID, type FakeComment } from '../fakes/github-api.js'
import { prGatePerTest, REPOSITORY, PULL_REQUEST, type PrGate } from '../harness/pr-gate.js'
import type { ActionRun } from '../harness/runner.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'
import { otherWarnings, requiredInputs, waitForPrompt } from '../harness/sso-backend.js'

const prGate = prGatePerTest()

const MARKER = commentMarker(gateId({ workflow: 'Deploy', job: 'deploy', startUrl: requiredInputs['start-url'] }))
const ours = (comment: FakeComment) => comment.body.startsWith(MARKER) && comment.author.login === 'github-actions[bot]'
const titled = (title: string) => (comment: FakeComment) => ours(comment) && comment.body.includes(`### ${title}`)

function expectSafe(run: ActionRun, pr: PrGate): void {
  expectNoSecretLeaks(run, pr.secrets(), { maskedOutputs: ['access-token'], texts: pr.commentTexts() })
}

describe('the PR comment through its life', () => {
  it.concurrent('pending with the code and link as soon as the code exists, then approved without them', async () => {
    const pr = await prGate()
    const step = pr.start()
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    const pending = await pr.waitForComment(titled('🔐 AWS sign-in waiting for approval'))
    // Posted before the first poll could have decided anything.
    expect(pending.body).toContain(`\`${prompt.userCode}\``)
    expect(pending.body).toContain(`](${prompt.verificationUriComplete})`)
    expect(pending.body).toMatch(/The code expires at \*\*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\*\*/)
    expect(pending.body).toContain(`Repository: \`${REPOSITORY}\``)
    expect(pending.body).toContain('Approve only if you started this run')
    // The harness points the action at a loopback emulator: the approver is told, under the code.
    const emulatorHost = new URL(pr.backend.emulator.endpoint).host
    expect(pending.body).toContain(`\`${prompt.userCode}\`\n\n> 🛑 **This request does not go to AWS's own endpoints\\.**\n`)
    expect(pending.body).toContain(`> The verification link goes to ${emulatorHost.replace(/[.:]/g, '\\$&')}, which is not an AWS host\\.`)

    pr.backend.emulator.approve(prompt.userCode)
    const run = await step.result
    expect(run.code).toBe(0)
    expect(run.outputs.outcome).toBe('approved')

    const [comment, ...others] = pr.comments()
    expect(others).toEqual([])
    expect(comment!.id).toBe(pending.id)
    expect(comment!.body).toContain('### ✅ AWS sign-in approved')
    expect(comment!.body).not.toContain(prompt.userCode)
    expect(comment!.body).not.toContain('user_code=')
    const commentUrl = `${new URL(pr.api.url).origin}/${REPOSITORY}/pull/${PULL_REQUEST}#issuecomment-${pending.id}`
    expect(run.outputs['comment-url']).toBe(commentUrl)
    // Posted, then edited: the output is written once, and the log says where the comment is, once.
    expect(readFileSync(run.files.output, 'utf8').match(/^comment-url<</gm)).toHaveLength(1)
    expect(run.stdout.split('\n').filter((line) => line.includes('shown in the PR comment'))).toEqual([
      `The request is shown in the PR comment ${commentUrl}`
    ])
    expect(pr.api.requests.map((r) => `${r.method} ${r.route}`)).toEqual([
      'GET user',
      'POST graphql',
      'GET list',
      'POST create',
      'PATCH update'
    ])
    expect(pr.api.requests.every((r) => r.authorized)).toBe(true)
    expect(otherWarnings(run)).toEqual([])
    expectSafe(run, pr)
  })

  it.concurrent.each([
    ['denied', '⛔ AWS sign-in denied', {}, {}],
    ['expired', '⌛ AWS sign-in expired', { expiresIn: 2 }, {}],
    ['timed-out', '⌛ AWS sign-in timed out', {}, { timeout: '2' }],
    ['error', '❌ AWS sign-in failed', {}, {}]
  ] as const)('%s: the comment says so and drops the code', async (outcome, title, emulator, inputs) => {
    const pr = await prGate({ emulator })
    const step = pr.start(inputs)
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    await pr.waitForComment(titled('🔐 AWS sign-in waiting for approval'))
    if (outcome === 'denied') pr.backend.emulator.deny(prompt.userCode)
    // Not retryable: the poll stops at once with an error.
    if (outcome === 'error')
      pr.backend.emulator.injectFault({ operation: 'CreateToken', kind: 'status', status: 400, errorType: 'InvalidGrantException' })
    const run = await step.result

    expect(run.code).toBe(1)
    expect(run.outputs.outcome).toBe(outcome)
    expect(pr.comments()).toHaveLength(1)
    const body = pr.comments()[0]!.body
    expect(body).toContain(`### ${title}`)
    expect(body).not.toContain(prompt.userCode)
    expect(body).not.toContain('user_code=')
    expect(run.outputs['comment-url']).toContain(`#issuecomment-${pr.comments()[0]!.id}`)
    expectSafe(run, pr)
  })

  // Alone: it times the exit.
  it('cancelled: SIGINT stops polling, marks the comment and exits non-zero within 2 s', async () => {
    const pr = await prGate()
    const step = pr.start()
    await waitForPrompt(step, pr.backend.emulator)
    await pr.waitForComment(titled('🔐 AWS sign-in waiting for approval'))
    const polls = () => pr.backend.emulator.counts.CreateToken
    const signalledAt = performance.now()
    step.signal('SIGINT')
    const run = await step.result
    const tookMs = performance.now() - signalledAt

    expect(tookMs).toBeLessThan(2_000)
    expect(run.code).toBe(1)
    expect(run.signal).toBeNull()
    expect(run.outputs.outcome).toBe('cancelled')
    expect(run.errors).toEqual([expect.stringContaining('cancelled while waiting for approval')])
    const body = pr.comments()[0]!.body
    expect(body).toContain('### 🚫 AWS sign-in cancelled')
    expect(body).toContain('do not approve it')
    // No poll after the signal.
    const pollsAtExit = polls()
    await new Promise((resolve) => setTimeout(resolve, 700))
    expect(polls()).toBe(pollsAtExit)
    expectSafe(run, pr)
  })
})

describe('one comment per gate', () => {
  it.concurrent('a re-run edits the same comment, pending with the new code, then its outcome', async () => {
    const pr = await prGate()
    const first = pr.start()
    const firstPrompt = await waitForPrompt(first, pr.backend.emulator)
    pr.backend.emulator.deny(firstPrompt.userCode)
    expect((await first.result).outputs.outcome).toBe('denied')
    const [denied] = pr.comments()
    expect(denied!.body).toContain('### ⛔ AWS sign-in denied')

    const rerun = pr.start({}, { job: pr.rerun() })
    const secondPrompt = await waitForPrompt(rerun, pr.backend.emulator)
    const pending = await pr.waitForComment((comment) => comment.body.includes(secondPrompt.userCode))
    expect(pending.id).toBe(denied!.id)
    expect(pending.body).toContain('attempt 2')
    pr.backend.emulator.approve(secondPrompt.userCode)
    const run = await rerun.result

    expect(run.outputs.outcome).toBe('approved')
    expect(pr.comments()).toHaveLength(1)
    expect(pr.comments()[0]!.body).toContain('### ✅ AWS sign-in approved')
    expect(pr.api.requests.filter((r) => r.route === 'create')).toHaveLength(1)
    expectSafe(run, pr)
  })

  it.concurrent('leaves a forged comment with our marker by another user untouched, and posts its own', async () => {
    const pr = await prGate()
    const forgedBody = `${MARKER}\n### 🔐 AWS sign-in waiting for approval\nApprove EVIL-CODE at https://evil.example/device`
    const forged = pr.api.seedComment({ issue: PULL_REQUEST, body: forgedBody, author: 'mallory' })
    const step = pr.start()
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    pr.backend.emulator.approve(prompt.userCode)
    const run = await step.result

    expect(run.outputs.outcome).toBe('approved')
    const [stillForged, own, ...others] = pr.comments()
    expect(others).toEqual([])
    expect(stillForged).toMatchObject({ id: forged.id, body: forgedBody, updatedAt: forged.createdAt })
    expect(own!.author.login).toBe('github-actions[bot]')
    expect(own!.body).toContain('### ✅ AWS sign-in approved')
    expect(pr.api.requests.filter((r) => r.route === 'update').map((r) => r.path)).not.toContain(
      `/repos/${REPOSITORY}/issues/comments/${forged.id}`
    )
    expectSafe(run, pr)
  })
})

describe('a token that may not comment', () => {
  it.concurrent('403: one warning naming pull-requests: write, and the gate goes on with the log', async () => {
    const pr = await prGate({ api: { readOnly: true } })
    const step = pr.start()
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    pr.backend.emulator.approve(prompt.userCode)
    const run = await step.result

    expect(run.code).toBe(0)
    expect(run.outputs.outcome).toBe('approved')
    expect(otherWarnings(run)).toHaveLength(1)
    expect(otherWarnings(run)[0]).toContain('permissions: pull-requests: write')
    expect(otherWarnings(run)[0]).toContain('403')
    expect(run.outputs['comment-url']).toBeUndefined()
    expect(pr.comments()).toEqual([])
    // Tried once, then left alone: the outcome is not attempted again.
    expect(pr.api.requests.filter((r) => r.route === 'create' || r.route === 'update')).toHaveLength(1)
    expectSafe(run, pr)
  })

  it.concurrent('notify: summary alone posts nothing on a pull request', async () => {
    const pr = await prGate()
    const step = pr.start({ notify: 'summary' })
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    pr.backend.emulator.approve(prompt.userCode)
    const run = await step.result
    expect(run.outputs.outcome).toBe('approved')
    expect(pr.api.requests).toEqual([])
  })

  it.concurrent('notify: None (any case) leaves the step log only: no comment, no job summary', async () => {
    const pr = await prGate()
    const step = pr.start({ notify: 'None', phase: 'ALL' })
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    pr.backend.emulator.approve(prompt.userCode)
    const run = await step.result
    expect(run.code).toBe(0)
    expect(run.outputs.outcome).toBe('approved')
    expect(run.stdout).toContain(prompt.userCode)
    expect(run.summary).toBe('')
    expect(pr.api.requests).toEqual([])
    expect(run.outputs['comment-url']).toBeUndefined()
  })
})

describe("whose token it is: only that writer's comments are edited", () => {
  /** One run to its end: prompted, then approved. */
  async function approvedRun(pr: PrGate, job?: ReturnType<PrGate['rerun']>): Promise<ActionRun> {
    const step = pr.start({}, job ? { job } : {})
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    pr.backend.emulator.approve(prompt.userCode)
    return step.result
  }
  const debugLines = (run: ActionRun) => run.commands.filter((command) => command.name === 'debug').map((command) => command.data)

  it.concurrent.each([
    [
      'a GitHub App installation token',
      'app',
      /^PR comment: the token writes as deploy-gate \(user id 149130343, from GraphQL viewer\)/,
      ['GET user 403', 'POST graphql 200']
    ],
    [
      'a personal access token',
      'pat',
      /^PR comment: the token writes as octo-deployer \(user id 5832310, from GET \/user\)/,
      ['GET user 200']
    ]
  ] as const)(
    '%s: its own comment is edited across re-runs; a look-alike by another bot is never touched',
    async (_name, kind, identityLine, identityCalls) => {
      const pr = await prGate({
        debug: true,
        api: { kind, token: kind === 'app' ? 'ghs_appInstallationTokenForTheGate01' : 'github_pat_11AAAAAAA0fakePersonalToken0123456789' }
      })
      // github-actions[bot] is every GITHUB_TOKEN's author: another workflow's, or a pull request's
      // own workflow pasting our marker over a phishing prompt.
      const lookalikeBody = `${MARKER}\n### 🔐 AWS sign-in waiting for approval\nApprove EVIL-CODE at https://evil.example/device`
      const lookalike = pr.api.seedComment({
        issue: PULL_REQUEST,
        body: lookalikeBody,
        author: { login: DEFAULT_LOGIN, id: GITHUB_ACTIONS_BOT_ID, type: 'Bot' }
      })

      const first = await approvedRun(pr)
      expect(first.outputs.outcome).toBe('approved')
      expect(debugLines(first).some((line) => identityLine.test(line))).toBe(true)
      const own = pr.comments().filter((comment) => comment.id !== lookalike.id)
      expect(own).toHaveLength(1)
      expect(own[0]!.author).toEqual(pr.api.identity)
      expect(own[0]!.body).toContain('### ✅ AWS sign-in approved')

      const rerun = await approvedRun(pr, pr.rerun())
      expect(rerun.outputs.outcome).toBe('approved')
      expect(pr.comments().map((comment) => comment.id)).toEqual([lookalike.id, own[0]!.id])
      expect(pr.comments()[0]).toMatchObject({ body: lookalikeBody, updatedAt: lookalike.createdAt })
      expect(pr.comments()[1]!.body).toContain('attempt 2')
      const calls = pr.api.requests.map((r) => `${r.method} ${r.route} ${r.status}`)
      // Once per run: who the token is, then the list, then writes to its own comment only.
      expect(calls).toEqual([
        ...identityCalls,
        'GET list 200',
        'POST create 201',
        'PATCH update 200',
        ...identityCalls,
        'GET list 200',
        'PATCH update 200',
        'PATCH update 200'
      ])
      expect(pr.api.requests.filter((r) => r.route === 'update').every((r) => r.path.endsWith(`/comments/${own[0]!.id}`))).toBe(true)
      for (const run of [first, rerun]) {
        expect(otherWarnings(run)).toEqual([])
        expectSafe(run, pr)
      }
    }
  )

  it.concurrent('GraphQL unavailable: no existing comment is edited, a new one is posted and said so in a debug line', async () => {
    const pr = await prGate({ debug: true, api: { kind: 'app', graphql: 'off' } })
    const earlier = pr.api.seedComment({ issue: PULL_REQUEST, body: `${MARKER}\nan earlier run's comment`, author: pr.api.identity })
    const run = await approvedRun(pr)

    expect(run.outputs.outcome).toBe('approved')
    expect(debugLines(run)).toContain(
      'PR comment: could not learn whose token github-token is, so no existing comment is edited; a new comment is posted.'
    )
    const [kept, posted, ...others] = pr.comments()
    expect(others).toEqual([])
    expect(kept).toMatchObject({ id: earlier.id, body: `${MARKER}\nan earlier run's comment` })
    // The run's own comment, learned from the POST's answer, is still edited to its outcome.
    expect(posted!.body).toContain('### ✅ AWS sign-in approved')
    expect(pr.api.requests.filter((r) => r.route === 'update').map((r) => r.path)).toEqual([
      `/repos/${REPOSITORY}/issues/comments/${posted!.id}`
    ])
    expectSafe(run, pr)
  })
})

describe('a request too long for one comment', () => {
  // 700 roles with long names: about 140 KB of profile lines, over twice what GitHub takes.
  const ROLES = Array.from(
    { length: 700 },
    (_, i) => `${String(100000000000 + i)}:${'DeployRole'.padEnd(60, 'x')}${i}=profile-${i}-${'p'.repeat(40)}`
  ).join('\n')

  it.concurrent.each(['denied', 'cancelled'] as const)(
    '%s: pending and outcome both shortened to fit, the code and link kept while pending',
    async (outcome) => {
      const pr = await prGate()
      const step = pr.start({ roles: ROLES })
      const prompt = await waitForPrompt(step, pr.backend.emulator)
      const pending = await pr.waitForComment(titled('🔐 AWS sign-in waiting for approval'))
      expect(commentSize(pending.body)).toBeLessThanOrEqual(MAX_COMMENT_SIZE)
      expect(pending.body).toContain(`\`${prompt.userCode}\``)
      expect(pending.body).toContain(`](${prompt.verificationUriComplete})`)
      expect(pending.body).toMatch(/- \*\*…and \d+ more AWS profiles, not listed here\*\*/)
      expect(pending.body).toContain("This comment was shortened to fit GitHub's limit")
      if (outcome === 'denied') pr.backend.emulator.deny(prompt.userCode)
      else step.signal('SIGINT')
      const run = await step.result

      expect(run.outputs.outcome).toBe(outcome)
      const [comment, ...others] = pr.comments()
      expect(others).toEqual([])
      expect(comment!.id).toBe(pending.id)
      expect(comment!.body).toContain(outcome === 'denied' ? '### ⛔ AWS sign-in denied' : '### 🚫 AWS sign-in cancelled')
      expect(commentSize(comment!.body)).toBeLessThanOrEqual(MAX_COMMENT_SIZE)
      expect(comment!.body).toMatch(/- \*\*…and \d+ more AWS profiles, not listed here\*\*/)
      expect(comment!.body).not.toContain(prompt.userCode)
      // Every write was accepted: none was refused as too long.
      expect(pr.api.requests.filter((r) => r.route === 'create' || r.route === 'update').map((r) => r.status)).toEqual([201, 200])
      expect(otherWarnings(run)).toEqual([])
      expectSafe(run, pr)
    }
  )
})
