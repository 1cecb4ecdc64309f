// A channel tells people about a gate: when the approver must act (`prompt`) and how it ended
// (`record`). main.ts talks to a list of them, so a new channel (a PR comment, chat) is one more
// entry in createNotifiers, not a change to the flow.
import type { ApprovalRequest, RequestResult, RequestSubject } from '../model/request.js'

/** Everything a channel records at the end. */
export interface GateRecord {
  subject: RequestSubject
  /** The last request shown to the approver; absent when the gate failed before one started. */
  request?: ApprovalRequest
  result: RequestResult
}

export interface Notifier {
  /** For warnings when the channel fails. */
  readonly name: string
  /** A device authorization started: tell the approver what to do. Called again after a restart. */
  prompt(request: ApprovalRequest): Promise<void>
  /** The gate ended (approved or not). */
  record(gate: GateRecord): Promise<void>
}

/**
 * Runs one step on every channel. A channel that fails only warns: the log has already shown the
 * prompt, and losing a summary must not turn an approved gate into a failed one.
 */
export async function notifyAll(
  notifiers: readonly Notifier[],
  step: (notifier: Notifier) => Promise<void>,
  warn: (message: string) => void
): Promise<void> {
  for (const notifier of notifiers) {
    try {
      await step(notifier)
    } catch (error) {
      warn(`Could not update the ${notifier.name}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
}
