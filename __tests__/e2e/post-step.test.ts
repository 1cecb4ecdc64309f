// The post step (issue 4, item 4): after a main step that the runner killed outright (SIGKILL, no
// chance to record anything), the post step finalizes the PR comment and removes every file the
// action wrote. After a main step that ended normally it has nothing to finalize. It never fails
// the job, even when GitHub refuses it.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { commentSize, MAX_COMMENT_SIZE } from '../../src/notify/comment-size.js'
import { gateId } from '../../src/model/gate.js'
import { commentMarker } from '../../src/notify/pr-comment.js'
import { DEFAULT_LOGIN, GITHUB_ACTIONS_BOT_ID } from '../fakes/github-api.js'
import { prGatePerTest, PULL_REQUEST, type PrGate } from '../harness/pr-gate.js'
import type { Inputs } from '../harness/runner.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'
import { requiredInputs, waitForPrompt } from '../harness/sso-backend.js'

const prGate = prGatePerTest()

function filesLeft(pr: PrGate): string[] {
  const directory = join(pr.job.runnerTemp, 'aws-sso-device-auth')
  return existsSync(directory) ? readdirSync(directory) : []
}

/** Starts a gate, waits until it polls with its comment pending, and kills it as the runner would. */
async function killedWhilePending(pr: PrGate, inputs: Inputs = {}) {
  const step = pr.start(inputs)
  const prompt = await waitForPrompt(step, pr.backend.emulator)
  await pr.waitForComment((comment) => comment.body.includes(prompt.userCode))
  while ((pr.backend.emulator.counts.CreateToken ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 20))
  step.signal('SIGKILL')
  const main = await step.result
  expect(main.signal).toBe('SIGKILL')
  // The runner reads the state file after any exit: the post-step state's path is there.
  expect(Object.keys(main.state)).toEqual(['post_step'])
  expect(existsSync(main.state.post_step!)).toBe(true)
  return { main, prompt }
}

