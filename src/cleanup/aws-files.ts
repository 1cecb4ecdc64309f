// Removes what the action wrote for the AWS tools (post step): its block in the AWS config file,
// the token cache file, and the directories it had to create, when they are empty. Nothing else
// is touched: the user's sections and comments stay byte for byte. Each problem is a warning.
import * as core from '@actions/core'
import { readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { removeBlock } from '../export/aws-config.js'
import type { AwsFilesRecord } from '../model/post-step-state.js'
import type { CleanupLog, CleanupTask } from './task.js'
import { definedFields } from '../defined.js'

export const removeAwsProfiles: CleanupTask = {
  name: 'remove the AWS profiles and token cache this action wrote',
  async run(postStep) {
    if (postStep.awsFiles) removeAwsFiles(postStep.awsFiles, core)
  }
}

export function removeAwsFiles(record: AwsFilesRecord, log: CleanupLog): void {
  removeConfigBlock(record, log)
  if (record.tokenCacheFile !== undefined) removeTokenCache(record.tokenCacheFile, log)
  for (const directory of record.createdDirectories) {
    try {
      rmdirSync(directory)
    } catch (error) {
      // Not empty: something else now lives there, and it is not ours to remove.
      if (!isCode(error, 'ENOTEMPTY', 'EEXIST', 'ENOENT')) log.warning(`Could not remove the directory ${directory}: ${reason(error)}.`)
    }
  }
}

function removeTokenCache(file: string, log: CleanupLog): void {
  try {
    rmSync(file, { force: true })
    log.info(`Removed the SSO token cache ${file}.`)
  } catch (error) {
    log.warning(`Could not remove the SSO token cache ${file}: ${reason(error)}. Delete it: it holds a token.`)
  }
}

function removeConfigBlock(record: AwsFilesRecord, log: CleanupLog): void {
  const { configFile } = record
  let text: string
  try {
    text = readFileSync(configFile, 'utf8')
  } catch (error) {
    if (isCode(error, 'ENOENT')) log.info(`The AWS config file ${configFile} is gone already; no profile to remove.`)
    else log.warning(`Could not read the AWS config file ${configFile} to remove the action's profiles: ${reason(error)}.`)
    return
  }
  const { text: cleaned, outcome } = removeBlock(text, record.tag, record.terminatedLastLine)
  const profiles = `the profile${record.profiles.length === 1 ? '' : 's'} ${record.profiles.join(', ')}`
  // Profiles with their own keys (a hand-off) have no sso-session; the block's tag still names them.
  const what = record.tokenCacheFile === undefined ? `${profiles} (block ${record.tag})` : `${profiles} and the sso-session ${record.tag}`
  if (outcome === 'absent') {
    log.info(`The AWS config file ${configFile} no longer holds ${what}; nothing to remove.`)
    return
  }
  if (outcome === 'unterminated') {
    log.warning(
      `Did not remove ${what} from ${configFile}: the line "# <<< aws-sso-device-auth ${record.tag}" that ends the action's block is gone. Remove the block by hand.`
    )
    return
  }
  try {
    if (record.createdConfigFile && cleaned === '') rmSync(configFile, { force: true })
    else writeFileSync(configFile, cleaned)
    log.info(`Removed ${what} from ${configFile}.`)
  } catch (error) {
    log.warning(`Could not remove ${what} from ${configFile}: ${reason(error)}.`)
  }
}

/**
 * The tokens in a token cache file, when a tool refreshed them (the post step revokes those too).
 * The file is in HOME, where any step of the job could write: only plain printable strings count.
 */
export function cachedToken(file: string): CachedToken | undefined {
  const entry = readTokenCache(file)
  return entry && tokenOf(entry)
}

type CachedToken = { accessToken: string; expiresAt: number; refreshToken?: string }

/** The file as a JSON object, or undefined when it is unreadable or not one. */
function readTokenCache(file: string): Record<string, unknown> | undefined {
  try {
    const entry: unknown = JSON.parse(readFileSync(file, 'utf8'))
    return typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function tokenOf(entry: Record<string, unknown>): CachedToken | undefined {
  const expiresAt = typeof entry.expiresAt === 'string' ? Date.parse(entry.expiresAt) : NaN
  if (!isOpaqueToken(entry.accessToken) || Number.isNaN(expiresAt)) return undefined
  return { accessToken: entry.accessToken, expiresAt, ...(isOpaqueToken(entry.refreshToken) ? { refreshToken: entry.refreshToken } : {}) }
}

/** What a leftover token cache held: enough to end its session (revoke.ts), read before the file goes. */
export interface LeftoverSession {
  file: string
  region: string
  accessToken: string
  /** Epoch ms. */
  expiresAt: number
  refreshToken?: string
  /** The registration the refresh token belongs to, when the file names it whole. */
  client?: { clientId: string; clientSecret: string; registrationExpiresAt: number }
}

/**
 * The session in a token cache file this action wrote (botocore's field names, token-cache.ts),
 * or undefined when it names no valid token and region. Like cachedToken, only plain printable
 * strings and a region of AWS's shape count: the file is in HOME, where other jobs could write.
 */
export function leftoverSession(file: string, isRegion: (value: string) => boolean): LeftoverSession | undefined {
  const entry = readTokenCache(file)
  const token = entry && tokenOf(entry)
  if (entry === undefined || token === undefined) return undefined
  const { region, clientId, clientSecret } = entry
  if (typeof region !== 'string' || !isRegion(region)) return undefined
  const registrationExpiresAt = typeof entry.registrationExpiresAt === 'string' ? Date.parse(entry.registrationExpiresAt) : NaN
  const client =
    isOpaqueToken(clientId) && isOpaqueToken(clientSecret) && !Number.isNaN(registrationExpiresAt)
      ? { clientId, clientSecret, registrationExpiresAt }
      : undefined
  return { file, region, ...token, ...definedFields({ client }) }
}

/** A token as AWS issues one: printable ASCII without spaces, of a plausible length. */
function isOpaqueToken(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21-\x7e]{1,16384}$/.test(value)
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '')
}

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
}
