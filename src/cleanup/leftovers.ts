// Leftovers of earlier runs (main step, before anything else). On a self-hosted runner a job can
// die without its post step (the runner killed, the machine rebooted), and what this action wrote
// for the AWS tools stays in HOME for the next job: its block in the AWS config file and the token
// cache entry with an access token, a refresh token and the client secret. So each main step first
// removes what an earlier run of this action on this runner left:
// - the blocks between the action's markers (`# >>> aws-sso-device-auth TAG (runner R)` through
//   `# <<< aws-sso-device-auth TAG`) whose first line names this runner, each with the token cache
//   file named after its tag (a tool that refreshed the token may have dropped the file's mark);
// - token cache files whose mark (marks.ts) names this runner, whose block may be gone already.
// Nothing unmarked is touched, nor a mark that names another runner: several runners can share one
// machine and one HOME, and a runner runs one job at a time, so only this runner's own marks are
// known to be dead. What an earlier step of this job wrote is alive (its post step has not run):
// its post-step state claims it (model/post-step-state.ts postStepStatesOfThisJob).
// Only the config file this step's environment names is looked at: a block written where another
// job's AWS_CONFIG_FILE pointed stays there.
// Removing the files is not enough: until then any job on the runner could have copied them, and
// the tokens in them work until they expire (the refresh token for as long as the approver's
// session lasts). So each removed token cache's session is ended too, as the post step would have
// ended it (revoke.ts: sso:Logout, or a refresh first when the access token has expired), within a
// few seconds, on the path to the prompt only when there are leftovers at all.
import * as core from '@actions/core'
import { lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { isRegionName } from '../inputs.js'
import { oidcEndpoint, portalEndpoint } from '../oidc/endpoints.js'
import { leftoverSession, type LeftoverSession } from './aws-files.js'
import { revokeTokens } from './revoke.js'
import { basename } from 'node:path'
import { markedBlocks, removeBlock } from '../export/aws-config.js'
import { awsConfigFile } from '../export/aws-profiles.js'
import { runnerLabel, tokenCacheMarkOf } from '../export/marks.js'
import { tokenCacheDirectory, tokenCacheFile } from '../export/token-cache.js'
import { postStepStatesOfThisJob } from '../model/post-step-state.js'
import { sanitize } from '../text/sanitize.js'
import type { CleanupLog } from './task.js'
import { definedFields } from '../defined.js'

/** A token cache entry is a few KiB: a larger file is not one the action wrote. */
const MAX_CACHE_FILE_BYTES = 64 * 1024

export interface LeftoverScope {
  home: string
  /** awsConfigFile() of this step. */
  configFile: string
  /** runnerLabel() of this runner. */
  runner: string
  /** Sessions (block tags) and files the post-step states of this job still hold. */
  claimed: { sessions: ReadonlySet<string>; files: ReadonlySet<string> }
}

export interface LeftoversRemoved {
  /** The sessions whose config block was removed. */
  blocks: string[]
  /** Token cache files removed. */
  cacheFiles: string[]
  /** The sessions those files held (unmasked: the caller masks them before it logs anything). */
  sessions: LeftoverSession[]
  /** One line each: what could not be removed, and what to do. */
  problems: string[]
}

export function removeLeftovers(scope: LeftoverScope): LeftoversRemoved {
  const removed: LeftoversRemoved = { blocks: [], cacheFiles: [], sessions: [], problems: [] }
  const sessions = removeConfigBlocks(scope, removed)
  const candidates = new Set([...sessions.map((session) => tokenCacheFile(scope.home, session)), ...markedCacheFiles(scope)])
  for (const file of candidates) {
    if (scope.claimed.files.has(file)) continue
    try {
      if (!isRegularFile(file)) continue
      const session = leftoverSession(file, isRegionName)
      rmSync(file, { force: true })
      removed.cacheFiles.push(file)
      if (session) removed.sessions.push(session)
    } catch (error) {
      removed.problems.push(
        `Could not remove the SSO token cache ${file} that an earlier run of this action left: ${reason(error)}. Delete it: it holds a token.`
      )
    }
  }
  return removed
}

/** Removes this runner's unclaimed blocks; returns their sessions, for their token cache files. */
function removeConfigBlocks(scope: LeftoverScope, removed: LeftoversRemoved): string[] {
  const { configFile } = scope
  let text: string
  try {
    text = readFileSync(configFile, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      removed.problems.push(
        `Could not read the AWS config file ${configFile} to look for blocks an earlier run of this action left: ${reason(error)}.`
      )
    return []
  }
  const stale = markedBlocks(text).filter((block) => block.runner === scope.runner && !scope.claimed.sessions.has(block.tag))
  let cleaned = text
  for (const { tag } of stale) {
    const result = removeBlock(cleaned, tag, false)
    if (result.outcome === 'unterminated') {
      removed.problems.push(
        `The AWS config file ${configFile} has a block "# >>> aws-sso-device-auth ${tag}" without its end line "# <<< aws-sso-device-auth ${tag}"; remove that block by hand.`
      )
    }
    if (result.outcome !== 'removed') continue
    cleaned = result.text
    removed.blocks.push(tag)
  }
  if (cleaned === text) return removed.blocks
  try {
    // In place, as the block was written: the file keeps its mode, owner and a symlink to it.
    writeFileSync(configFile, cleaned)
  } catch (error) {
    removed.problems.push(
      `Could not remove the blocks an earlier run of this action left in ${configFile}: ${reason(error)}. Remove them by hand.`
    )
    return []
  }
  return removed.blocks
}

/** Token cache files whose mark names this runner and a session no post-step state of this job holds. */
function markedCacheFiles(scope: LeftoverScope): string[] {
  const directory = tokenCacheDirectory(scope.home)
  let names: string[]
  try {
    names = readdirSync(directory)
  } catch {
    return []
  }
  return names.flatMap((name) => {
    if (!/^[0-9a-f]{40}\.json$/.test(name)) return []
    const file = join(directory, name)
    try {
      if (!isRegularFile(file) || lstatSync(file).size > MAX_CACHE_FILE_BYTES) return []
      const mark = tokenCacheMarkOf(JSON.parse(readFileSync(file, 'utf8')))
      return mark && mark.runner === scope.runner && !scope.claimed.sessions.has(mark.session) ? [file] : []
    } catch {
      // Unreadable or not JSON: not a file this action wrote.
      return []
    }
  })
}

/** Only a regular file: a link or a directory in the cache is nobody's entry the action wrote. */
function isRegularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile()
  } catch {
    return false
  }
}

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
}

