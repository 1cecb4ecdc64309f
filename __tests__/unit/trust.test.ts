// Whose code a run executes, read from the event the way the runner hands it over: only a pull
// request whose head repository is the base repository runs the repository's own code.
import { describe, expect, it } from '@jest/globals'
import type { EventPayload } from '../../src/context.js'
import { forkCodeReason, refuseForkCode, UntrustedCodeError } from '../../src/trust.js'

function pullRequest(head: string | null, base = 'octo-org/app'): EventPayload {
  return { pull_request: { number: 7, head: { repo: head === null ? null : { full_name: head } }, base: { repo: { full_name: base } } } }
}

function refusal(eventName: string, payload: EventPayload | undefined): UntrustedCodeError {
  try {
    refuseForkCode(eventName, payload, false)
  } catch (error) {
    if (error instanceof UntrustedCodeError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

function workflowRun(head: string | null, base = 'octo-org/app'): EventPayload {
  return {
    workflow_run: { head_repository: head === null ? null : { full_name: head }, repository: { full_name: base } },
    repository: { full_name: base }
  }
}

const ISSUE_COMMENT_ON_PR = "this issue_comment run is on a pull request whose head repository the event does not name, so it may be running a fork's code"
const NO_HEAD_OR_BASE = (eventName: string): string =>
  `this ${eventName} run's event payload does not name the pull request's head and base, so it may be running a fork's code`

describe('forkCodeReason', () => {
  it.each<[string, EventPayload | undefined]>([
    ['push', undefined],
    ['workflow_dispatch', {}],
    ['pull_request', pullRequest('octo-org/app')],
    // GitHub names are case-insensitive.
    ['pull_request', pullRequest('Octo-Org/App')],
    ['pull_request_review', pullRequest('octo-org/app')],
    ['pull_request_review_comment', pullRequest('octo-org/app')],
    // A comment on an issue that is not a pull request runs the default branch.
    ['issue_comment', { issue: { number: 3 } }],
    ['issue_comment', { issue: { number: 3, pull_request: null } }],
    ['workflow_run', workflowRun('octo-org/app')],
    ['workflow_run', { workflow_run: { head_repository: { full_name: 'octo-org/app' } }, repository: { full_name: 'octo-org/app' } }]
  ])('%s from the repository itself: its own code', (eventName, payload) => {
    expect(forkCodeReason(eventName, payload)).toBeUndefined()
  })

  it.each<[string, EventPayload | undefined, string]>([
    ['pull_request', pullRequest('mallory/app'), 'this pull_request run executes code from the fork mallory/app'],
    ['pull_request_review', pullRequest('mallory/app'), 'this pull_request_review run executes code from the fork mallory/app'],
    ['pull_request', pullRequest('octo-org/app', 'octo-org/other'), 'this pull_request run executes code from the fork octo-org/app'],
    ['workflow_run', workflowRun('mallory/app'), 'this workflow_run run executes code from the fork mallory/app'],
    ['workflow_run', workflowRun(null), 'this workflow_run run executes code from a fork (since deleted)'],
    ['workflow_run', { workflow_run: { head_repository: { full_name: 'mallory/app' } }, repository: { full_name: 'octo-org/app' } }, 'this workflow_run run executes code from the fork mallory/app'],
    ['workflow_run', { workflow_run: { head_repository: { full_name: 'octo-org/app' } } }, 'this workflow_run run executes code from the fork octo-org/app'],
    ['workflow_run', { workflow_run: 'x' }, "this workflow_run run has no readable event payload, so it may be running a fork's code"],
    ['workflow_run', undefined, "this workflow_run run has no readable event payload, so it may be running a fork's code"],
    ['issue_comment', { issue: { number: 7, pull_request: { url: 'https://api.github.com/repos/octo-org/app/pulls/7' } } }, ISSUE_COMMENT_ON_PR],
    ['issue_comment', { issue: { number: 7, pull_request: {} } }, ISSUE_COMMENT_ON_PR],
    ['issue_comment', { issue: 'x' } as unknown as EventPayload, "this issue_comment run's event payload names no issue, so it may be running a fork's code"],
    ['issue_comment', undefined, "this issue_comment run has no readable event payload, so it may be running a fork's code"],
    ['pull_request_review_comment', pullRequest('mallory/app'), 'this pull_request_review_comment run executes code from the fork mallory/app'],
    ['pull_request', pullRequest(null), 'this pull_request run executes code from a fork (since deleted)'],
    ['pull_request', {}, 'this pull_request run has no readable event payload, so it may be running a fork\'s code'],
    ['pull_request', undefined, 'this pull_request run has no readable event payload, so it may be running a fork\'s code']
  ])('%s: %s', (eventName, payload, reason) => {
    expect(forkCodeReason(eventName, payload)).toBe(reason)
  })

  // Outside data of any shape fails closed and never throws.
  it.each<[string, unknown]>([
    ['head: null', { pull_request: { head: null, base: { repo: { full_name: 'octo-org/app' } } } }],
    ['head: "x"', { pull_request: { head: 'x', base: { repo: { full_name: 'octo-org/app' } } } }],
    ['base: 5', { pull_request: { head: { repo: { full_name: 'octo-org/app' } }, base: 5 } }],
    ['no head', { pull_request: { base: { repo: { full_name: 'octo-org/app' } } } }],
    ['no base', { pull_request: { head: { repo: { full_name: 'octo-org/app' } } } }],
    ['head: []', { pull_request: { head: [], base: { repo: { full_name: 'octo-org/app' } } } }]
  ])('a pull request payload with %s: refused', (_name, payload) => {
    expect(forkCodeReason('pull_request', payload as EventPayload)).toBe(NO_HEAD_OR_BASE('pull_request'))
  })

  it.each<[string, unknown, string]>([
    ['pull_request: "x"', { pull_request: 'x' }, "this pull_request run has no readable event payload, so it may be running a fork's code"],
    ['head.repo: "x"', { pull_request: { head: { repo: 'x' }, base: { repo: { full_name: 'octo-org/app' } } } }, 'this pull_request run executes code from a fork (since deleted)'],
    ['base.repo: null', { pull_request: { head: { repo: { full_name: 'octo-org/app' } }, base: { repo: null } } }, 'this pull_request run executes code from the fork octo-org/app'],
    ['full_name: 5', { pull_request: { head: { repo: { full_name: 5 } }, base: { repo: { full_name: 'octo-org/app' } } } }, 'this pull_request run executes code from a fork (since deleted)']
  ])('a pull request payload with %s: refused', (_name, payload, reason) => {
    expect(forkCodeReason('pull_request', payload as EventPayload)).toBe(reason)
  })

  it('the fork name is sanitised: no line break or workflow command reaches the log', () => {
    const reason = forkCodeReason('pull_request', pullRequest('mallory/app\n::stop-commands::x\u202e'))
    expect(reason).toBeDefined()
    expect(reason).not.toMatch(/[\n\u202e]/)
    expect(reason).toContain('the fork mallory/app ')
  })

  it('pull_request_target, even from the repository itself: the workflow may check out anyone’s code', () => {
    expect(forkCodeReason('pull_request_target', pullRequest('octo-org/app'))).toMatch(/^this pull_request_target run has the repository's privileges/)
  })
})

describe('refuseForkCode', () => {
  it('refuses with one line: what, why approving is dangerous, what to do', () => {
    const error = refusal('pull_request', pullRequest('mallory/app'))
    expect(error.message).toBe(
      "Refusing to request AWS access: this pull_request run executes code from the fork mallory/app, and approving would hand the approver's AWS access to code nobody with write access has reviewed. " +
        "Run the workflow on a branch of this repository, or set allow-forks: true only if it never runs the pull request's code."
    )
    expect(refusal('pull_request_target', pullRequest('octo-org/app')).message).not.toMatch(/\n/)
  })

  it('allow-forks: true lets fork code run', () => {
    expect(() => refuseForkCode('pull_request', pullRequest('mallory/app'), true)).not.toThrow()
    expect(() => refuseForkCode('pull_request_target', undefined, true)).not.toThrow()
    expect(() => refuseForkCode('issue_comment', { issue: { number: 7, pull_request: {} } }, true)).not.toThrow()
    expect(() => refuseForkCode('workflow_run', workflowRun('mallory/app'), true)).not.toThrow()
  })

  it('lets the repository’s own code run', () => {
    expect(() => refuseForkCode('pull_request', pullRequest('octo-org/app'), false)).not.toThrow()
    expect(() => refuseForkCode('push', undefined, false)).not.toThrow()
  })
})
