// The post step (runs.post). The runner runs it at the end of the job whatever became of the main
// step: success, failure, cancellation, or a kill that left no chance to tidy up. It reads what
// the main step handed over (model/post-step-state.ts) and runs a list of independent cleanup tasks. A task that
// fails is a warning, never a failed job: the job's work is done by now, and a cleanup problem
// must not turn it red (nor stop the other tasks).
import * as core from '@actions/core'
import { rmSync } from 'node:fs'
import { readPostStepState, type PostStepState } from '../model/post-step-state.js'
import { POST_TASK_LIMIT_MS, type CleanupLog, type CleanupTask } from './task.js'
import { POST_TASKS } from './tasks.js'
import { sanitize } from '../text/sanitize.js'
import { settleWithin } from '../time/limit.js'

/** Runs every task, in order, each whatever became of the ones before it, each within `limitMs`. */
export async function runCleanup(
  tasks: readonly CleanupTask[],
  postStep: PostStepState,
  log: CleanupLog = core,
  limitMs = POST_TASK_LIMIT_MS
): Promise<void> {
  for (const task of tasks) {
    try {
      const outcome = await settleWithin(() => task.run(postStep), limitMs)
      if (outcome.status === 'failed') throw outcome.error
      if (outcome.status === 'timed-out') throw new Error(`it did not finish within ${limitMs / 1000} s`)
    } catch (error) {
      log.warning(`Post step: could not ${task.name}: ${oneLineMessage(error)}`)
    }
  }
}

export async function runPostStep(tasks: readonly CleanupTask[] = POST_TASKS, log: CleanupLog = core): Promise<void> {
  let found: ReturnType<typeof readPostStepState>
  try {
    found = readPostStepState()
  } catch (error) {
    log.warning(`Post step: could not read what the main step handed over: ${oneLineMessage(error)}`)
    return
  }
  // Nothing handed over: the main step started no request and wrote no file.
  if (found === undefined) return
  await runCleanup(tasks, found.postStep, log)
  // Last: it holds what the tasks above needed, secrets included.
  try {
    rmSync(found.path, { force: true })
  } catch (error) {
    log.warning(`Post step: could not remove ${found.path}: ${oneLineMessage(error)}`)
  }
}

function oneLineMessage(error: unknown): string {
  return sanitize(error instanceof Error ? error.message : String(error))
}