/** The one line that says what was removed, or undefined when nothing was. */
export function leftoversLine(removed: LeftoversRemoved, configFile: string): string | undefined {
  const parts: string[] = []
  if (removed.blocks.length > 0) {
    parts.push(
      `${removed.blocks.length} AWS config block${removed.blocks.length === 1 ? '' : 's'} (sso-session ${removed.blocks.join(', ')}) from ${configFile}`
    )
  }
  if (removed.cacheFiles.length > 0)
    parts.push(
      `${removed.cacheFiles.length} SSO token cache file${removed.cacheFiles.length === 1 ? '' : 's'} (${removed.cacheFiles.join(', ')})`
    )
  if (parts.length === 0) return undefined
  return `Removed what an earlier run of this action on this runner left behind (its post step never ran): ${parts.join(' and ')}.`
}

/** How long ending the leftover sessions may take in all: they run at once, each within this. */
export const LEFTOVER_REVOKE_WINDOW_MS = 5_000
/** More than a few dead sessions of one runner is not a killed job but something else; the rest only expire. */
const MAX_LEFTOVER_SESSIONS = 4

/**
 * The main step's first act: removes this runner's leftovers, sparing what this job's post-step states
 * hold, says so in one line, and ends the sessions the removed token caches held. Never fails the
 * step: a problem is a warning saying what to do.
 */
export async function removeEarlierLeftovers(
  log: CleanupLog,
  env: NodeJS.ProcessEnv = process.env,
  mask: (secret: string) => void = core.setSecret
): Promise<void> {
  let removed: LeftoversRemoved
  try {
    const home = homedir()
    const configFile = awsConfigFile(env, home)
    const records = postStepStatesOfThisJob().flatMap((postStep) => (postStep.awsFiles ? [postStep.awsFiles] : []))
    const claimed = {
      sessions: new Set(records.flatMap((record) => (typeof record.tag === 'string' ? [record.tag] : []))),
      files: new Set(records.flatMap((record) => (typeof record.tokenCacheFile === 'string' ? [record.tokenCacheFile] : [])))
    }
    removed = removeLeftovers({ home, configFile, runner: runnerLabel(env), claimed })
    // Before any line: a problem or the summary line must not be the first to carry a token.
    for (const session of removed.sessions) maskSession(session, mask)
    for (const problem of removed.problems) log.warning(sanitize(problem))
    const line = leftoversLine(removed, configFile)
    if (line !== undefined) log.info(sanitize(line, { maxLength: 4000 }))
  } catch (error) {
    log.warning(
      sanitize(
        `Could not look for files an earlier run of this action left in HOME: ${reason(error)}. On a self-hosted runner, check ~/.aws/config and ~/.aws/sso/cache by hand.`
      )
    )
    return
  }
  await endLeftoverSessions(removed.sessions, log, env)
}

function maskSession(session: LeftoverSession, mask: (secret: string) => void): void {
  mask(session.accessToken)
  if (session.refreshToken !== undefined) mask(session.refreshToken)
  if (session.client) mask(session.client.clientSecret)
}

/** Each session as the post step would end it; concurrently, so a silent portal costs one window. */
export async function endLeftoverSessions(
  sessions: readonly LeftoverSession[],
  log: CleanupLog,
  env: NodeJS.ProcessEnv = process.env
): Promise<void> {
  const ended = sessions.slice(0, MAX_LEFTOVER_SESSIONS)
  if (sessions.length > ended.length) {
    log.info(
      `Ending the sessions of ${ended.length} of the ${sessions.length} leftover token caches; the others' tokens expire by themselves.`
    )
  }
  await Promise.all(
    ended.map(async (session) => {
      const token = `IAM Identity Center token an earlier run left in ${basename(session.file)}`
      try {
        const { client } = session
        await revokeTokens(
          {
            portalEndpoint: portalEndpoint(session.region, env),
            tokens: [
              {
                accessToken: session.accessToken,
                expiresAt: session.expiresAt,
                ...definedFields({ refreshToken: session.refreshToken })
              }
            ],
            ...(client ? { client: { ...client, oidcEndpoint: oidcEndpoint(session.region, env) } } : {}),
            retryWindowMs: LEFTOVER_REVOKE_WINDOW_MS,
            label: `The ${token}`
          },
          { info: (line) => log.info(sanitize(line)), warning: (line) => log.warning(sanitize(line)) }
        )
      } catch (error) {
        log.warning(sanitize(`Could not end the session of the ${token}: ${reason(error)}. Its tokens stay valid until they expire.`))
      }
    })
  )
}
