// From an approved token to the AWS access the job asked for (the flow's export step): role credentials
// for `account-id`/`role-name`, checked assignments and written profiles for `profile`/`roles`.
// obtainAwsAccess does every AWS call and file write and exports nothing, so a missing role fails
// the step before any variable or output exists; exportAwsAccess then hands everything over.
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { homedir } from 'node:os'
import type { AwsFilesRecord, PostStepWriter } from '../model/post-step-state.js'
import type { ClientRegistration, TokenSet } from '../oidc/types.js'
import { isNotAssigned, missingRoleError, rolesIn, type RequestedRole } from '../portal/assignments.js'
import type { PageWrapper, SsoPortalClient } from '../portal/client.js'
import type { RoleCredentials } from '../portal/types.js'
import { withRetry, type RetryOptions } from '../retry.js'
import type { AwsAccessInputs, ProfileTarget, RoleTarget } from '../model/inputs.js'
import { awsConfigFile, sessionNameFor, writeAwsProfiles } from './aws-profiles.js'
import { runnerLabel } from './marks.js'
import { exportProfileEnvironment, exportRoleEnvironment } from './environment.js'
import { exportRoleOutputs } from './outputs.js'
import { isoUtc } from '../time/format.js'
import { maskRoleCredentials } from '../model/secrets.js'

export interface AwsAccessRequest {
  inputs: AwsAccessInputs & { startUrl: string; region: string; scopes: string[] }
  token: TokenSet
  registration: ClientRegistration
  portal: SsoPortalClient
  /** Fresh retry options for one portal call. */
  retry: () => RetryOptions
  postStep: PostStepWriter
  /** GITHUB_RUN_ID and the run's link, to name and explain the profiles' block. */
  runId: string
  runUrl: string
  /** Also get each profile's role credentials (`handoff-key`: they are sealed for later jobs). */
  profileCredentials?: boolean
  /** A role the approver's identity was looked up through (identity/), with its credentials: not asked for twice. */
  openedRole?: { target: RoleTarget; credentials: RoleCredentials }
}

export interface AwsAccess {
  role?: { target: RoleTarget; credentials: RoleCredentials }
  /** The files written for `profile`/`roles`. */
  files?: AwsFilesRecord
  /** With `profileCredentials`: each profile's role credentials, in the order of `profiles`. */
  profiles?: Array<{ target: ProfileTarget; credentials: RoleCredentials }>
}

export async function obtainAwsAccess(request: AwsAccessRequest): Promise<AwsAccess> {
  const { inputs, token, portal } = request
  const eachPage: PageWrapper = (call) => withRetry(call, request.retry())
  const access: AwsAccess = {}

  if (inputs.role) {
    const target = inputs.role
    let credentials: RoleCredentials
    const opened = request.openedRole
    try {
      credentials =
        opened && sameRole(opened.target, target)
          ? opened.credentials
          : await withRetry(() => portal.getRoleCredentials(token.accessToken, target.accountId, target.roleName), request.retry())
    } catch (error) {
      if (!isNotAssigned(error)) throw error
      throw await missingRoleError([{ ...target, source: "input 'role-name'" }], portal, token.accessToken, eachPage)
    }
    maskRoleCredentials(credentials)
    core.info(
      `Got credentials for the role ${target.roleName} in account ${target.accountId}, valid until ${isoUtc(credentials.expiration)}.`
    )
    access.role = { target, credentials }
  }

  if (inputs.profiles.length > 0) {
    // GetRoleCredentials proved the role of account-id/role-name; the others are checked here, so
    // a typo fails now rather than in whichever later step first uses the profile.
    const unproven = inputs.profiles.filter((target) => !(inputs.role && sameRole(target, inputs.role)))
    const missing = await unassignedRoles(unproven, portal, token.accessToken, eachPage)
    if (missing.length > 0) throw await missingRoleError(missing, portal, token.accessToken, eachPage)
    if (request.profileCredentials) access.profiles = await profileCredentials(request, access)
    access.files = writeProfiles(request)
  }
  return access
}

