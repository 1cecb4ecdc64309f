// Step 2 of the flow: whose code is this run executing? A pull request from a fork runs code that
// nobody with write access has reviewed, and `pull_request_target` runs with the base
// repository's privileges for pull requests from anyone. Approving such a run's request hands the
// approver's AWS access to that code, so it is refused before any AWS call unless the workflow
// says, with `allow-forks: true`, that it never runs the pull request's code.
import { UserFacingError } from './errors.js'
import type { EventPayload } from './context.js'

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
  if (!PULL_REQUEST_EVENTS.has(eventName)) return undefined
  const pullRequest = payload?.pull_request
  // Without the payload nothing proves the code is the repository's own: fail closed.
  if (pullRequest === undefined) return `this ${eventName} run has no readable event payload, so it may be running a fork's code`
  const base = repositoryName(pullRequest.base?.repo)
  const head = repositoryName(pullRequest.head?.repo)
  if (base !== undefined && head !== undefined && head.toLowerCase() === base.toLowerCase()) return undefined
  const fork = head === undefined ? 'a fork (since deleted)' : `the fork ${head}`
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

function repositoryName(repo: { full_name?: unknown } | null | undefined): string | undefined {
  return typeof repo?.full_name === 'string' && repo.full_name !== '' ? repo.full_name : undefined
}
