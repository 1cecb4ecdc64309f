// Whose code a run executes, read from the event the way the runner hands it over: only a pull
// request whose head repository is the base repository runs the repository's own code.
import { describe, expect, it } from '@jest/globals'
import type { EventPayload } from '../../src/context.js'
import { PullRequestLookupError, readPullRequest, type PullRequestRepositories } from '../../src/github/pull-request.js'
import { forkCodeReason, refuseForkCode, refuseUntrustedCode, UntrustedCodeError, type PullRequestLookup } from '../../src/trust.js'

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

const ISSUE_COMMENT_ON_PR =
  "this issue_comment run is on a pull request whose head repository the event does not name, so it may be running a fork's code"
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
    [
      'workflow_run',
      { workflow_run: { head_repository: { full_name: 'mallory/app' } }, repository: { full_name: 'octo-org/app' } },
      'this workflow_run run executes code from the fork mallory/app'
    ],
    [
      'workflow_run',
      { workflow_run: { head_repository: { full_name: 'octo-org/app' } } },
      'this workflow_run run executes code from the fork octo-org/app'
    ],
    ['workflow_run', { workflow_run: 'x' }, "this workflow_run run has no readable event payload, so it may be running a fork's code"],
    ['workflow_run', undefined, "this workflow_run run has no readable event payload, so it may be running a fork's code"],
    [
      'issue_comment',
      { issue: { number: 7, pull_request: { url: 'https://api.github.com/repos/octo-org/app/pulls/7' } } },
      ISSUE_COMMENT_ON_PR
    ],
    ['issue_comment', { issue: { number: 7, pull_request: {} } }, ISSUE_COMMENT_ON_PR],
    [
      'issue_comment',
      { issue: 'x' } as unknown as EventPayload,
      "this issue_comment run's event payload names no issue, so it may be running a fork's code"
    ],
    ['issue_comment', undefined, "this issue_comment run has no readable event payload, so it may be running a fork's code"],
    [
      'pull_request_review_comment',
      pullRequest('mallory/app'),
      'this pull_request_review_comment run executes code from the fork mallory/app'
    ],
    ['pull_request', pullRequest(null), 'this pull_request run executes code from a fork (since deleted)'],
    ['pull_request', {}, "this pull_request run has no readable event payload, so it may be running a fork's code"],
    ['pull_request', undefined, "this pull_request run has no readable event payload, so it may be running a fork's code"]
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
    [
      'head.repo: "x"',
      { pull_request: { head: { repo: 'x' }, base: { repo: { full_name: 'octo-org/app' } } } },
      'this pull_request run executes code from a fork (since deleted)'
    ],
    [
      'base.repo: null',
      { pull_request: { head: { repo: { full_name: 'octo-org/app' } }, base: { repo: null } } },
      'this pull_request run executes code from the fork octo-org/app'
    ],
    [
      'full_name: 5',
      { pull_request: { head: { repo: { full_name: 5 } }, base: { repo: { full_name: 'octo-org/app' } } } },
      'this pull_request run executes code from a fork (since deleted)'
    ]
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
    expect(forkCodeReason('pull_request_target', pullRequest('octo-org/app'))).toMatch(
      /^this pull_request_target run has the repository's privileges/
    )
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

