// What a post-step task is (the post flow, cleanup/index.ts, runs a list of them: cleanup/tasks.ts).
import type { PostStepState } from '../model/post-step-state.js'

export interface CleanupTask {
  /** What the task does, as it reads after "could not": `finalize the PR comment`. */
  name: string
  run(postStep: PostStepState): Promise<void>
}

export interface CleanupLog {
  info(message: string): void
  warning(message: string): void
}

/**
 * How long one task may take. The post step holds the job until it ends, and a service that does
 * not answer must not hold it for long: the unfinished task ends with the process, which exits
 * right after the post step (exit.ts).
 */
export const POST_TASK_LIMIT_MS = 10_000
