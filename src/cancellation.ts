// Cancellation: how the step hears that the runner wants it gone (a cancelled run, or
// `timeout-minutes`), and the promise to be gone quickly.
import * as core from '@actions/core'

/**
 * After SIGINT or SIGTERM the step is gone within this time, recorded or not: the runner kills it
 * soon anyway, and the post step records what this step could not.
 */
export const CANCELLED_EXIT_MS = 1_800

/** What recording a cancelled gate on GitHub may take: well inside CANCELLED_EXIT_MS. */
export const CANCELLED_RECORD_MS = 1_000

/**
 * SIGINT and SIGTERM are how the runner cancels a step (SIGINT, then SIGTERM 7.5 s later, then a
 * kill 2.5 s after that): stop
 * polling at once, record `cancelled`, exit non-zero. Without handlers Node would die mid-request
 * and leave no outcome behind. Recording may need GitHub, which can be slow: after
 * CANCELLED_EXIT_MS the process exits regardless, and the post step records what is left.
 */
export function abortOnTermination(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  let deadline: NodeJS.Timeout | undefined
  const cancel = (name: string) => {
    if (controller.signal.aborted) return
    core.info(`Received ${name}: cancelling the request.`)
    controller.abort(new Error(`cancelled by ${name}`))
    // unref: when everything is recorded sooner, the process ends without waiting for this.
    deadline = setTimeout(() => process.exit(1), CANCELLED_EXIT_MS).unref()
  }
  const onInterrupt = () => cancel('SIGINT')
  const onTerminate = () => cancel('SIGTERM')
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onTerminate)
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(deadline)
      process.off('SIGINT', onInterrupt)
      process.off('SIGTERM', onTerminate)
    }
  }
}