/** Each profile's role credentials; the role of account-id/role-name is not asked for twice. */
async function profileCredentials(request: AwsAccessRequest, access: AwsAccess): Promise<NonNullable<AwsAccess['profiles']>> {
  const { inputs, token, portal } = request
  const profiles: NonNullable<AwsAccess['profiles']> = []
  for (const target of inputs.profiles) {
    const same = access.role && sameRole(target, access.role.target) ? access.role.credentials : undefined
    const credentials =
      same ?? (await withRetry(() => portal.getRoleCredentials(token.accessToken, target.accountId, target.roleName), request.retry()))
    maskRoleCredentials(credentials)
    profiles.push({ target, credentials })
  }
  return profiles
}

/** Sets the variables and outputs. Call only once every part of the access is in hand. */
export function exportAwsAccess(access: AwsAccess, inputs: AwsAccessInputs): void {
  if (access.role) {
    const { target, credentials } = access.role
    exportRoleEnvironment(credentials, inputs.awsRegion)
    exportRoleOutputs(target.accountId, credentials, inputs.outputCredentials)
    core.info(
      `Exported AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_DEFAULT_REGION (${inputs.awsRegion}) for the next steps.`
    )
  }
  const profiles = access.files?.profiles ?? []
  // AWS_PROFILE only when it cannot be ambiguous: with exported keys the tools would disagree on
  // which wins, and with several profiles there is no one default.
  if (!access.role && profiles.length === 1) {
    exportProfileEnvironment(profiles[0]!)
    core.info(`Exported AWS_PROFILE=${profiles[0]} for the next steps.`)
  }
}

function sameRole(a: RoleTarget, b: RoleTarget): boolean {
  return a.accountId === b.accountId && a.roleName === b.roleName
}

/** The targets whose role the approver does not have: one ListAccountRoles listing per account. */
async function unassignedRoles(
  targets: readonly ProfileTarget[],
  portal: SsoPortalClient,
  accessToken: string,
  eachPage: PageWrapper
): Promise<RequestedRole[]> {
  const missing: RequestedRole[] = []
  const rolesByAccount = new Map<string, string[]>()
  for (const target of targets) {
    let roles = rolesByAccount.get(target.accountId)
    if (roles === undefined) {
      roles = await rolesIn(portal, accessToken, target.accountId, eachPage)
      rolesByAccount.set(target.accountId, roles)
    }
    if (!roles.includes(target.roleName)) missing.push({ accountId: target.accountId, roleName: target.roleName, source: target.source })
  }
  return missing
}

function writeProfiles(request: AwsAccessRequest): AwsFilesRecord {
  const { inputs } = request
  const home = homedir()
  const files = writeAwsProfiles({
    profiles: inputs.profiles,
    sessionName: sessionNameFor(request.runId, randomBytes(4).toString('hex')),
    startUrl: inputs.startUrl,
    ssoRegion: inputs.region,
    awsRegion: inputs.awsRegion,
    scopes: inputs.scopes,
    token: request.token,
    registration: request.registration,
    configFile: awsConfigFile(process.env, home),
    home,
    note: `written by the aws-sso-device-auth action${request.runUrl ? ` for ${request.runUrl}` : ''}; its post step removes this block`,
    runner: runnerLabel(),
    beforeWrite: (record) =>
      request.postStep.update((postStep) => {
        postStep.awsFiles = record
        // A tool may refresh the token in this file; the post step revokes that one too.
        if (postStep.revoke) postStep.revoke.tokenCacheFile = record.tokenCacheFile
      }),
    warn: (message) => core.warning(message)
  })
  const names = files.profiles.join(', ')
  core.info(
    `Wrote the AWS profile${files.profiles.length === 1 ? '' : 's'} ${names} to ${files.configFile} and the SSO token cache ${files.tokenCacheFile}.`
  )
  return files
}
