// Where a cleanup task reports. Every problem is a warning: cleanup runs after the job's work,
// and a leftover must never turn a good job red.
import * as core from '@actions/core'

export interface CleanupLog {
  info(message: string): void
  warning(message: string): void
}

export const coreLog: CleanupLog = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message)
}
