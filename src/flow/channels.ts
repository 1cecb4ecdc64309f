// The channels `notify` asks for (job summary, PR comment, log): 5. the prompt and 8. the record
// go through them, and they remember what they showed.
import * as core from '@actions/core'
import { CANCELLED_RECORD_MS } from '../cancellation.js'
import { attemptTimeoutMs, commentWriteLimitMs } from '../deadline.js'
import { exportCommentUrl, exportRequestOutputs } from '../export/outputs.js'
import { commentTarget, createNotifiers, notifyAll, type ChannelSettings, type Notifier } from '../notify/index.js'
import { noticeLine } from '../notify/endpoint-notice.js'
import type { ApprovalRequest, RequestResult, RequestSubject } from '../model/request.js'
import { definedFields } from '../defined.js'
import type { Flow } from './flow.js'

interface ChannelOptions {
  /** Two phases: the pending request, whose existence tells the post step the request is open. */
  pendingFile?: string
  /** `false` turns the PR comment off even when `notify` lists it. */
  prComment?: boolean
}

/** The channels `notify` asks for, now that the inputs are known. */
export function openChannels(flow: Flow, options: ChannelOptions = {}): Channels {
  const { inputs } = flow
  const settings: ChannelSettings = { summaryShowsPrompt: inputs.phase === 'start' }
  if (inputs.notify.includes('pr-comment') && options.prComment !== false) {
    const where = commentTarget(flow.context, inputs.githubToken)
    if ('reason' in where) core.debug(`No PR comment: ${where.reason}.`)
    else {
      settings.prComment = {
        target: where.target,
        postStep: flow.postStep,
        phase: inputs.phase,
        ...definedFields({ pendingFile: options.pendingFile }),
        warn: (message) => core.warning(message),
        // The comment is written at each change of the request; its URL is news only once.
        onPosted: (url) => {
          if (url === channels.commentUrl) return
          channels.commentUrl = url
          core.info(`The request is shown in the PR comment ${exportCommentUrl(url)}`)
        },
        sticky: { debug: (line) => core.debug(line), requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds) },
        // Asked at each write: near the deadline, recording the outcome gets only the grace.
        // Cancelled, the outcome gets a short try: the step must be gone soon, the post step finishes.
        writeWithinMs: () =>
          flow.signal.aborted
            ? CANCELLED_RECORD_MS
            : commentWriteLimitMs(inputs.timeoutSeconds, channels.shown?.deadline.getTime() ?? flow.timeoutAt),
        signal: flow.signal
      }
    }
  }
  const channels = new Channels(createNotifiers(inputs.notify, settings))
  return channels
}

/** The step's channels, and what they have shown: the prompt and the record go through them. */
export class Channels {
  /** The last request shown to the approver. */
  shown: ApprovalRequest | undefined
  /** The PR comment's web URL, once posted. */
  commentUrl: string | undefined

  constructor(private readonly notifiers: readonly Notifier[]) {}

  /** 5. Prompt: every channel shows the request; the outputs carry its public parts. */
  async prompt(request: ApprovalRequest): Promise<void> {
    this.shown = request
    exportRequestOutputs(request)
    if (request.endpointNotice) core.warning(noticeLine(request.endpointNotice))
    await notifyAll(
      this.notifiers,
      (notifier) => notifier.prompt(request),
      (warning) => core.warning(warning)
    )
  }

  async record(subject: RequestSubject, result: RequestResult): Promise<void> {
    const record = { subject, result, ...definedFields({ request: this.shown }) }
    await notifyAll(
      this.notifiers,
      (notifier) => notifier.record(record),
      (warning) => core.warning(warning)
    )
  }
}
