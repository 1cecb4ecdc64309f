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

describe('forkCodeReason', () => {
  it.each<[string, EventPayload | undefined]>([
    ['push', undefined],
    ['workflow_dispatch', {}],
    ['pull_request', pullRequest('octo-org/app')],
    // GitHub names are case-insensitive.
    ['pull_request', pullRequest('Octo-Org/App')],
    ['pull_request_review', pullRequest('octo-org/app')]
  ])('%s from the repository itself: its own code', (eventName, payload) => {
    expect(forkCodeReason(eventName, payload)).toBeUndefined()
  })

  it.each<[string, EventPayload | undefined, string]>([
    ['pull_request', pullRequest('mallory/app'), 'this pull_request run executes code from the fork mallory/app'],
    ['pull_request_review_comment', pullRequest('mallory/app'), 'this pull_request_review_comment run executes code from the fork mallory/app'],
    ['pull_request', pullRequest(null), 'this pull_request run executes code from a fork (since deleted)'],
    ['pull_request', {}, 'this pull_request run has no readable event payload, so it may be running a fork\'s code'],
    ['pull_request', undefined, 'this pull_request run has no readable event payload, so it may be running a fork\'s code']
  ])('%s: %s', (eventName, payload, reason) => {
    expect(forkCodeReason(eventName, payload)).toBe(reason)
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
  })

  it('lets the repository’s own code run', () => {
    expect(() => refuseForkCode('pull_request', pullRequest('octo-org/app'), false)).not.toThrow()
    expect(() => refuseForkCode('push', undefined, false)).not.toThrow()
  })
})
