// Step 2 of the flow: whose code is this run executing? A pull request from a fork runs code that
// nobody with write access has reviewed, and `pull_request_target` runs with the base
// repository's privileges for pull requests from anyone; so do issue_comment on a pull request and
// workflow_run after a fork's run, when the workflow checks out the pull request's head.
// Approving such a run's request hands the approver's AWS access to that code, so it is refused
// before any AWS call unless the workflow says, with `allow-forks: true`, that it never runs the pull request's code.
// An issue_comment event does not say where the pull request's head lives: GitHub is asked
// (github/pull-request.ts), and any doubt about the answer is a refusal.
import { UserFacingError } from './errors.js'
import type { EventPayload } from './context.js'
import { PullRequestLookupError, type PullRequestRepositories } from './github/pull-request.js'
import { sanitize } from './text/sanitize.js'
import { isRecord as isObject, member, positiveInteger } from './text/shape.js'

/** Events whose run checks out the pull request's merge commit, fork code included. */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment'])

export class UntrustedCodeError extends UserFacingError {
  override readonly name = 'UntrustedCodeError'
}

/**
 * Why this run may execute code from outside the repository, as the first half of the refusal;
 * undefined when it runs the repository's own code.
 */
export function forkCodeReason(eventName: string, payload: EventPayload | undefined): string | undefined {
  if (eventName === 'pull_request_target') {
    return "this pull_request_target run has the repository's privileges for a pull request anyone can open, and a workflow that checks out its code runs that code"
  }
  if (PULL_REQUEST_EVENTS.has(eventName)) return pullRequestReason(eventName, payload)
  if (eventName === 'issue_comment') return issueCommentReason(payload)
  if (eventName === 'workflow_run') return workflowRunReason(payload)
  return undefined
}

/** The payload is outside data: any part of it may be missing, null or of another type. */
function pullRequestReason(eventName: string, payload: EventPayload | undefined): string | undefined {
  const pullRequest = member(payload, 'pull_request')
  // Without the payload nothing proves the code is the repository's own: fail closed.
  if (!isObject(pullRequest)) return `this ${eventName} run has no readable event payload, so it may be running a fork's code`
  const base = member(pullRequest, 'base')
  const head = member(pullRequest, 'head')
  if (!isObject(base) || !isObject(head)) {
    return `this ${eventName} run's event payload does not name the pull request's head and base, so it may be running a fork's code`
  }
  return repositoryReason(eventName, member(head, 'repo'), member(base, 'repo'))
}

/**
 * A comment on a pull request: the workflow may check out the pull request's head, and the
 * payload does not say where that head lives. By the payload alone that fails closed;
 * refuseUntrustedCode asks GitHub instead when the payload names the pull request's number.
 */
function issueCommentReason(payload: EventPayload | undefined): string | undefined {
  if (payload === undefined) return "this issue_comment run has no readable event payload, so it may be running a fork's code"
  const issue = member(payload, 'issue')
  const onPullRequest = isObject(issue) ? member(issue, 'pull_request') : undefined
  if (!isObject(issue)) return "this issue_comment run's event payload names no issue, so it may be running a fork's code"
  if (onPullRequest === undefined || onPullRequest === null) return undefined
  return "this issue_comment run is on a pull request whose head repository the event does not name, so it may be running a fork's code"
}

/** workflow_run runs with the repository's privileges after a run that may have been a fork's. */
function workflowRunReason(payload: EventPayload | undefined): string | undefined {
  const run = member(payload, 'workflow_run')
  if (!isObject(run)) return "this workflow_run run has no readable event payload, so it may be running a fork's code"
  const base = member(run, 'repository') ?? member(payload, 'repository')
  return repositoryReason('workflow_run', member(run, 'head_repository'), base)
}

function repositoryReason(eventName: string, headRepo: unknown, baseRepo: unknown): string | undefined {
  const base = repositoryName(baseRepo)
  const head = repositoryName(headRepo)
  if (base !== undefined && head !== undefined && head.toLowerCase() === base.toLowerCase()) return undefined
  // The name is the fork owner's choice: it reaches the log only through sanitize.
  const fork = head === undefined ? 'a fork (since deleted)' : `the fork ${sanitize(head, { maxLength: 200 })}`
  return `this ${eventName} run executes code from ${fork}`
}

