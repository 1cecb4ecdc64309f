// The channels a gate uses: the step log always, then those the `notify` input lists.
import type { NotifyChannel } from '../inputs.js'
import type { Notifier } from './channel.js'
import { createLogNotifier } from './log.js'
import { createSummaryNotifier } from './summary.js'

export type { GateRecord, Notifier, RequestSubject } from './channel.js'
export { notifyAll } from './channel.js'

export function createNotifiers(channels: readonly NotifyChannel[]): Notifier[] {
  const notifiers = [createLogNotifier()]
  if (channels.includes('summary')) notifiers.push(createSummaryNotifier())
  return notifiers
}
