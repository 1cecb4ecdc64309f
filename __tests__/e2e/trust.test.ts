// Fork code is refused before any AWS call (issue 4, item 2): the bundled action on a pull_request
// from a fork and on pull_request_target fails with one line saying why approving would be
// dangerous, and neither the emulator nor GitHub hears from it. `allow-forks: true` lets it run.
import { describe, expect, it } from '@jest/globals'
import { AWS_OPERATIONS } from '../../emulator/server.js'
import type { EventSpec } from '../harness/runner.js'
import { prGatePerTest, PULL_REQUEST } from '../harness/pr-gate.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'
import { waitForPrompt } from '../harness/sso-backend.js'

const prGate = prGatePerTest()

/** A review on a pull request from mallory's fork: the payload GitHub sends, in the parts that matter. */
const FORK_REVIEW: EventSpec = {
  name: 'pull_request_review',
  payload: {
    action: 'submitted',
    pull_request: {
      number: PULL_REQUEST,
      head: { ref: 'feature/rotate-keys', repo: { full_name: 'mallory/deploy-service', fork: true } },
      base: { ref: 'main', repo: { full_name: 'octo-org/deploy-service' } }
    },
    repository: { full_name: 'octo-org/deploy-service' }
  }
}

/** A comment on a pull request: the payload does not say where the pull request's head lives. */
const PR_COMMENT: EventSpec = {
  name: 'issue_comment',
  payload: {
    action: 'created',
    issue: { number: PULL_REQUEST, pull_request: { url: `https://api.github.com/repos/octo-org/deploy-service/pulls/${PULL_REQUEST}` } },
    comment: { body: '/deploy' },
    repository: { full_name: 'octo-org/deploy-service' }
  }
}

const NO_CALLS = Object.fromEntries(AWS_OPERATIONS.map((operation) => [operation, 0]))

describe('a run that executes code from a fork', () => {
  it.each<[string, EventSpec, RegExp]>([
    ['pull_request from a fork', { name: 'pull_request', number: PULL_REQUEST, fork: true, author: 'mallory' }, /this pull_request run executes code from the fork mallory\/deploy-service/],
    ['pull_request_target', { name: 'pull_request_target', number: PULL_REQUEST }, /this pull_request_target run has the repository's privileges/],
    ['pull_request_review on a pull request from a fork', FORK_REVIEW, /this pull_request_review run executes code from the fork mallory\/deploy-service/],
    ['issue_comment on a pull request', PR_COMMENT, /this issue_comment run is on a pull request whose head repository the event does not name/]
  ])('%s: refused before any AWS call, with one line saying why', async (_name, event, reason) => {
    const gate = await prGate({ event })
    const run = await gate.start().result

    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ outcome: 'error' })
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/^Refusing to request AWS access: /)
    expect(run.errors[0]).toMatch(reason)
    expect(run.errors[0]).toContain("approving would hand the approver's AWS access to code nobody with write access has reviewed")
    expect(run.errors[0]).toContain('allow-forks: true')
    expect(gate.backend.emulator.counts).toEqual(NO_CALLS)
    expect(gate.backend.emulator.requests).toEqual([])
    expect(gate.api.requests).toEqual([])
    expect(run.summary).toContain('Refusing to request AWS access')
    // Nothing was started, so nothing was handed to the post step.
    expect(run.state).toEqual({})
  })

  it('allow-forks: true lets it run', async () => {
    const gate = await prGate({ event: { name: 'pull_request', number: PULL_REQUEST, fork: true, author: 'mallory' } })
    const step = gate.start({ 'allow-forks': true })
    const prompt = await waitForPrompt(step, gate.backend.emulator)
    gate.backend.emulator.approve(prompt.userCode)
    const run = await step.result
    expect(run.outputs.outcome).toBe('approved')
    expect(gate.backend.emulator.counts.StartDeviceAuthorization).toBe(1)
    expectNoSecretLeaks(run, gate.secrets(), { maskedOutputs: ['access-token'], texts: gate.commentTexts() })
  })

  it('a pull_request from a branch of the repository itself runs', async () => {
    const gate = await prGate()
    const step = gate.start({ notify: 'summary' })
    const prompt = await waitForPrompt(step, gate.backend.emulator)
    gate.backend.emulator.deny(prompt.userCode)
    expect((await step.result).outputs.outcome).toBe('denied')
  })
})
