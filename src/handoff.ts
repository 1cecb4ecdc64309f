// What the main step leaves for the post step: the work only the post step can do (revoke the
// token, remove the files the action wrote). The token is a secret and GITHUB_STATE is a plain
// file the runner keeps, so the record lives in a mode-0600 file under RUNNER_TEMP (which the
// runner empties after the job) and the state holds only that file's path.
import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AwsFilesRecord } from './cleanup/aws-files.js'
import type { RevokeRecord } from './cleanup/revoke.js'

/** The state name (STATE_handoff-file in the post step's environment). */
export const HANDOFF_STATE = 'handoff-file'

/** Each cleanup task's input; a task whose entry is absent has nothing to do. */
export interface Handoff {
  revoke?: RevokeRecord
  awsFiles?: AwsFilesRecord
}

/**
 * Writes the record as it grows, so the post step can undo whatever the main step did before it
 * stopped, even when it crashed halfway. The file and the state appear with the first entry.
 */
export class HandoffWriter {
  private readonly data: Handoff = {}
  private file: string | undefined

  constructor(private readonly directory: string = process.env.RUNNER_TEMP || tmpdir()) {}

  set<K extends keyof Handoff>(task: K, record: NonNullable<Handoff[K]>): void {
    this.data[task] = record
    if (this.file === undefined) {
      this.file = join(this.directory, `aws-sso-device-auth-${randomUUID()}.json`)
      core.saveState(HANDOFF_STATE, this.file)
    }
    writeFileSync(this.file, JSON.stringify(this.data), { mode: 0o600 })
    // `mode` applies only when the file is created; the check costs nothing.
    chmodSync(this.file, 0o600)
  }
}

/** The record the main step left, or undefined when it left none (it stopped before any token). */
export function readHandoff(file: string = core.getState(HANDOFF_STATE)): { file: string; handoff: Handoff } | undefined {
  if (file === '') return undefined
  return { file, handoff: JSON.parse(readFileSync(file, 'utf8')) as Handoff }
}

export function removeHandoff(file: string): void {
  rmSync(file, { force: true })
}
