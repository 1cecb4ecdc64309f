// The refusals of trust.ts word for word and at their edges: which remedy goes with which
// refusal, how much of a name from outside reaches the message, and when GitHub is asked at all.
import { describe, expect, it } from '@jest/globals'
import type { EventPayload } from '../../src/context.js'
import { UserFacingError } from '../../src/errors.js'
import { PullRequestLookupError, type PullRequestRepositories } from '../../src/github/pull-request.js'
import {
  forkCodeReason,
  headReason,
  pullRequestToLookUp,
  refuseForkCode,
  refuseUntrustedCode,
  UntrustedCodeError
} from '../../src/trust.js'

const RUN_ON_A_BRANCH =
  "Run the workflow on a branch of this repository, or set allow-forks: true only if it never runs the pull request's code."
const GRANT_LOOKUP =
  "Give the job permissions: pull-requests: read and a github-token that can read this repository's pull requests, or set allow-forks: true only if the workflow never runs the pull request's code."
const DANGER = "and approving would hand the approver's AWS access to code nobody with write access has reviewed."
const repo = (fullName: string, id: number, fork = false) => ({ id, fullName, fork })
const OWN: PullRequestRepositories = { head: repo('octo-org/app', 11), base: repo('octo-org/app', 11) }
const ON_PR_7: EventPayload = { issue: { number: 7, pull_request: { url: 'https://api.github.com/repos/octo-org/app/pulls/7' } } }

