// Named profiles the AWS CLI, SDKs and Terraform use by themselves: one `[profile X]` per role and
// one `[sso-session NAME]` in the AWS config file, plus the SSO token cache entry for that
// session. The tools then get role credentials (and refresh the token) without the action.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { AwsFilesRecord } from '../model/post-step-state.js'
import { UserFacingError } from '../errors.js'
import type { ClientRegistration, TokenSet } from '../oidc/types.js'
import type { RoleCredentials } from '../portal/types.js'
import type { ProfileTarget } from '../model/inputs.js'
import { appendBlock, findSections, profileHeader, removeBlock, sectionIdentity, ssoSessionHeader, type IniSection } from './aws-config.js'
import { blockRunnerNote } from './marks.js'
import { tokenCacheDirectory, tokenCacheEntry, tokenCacheFile } from './token-cache.js'

export interface ProfileSetup extends BlockFiles {
  profiles: readonly ProfileTarget[]
  /** The sso-session name, unique to this run: also the config block's tag and the cache key. */
  sessionName: string
  startUrl: string
  /** The IAM Identity Center region (`sso_region`). */
  ssoRegion: string
  /** `region` of each profile: where the tools send their AWS calls. */
  awsRegion: string
  scopes: readonly string[]
  token: TokenSet
  registration: ClientRegistration
}

/** A section the user wrote has a name the action needs. */
export class ProfileConflictError extends UserFacingError {
  override readonly name = 'ProfileConflictError'
}

/** AWS_CONFIG_FILE as the tools read it (`~` expanded, relative to the workspace), else ~/.aws/config. */
export function awsConfigFile(env: NodeJS.ProcessEnv, home: string, cwd: string = process.cwd()): string {
  const configured = env.AWS_CONFIG_FILE?.trim()
  if (!configured) return join(home, '.aws', 'config')
  const expanded = configured === '~' || configured.startsWith('~/') ? join(home, configured.slice(1)) : configured
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded)
}

/** The session name: readable in the file, unique per run so parallel or leftover runs never meet. */
export function sessionNameFor(runId: string, random: string): string {
  return `aws-sso-device-auth-${runId.replace(/[^\w.-]/g, '') || 'local'}-${random}`
}

/** Writes the token cache and the config block; returns what the post step must remove. */
export function writeAwsProfiles(setup: ProfileSetup): AwsFilesRecord {
  const { sessionName, home } = setup
  const cacheFile = tokenCacheFile(home, sessionName)
  return writeBlock({ ...setup, tag: sessionName, targets: setup.profiles }, profileSections(setup), cacheFile, () => {
    // The token first: a profile whose token file is missing fails with "Token … does not exist".
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 })
    const entry = tokenCacheEntry(
      { startUrl: setup.startUrl, region: setup.ssoRegion, mark: { session: sessionName, runner: setup.runner } },
      setup.token,
      setup.registration
    )
    writeFileSync(cacheFile, JSON.stringify(entry), { mode: 0o600 })
    chmodSync(cacheFile, 0o600)
  })
}

/** Profiles that hold role credentials themselves (a hand-off: no token travels to this job). */
export interface CredentialProfileSetup extends BlockFiles {
  profiles: ReadonlyArray<{ target: ProfileTarget; credentials: RoleCredentials }>
  /** The block's tag, unique to this step (sessionNameFor). */
  tag: string
  awsRegion: string
}

/**
 * Writes `[profile NAME]` sections with the role's keys, in the same kind of block as
 * writeAwsProfiles (so the post step and leftovers.ts remove it alike); no token cache.
 */
export function writeCredentialProfiles(setup: CredentialProfileSetup): AwsFilesRecord {
  const sections = setup.profiles.map(({ target, credentials }) => ({
    header: profileHeader(target.profile),
    entries: [
      ['aws_access_key_id', credentials.accessKeyId],
      ['aws_secret_access_key', credentials.secretAccessKey],
      ['aws_session_token', credentials.sessionToken],
      ['region', setup.awsRegion]
    ] as const
  }))
  return writeBlock({ ...setup, targets: setup.profiles.map(({ target }) => target) }, sections, undefined, () => {})
}

/** What every block of profiles needs to be written, recorded and cleaned up. */
interface BlockFiles {
  /** From awsConfigFile(). */
  configFile: string
  home: string
  /** Said in the block's first line: who wrote it. */
  note: string
  /** runnerLabel(): named in the block's first line and the token cache's mark. */
  runner: string
  /** Told what is about to be written before anything is, so a crash midway can still be undone. */
  beforeWrite: (record: AwsFilesRecord) => void
  warn: (message: string) => void
}

type BlockSetup = BlockFiles & { tag: string; targets: readonly ProfileTarget[] }

