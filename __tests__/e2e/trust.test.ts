// Fork code is refused before any AWS call (issue 4, item 2): the bundled action on a pull_request
// from a fork and on pull_request_target fails with one line saying why approving would be
// dangerous, and neither the emulator nor GitHub hears from it. `allow-forks: true` lets it run.
// A comment on a pull request asks GitHub where the pull request's head lives first (issue 12),
// and a workflow_run after a fork's run is refused from its payload.
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
const PR_COMMENT: EventSpec & { payload: Record<string, unknown> } = {
  name: 'issue_comment',
  payload: {
    action: 'created',
    issue: { number: PULL_REQUEST, pull_request: { url: `https://api.github.com/repos/octo-org/deploy-service/pulls/${PULL_REQUEST}` } },
    comment: { body: '/deploy', user: { login: 'dana-ops', id: 4242 } },
    sender: { login: 'dana-ops', id: 4242 },
    repository: { full_name: 'octo-org/deploy-service' }
  }
}

/** A workflow_run after a run of `head` (null: a deleted fork), as GitHub sends it. */
function workflowRun(head: string | null): EventSpec {
  const repository = { id: 1296269, full_name: 'octo-org/deploy-service', fork: false }
  return {
    name: 'workflow_run',
    payload: {
      action: 'completed',
      workflow_run: {
        id: 30433642,
        event: 'pull_request',
        head_branch: 'feature/rotate-keys',
        head_repository:
          head === null
            ? null
            : { id: head === repository.full_name ? repository.id : 7777777, full_name: head, fork: head !== repository.full_name },
        repository
      },
      repository
    }
  }
}

const NO_CALLS = Object.fromEntries(AWS_OPERATIONS.map((operation) => [operation, 0]))

