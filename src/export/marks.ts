// The marks that make what this action writes in HOME recognisable later, to its own main step
// on the same runner when a killed job left them behind (cleanup/leftovers.ts): the config
// block's first line names the runner, and the token cache entry carries a field naming the
// session and the runner. The AWS tools ignore both: a comment line, and a JSON member none of
// botocore, the JS SDK or the Go SDK reads (the JS and Go SDKs even keep it when they refresh the
// token; botocore drops it, which is why the config block's tag names the cache file too).
import { createHash } from 'node:crypto'

/** The token cache member that marks an entry as this action's. */
export const TOKEN_CACHE_MARK = 'awsSsoDeviceAuth'

export interface TokenCacheMark {
  /** The sso-session name: the config block's tag. */
  session: string
  /** runnerLabel() of the runner that wrote it. */
  runner: string
}

/**
 * This runner, as the marks name it: RUNNER_NAME made one word, with a short hash of the exact
 * name so that two names that read alike stay apart. Several runners can share one machine and
 * one HOME; each cleans up only what it wrote itself (a runner runs one job at a time).
 */
export function runnerLabel(env: NodeJS.ProcessEnv = process.env): string {
  const name = env.RUNNER_NAME?.trim() ?? ''
  if (name === '') return 'local'
  const readable = name.replace(/[^\w.-]+/g, '-').slice(0, 48)
  return `${readable}-${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8)}`
}

/** The part of the block's first line that names the runner: `(runner LABEL)`. */
export function blockRunnerNote(runner: string): string {
  return `(runner ${runner})`
}

/** The runner a block's first line names, if any. */
export function runnerInBlockLine(line: string): string | undefined {
  return /\(runner ([\w.-]+)\)/.exec(line)?.[1]
}

/** The mark in a parsed token cache entry, when it is this action's (both members plain words). */
export function tokenCacheMarkOf(entry: unknown): TokenCacheMark | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined
  const mark = (entry as Record<string, unknown>)[TOKEN_CACHE_MARK] as Partial<TokenCacheMark> | undefined
  if (typeof mark !== 'object' || mark === null) return undefined
  const word = /^[\w.-]{1,200}$/
  return typeof mark.session === 'string' && word.test(mark.session) && typeof mark.runner === 'string' && word.test(mark.runner)
    ? { session: mark.session, runner: mark.runner }
    : undefined
}
