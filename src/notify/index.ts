// The channels a gate uses: the step log always, then those the `notify` input lists. The job
// summary comes before the PR comment: it is a local file, and when a cancelled step has little
// time left, the network call should be the one that runs out of it.
import type { NotifyChannel } from '../model/inputs.js'
import type { Notifier } from './channel.js'
import { createLogNotifier } from './log.js'
import { createPrCommentNotifier, type PrCommentChannelOptions } from './pr-comment-channel.js'
import { createSummaryNotifier } from './summary.js'

export type { Notifier } from './channel.js'
export { notifyAll } from './channel.js'
export { commentTarget } from './pr-comment-channel.js'

export interface ChannelSettings {
  /** The step exits while the request is pending (`phase: start`): the summary shows the prompt. */
  summaryShowsPrompt?: boolean
  /** How to post the PR comment; absent when the run belongs to no pull request or has no token. */
  prComment?: PrCommentChannelOptions
}

export function createNotifiers(channels: readonly NotifyChannel[], settings: ChannelSettings = {}): Notifier[] {
  const notifiers = [createLogNotifier()]
  if (channels.includes('summary')) notifiers.push(createSummaryNotifier({ showPrompt: settings.summaryShowsPrompt ?? false }))
  if (channels.includes('pr-comment') && settings.prComment) notifiers.push(createPrCommentNotifier(settings.prComment))
  return notifiers
}