describe('refuseUntrustedCode: an issue_comment on a pull request asks GitHub where its head lives', () => {
  const ON_PR_7: EventPayload = { issue: { number: 7, pull_request: { url: 'https://api.github.com/repos/octo-org/app/pulls/7' } } }
  const repo = (fullName: string, id: number, fork: boolean) => ({ id, fullName, fork })
  const OWN = { head: repo('octo-org/app', 11, false), base: repo('octo-org/app', 11, false) }

  async function outcome(
    lookUp: PullRequestLookup,
    payload: EventPayload = ON_PR_7,
    repository = 'octo-org/app'
  ): Promise<string | undefined> {
    try {
      await refuseUntrustedCode('issue_comment', payload, false, repository, lookUp)
      return undefined
    } catch (error) {
      if (error instanceof UntrustedCodeError) return error.message
      throw error
    }
  }

  it('a head in the repository itself: the run proceeds, after asking for the right pull request', async () => {
    const asked: number[] = []
    expect(await outcome(async (n) => (asked.push(n), OWN))).toBeUndefined()
    // Names compare case-insensitively, as on GitHub.
    expect(await outcome(async () => OWN, ON_PR_7, 'Octo-Org/App')).toBeUndefined()
    // The repository is itself a fork of another: its own pull requests are still its own.
    expect(await outcome(async () => ({ head: repo('octo-org/app', 11, true), base: repo('octo-org/app', 11, true) }))).toBeUndefined()
    expect(asked).toEqual([7])
  })

  it.each<[string, PullRequestRepositories, RegExp]>([
    [
      'a fork',
      { head: repo('mallory/app', 99, true), base: OWN.base },
      /pull request #7, whose code comes from the fork mallory\/app, and approving/
    ],
    ['a deleted fork', { head: null, base: OWN.base }, /whose code comes from a fork \(since deleted\)/],
    // Renamed to the base's name, or an id that is another repository's: not the repository itself.
    ['a head with the base name but another id', { head: repo('octo-org/app', 12, false), base: OWN.base }, /the fork octo-org\/app/],
    ['a head with the base id but marked a fork', { head: repo('octo-org/app', 11, true), base: OWN.base }, /the fork octo-org\/app/],
    [
      'another base repository',
      { head: repo('octo-org/other', 13, false), base: repo('octo-org/other', 13, false) },
      /names another base repository \(octo-org\/other\) than octo-org\/app/
    ]
  ])('%s: refused in one line', async (_name, answer, reason) => {
    const message = await outcome(async () => answer)
    expect(message).toMatch(/^Refusing to request AWS access: this issue_comment run is on pull request #7/)
    expect(message).toMatch(reason)
    expect(message).toContain('allow-forks: true')
    expect(message).not.toMatch(/\n/)
  })

  it('a lookup that fails: refused, saying what failed and what to grant', async () => {
    const message = await outcome(async () => {
      throw new PullRequestLookupError('GitHub answered 403 (the token may not read pull requests)')
    })
    expect(message).toBe(
      "Refusing to request AWS access: this issue_comment run is on pull request #7, whose head could not be looked up (GitHub answered 403 (the token may not read pull requests)), so it may be running a fork's code, " +
        "and approving would hand the approver's AWS access to code nobody with write access has reviewed. " +
        "Give the job permissions: pull-requests: read and a github-token that can read this repository's pull requests, or set allow-forks: true only if the workflow never runs the pull request's code."
    )
  })

  it('any other error is not shown, only that it happened', async () => {
    const message = await outcome(async () => {
      throw new Error('token ghs_secret0123456789 leaked\n::stop-commands::x')
    })
    expect(message).toContain('whose head could not be looked up (an unexpected error)')
    expect(message).not.toContain('ghs_secret')
  })

  it('no lookup for what needs none: a comment on an issue, other events, allow-forks', async () => {
    const never: PullRequestLookup = async () => {
      throw new Error('not to be called')
    }
    expect(await outcome(never, { issue: { number: 3 } })).toBeUndefined()
    await expect(refuseUntrustedCode('push', undefined, false, 'octo-org/app', never)).resolves.toBeUndefined()
    await expect(refuseUntrustedCode('issue_comment', ON_PR_7, true, 'octo-org/app', never)).resolves.toBeUndefined()
    // A fork's pull_request is refused from the payload, without asking.
    await expect(refuseUntrustedCode('pull_request', pullRequest('mallory/app'), false, 'octo-org/app', never)).rejects.toThrow(
      /the fork mallory\/app/
    )
  })

  it.each<[string, unknown]>([
    ['number: "7"', { issue: { number: '7', pull_request: {} } }],
    ['number: 0', { issue: { number: 0, pull_request: {} } }],
    ['number: 7.5', { issue: { number: 7.5, pull_request: {} } }],
    ['no number', { issue: { pull_request: {} } }]
  ])('a pull request comment with %s: refused without asking', async (_name, payload) => {
    const message = await outcome(async () => OWN, payload as EventPayload)
    expect(message).toContain(ISSUE_COMMENT_ON_PR)
  })
})

describe('readPullRequest: GitHub answers believed only in their own shape', () => {
  const valid = (): Record<string, unknown> => ({
    number: 7,
    head: { repo: { id: 11, full_name: 'octo-org/app', fork: false } },
    base: { repo: { id: 11, full_name: 'octo-org/app', fork: false } }
  })
  const withPath = (path: string[], value: unknown): unknown => {
    const data = valid()
    let at: Record<string, unknown> = data
    for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>
    at[path.at(-1)!] = value
    return data
  }

  it('reads a valid answer, and a deleted fork as a null head', () => {
    expect(readPullRequest(valid(), 7)).toEqual({
      head: { id: 11, fullName: 'octo-org/app', fork: false },
      base: { id: 11, fullName: 'octo-org/app', fork: false }
    })
    expect(readPullRequest(withPath(['head', 'repo'], null), 7).head).toBeNull()
  })

  it.each<[string, unknown, RegExp]>([
    ['not an object', [valid()], /not a pull request/],
    ['null', null, /not a pull request/],
    ['another number', withPath(['number'], 8), /another pull request than #7/],
    ['the number as a string', withPath(['number'], '7'), /another pull request than #7/],
    ['no head', withPath(['head'], undefined), /no head and base/],
    ['a base of null', withPath(['base'], null), /no head and base/],
    ['a base repo of null', withPath(['base', 'repo'], null), /no valid base repository/],
    ['a head id as a string', withPath(['head', 'repo', 'id'], '11'), /no valid head repository/],
    ['a head id of 0', withPath(['head', 'repo', 'id'], 0), /no valid head repository/],
    ['a fork flag as a string', withPath(['head', 'repo', 'fork'], 'false'), /no valid head repository/],
    ['a name with a line break', withPath(['head', 'repo', 'full_name'], 'octo-org/app\n::stop-commands::x'), /no valid head repository/],
    ['a name without an owner', withPath(['base', 'repo', 'full_name'], 'app'), /no valid base repository/],
    ['a name with a bidi override', withPath(['base', 'repo', 'full_name'], 'octo-org/\u202eppa'), /no valid base repository/]
  ])('%s: a PullRequestLookupError', (_name, data, message) => {
    expect(() => readPullRequest(data, 7)).toThrow(PullRequestLookupError)
    expect(() => readPullRequest(data, 7)).toThrow(message)
  })
})