describe('the post step', () => {
  it.concurrent('after a killed main step: marks the pending comment cancelled and removes the files', async () => {
    const pr = await prGate()
    const { main, prompt } = await killedWhilePending(pr)
    expect(pr.comments()[0]!.body).toContain('### 🔐 AWS sign-in waiting for approval')

    const post = await pr.job.run({ entry: 'post' })
    expect(post.code).toBe(0)
    expect(post.errors).toEqual([])
    expect(post.warnings).toEqual([])
    const [comment, ...others] = pr.comments()
    expect(others).toEqual([])
    expect(comment!.body).toContain('### 🚫 AWS sign-in cancelled')
    expect(comment!.body).toContain('do not approve it')
    expect(comment!.body).toContain('The step was stopped while waiting for approval')
    expect(comment!.body).not.toContain(prompt.userCode)
    expect(post.stdout).toContain(`Marked the PR comment cancelled: `)
    expect(existsSync(main.state.post_step!)).toBe(false)
    expect(filesLeft(pr)).toEqual([])
    expectNoSecretLeaks(post, pr.secrets(), { texts: pr.commentTexts(), scanState: true })
  })

  it.concurrent(
    "an App token GitHub will not name, a 600-role request: finalizes its own comment, shortened, by the main step's word on who wrote it",
    async () => {
      const pr = await prGate({ api: { kind: 'app', graphql: 'off' } })
      const marker = commentMarker(gateId({ workflow: 'Deploy', job: 'deploy', startUrl: requiredInputs['start-url'] }))
      const lookalike = pr.api.seedComment({
        issue: PULL_REQUEST,
        body: `${marker}\nplanted`,
        author: { login: DEFAULT_LOGIN, id: GITHUB_ACTIONS_BOT_ID, type: 'Bot' }
      })
      const roles = Array.from(
        { length: 600 },
        (_, i) => `${String(100000000000 + i)}:${'Role'.padEnd(58, 'r')}${i}=profile-${i}-${'p'.repeat(40)}`
      ).join('\n')
      const { prompt } = await killedWhilePending(pr, { roles })

      const post = await pr.job.run({ entry: 'post' })
      expect(post.code).toBe(0)
      expect(post.warnings).toEqual([])
      const [planted, own, ...others] = pr.comments()
      expect(others).toEqual([])
      expect(planted).toMatchObject({ id: lookalike.id, body: `${marker}\nplanted` })
      expect(own!.author).toEqual(pr.api.identity)
      expect(own!.body).toContain('### 🚫 AWS sign-in cancelled')
      expect(own!.body).toMatch(/- \*\*…and \d+ more AWS profiles, not listed here\*\*/)
      expect(commentSize(own!.body)).toBeLessThanOrEqual(MAX_COMMENT_SIZE)
      expect(own!.body).not.toContain(prompt.userCode)
      expect(pr.api.requests.filter((r) => r.route === 'update').map((r) => r.path)).toEqual([
        `/repos/octo-org/deploy-service/issues/comments/${own!.id}`
      ])
      expectNoSecretLeaks(post, pr.secrets(), { texts: pr.commentTexts(), scanState: true })
    }
  )

  it.concurrent('after a main step that recorded its outcome: touches nothing on GitHub, removes its file', async () => {
    const pr = await prGate()
    const step = pr.start()
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    pr.backend.emulator.deny(prompt.userCode)
    const main = await step.result
    const requests = pr.api.requests.length

    const post = await pr.job.run({ entry: 'post' })
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
    expect(pr.api.requests.length).toBe(requests)
    expect(pr.comments()[0]!.body).toContain('### ⛔ AWS sign-in denied')
    expect(existsSync(main.state.post_step!)).toBe(false)
    expect(filesLeft(pr)).toEqual([])
  })

  it.concurrent('a cleanup that fails is one warning, and the step still succeeds', async () => {
    const pr = await prGate()
    await killedWhilePending(pr)
    // GitHub refuses the edit (say, the token expired); the files are removed all the same.
    pr.api.setFault({ route: 'user', status: 401, count: 5, message: 'Bad credentials' })

    const post = await pr.job.run({ entry: 'post' })
    expect(post.code).toBe(0)
    expect(post.errors).toEqual([])
    expect(post.warnings).toEqual([
      expect.stringMatching(/^Post step: could not finalize the PR comment: Could not read the PR comment: GitHub rejected the token \(401/)
    ])
    expect(filesLeft(pr)).toEqual([])
  })

  // Alone: it times the exit.
  it('SIGINT while GitHub hangs: the step exits within 2 s all the same, and the post step records the cancellation', async () => {
    const pr = await prGate()
    const step = pr.start()
    const prompt = await waitForPrompt(step, pr.backend.emulator)
    await pr.waitForComment((comment) => comment.body.includes(prompt.userCode))
    while ((pr.backend.emulator.counts.CreateToken ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 20))
    pr.api.setFault({ route: 'update', status: 'hang' })
    const signalledAt = performance.now()
    step.signal('SIGINT')
    const main = await step.result
    expect(performance.now() - signalledAt).toBeLessThan(2_000)
    expect(main.code).toBe(1)
    expect(main.outputs.outcome).toBe('cancelled')
    expect(pr.comments()[0]!.body).toContain(prompt.userCode)

    const post = await pr.job.run({ entry: 'post' })
    expect(post.warnings).toEqual([])
    expect(pr.comments()[0]!.body).toContain('### 🚫 AWS sign-in cancelled')
    // The outcome the main step handed over, with its own message, not a guess.
    expect(pr.comments()[0]!.body).toContain(
      'The run was cancelled while waiting for approval; no AWS access was exported\\. Re\\-run the job'
    )
    expect(filesLeft(pr)).toEqual([])
  })

  it.concurrent('with nothing handed over (a refused fork run), does nothing and says nothing', async () => {
    const pr = await prGate({ event: { name: 'pull_request_target', number: 42 } })
    const main = await pr.start().result
    expect(main.code).toBe(1)
    const post = await pr.job.run({ entry: 'post' })
    expect(post.code).toBe(0)
    expect(post.stdout).toBe('')
    expect(pr.api.requests).toEqual([])
  })
})
