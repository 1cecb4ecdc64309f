// From `phase: start` to `phase: wait`: what the wait step needs to poll (each round's client
// registration and device code, all secret; rewritten by the wait step when a round is renewed) and to tell the channels how the request ended (the request
// as shown). It travels in a mode-0600 file under RUNNER_TEMP, never through outputs: outputs are
// readable by every later step and printed unmasked, and a masked one would not even arrive.
// One file per gate (workflow, job, start URL, account, role), so the wait step with the same
// inputs finds the request its start step made, and two gates in one job do not mix.
import { definedFields } from '../defined.js'
import { readdirSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { UserFacingError } from '../errors.js'
import type { ClientRegistration, DeviceAuthorization } from '../oidc/types.js'
import { restoreRequest, storeRequest, type ApprovalRequest, type StoredRequest } from './request.js'
import { privateDirectory, readPrivateFile, writePrivateFile } from '../private-files.js'
import { sanitize } from '../text/sanitize.js'

/** One round of the request: a device authorization and the registration it belongs to. */
export interface PendingRound {
  registration: ClientRegistration
  authorization: DeviceAuthorization
}

export interface PendingRequest {
  /** The rounds waiting for an approver (one per approver still needed), the current codes. */
  rounds: PendingRound[]
  /** What the approver was shown; its `deadline` is when the wait step gives up. */
  request: ApprovalRequest
  /** The PR comment the start step posted: the wait step edits it, and posts none if there is none. */
  commentUrl?: string
}

interface PendingFile {
  version: 2
  rounds: PendingRound[]
  request: StoredRequest
  commentUrl?: string
}

/** The wait step found no request to wait for. */
export class NoPendingRequestError extends UserFacingError {
  override readonly name = 'NoPendingRequestError'
}

/** Where the pending request of `gate` lives (the directory is created). */
export function pendingRequestPath(gate: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(privateDirectory(env), `pending-${gate}.json`)
}

export function savePendingRequest(path: string, pending: PendingRequest): void {
  const file: PendingFile = {
    version: 2,
    rounds: pending.rounds.map(({ registration, authorization }) => ({ registration, authorization })),
    request: storeRequest(pending.request),
    ...definedFields({ commentUrl: pending.commentUrl })
  }
  writePrivateFile(path, JSON.stringify(file))
}

/**
 * The request a start step left, or NoPendingRequestError (one line saying what to do). The caller
 * masks its secrets before anything else: this is a new process, and the runner's masks are only
 * as good as what each step registers.
 */
export function loadPendingRequest(path: string, asked?: AskedGate): PendingRequest {
  const text = readPrivateFile(path)
  if (text === undefined) {
    throw new NoPendingRequestError(
      (asked && mismatchWithStartStep(path, asked)) ??
        'phase: wait found no pending request for this gate: add a step with phase: start and the same inputs before it in this job, or use phase: all.'
    )
  }
  try {
    const file = JSON.parse(text) as PendingFile
    if (typeof file !== 'object' || file === null || file.version !== 2) throw new TypeError('unknown format')
    if (!Array.isArray(file.rounds) || file.rounds.length === 0) throw new TypeError('no device authorization')
    return {
      rounds: file.rounds.map(checkRound),
      request: restoreRequest(file.request),
      ...(typeof file.commentUrl === 'string' ? { commentUrl: file.commentUrl } : {})
    }
  } catch (error) {
    throw new NoPendingRequestError(
      `phase: wait cannot read the pending request its start step left (${error instanceof Error ? error.message : String(error)}): use the same version of this action for phase: start and phase: wait.`
    )
  }
}

/** What a wait step asks for that names its gate (model/gate.ts): the start step's must be the same. */
export type AskedGate = Pick<ApprovalRequest, 'context' | 'startUrl' | 'accountId' | 'roleName'>

/**
 * A wait step whose start URL, account or role differs from its start step's looks for another
 * gate's file and finds none. The start step's request for the same workflow and job, if there is
 * one beside it, says which input differs: "no pending request" alone would send the user looking
 * for a missing step.
 */
function mismatchWithStartStep(path: string, asked: AskedGate): string | undefined {
  let names: string[]
  try {
    names = readdirSync(dirname(path))
  } catch {
    return undefined
  }
  for (const name of names) {
    if (!/^pending-[0-9a-f]+\.json$/.test(name) || name === basename(path)) continue
    let started: ApprovalRequest
    try {
      started = loadPendingRequest(join(dirname(path), name)).request
    } catch {
      continue
    }
    if (started.context.workflow !== asked.context.workflow || started.context.job !== asked.context.job) continue
    const fix = 'give both phases the same inputs.'
    if (started.startUrl !== asked.startUrl) {
      return `Input 'start-url' is ${sanitize(asked.startUrl)} but the phase: start step of this job used ${sanitize(started.startUrl)}; ${fix}`
    }
    return `phase: wait asks for ${describeRole(asked)} (inputs 'account-id' and 'role-name'), but the phase: start step of this job asked for ${describeRole(started)}; ${fix}`
  }
  return undefined
}

function describeRole(access: Pick<Access, 'accountId' | 'roleName'>): string {
  return access.accountId === undefined ? 'no role' : `role ${sanitize(access.roleName)} in account ${sanitize(access.accountId)}`
}

function checkRound(value: unknown): PendingRound {
  checkFields(value, 'round', {})
  const round = value as PendingRound
  checkFields(round.registration, 'registration', {
    clientId: 'string',
    clientSecret: 'string',
    clientIdIssuedAt: 'number',
    clientSecretExpiresAt: 'number',
    clientName: 'string'
  })
  checkFields(round.authorization, 'authorization', {
    deviceCode: 'string',
    userCode: 'string',
    verificationUri: 'string',
    verificationUriComplete: 'string',
    expiresIn: 'number',
    interval: 'number',
    startedAt: 'number'
  })
  return { registration: round.registration, authorization: round.authorization }
}

/** Throws a TypeError naming `what` unless `value` is an object with each field of its type. */
function checkFields(value: unknown, what: string, fields: Record<string, 'string' | 'number'>): void {
  const record = value as Record<string, unknown> | null
  const wrong = typeof record !== 'object' || record === null ? what : Object.keys(fields).find((key) => typeof record[key] !== fields[key])
  if (wrong !== undefined) throw new TypeError(wrong === what ? `no ${what}` : `${what} without a valid ${wrong}`)
}

/** The wait step asked for access its start step did not show the approver. */
export class AccessNotShownError extends UserFacingError {
  override readonly name = 'AccessNotShownError'
}

type Access = Pick<ApprovalRequest, 'accountId' | 'roleName' | 'profiles'>

/**
 * The approver approved what the start step showed them, nothing more: a wait step with another
 * account, role or profile (an edited workflow, a second wait step) is refused before it polls.
 * Less is fine: every role the wait step exports was shown, it just leaves some out, and the token
 * itself is the same whichever roles a step exports.
 */
export function refuseAccessNotShown(shown: Access, asked: Access): void {
  const fix = 'give both steps the same account-id/role-name/roles/profile inputs.'
  if (asked.accountId !== undefined && (asked.accountId !== shown.accountId || asked.roleName !== shown.roleName)) {
    throw new AccessNotShownError(
      `The wait step asks for role ${asked.roleName} in ${asked.accountId} (inputs 'account-id' and 'role-name'), which its start step did not show the approver (it showed ${describeShown(shown)}); ${fix}`
    )
  }
  for (const target of asked.profiles ?? []) {
    const same = (other: typeof target) =>
      other.profile === target.profile && other.accountId === target.accountId && other.roleName === target.roleName
    if (!(shown.profiles ?? []).some(same)) {
      throw new AccessNotShownError(
        `The wait step asks for profile "${target.profile}" with role ${target.roleName} in ${target.accountId}, which its start step did not show the approver (it showed ${describeShown(shown)}); ${fix}`
      )
    }
  }
}

/** What a start step showed, for the line that refuses more: "role Deployer in 111122223333, profile "prod" …". */
function describeShown(shown: Access): string {
  const parts = shown.accountId === undefined ? [] : [`role ${sanitize(shown.roleName)} in ${sanitize(shown.accountId)}`]
  for (const target of shown.profiles ?? [])
    parts.push(`profile "${sanitize(target.profile)}" with role ${sanitize(target.roleName)} in ${sanitize(target.accountId)}`)
  return parts.length === 0 ? 'no role' : parts.join(', ')
}

/** The request is over (or abandoned): its device code and client secret leave the disk. */
export function removePendingRequest(path: string): void {
  rmSync(path, { force: true })
}
