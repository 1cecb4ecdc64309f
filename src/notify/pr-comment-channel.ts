// The PR comment as a channel: posted the moment a request exists (the log is not where an
// approver on the pull request looks), edited in place when it ends, and handed to the post step
// while it still says "pending" so that a killed step cannot leave it asking for approval.
// A comment that cannot be written costs one warning, never the gate: the log has the prompt.
import { definedFields } from '../defined.js'
import { apiBaseUrl } from '../github/rest-client.js'
import type { CommentForPostStep, CommentHandover } from '../model/post-step-state.js'
import type { Phase } from '../model/inputs.js'
import type { Notifier } from './channel.js'
import { renderComment } from './comment-body.js'
import { gateOf } from '../model/gate.js'
import { PrCommentError, StickyComment, type CommentTarget, type StickyCommentOptions } from './pr-comment.js'
import { seconds } from '../time/format.js'
import { settleWithin } from '../time/limit.js'
import { storeRequest, storeResult, type ApprovalRequest, type RunContext } from '../model/request.js'

export interface PrCommentChannelOptions {
  /** Where the comment goes; the token is the `github-token` input. */
  target: CommentTarget & { apiUrl: string }
  /** The comment's record in the post-step state, for the post step to finalize. */
  postStep: CommentHandover
  phase: Phase
  /** Two phases: the pending-request file whose existence means the request is still open. */
  pendingFile?: string
  warn: (message: string) => void
  /** The comment's web URL, each time it is written (the `comment-url` output). */
  onPosted: (url: string) => void
  sticky?: StickyCommentOptions
  /**
   * How long one write (the prompt, the outcome) may take, asked for at each write: GitHub that
   * does not answer must not hold the gate past its `timeout`. Default: no limit but the client's.
   */
  writeWithinMs?: () => number
  /** The run's cancellation: the pending comment being posted is given up at once (the outcome is still written). */
  signal?: AbortSignal
}

export function createPrCommentNotifier(options: PrCommentChannelOptions): Notifier {
  const { target, postStep } = options
  let sticky: StickyComment | undefined
  /** The limit of the write in progress: the GitHub client checks it before and during each request. */
  let limit: AbortSignal | undefined
  // After a permission or token problem every later call would fail the same way: one warning.
  let disabled = false
  // Whether the post step knows about the comment (it does once a pending comment exists).
  let handedOver = false
  const handOver = (change: (comment: CommentForPostStep) => void): void => {
    if (!handedOver) return
    postStep.updateComment((comment) => {
      if (comment) change(comment)
      return comment
    })
  }

  async function write(request: ApprovalRequest, body: string, cancellation?: AbortSignal): Promise<boolean> {
    if (disabled || cancellation?.aborted) return false
    const withinMs = options.writeWithinMs?.()
    const timeLimit = withinMs === undefined ? undefined : AbortSignal.timeout(withinMs)
    limit = timeLimit && cancellation ? AbortSignal.any([timeLimit, cancellation]) : (timeLimit ?? cancellation)
    try {
      const written = (async () => {
        sticky ??= await StickyComment.find(target, gateOf(request), { ...options.sticky, limit: () => limit })
        return sticky.upsert(body)
      })()
      const { url } = await withinLimit(written, limit, withinMs)
      options.onPosted(url)
      return true
    } catch (error) {
      // Cancelled: the flow records `cancelled` next, with a write of its own.
      if (cancellation?.aborted) return false
      // Not answering is a reason to stop too: the next write would only wait as long again.
      if (error instanceof PrCommentError && error.reason !== 'rejected') disabled = true
      options.warn(
        error instanceof PrCommentError
          ? error.message
          : `Could not update the PR comment: ${error instanceof Error ? error.message : String(error)}`
      )
      return false
    }
  }

  return {
    name: 'PR comment',
    async prompt(request) {
      if (!(await write(request, renderComment(request, 'pending'), options.signal))) return
      postStep.updateComment(() => ({
        owner: target.owner,
        repo: target.repo,
        issueNumber: target.issueNumber,
        apiUrl: target.apiUrl,
        gate: gateOf(request),
        ...(sticky?.identity ? { author: { id: sticky.identity.id, login: sticky.identity.login } } : {}),
        request: storeRequest(request),
        phase: options.phase,
        recorded: false,
        ...definedFields({ pendingFile: options.pendingFile })
      }))
      handedOver = true
    },
    async record({ request, result }) {
      // Nothing was shown to anyone: a failure before the request started needs no comment.
      if (request === undefined) return
      // Handed over first: if this step dies during the edit, the post step writes the same outcome.
      handOver((comment) => (comment.result = storeResult(result)))
      if (await write(request, renderComment(request, result.outcome, result))) handOver((comment) => (comment.recorded = true))
    }
  }
}

/** The write's outcome, or a PrCommentError as soon as its limit runs out (the write is then cut off). */
async function withinLimit<T>(written: Promise<T>, limit: AbortSignal | undefined, withinMs: number | undefined): Promise<T> {
  if (!limit) return written
  const outcome = await settleWithin(() => written, undefined, limit)
  if (outcome.status === 'done') return outcome.value
  if (outcome.status === 'failed') throw outcome.error
  throw new PrCommentError(
    'unavailable',
    `Could not update the PR comment: GitHub did not answer within ${seconds(withinMs ?? 0)}. The approval request is in the step log.`
  )
}

/**
 * Where this run's PR comment goes, or undefined (with the reason) when there is none to post:
 * the run belongs to no pull request, or the workflow gave no token.
 */
export function commentTarget(
  context: RunContext,
  token: string,
  env: NodeJS.ProcessEnv = process.env
): { target: PrCommentChannelOptions['target'] } | { reason: string } {
  if (context.pullRequest === undefined) return { reason: 'this run belongs to no pull request' }
  if (token === '') return { reason: "input 'github-token' is empty" }
  const [owner, repo] = context.repository.split('/')
  if (!owner || !repo) return { reason: 'GITHUB_REPOSITORY is not owner/repo' }
  return { target: { token, owner, repo, issueNumber: context.pullRequest, apiUrl: apiBaseUrl(undefined, env) } }
}
