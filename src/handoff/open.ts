// The opening job's step (`handoff` with `handoff-key`): asks nobody anything. The sealed value is
// checked (format, repository and run, expiry, key, seal, record), the roles this step asks for
// are picked from it, and only then is anything written: the profiles (recorded for the post step
// first, as the gate records its own), then the variables and outputs, through the same export
// code as the gate (export/), so the job sees exactly what the gate's own later steps would.
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { homedir } from 'node:os'
import { exportAwsAccess, type AwsAccess } from '../export/aws-access.js'
import { awsConfigFile, sessionNameFor, writeCredentialProfiles } from '../export/aws-profiles.js'
import { runnerLabel } from '../export/marks.js'
import type { ActionInputs } from '../inputs.js'
import { handedOffRoles, type HandedOffRole, type HandoffRecord } from '../model/handoff.js'
import type { ProfileTarget, RoleTarget } from '../model/inputs.js'
import type { PostStepWriter } from '../model/post-step-state.js'
import type { RequestResult, RunContext } from '../model/request.js'
import { maskRoleCredentials } from '../model/secrets.js'
import type { RoleCredentials } from '../portal/types.js'
import { isoUtc } from '../time/format.js'
import { handoffBinding } from './binding.js'
import { HandoffRefusedError, openHandoff } from './seal.js'

type OpeningInputs = Pick<ActionInputs, 'role' | 'profiles' | 'awsRegion' | 'outputCredentials' | 'revoke' | 'handoffProfile'> & {
  handoff: string
  handoffKey: string
}

/** What this step exports: the shape the gate's export has, so exportAwsAccess treats both alike. */
interface Picked {
  role?: { target: RoleTarget; credentials: RoleCredentials }
  profiles: Array<{ target: ProfileTarget; credentials: RoleCredentials }>
}

export async function openHandedOffAccess(inputs: OpeningInputs, postStep: PostStepWriter, context: RunContext): Promise<RequestResult> {
  const binding = handoffBinding()
  const record = await openHandoff(inputs.handoff, inputs.handoffKey, binding)
  // Masked before anything else can print them, as the gate masked them when AWS sent them.
  handedOffRoles(record).forEach((role) => maskRoleCredentials(role.credentials))
  const picked = pickRoles(record, inputs)
  const awsRegion = inputs.awsRegion === '' ? record.awsRegion : inputs.awsRegion
  const access: AwsAccess = {}
  if (picked.role) access.role = picked.role
  if (picked.profiles.length > 0) access.files = writeProfiles(picked.profiles, awsRegion, postStep, context)
  exportAwsAccess(access, { ...inputs, awsRegion })
  const roles = [...(picked.role ? [picked.role] : []), ...picked.profiles]
  const expiresAt = Math.min(...roles.map(({ credentials }) => credentials.expiration))
  core.info(
    `Opened the hand-off of this run's gate job: ${roles.length === 1 ? 'one role' : `${roles.length} roles`}, valid until ${isoUtc(expiresAt)}; nobody was asked again.`
  )
  // No accessExpiresAt: the record would call it the token's, and this step holds no token.
  return { outcome: 'approved', at: new Date() }
}

/**
 * The roles this step asks for, each one the gate sealed, or one line naming what is missing and
 * what was approved. Nothing asked for: everything, as the gate exported it.
 */
export function pickRoles(record: HandoffRecord, inputs: Pick<OpeningInputs, 'role' | 'profiles' | 'handoffProfile'>): Picked {
  const asSealed = (role: HandedOffRole): ProfileTarget => ({
    accountId: role.accountId,
    roleName: role.roleName,
    profile: role.profile!,
    source: `the gate job's profile ${role.profile!}`
  })
  if (!inputs.role && inputs.profiles.length === 0 && inputs.handoffProfile === undefined) {
    return {
      ...(record.role ? { role: { target: record.role, credentials: record.role.credentials } } : {}),
      profiles: record.profiles.map((role) => ({ target: asSealed(role), credentials: role.credentials }))
    }
  }
  const all = handedOffRoles(record)
  const find = (target: RoleTarget, asked: string): RoleCredentials => {
    const found = all.find((role) => role.accountId === target.accountId && role.roleName === target.roleName)
    if (!found) throw notApproved(`the role ${target.roleName} in account ${target.accountId} (${asked})`, record)
    return found.credentials
  }
  const picked: Picked = { profiles: [] }
  if (inputs.role) picked.role = { target: inputs.role, credentials: find(inputs.role, "inputs 'account-id' and 'role-name'") }
  for (const target of inputs.profiles) picked.profiles.push({ target, credentials: find(target, target.source) })
  if (inputs.handoffProfile !== undefined) {
    const name = inputs.handoffProfile
    const found = record.profiles.find((role) => role.profile === name)
    if (!found) throw notApproved(`the profile ${name} (input 'profile')`, record)
    picked.profiles.push({ target: asSealed(found), credentials: found.credentials })
  }
  return picked
}

function notApproved(what: string, record: HandoffRecord): HandoffRefusedError {
  const approved = handedOffRoles(record).map((role) =>
    role.profile === undefined ? `${role.accountId}:${role.roleName}` : `${role.accountId}:${role.roleName}=${role.profile}`
  )
  return new HandoffRefusedError(
    `Input 'handoff' holds no credentials for ${what}: the gate job sealed only ${approved.join(', ')}; request it in the gate job too, or ask for one of those.`
  )
}

function writeProfiles(profiles: Picked['profiles'], awsRegion: string, postStep: PostStepWriter, context: RunContext) {
  const home = homedir()
  const files = writeCredentialProfiles({
    profiles,
    tag: sessionNameFor(context.runId, randomBytes(4).toString('hex')),
    awsRegion,
    configFile: awsConfigFile(process.env, home),
    home,
    note: `role credentials handed off by the aws-sso-device-auth action${context.runUrl ? ` for ${context.runUrl}` : ''}; its post step removes this block`,
    runner: runnerLabel(),
    beforeWrite: (record) => postStep.update((state) => (state.awsFiles = record)),
    warn: (message) => core.warning(message)
  })
  core.info(`Wrote the AWS profile${files.profiles.length === 1 ? '' : 's'} ${files.profiles.join(', ')} to ${files.configFile}.`)
  return files
}