/** Throws UntrustedCodeError (one line: what, why it is dangerous, what to do) for fork code, judged by the payload alone. */
export function refuseForkCode(eventName: string, payload: EventPayload | undefined, allowForks: boolean): void {
  if (allowForks) return
  const reason = forkCodeReason(eventName, payload)
  if (reason !== undefined) throw refusal(reason, RUN_ON_A_BRANCH)
}

/** Asks GitHub for a pull request's repositories; throws (any error) when it cannot say. */
export type PullRequestLookup = (number: number) => Promise<PullRequestRepositories>

/**
 * refuseForkCode, and for a comment on a pull request, GitHub's word on where its head lives:
 * the run proceeds only when the head repository is the base repository, which is `repository`
 * (GITHUB_REPOSITORY). A lookup that fails, or an answer about another repository, is a refusal.
 */
export async function refuseUntrustedCode(
  eventName: string,
  payload: EventPayload | undefined,
  allowForks: boolean,
  repository: string,
  lookUp: PullRequestLookup
): Promise<void> {
  if (allowForks) return
  const number = pullRequestToLookUp(eventName, payload)
  if (number === undefined) return refuseForkCode(eventName, payload, false)
  let repositories: PullRequestRepositories
  try {
    repositories = await lookUp(number)
  } catch (error) {
    // The lookup's own errors are one clause of plain words; anything else is not shown.
    const why = error instanceof PullRequestLookupError ? sanitize(error.message, { maxLength: 300 }) : 'an unexpected error'
    throw refusal(
      `this issue_comment run is on pull request #${number}, whose head could not be looked up (${why}), so it may be running a fork's code`,
      GRANT_LOOKUP
    )
  }
  const reason = headReason(number, repositories, repository)
  if (reason !== undefined) throw refusal(reason.text, reason.remedy)
}

/** The pull request an issue_comment run is on, when its head must be asked for. */
export function pullRequestToLookUp(eventName: string, payload: EventPayload | undefined): number | undefined {
  if (eventName !== 'issue_comment') return undefined
  const issue = member(payload, 'issue')
  const onPullRequest = member(issue, 'pull_request')
  if (onPullRequest === undefined || onPullRequest === null) return undefined
  return positiveInteger(member(issue, 'number'))
}

/** Why the looked-up pull request may run a fork's code; undefined when its head is the repository itself. */
export function headReason(
  number: number,
  { head, base }: PullRequestRepositories,
  repository: string
): { text: string; remedy: string } | undefined {
  if (base.fullName.toLowerCase() !== repository.toLowerCase()) {
    return {
      text: `this issue_comment run is on pull request #${number}, but GitHub's answer names another base repository (${base.fullName}) than ${sanitize(repository, { maxLength: 200 })}, so it may be running a fork's code`,
      remedy: GRANT_LOOKUP
    }
  }
  // The same repository by id, name and fork flag: a fork has its own id, whatever it is named.
  if (head !== null && head.id === base.id && head.fullName.toLowerCase() === base.fullName.toLowerCase() && head.fork === base.fork)
    return undefined
  const fork = head === null ? 'a fork (since deleted)' : `the fork ${head.fullName}`
  return { text: `this issue_comment run is on pull request #${number}, whose code comes from ${fork}`, remedy: RUN_ON_A_BRANCH }
}

const RUN_ON_A_BRANCH =
  "Run the workflow on a branch of this repository, or set allow-forks: true only if it never runs the pull request's code."
const GRANT_LOOKUP =
  "Give the job permissions: pull-requests: read and a github-token that can read this repository's pull requests, or set allow-forks: true only if the workflow never runs the pull request's code."

function refusal(reason: string, remedy: string): UntrustedCodeError {
  return new UntrustedCodeError(
    `Refusing to request AWS access: ${reason}, and approving would hand the approver's AWS access to code nobody with write access has reviewed. ${remedy}`
  )
}

function repositoryName(repo: unknown): string | undefined {
  const name = member(repo, 'full_name')
  return typeof name === 'string' && name !== '' ? name : undefined
}
