// The gate's side of the hand-off (part of the export step, `handoff-key`): the credentials of
// every requested role, with account, role, profile name and expiry, sealed for the jobs that need
// this one. The access token stays here: the gate's post step revokes it as without a hand-off.
import * as core from '@actions/core'
import type { AwsAccess } from '../export/aws-access.js'
import { earliestExpiry, type HandedOffRole, type HandoffRecord } from '../model/handoff.js'
import { isoUtc } from '../time/format.js'
import { handoffBinding } from './binding.js'
import { sealHandoff } from './seal.js'

export interface GateSeal {
  key: string
  awsRegion: string
  /** Every secret this step registered (tokens, client secret, secret inputs): none may appear in the value. */
  secrets: readonly string[]
}

/** Seals what `access` holds; call before any variable or output is set, like every other part of the export. */
export async function sealAccess(access: AwsAccess, seal: GateSeal): Promise<string> {
  const record = handoffRecordOf(access, seal.awsRegion)
  const roles = [...(record.role ? [record.role] : []), ...record.profiles]
  const credentialSecrets = roles.flatMap(({ credentials }) => [
    credentials.accessKeyId,
    credentials.secretAccessKey,
    credentials.sessionToken
  ])
  const sealed = await sealHandoff(record, seal.key, handoffBinding(), { avoid: [...seal.secrets, ...credentialSecrets] })
  core.info(
    `Sealed the credentials of ${roles.length === 1 ? 'one role' : `${roles.length} roles`} as the handoff output, for the jobs of this run that need this job, valid until ${isoUtc(record.expiresAt)}.`
  )
  return sealed
}

function handoffRecordOf(access: AwsAccess, awsRegion: string): HandoffRecord {
  const role: HandedOffRole | undefined = access.role && { ...access.role.target, credentials: access.role.credentials }
  const profiles: HandedOffRole[] = (access.profiles ?? []).map(({ target, credentials }) => ({
    accountId: target.accountId,
    roleName: target.roleName,
    profile: target.profile,
    credentials
  }))
  const roles = [...(role ? [role] : []), ...profiles]
  return {
    ...(role ? { role: { accountId: role.accountId, roleName: role.roleName, credentials: role.credentials } } : {}),
    profiles,
    awsRegion,
    expiresAt: earliestExpiry(roles)
  }
}