describe('a run that executes code from a fork', () => {
  it.concurrent.each<[string, EventSpec, RegExp]>([
    [
      'pull_request from a fork',
      { name: 'pull_request', number: PULL_REQUEST, fork: true, author: 'mallory' },
      /this pull_request run executes code from the fork mallory\/deploy-service/
    ],
    [
      'pull_request_target',
      { name: 'pull_request_target', number: PULL_REQUEST },
      /this pull_request_target run has the repository's privileges/
    ],
    [
      'pull_request_review on a pull request from a fork',
      FORK_REVIEW,
      /this pull_request_review run executes code from the fork mallory\/deploy-service/
    ],
    [
      "workflow_run after a fork's run",
      workflowRun('mallory/deploy-service'),
      /this workflow_run run executes code from the fork mallory\/deploy-service/
    ],
    ["workflow_run after a deleted fork's run", workflowRun(null), /this workflow_run run executes code from a fork \(since deleted\)/]
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

  it.concurrent('allow-forks: true lets it run', async () => {
    const gate = await prGate({ event: { name: 'pull_request', number: PULL_REQUEST, fork: true, author: 'mallory' } })
    const step = gate.start({ 'allow-forks': true })
    const prompt = await waitForPrompt(step, gate.backend.emulator)
    gate.backend.emulator.approve(prompt.userCode)
    const run = await step.result
    expect(run.outputs.outcome).toBe('approved')
    expect(gate.backend.emulator.counts.StartDeviceAuthorization).toBe(1)
    expectNoSecretLeaks(run, gate.secrets(), { maskedOutputs: ['access-token'], texts: gate.commentTexts() })
  })

  it.concurrent('a pull_request from a branch of the repository itself runs', async () => {
    const gate = await prGate()
    const step = gate.start({ notify: 'summary' })
    const prompt = await waitForPrompt(step, gate.backend.emulator)
    gate.backend.emulator.deny(prompt.userCode)
    expect((await step.result).outputs.outcome).toBe('denied')
  })
})

describe('workflow_run from the repository itself', () => {
  it.concurrent('proceeds to the prompt', async () => {
    const gate = await prGate({ event: workflowRun('octo-org/deploy-service') })
    const step = gate.start({ notify: 'summary' })
    const prompt = await waitForPrompt(step, gate.backend.emulator)
    gate.backend.emulator.deny(prompt.userCode)
    const run = await step.result
    expect(run.outputs.outcome).toBe('denied')
    expect(run.errors.join('\n')).not.toContain('Refusing')
    expectNoSecretLeaks(run, gate.secrets(), { texts: gate.commentTexts() })
  })
})

describe('issue_comment on a pull request: GitHub is asked where its head lives', () => {
  const PULL_PATH = `/repos/octo-org/deploy-service/pulls/${PULL_REQUEST}`

  it.concurrent('a pull request from a branch of the repository: proceeds to the prompt, after one lookup', async () => {
    const gate = await prGate({ event: PR_COMMENT, api: { pullRequests: { [PULL_REQUEST]: { head: 'octo-org/deploy-service' } } } })
    const step = gate.start({ notify: 'summary' })
    const prompt = await waitForPrompt(step, gate.backend.emulator)
    gate.backend.emulator.deny(prompt.userCode)
    const run = await step.result

    expect(run.outputs.outcome).toBe('denied')
    // The approver is told who asked, not just the event's name: the comment's author.
    expect(run.stdout).toMatch(/^ {2}Trigger +a comment on PR #42 by dana-ops$/m)
    expect(run.summary).toContain('a comment on PR #42 by dana-ops')
    expect(gate.api.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET ${PULL_PATH} 200`])
    expect(gate.api.requests[0]!.authorized).toBe(true)
    expectNoSecretLeaks(run, gate.secrets(), { texts: gate.commentTexts() })
  })

  it.concurrent.each<[string, Parameters<typeof prGate>[0], RegExp]>([
    [
      'from a fork',
      { api: { pullRequests: { [PULL_REQUEST]: { head: 'mallory/deploy-service' } } } },
      /pull request #42, whose code comes from the fork mallory\/deploy-service, and approving .*Run the workflow on a branch of this repository/
    ],
    [
      'from a deleted fork',
      { api: { pullRequests: { [PULL_REQUEST]: { head: null } } } },
      /whose code comes from a fork \(since deleted\)/
    ],
    [
      'GitHub has no such pull request (404)',
      { api: {} },
      /whose head could not be looked up \(GitHub answered 404 \(no such pull request, or the token may not see it\)\), so it may be running a fork's code, .*Give the job permissions: pull-requests: read/
    ],
    [
      'a hostile answer',
      {
        api: {
          pullRequests: {
            [PULL_REQUEST]: {
              answer: {
                number: PULL_REQUEST,
                head: { repo: { id: 1296269, full_name: 'octo-org/deploy-service\n::stop-commands::x', fork: false } },
                base: { repo: { id: 1296269, full_name: 'octo-org/deploy-service', fork: false } }
              }
            }
          }
        }
      },
      /whose head could not be looked up \(GitHub's answer names no valid head repository\)/
    ]
  ])('%s: refused before any AWS call, in one line', async (_name, options, reason) => {
    const gate = await prGate({ event: PR_COMMENT, ...options })
    const run = await gate.start().result

    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ outcome: 'error' })
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/^Refusing to request AWS access: this issue_comment run is on pull request #42/)
    expect(run.errors[0]).toMatch(reason)
    expect(run.errors[0]).toContain('allow-forks: true')
    expect(run.stdout).not.toContain('::stop-commands::')
    expect(gate.backend.emulator.counts).toEqual(NO_CALLS)
    // Only the lookup: no comment is posted for a refused run.
    expect(gate.api.requests.map((r) => r.route)).toEqual(['pull'])
    expect(run.state).toEqual({})
    expectNoSecretLeaks(run, gate.secrets(), { texts: gate.commentTexts() })
  })

  it.concurrent('GitHub failing (502 on every attempt): refused, saying so', async () => {
    const gate = await prGate({ event: PR_COMMENT, api: { pullRequests: { [PULL_REQUEST]: { head: 'octo-org/deploy-service' } } } })
    gate.api.setFault({ route: 'pull', status: 502, count: 10 })
    const run = await gate.start().result
    expect(run.errors).toEqual([expect.stringMatching(/whose head could not be looked up \(GitHub answered 502\)/)])
    expect(gate.backend.emulator.counts).toEqual(NO_CALLS)
    expect(gate.api.requests.filter((r) => r.route === 'pull')).toHaveLength(3)
  })

  it.concurrent('an empty github-token: refused without asking, naming the input', async () => {
    const gate = await prGate({ event: PR_COMMENT, api: { pullRequests: { [PULL_REQUEST]: { head: 'octo-org/deploy-service' } } } })
    const run = await gate.start({ 'github-token': '' }).result
    expect(run.errors).toEqual([expect.stringMatching(/whose head could not be looked up \(input 'github-token' is empty\)/)])
    expect(gate.api.requests).toEqual([])
    expect(gate.backend.emulator.counts).toEqual(NO_CALLS)
  })

  it.concurrent('allow-forks: true does not ask', async () => {
    const gate = await prGate({ event: PR_COMMENT })
    const step = gate.start({ 'allow-forks': true, notify: 'summary' })
    const prompt = await waitForPrompt(step, gate.backend.emulator)
    gate.backend.emulator.deny(prompt.userCode)
    expect((await step.result).outputs.outcome).toBe('denied')
    expect(gate.api.requests).toEqual([])
  })
})
