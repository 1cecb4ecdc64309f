// From `phase: start` to `phase: wait`: what the wait step needs to poll (each round's client
// registration and device code, all secret; rewritten by the wait step when a round is renewed) and to tell the channels how the request ended (the request
// as shown). It travels in a mode-0600 file under RUNNER_TEMP, never through outputs: outputs are
// readable by every later step and printed unmasked, and a masked one would not even arrive.
// One file per gate (workflow, job, start URL, account, role), so the wait step with the same
// inputs finds the request its start step made, and two gates in one job do not mix.
import { definedFields } from '../defined.js'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { UserFacingError } from '../errors.js'
import type { ClientRegistration, DeviceAuthorization } from '../oidc/types.js'
import { restoreRequest, storeRequest, type ApprovalRequest, type StoredRequest } from './request.js'
import { privateDirectory, readPrivateFile, writePrivateFile } from '../private-files.js'

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
export function loadPendingRequest(path: string): PendingRequest {
  const text = readPrivateFile(path)
  if (text === undefined) {
    throw new NoPendingRequestError(
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
      `The wait step asks for role ${asked.roleName} in ${asked.accountId} (inputs 'account-id' and 'role-name'), which its start step did not show the approver; ${fix}`
    )
  }
  for (const target of asked.profiles ?? []) {
    const same = (other: typeof target) =>
      other.profile === target.profile && other.accountId === target.accountId && other.roleName === target.roleName
    if (!(shown.profiles ?? []).some(same)) {
      throw new AccessNotShownError(
        `The wait step asks for profile "${target.profile}" with role ${target.roleName} in ${target.accountId}, which its start step did not show the approver; ${fix}`
      )
    }
  }
}

/** The request is over (or abandoned): its device code and client secret leave the disk. */
export function removePendingRequest(path: string): void {
  rmSync(path, { force: true })
}