async function refusalOf(run: () => Promise<void> | void): Promise<UntrustedCodeError> {
  try {
    await run()
  } catch (error) {
    if (error instanceof UntrustedCodeError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('headReason', () => {
  it('is undefined for a head that is the base repository, names compared without case', () => {
    expect(headReason(7, OWN, 'octo-org/app')).toBeUndefined()
    expect(headReason(7, { head: repo('Octo-Org/App', 11), base: repo('octo-org/app', 11) }, 'OCTO-ORG/APP')).toBeUndefined()
  })

  it('asks to grant the lookup when the answer is about another base repository', () => {
    expect(headReason(7, OWN, 'octo-org/other')).toEqual({
      text: "this issue_comment run is on pull request #7, but GitHub's answer names another base repository (octo-org/app) than octo-org/other, so it may be running a fork's code",
      remedy: GRANT_LOOKUP
    })
  })

  it.each<[string, PullRequestRepositories, string]>([
    ['a fork', { head: repo('mallory/app', 99, true), base: OWN.base }, 'the fork mallory/app'],
    ['a deleted fork', { head: null, base: OWN.base }, 'a fork (since deleted)'],
    ['another name with the same id', { head: repo('octo-org/app2', 11), base: OWN.base }, 'the fork octo-org/app2'],
    ['the same name, another id', { head: repo('octo-org/app', 12), base: OWN.base }, 'the fork octo-org/app'],
    [
      'the base marked a fork, the head not',
      { head: repo('octo-org/app', 11), base: repo('octo-org/app', 11, true) },
      'the fork octo-org/app'
    ]
  ])('asks to run on a branch for %s', (_what, answer, fork) => {
    expect(headReason(7, answer, 'octo-org/app')).toEqual({
      text: `this issue_comment run is on pull request #7, whose code comes from ${fork}`,
      remedy: RUN_ON_A_BRANCH
    })
  })

  it('sanitises the repository it names, to at most 200 characters', () => {
    const long = `octo-org/${'r'.repeat(300)}`
    const reason = headReason(7, OWN, `${long}\n::x`)
    expect(reason?.text).toContain(`than octo-org/${'r'.repeat(190)}\u2026, so it may`)
  })
})

describe('pullRequestToLookUp', () => {
  it.each<[string, EventPayload | undefined, number | undefined]>([
    ['issue_comment', ON_PR_7, 7],
    ['issue_comment', { issue: { number: 7, pull_request: {} } }, 7],
    ['issue_comment', { issue: { number: 7, pull_request: null } }, undefined],
    ['issue_comment', { issue: { number: 7 } }, undefined],
    ['issue_comment', { issue: { number: -1, pull_request: {} } }, undefined],
    ['issue_comment', undefined, undefined],
    ['pull_request', ON_PR_7, undefined],
    ['pull_request_target', ON_PR_7, undefined]
  ])('%s %j: %p', (eventName, payload, expected) => {
    expect(pullRequestToLookUp(eventName, payload)).toBe(expected)
  })
})

describe('refusals', () => {
  it('are UntrustedCodeErrors, user-facing, with their own name', async () => {
    const error = await refusalOf(() => refuseForkCode('pull_request_target', undefined, false))
    expect(error).toBeInstanceOf(UserFacingError)
    expect(error.name).toBe('UntrustedCodeError')
  })

  it('for pull_request_target, word for word', async () => {
    const error = await refusalOf(() => refuseForkCode('pull_request_target', {}, false))
    expect(error.message).toBe(
      "Refusing to request AWS access: this pull_request_target run has the repository's privileges for a pull request anyone can open, and a workflow that checks out its code runs that code, " +
        `${DANGER} ${RUN_ON_A_BRANCH}`
    )
  })

  it('for another base repository, with the grant remedy', async () => {
    const error = await refusalOf(() => refuseUntrustedCode('issue_comment', ON_PR_7, false, 'octo-org/other', async () => OWN))
    expect(error.message).toMatch(new RegExp(`, ${DANGER.replace(/[.'()]/g, '\\$&')} ${GRANT_LOOKUP.replace(/[.'()]/g, '\\$&')}$`))
  })

  it('for a fork found by the lookup, with the branch remedy', async () => {
    const error = await refusalOf(() =>
      refuseUntrustedCode('issue_comment', ON_PR_7, false, 'octo-org/app', async () => ({ head: null, base: OWN.base }))
    )
    expect(error.message).toBe(
      `Refusing to request AWS access: this issue_comment run is on pull request #7, whose code comes from a fork (since deleted), ${DANGER} ${RUN_ON_A_BRANCH}`
    )
  })

  it("clip the lookup's own words to 300 characters", async () => {
    const error = await refusalOf(() =>
      refuseUntrustedCode('issue_comment', ON_PR_7, false, 'octo-org/app', async () => {
        throw new PullRequestLookupError('w'.repeat(400))
      })
    )
    expect(error.message).toContain(`(${'w'.repeat(299)}\u2026)`)
  })

  it('clip a fork name from the payload to 200 characters', () => {
    const payload = {
      pull_request: { head: { repo: { full_name: `mallory/${'a'.repeat(300)}` } }, base: { repo: { full_name: 'octo-org/app' } } }
    }
    expect(forkCodeReason('pull_request', payload)).toBe(
      `this pull_request run executes code from the fork mallory/${'a'.repeat(191)}\u2026`
    )
  })

  it('for a fork, judged by the payload alone when there is nothing to look up', async () => {
    const error = await refusalOf(() =>
      refuseUntrustedCode(
        'workflow_run',
        { workflow_run: { head_repository: { full_name: 'mallory/app' }, repository: { full_name: 'octo-org/app' } } },
        false,
        'octo-org/app',
        async () => OWN
      )
    )
    expect(error.message).toBe(
      `Refusing to request AWS access: this workflow_run run executes code from the fork mallory/app, ${DANGER} ${RUN_ON_A_BRANCH}`
    )
  })

  it("judges a workflow_run by its run's repository before the payload's", () => {
    const payload = (runRepository: string, repository: string) => ({
      workflow_run: { head_repository: { full_name: 'octo-org/app' }, repository: { full_name: runRepository } },
      repository: { full_name: repository }
    })
    expect(forkCodeReason('workflow_run', payload('octo-org/app', 'other-org/app'))).toBeUndefined()
    expect(forkCodeReason('workflow_run', payload('other-org/app', 'octo-org/app'))).toBe(
      'this workflow_run run executes code from the fork octo-org/app'
    )
  })

  it('none for a comment on an issue whose pull_request is null, without asking', async () => {
    let asked = 0
    await expect(
      refuseUntrustedCode('issue_comment', { issue: { number: 7, pull_request: null } }, false, 'octo-org/app', async () => (asked++, OWN))
    ).resolves.toBeUndefined()
    expect(asked).toBe(0)
  })

  it('none for a head that is the repository, by the payload, with an empty head name refused', () => {
    const payload = (head: unknown) => ({
      pull_request: { head: { repo: { full_name: head } }, base: { repo: { full_name: 'octo-org/app' } } }
    })
    expect(forkCodeReason('pull_request', payload('OCTO-org/app'))).toBeUndefined()
    expect(forkCodeReason('pull_request', payload(''))).toBe('this pull_request run executes code from a fork (since deleted)')
    expect(
      forkCodeReason('pull_request', { pull_request: { head: { repo: { full_name: 'octo-org/app' } }, base: { repo: { full_name: '' } } } })
    ).toBe('this pull_request run executes code from the fork octo-org/app')
  })

  it('none for events that run the repository code', () => {
    for (const eventName of ['push', 'schedule', 'workflow_dispatch', 'release', 'pull_request_targets', 'pull_requests']) {
      expect(forkCodeReason(eventName, ON_PR_7)).toBeUndefined()
    }
  })
})
