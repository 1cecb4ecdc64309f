// A PR comment must never keep asking for approval after nobody waits for it: an approver who
// follows it would hand AWS access to a request that no job will use, or worse, to whoever holds
// the device code. When the main step ended without recording the outcome (killed, or a start
// step whose wait step never came), this task writes it.
import { definedFields } from '../defined.js'
import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import type { CommentForPostStep } from '../model/post-step-state.js'
import { renderComment } from '../notify/comment-body.js'
import { StickyComment } from '../notify/pr-comment.js'
import { restoreRequest, restoreResult, type RequestResult } from '../model/request.js'
import type { CleanupTask } from './task.js'
import { sanitize } from '../text/sanitize.js'

export const finalizeComment: CleanupTask = {
  name: 'finalize the PR comment',
  async run(postStep) {
    const comment = postStep.comment
    if (comment === undefined || comment.recorded || handedToWaitStep(comment)) return
    const token = core.getInput('github-token')
    if (token === '') throw new Error("input 'github-token' is empty, so the comment still shows the request as pending")
    const sticky = await StickyComment.find(
      {
        token,
        owner: comment.owner,
        repo: comment.repo,
        issueNumber: comment.issueNumber,
        apiUrl: comment.apiUrl,
        // Checked again by StickyComment (a positive id, a login's shape) before it is believed.
        ...definedFields({ knownIdentity: comment.author })
      },
      comment.gate,
      { debug: (line) => core.debug(line) }
    )
    // Someone deleted it: there is nothing left that asks for approval.
    if (sticky.comment === undefined) return
    const result = comment.result === undefined ? abandonedResult(comment) : restoreResult(comment.result)
    const { url } = await sticky.upsert(renderComment(restoreRequest(comment.request), result.outcome, result))
    // The link is the GitHub API's answer: outside text, through the one sanitiser.
    core.info(`Marked the PR comment ${result.outcome}: ${sanitize(url)}`)
  }
}

/**
 * A start step leaves its request open on purpose; the wait step takes it over and, when done,
 * removes the pending-request file. The start step's post task runs after the wait step's, and
 * finds the file gone unless no wait step finished the request.
 */
function handedToWaitStep(comment: CommentForPostStep): boolean {
  return comment.phase === 'start' && comment.pendingFile !== undefined && !existsSync(comment.pendingFile)
}

/** What became of a request whose step ended without saying. */
export function abandonedResult(comment: Pick<CommentForPostStep, 'phase'>, at = new Date()): RequestResult {
  if (comment.phase === 'start') {
    return {
      outcome: 'error',
      at,
      message:
        'The job ended before a phase: wait step waited for this request, so nobody will use an approval: do not approve the code. Re-run the job to ask again.'
    }
  }
  return {
    outcome: 'cancelled',
    at,
    message: 'The step was stopped while waiting for approval (cancelled, timed out or killed). Re-run the job to ask again.'
  }
}
