// Where the action keeps what must outlive a step but not the job: the pending request between
// `phase: start` and `phase: wait`, and the post-step state to the post step. Both can hold secrets (a
// client secret, a device code), so they live in a directory only the runner's user can enter,
// in files only it can read, under RUNNER_TEMP, which the runner empties after every job.
import { randomUUID } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const DIRECTORY_NAME = 'aws-sso-device-auth'

/** RUNNER_TEMP/aws-sso-device-auth, created with mode 0700 (outside a runner: the OS temp dir). */
export function privateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const directory = join(env.RUNNER_TEMP?.trim() || tmpdir(), DIRECTORY_NAME)
  mkdirSync(directory, { recursive: true, mode: 0o700 })
  // mkdir's mode is filtered by the umask, and an existing directory keeps its own.
  chmodSync(directory, 0o700)
  return directory
}

/**
 * Writes `content` with mode 0600, atomically: a reader (or a post step after a kill) sees the
 * old version or the new one, never half a file.
 */
export function writePrivateFile(path: string, content: string): void {
  const partial = `${path}.${randomUUID()}.partial`
  try {
    writeFileSync(partial, content, { mode: 0o600, flag: 'wx' })
    renameSync(partial, path)
  } catch (error) {
    rmSync(partial, { force: true })
    throw error
  }
}

/** The file's text, or undefined when it does not exist. */
export function readPrivateFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
