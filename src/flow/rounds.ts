// 4.-6. The rounds of a request (gate/rounds.ts runs them): each round a device authorization
// (one code), polled until approved, expired or the deadline; the request the channels show is
// made from the rounds as they stand.
import * as core from '@actions/core'
import { formatUtc, seconds } from '../time/format.js'
import { maskDeviceAuthorization } from '../model/secrets.js'
import { noticeFor } from '../notify/endpoint-notice.js'
import type { ApprovalRecord, ApprovalRequest, OtherCode, Refusal } from '../model/request.js'
import { AwsServiceError } from '../oidc/errors.js'
import type { ClientRegistration, DeviceAuthorization } from '../oidc/types.js'
import { savePendingRequest } from '../model/pending.js'
import { pollForToken, type PollResult } from '../poll.js'
import type { Progress, RoundCause, RoundsOptions } from '../gate/rounds.js'
import { definedFields } from '../defined.js'
import { type Flow, type Round, type Approval, type RequestBase, type Gate, requestedAccess, explainTransient } from './flow.js'
import { judgeApproval } from './approval.js'
import type { Channels } from './channels.js'

/** How often the log says the job is still waiting. */
const HEARTBEAT_MS = 60_000

/**
 * 4. A round: a new device authorization, the device code masked at once. The first of a request
 * registers (cached or new) and, when AWS rejects a cached client (invalid_client), registers a new
 * one and starts over, once, before anyone saw a code (obtain() says what happens). A code that
 * expired or whose approval was refused gets a new one from the same client; a client AWS rejected
 * while polling is replaced, and the approver told the code shown is void.
 */
export async function startRound(flow: Flow, cause: RoundCause, previous?: Round, deadline?: Date): Promise<Round> {
  if (cause === 'first' || previous === undefined) {
    const registration = await flow.registrations.obtain()
    try {
      return await startAuthorization(flow, registration)
    } catch (error) {
      if (!mayStartOver(error, flow.signal)) throw error
      return startAuthorization(flow, await flow.registrations.obtain({ replacing: registration }), true)
    }
  }
  const code = previous.authorization.userCode
  if (cause === 'start-over') {
    core.warning(
      `AWS rejected the OIDC client (invalid_client): registering a new client and starting a new request; the code ${code} is void.`
    )
    return startAuthorization(flow, await flow.registrations.obtain({ replacing: previous.registration }), true)
  }
  if (cause === 'expired') {
    core.info(`The code ${code} expired unapproved; a new code follows${deadline ? ` (this job waits until ${formatUtc(deadline)})` : ''}.`)
  }
  return startAuthorization(flow, previous.registration, previous.startedOver)
}

/** 4. Device authorization with `registration`. */
async function startAuthorization(flow: Flow, registration: ClientRegistration, startedOver = false): Promise<Round> {
  const authorization = await flow.retrying(() => flow.client.startDeviceAuthorization(registration, flow.inputs.startUrl))
  maskDeviceAuthorization(authorization)
  return { registration, authorization, startedOver }
}

/** AWS rejected the OIDC client (invalid_client): a new registration may succeed, unless the run is cancelled. */
function mayStartOver(error: unknown, signal: AbortSignal): boolean {
  const invalidClient =
    error instanceof AwsServiceError && (error.code === 'InvalidClientException' || error.oauthError === 'invalid_client')
  return invalidClient && !signal.aborted
}

/** The request a step opens: its deadline is `timeout`'s end, or without one the first code's expiry. */
export function openGate(flow: Flow, [first]: Round[]): Gate {
  const deadline = flow.timeoutAt ?? codeExpiry(first!.authorization)
  return { base: requestBase(flow, new Date(deadline)), endsAs: flow.timeoutAt === undefined ? 'expired' : 'timed-out' }
}

/** What a request shows besides its codes: the run, the access asked for, until when it waits. */
function requestBase(flow: Flow, deadline: Date): RequestBase {
  const { inputs, context } = flow
  return {
    deadline,
    startUrl: inputs.startUrl,
    region: inputs.region,
    clientName: inputs.clientName,
    scopes: inputs.scopes,
    context,
    ...requestedAccess(inputs),
    ...(inputs.policy.requiredApprovals > 1 ? { requiredApprovals: inputs.policy.requiredApprovals } : {})
  }
}