/** Records, then writes: `beforeFile` (the token cache, if any), then the config block. */
function writeBlock(setup: BlockSetup, sections: IniSection[], cacheFile: string | undefined, beforeFile: () => void): AwsFilesRecord {
  const { configFile, tag, home } = setup
  const existing = readConfig(configFile)
  const text = replaceStaleBlocks(existing ?? '', sections, setup)
  const appended = appendBlock(text, tag, sections, `${setup.note} ${blockRunnerNote(setup.runner)}`)
  const directories = [...missingDirectories(dirname(configFile)), ...(cacheFile ? missingDirectories(tokenCacheDirectory(home)) : [])]
  const record: AwsFilesRecord = {
    configFile,
    tag,
    profiles: setup.targets.map((target) => target.profile),
    createdConfigFile: existing === undefined,
    terminatedLastLine: appended.terminatedLastLine,
    ...(cacheFile ? { tokenCacheFile: cacheFile } : {}),
    createdDirectories: [...new Set(directories)].sort((a, b) => b.length - a.length)
  }
  setup.beforeWrite(record)
  beforeFile()
  mkdirSync(dirname(configFile), { recursive: true, mode: 0o700 })
  // In place, not through a rename: that keeps the file's mode, owner and a symlink to it.
  writeFileSync(configFile, appended.text, existing === undefined ? { mode: 0o600 } : {})
  return record
}

function profileSections(setup: ProfileSetup): IniSection[] {
  const profiles = setup.profiles.map((target) => ({
    header: profileHeader(target.profile),
    entries: [
      ['sso_session', setup.sessionName],
      ['sso_account_id', target.accountId],
      ['sso_role_name', target.roleName],
      ['region', setup.awsRegion]
    ] as const
  }))
  const session = {
    header: ssoSessionHeader(setup.sessionName),
    entries: [
      ['sso_start_url', setup.startUrl],
      ['sso_region', setup.ssoRegion],
      ['sso_registration_scopes', setup.scopes.join(',')]
    ] as const
  }
  return [...profiles, session]
}

function readConfig(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Fails when the user's AWS config file already has a section one of `profiles` would write:
 * checked with the inputs, so nobody approves a request for a job that cannot use it.
 */
export function assertProfilesFree(configFile: string, profiles: readonly ProfileTarget[]): void {
  const sections = profiles.map((target) => ({ header: profileHeader(target.profile), entries: [] }))
  refuseUserSections(readConfig(configFile) ?? '', sections, configFile, profiles)
}

/**
 * A section of the same name that the user wrote is refused: replacing it would change what their
 * other tools do, and botocore cannot read a file with the name twice.
 */
function refuseUserSections(text: string, sections: readonly IniSection[], configFile: string, profiles: readonly ProfileTarget[]): void {
  const wanted = new Set(sections.map((section) => sectionIdentity(section.header)))
  const owned = findSections(text).find((found) => found.block === undefined && wanted.has(found.identity))
  if (!owned) return
  const target = profiles.find((profile) => sectionIdentity(profileHeader(profile.profile)) === owned.identity)
  const rename = target ? `choose another profile name in ${target.source}` : 'run the job again'
  throw new ProfileConflictError(
    `The AWS config file ${configFile} already has [${owned.header}] (line ${owned.line}), which this action did not write; ${rename}, or remove that section from the file.`
  )
}

/**
 * One inside a block the action wrote earlier (a run whose post step never ran, or an earlier
 * step of this job) is replaced: that whole block goes, with its token cache file.
 */
function replaceStaleBlocks(text: string, sections: readonly IniSection[], setup: BlockSetup): string {
  refuseUserSections(text, sections, setup.configFile, setup.targets)
  const wanted = new Set(sections.map((section) => sectionIdentity(section.header)))
  const stale = new Set(
    findSections(text).flatMap((found) => (found.block !== undefined && wanted.has(found.identity) ? [found.block] : []))
  )
  let result = text
  for (const tag of stale) {
    const removed = removeBlock(result, tag, false)
    if (removed.outcome !== 'removed') {
      throw new ProfileConflictError(
        `The AWS config file ${setup.configFile} has a block "# >>> aws-sso-device-auth ${tag}" without its end line; remove that block by hand, then run the job again.`
      )
    }
    result = removed.text
    rmSync(tokenCacheFile(setup.home, tag), { force: true })
    setup.warn(
      `Replaced the profiles an earlier run or step of this action left in ${setup.configFile} (sso-session ${tag}); they had the same names.`
    )
  }
  return result
}

/** `dir` and its missing ancestors, deepest first. */
function missingDirectories(dir: string): string[] {
  const missing: string[] = []
  for (let current = dir; !existsSync(current); current = dirname(current)) {
    missing.push(current)
    if (dirname(current) === current) break
  }
  return missing
}
