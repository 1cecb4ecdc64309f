// Step 2 of the flow: whose code is this run executing? A pull request from a fork runs code that
// nobody with write access has reviewed, and `pull_request_target` runs with the base
// repository's privileges for pull requests from anyone; so do issue_comment on a pull request and
// workflow_run after a fork's run, when the workflow checks out the pull request's head.
// Approving such a run's request hands the approver's AWS access to that code, so it is refused
// before any AWS call unless the workflow says, with `allow-forks: true`, that it never runs the pull request's code.
import { UserFacingError } from './errors.js'
import type { EventPayload } from './context.js'
import { sanitize } from './text/sanitize.js'

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
 * payload does not say where that head lives. Until it is looked up, fail closed.
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

/** Throws UntrustedCodeError (one line: what, why it is dangerous, what to do) for fork code. */
export function refuseForkCode(eventName: string, payload: EventPayload | undefined, allowForks: boolean): void {
  if (allowForks) return
  const reason = forkCodeReason(eventName, payload)
  if (reason === undefined) return
  throw new UntrustedCodeError(
    `Refusing to request AWS access: ${reason}, and approving would hand the approver's AWS access to code nobody with write access has reviewed. ` +
      "Run the workflow on a branch of this repository, or set allow-forks: true only if it never runs the pull request's code."
  )
}

function repositoryName(repo: unknown): string | undefined {
  const name = member(repo, 'full_name')
  return typeof name === 'string' && name !== '' ? name : undefined
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** One key of a value that may not be an object at all. */
function member(value: unknown, key: string): unknown {
  return isObject(value) ? (value as Record<string, unknown>)[key] : undefined
}