/** The request as it stands: the newest round's code first, the others beside it, who approved, the latest refusal. */
export function requestOf(
  flow: Flow,
  base: RequestBase,
  { rounds, approvals, refusal }: Progress<Round, Approval, Refusal>
): ApprovalRequest {
  const [first, ...others] = rounds
  const code = codeOf(first!.authorization)
  const records = approvals.flatMap(approvalRecord)
  return {
    ...base,
    ...code,
    ...endpointNoticeOf(code, flow),
    ...(others.length > 0 ? { otherCodes: others.map((round) => codeOf(round.authorization)) } : {}),
    ...(records.length > 0 ? { approvals: records } : {}),
    ...definedFields({ refusal })
  }
}

function codeOf(authorization: DeviceAuthorization): OtherCode {
  return {
    userCode: authorization.userCode,
    verificationUri: authorization.verificationUri,
    verificationUriComplete: authorization.verificationUriComplete,
    expiresAt: new Date(codeExpiry(authorization))
  }
}

/** Who approved, for the channels: known once the identity was looked up. */
export function approvalRecord({ approver }: Approval): ApprovalRecord[] {
  return approver ? [{ userName: approver.userName, arn: approver.arn, approvedAt: approver.approvedAt }] : []
}

/** The warning for a request that does not go to AWS's own endpoints, decided in the step that shows it. */
function endpointNoticeOf(
  links: Pick<ApprovalRequest, 'verificationUri' | 'verificationUriComplete'>,
  flow: Flow
): Pick<ApprovalRequest, 'endpointNotice'> {
  return definedFields({ endpointNotice: noticeFor(links, flow.endpoints.overrides) })
}

/** How this step's rounds start, are polled, judged and shown (gate/rounds.ts runs them). */
export function roundsOptions(flow: Flow, channels: Channels, gate: Gate, open: Round[]): RoundsOptions<Round, Approval, Refusal> {
  return {
    required: flow.inputs.policy.requiredApprovals,
    open,
    deadline: gate.base.deadline.getTime(),
    endsAs: gate.endsAs,
    start: (cause, previous) => startRound(flow, cause, previous, gate.base.deadline),
    poll: (round, signal) => waitForApproval(flow, round, gate.base.deadline.getTime(), signal),
    expiredOnTime: (round, poll) => expiredOnTime(round, poll),
    startsOver: (error, round) => !round.startedOver && mayStartOver(error, flow.signal),
    judge: (round, token, approvals) => judgeApproval(flow, gate, round, token, approvals),
    show: (progress) => showProgress(flow, channels, gate, progress),
    signal: flow.signal
  }
}

/** 5. Every channel shows the request as it stands; a two-phase request's file gets the current codes first. */
async function showProgress(flow: Flow, channels: Channels, gate: Gate, progress: Progress<Round, Approval, Refusal>): Promise<void> {
  const request = requestOf(flow, gate.base, progress)
  if (gate.pendingFile !== undefined) {
    savePendingRequest(gate.pendingFile, { rounds: progress.rounds, request, ...definedFields({ commentUrl: channels.commentUrl }) })
  }
  await channels.prompt(request)
}

/** 6. Polls one round until its code's expiry or the request's deadline, whichever comes first. */
async function waitForApproval(
  { client }: Flow,
  { registration, authorization }: Round,
  deadline: number,
  signal: AbortSignal
): Promise<PollResult> {
  let lastHeartbeat = Date.now()
  const codeExpiresAt = codeExpiry(authorization)
  return pollForToken({
    createToken: (pollSignal) => client.createToken(registration, authorization.deviceCode, pollSignal),
    interval: authorization.interval,
    codeExpiresAt,
    ...(deadline < codeExpiresAt ? { timeoutAt: deadline } : {}),
    signal,
    onPoll: () => {
      if (Date.now() - lastHeartbeat < HEARTBEAT_MS) return
      lastHeartbeat = Date.now()
      const left = Math.max(0, Math.round((deadline - lastHeartbeat) / 60_000))
      core.info(`Still waiting for approval of code ${authorization.userCode} (about ${left} min left).`)
    },
    onTransientError: (error, delayMs) => core.info(`${explainTransient(error)}; polling again in ${seconds(Math.max(100, delayMs))}.`)
  })
}

/**
 * Whether a round's code reached its expiry: the poll ends one wait early (it starts no poll that
 * cannot finish before the expiry), and each slow_down makes that wait 5 s longer.
 */
function expiredOnTime({ authorization }: Round, poll: PollResult): boolean {
  const longestWaitMs = (authorization.interval > 0 ? authorization.interval : 5) * 1000 + poll.slowDowns * 5_000
  return Date.now() >= codeExpiry(authorization) - longestWaitMs - 1_000
}

export function codeExpiry(authorization: DeviceAuthorization): number {
  return authorization.startedAt + authorization.expiresIn * 1000
}
