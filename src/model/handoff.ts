// The hand-off record: the role credentials a gate job obtained, sealed for the jobs that need it
// (handoff/seal.ts seals and opens it; the gate side and open.ts build and use it). Only the
// requested roles' credentials travel: never the access token, which stays in the gate job and is
// revoked by its post step.
//
// The record is read back in another job, from a value that came through a job output: even after
// it decrypts (so it was sealed with the key), every field is checked before use, like anything
// from outside, and a record of another shape is refused, not misread.
import type { RoleCredentials, RoleTarget } from '../portal/types.js'

/** The format of the sealed value and of this record; a different one is refused with one line. */
export const HANDOFF_VERSION = 1

/** What a hand-off is bound to: the workflow run that sealed it (any attempt of it). */
export interface HandoffBinding {
  /** GITHUB_REPOSITORY, owner/repo. */
  repository: string
  /** GITHUB_REPOSITORY_ID when the runner sets it: a repository renamed or re-created keeps the name apart. */
  repositoryId?: string
  /** GITHUB_RUN_ID: the same for every attempt of the run. */
  runId: string
}

/** One role whose credentials were handed off. */
export interface HandedOffRole extends RoleTarget {
  /** The profile name the gate wrote it as (`profile`, `roles`); absent for `account-id`/`role-name` alone. */
  profile?: string
  credentials: RoleCredentials
}

export interface HandoffRecord {
  /** The role of `account-id`/`role-name`: exported as AWS_* variables. */
  role?: HandedOffRole
  /** Each named profile, in the gate's order; names are unique. */
  profiles: HandedOffRole[]
  /** The gate's `aws-region` (or `region`): what the opening job exports unless its own `aws-region` says otherwise. */
  awsRegion: string
  /** Epoch ms: no later than the earliest credentials' expiry. */
  expiresAt: number
}

/** The decrypted text is not a record this version wrote. */
export class MalformedHandoffError extends Error {
  override readonly name = 'MalformedHandoffError'
}

const ACCOUNT_ID = /^\d{12}$/
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/
const PROFILE_NAME = /^[A-Za-z0-9][\w.@+-]{0,63}$/
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/
/** Access key ids, secret keys and session tokens: printable ASCII without spaces. */
const OPAQUE = /^[\x21-\x7e]{1,8192}$/

/** The earliest expiry of the record's credentials. */
export function earliestExpiry(roles: readonly HandedOffRole[]): number {
  return Math.min(...roles.map((role) => role.credentials.expiration))
}

/** Every role in the record, the `account-id`/`role-name` one first. */
export function handedOffRoles(record: HandoffRecord): HandedOffRole[] {
  return [...(record.role ? [record.role] : []), ...record.profiles]
}

/** Reads a decrypted record field by field; throws MalformedHandoffError for anything else. */
export function parseHandoffRecord(text: string): HandoffRecord {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new MalformedHandoffError('the sealed text is not JSON')
  }
  const record = object(parsed, 'the record')
  if (record.v !== HANDOFF_VERSION) throw new MalformedHandoffError('the record has another version')
  const awsRegion = string(record.awsRegion, REGION, 'awsRegion')
  const expiresAt = time(record.expiresAt, 'expiresAt')
  const role = record.role === undefined ? undefined : handedOffRole(record.role, false)
  if (!Array.isArray(record.profiles) || record.profiles.length > 100) throw new MalformedHandoffError('profiles is not a list')
  const profiles = record.profiles.map((entry) => handedOffRole(entry, true))
  if (new Set(profiles.map((entry) => entry.profile)).size !== profiles.length) throw new MalformedHandoffError('a profile name repeats')
  if (!role && profiles.length === 0) throw new MalformedHandoffError('the record holds no role')
  return { ...(role ? { role } : {}), profiles, awsRegion, expiresAt }
}

/** The text that is sealed: the record with its version. */
export function serializeHandoffRecord(record: HandoffRecord): string {
  return JSON.stringify({ v: HANDOFF_VERSION, ...record })
}

function handedOffRole(value: unknown, named: boolean): HandedOffRole {
  const entry = object(value, 'a role')
  const credentials = object(entry.credentials, 'credentials')
  const role: HandedOffRole = {
    accountId: string(entry.accountId, ACCOUNT_ID, 'accountId'),
    roleName: string(entry.roleName, ROLE_NAME, 'roleName'),
    credentials: {
      accessKeyId: string(credentials.accessKeyId, OPAQUE, 'accessKeyId'),
      secretAccessKey: string(credentials.secretAccessKey, OPAQUE, 'secretAccessKey'),
      sessionToken: string(credentials.sessionToken, OPAQUE, 'sessionToken'),
      expiration: time(credentials.expiration, 'expiration')
    }
  }
  if (named) role.profile = string(entry.profile, PROFILE_NAME, 'profile')
  return role
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedHandoffError(`${what} is not an object`)
  return value as Record<string, unknown>
}

function string(value: unknown, shape: RegExp, what: string): string {
  if (typeof value !== 'string' || !shape.test(value)) throw new MalformedHandoffError(`${what} has the wrong shape`)
  return value
}

function time(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new MalformedHandoffError(`${what} is not a time`)
  return value
}
