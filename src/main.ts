// The flow (README, "Usage" and "Two phases"): inputs → trust → registration → device
// authorization → prompt → poll → export → record. `phase: all` does everything in one step;
// `phase: start` stops after the prompt and leaves the request to a `phase: wait` step, which
// polls, exports and records. The step succeeds only when approved (or, for `start`, when the
// request is pending); every other outcome fails it with one line saying what happened and what
// to do.
//
// The steps run in this file's order: run(), then readInputs and refuseUntrustedRun, prepareFlow
// (flow/prepare.ts), one function per phase, recordOutcome. What a phase calls is in flow/, one
// file per part: rounds.ts (4.-6. codes, polls), channels.ts (5. prompt, 8. record), approval.ts
// (judging an approval), export.ts (7.).
import * as core from '@actions/core'
import { abortOnTermination } from './cancellation.js'
import { removeEarlierLeftovers } from './cleanup/leftovers.js'
import { readEventPayload, readRunContext, type EventPayload } from './context.js'
import { attemptTimeoutMs } from './deadline.js'
import { InputError } from './errors.js'
import { explainFailure, isUnexpected, unapprovedMessage } from './failure.js'
import { formatUtc } from './time/format.js'
import { exportOutcome, exportRequestDeadline } from './export/outputs.js'
import { maskPendingRequest } from './model/secrets.js'
import { PostStepWriter } from './model/post-step-state.js'
import { closeSharedDispatcher } from './http/dispatcher.js'
import { checkProfileNames, maskSecretInputs, parseInputs, type ActionInputs } from './inputs.js'
import { createNotifiers } from './notify/index.js'
import { gateOf } from './model/gate.js'
import type { ApprovalRequest, RequestResult, RequestSubject, RunContext } from './model/request.js'
import {
  loadPendingRequest,
  pendingRequestPath,
  refuseAccessNotShown,
  removePendingRequest,
  savePendingRequest,
  type PendingRequest
} from './model/pending.js'
import { openRounds, waitInRounds } from './gate/rounds.js'
import type { RegistrationSource } from './registration/index.js'
import { definedFields } from './defined.js'
import { refuseUntrustedCode, type PullRequestLookup } from './trust.js'
import { lookUpPullRequest, PullRequestLookupError } from './github/pull-request.js'
import { type Flow, type Gate, requestedAccess } from './flow/flow.js'
import { type RunOptions, prepareFlow } from './flow/prepare.js'
import { openGate, roundsOptions, startRound, requestOf } from './flow/rounds.js'
import { openChannels, Channels } from './flow/channels.js'
import { exportAccess } from './flow/export.js'

export async function run(options: RunOptions = {}): Promise<void> {
  const startedAt = Date.now()
  const cancellation = abortOnTermination()
  const { signal } = cancellation
  // Read once: the run's context and the trust check both need it, and a push's payload can be large.
  const payload = readEventPayload(process.env.GITHUB_EVENT_PATH?.trim() ?? '')
  const context = readRunContext(process.env, payload)
  const postStep = new PostStepWriter()
  // What recording the outcome needs, each set below by the step that learns it. Until the inputs
  // are known: the run alone, on the step log and the job summary, so even a bad input is recorded.
  let subject: RequestSubject = { context }
  let channels = new Channels(createNotifiers(['summary']))
  /** The pending request this step owns: removed once its outcome is recorded. */
  let ownedPendingFile: string | undefined
  // Stays undefined when `phase: start` leaves the request pending, as it is meant to.
  let result: RequestResult | undefined
  let registrations: RegistrationSource | undefined

  try {
    // 0. What a killed job of this action left in HOME on this runner goes first (self-hosted runners).
    await removeEarlierLeftovers(core)
    // 1. Inputs: all checked before any network call, secrets masked before anything can print them.
    const inputs = readInputs(context)
    subject = requestSubject(context, inputs)
    // 2. Trust: a run that executes a fork's code asks nobody for anything.
    await refuseUntrustedRun(context, payload, inputs, signal)
    if (inputs.handoff !== undefined && inputs.handoffKey !== undefined) {
      // A gate job of this run was approved: open its hand-off and export as it would; nobody is asked.
      // The record names the run alone: this step has no request, start URL or token of its own.
      subject = { context }
      // Its own chunk: a step that asks for approval never loads it.
      const { openHandedOffAccess } = await import('./handoff/index.js')
      result = await openHandedOffAccess({ ...inputs, handoff: inputs.handoff, handoffKey: inputs.handoffKey }, postStep, context)
    } else {
      const flow = prepareFlow(inputs, context, postStep, startedAt, signal, options)
      registrations = flow.registrations
      switch (inputs.phase) {
        case 'all':
          channels = openChannels(flow)
          result = await approveInOneStep(flow, channels)
          break
        case 'start': {
          const pendingFile = pendingRequestPath(gateOf({ ...subject, startUrl: inputs.startUrl }))
          // Owned before anyone is prompted: a request someone can see always has a file that this
          // step (failing), the wait step or, if none comes, the post step closes.
          postStep.addFile(pendingFile)
          ownedPendingFile = pendingFile
          channels = openChannels(flow, { pendingFile })
          await startRequest(flow, channels, pendingFile)
          // Pending, as meant: no outcome, so nothing is recorded and the file stays for the wait step.
          break
        }
        case 'wait': {
          const pending = pickUpStartedRequest(flow, subject)
          // From here this step owns the request: it closes it, or its post step does.
          postStep.addFile(pending.file)
          ownedPendingFile = pending.file
          // The comment is the start step's to begin with: without one, this step posts none either.
          channels = openChannels(flow, { pendingFile: pending.file, prComment: pending.commentUrl !== undefined })
          result = await waitForStartedRequest(flow, channels, pending)
          break
        }
      }
    }
  } catch (error) {
    result = failureResult(error, signal.aborted, channels.shown)
  } finally {
    // A registration still being saved gets its (bounded) time, except when the run is cancelled.
    await registrations?.finishSaving({ wait: !signal.aborted })
    // Idle keep-alive sockets would otherwise hold the process (and so the step) open.
    await closeSharedDispatcher()
  }

  if (result) await recordOutcome(channels, subject, result, ownedPendingFile)
  cancellation.dispose()
}

/** 1. Inputs: secrets masked first, every input checked, warnings logged. */
function readInputs(context: RunContext): ActionInputs {
  const readInput = (name: string) => core.getInput(name)
  maskSecretInputs(readInput, (secret) => core.setSecret(secret))
  const { inputs, warnings } = parseInputs(readInput, context.repository)
  warnings.forEach((warning) => core.warning(warning))
  // A profile name the user's AWS config file already has: fail before anyone is asked to approve.
  checkProfileNames(inputs)
  return inputs
}

/** What the inputs ask for and for which run: what every channel shows, however the gate ends. */
function requestSubject(context: RunContext, inputs: ActionInputs): RequestSubject {
  return {
    context,
    startUrl: inputs.startUrl,
    region: inputs.region,
    clientName: inputs.clientName,
    scopes: inputs.scopes,
    ...requestedAccess(inputs)
  }
}

/** 2. Trust: refuses a run that executes a fork's code, asking GitHub where a pull request's head lives. */
async function refuseUntrustedRun(
  context: RunContext,
  payload: EventPayload | undefined,
  inputs: ActionInputs,
  signal: AbortSignal
): Promise<void> {
  await refuseUntrustedCode(context.eventName, payload, inputs.allowForks, context.repository, pullRequestLookup(context, inputs, signal))
}

/** How the trust check asks GitHub about a pull request: with `github-token`, bounded like every call. */
function pullRequestLookup(context: RunContext, inputs: ActionInputs, signal: AbortSignal): PullRequestLookup {
  return async (number) => {
    if (inputs.githubToken === '') throw new PullRequestLookupError("input 'github-token' is empty")
    const [owner, repo] = context.repository.split('/')
    if (!owner || !repo) throw new PullRequestLookupError('GITHUB_REPOSITORY is not owner/repo')
    return lookUpPullRequest(
      { owner, repo, number },
      {
        token: inputs.githubToken,
        requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds),
        debug: (line) => core.debug(line),
        limit: () => signal
      }
    )
  }
}

/** `phase: all`: 3. registration, 4. device authorization (a round per approver), 5. prompt, 6. wait in rounds, 7. export. */
async function approveInOneStep(flow: Flow, channels: Channels): Promise<RequestResult> {
  const rounds = await openRounds(flow.inputs.policy.requiredApprovals, (cause) => startRound(flow, cause))
  const gate = openGate(flow, rounds)
  const ended = await waitInRounds(roundsOptions(flow, channels, gate, rounds))
  return exportAccess(flow, ended, gate)
}

/**
 * `phase: start`: 3. registration, 4. device authorization (a round per approver), 5. prompt;
 * then the request waits on disk for a `phase: wait` step. It is saved before anyone is
 * prompted, and again with the PR comment's link once the comment is posted.
 */
async function startRequest(flow: Flow, channels: Channels, pendingFile: string): Promise<void> {
  const rounds = await openRounds(flow.inputs.policy.requiredApprovals, (cause) => startRound(flow, cause))
  const { base } = openGate(flow, rounds)
  const request = requestOf(flow, base, { rounds, approvals: [] })
  savePendingRequest(pendingFile, { rounds, request })
  await channels.prompt(request)
  if (channels.commentUrl !== undefined) savePendingRequest(pendingFile, { rounds, request, commentUrl: channels.commentUrl })
  exportRequestDeadline(request)
  core.info(
    `The request is pending until ${formatUtc(request.deadline)}: a later step with phase: wait and the same inputs waits for the approval${request.deadline > request.expiresAt ? ', showing a new code whenever one expires' : ''}.`
  )
}

/**
 * `phase: wait`, first: the request its `phase: start` step left, its secrets masked, held to
 * these inputs. Only what the approver saw may be polled for and exported.
 */
function pickUpStartedRequest({ inputs }: Flow, subject: RequestSubject): PendingRequest & { file: string } {
  const file = pendingRequestPath(gateOf({ ...subject, startUrl: inputs.startUrl }))
  const pending = loadPendingRequest(file, { ...subject, startUrl: inputs.startUrl })
  maskPendingRequest(pending)
  if (pending.request.region !== inputs.region) {
    throw new InputError(
      'region',
      `Input 'region' is ${inputs.region} but the phase: start step asked IAM Identity Center in ${pending.request.region}; give both phases the same inputs.`
    )
  }
  refuseAccessNotShown(pending.request, requestedAccess(inputs))
  return { ...pending, file }
}

/** `phase: wait`, then: 5. the prompt again (in this step's log), 6. wait in rounds (renewing the start step's codes), 7. export. */
async function waitForStartedRequest(flow: Flow, channels: Channels, pending: PendingRequest & { file: string }): Promise<RequestResult> {
  // The start step's `timeout` set the deadline; this step's own can only bring it closer.
  const deadline = Math.min(pending.request.deadline.getTime(), flow.timeoutAt ?? Infinity)
  const {
    userCode: _code,
    verificationUri: _uri,
    verificationUriComplete: _link,
    expiresAt,
    endpointNotice: _notice,
    ...shown
  } = pending.request
  const { otherCodes: _others, approvals: _approvals, refusal: _refusal, ...base } = shown
  const endsAs = deadline === expiresAt.getTime() ? 'expired' : 'timed-out'
  const gate: Gate = { base: { ...base, deadline: new Date(deadline) }, pendingFile: pending.file, endsAs }
  const rounds = pending.rounds.slice(0, flow.inputs.policy.requiredApprovals).map((round) => ({ ...round, startedOver: false }))
  const ended = await waitInRounds(roundsOptions(flow, channels, gate, rounds))
  return exportAccess(flow, ended, gate)
}

function failureResult(error: unknown, cancelled: boolean, request: ApprovalRequest | undefined): RequestResult {
  if (cancelled) {
    return { outcome: 'cancelled', at: new Date(), message: unapprovedMessage('cancelled', definedFields({ userCode: request?.userCode })) }
  }
  if (isUnexpected(error) && error instanceof Error && error.stack) core.debug(error.stack)
  return { outcome: 'error', at: new Date(), message: explainFailure(error) }
}

/**
 * 8. Record: the outcome output is always set, the error line comes before the channels (a
 * cancelled step may be gone before GitHub answers), and the channels record how it ended. Then the
 * pending request this step owned is over: no wait step may pick it up again.
 */
async function recordOutcome(
  channels: Channels,
  subject: RequestSubject,
  result: RequestResult,
  ownedPendingFile: string | undefined
): Promise<void> {
  exportOutcome(result.outcome)
  if (result.outcome !== 'approved') core.setFailed(result.message ?? result.outcome)
  await channels.record(subject, result)
  if (ownedPendingFile !== undefined) removePendingRequest(ownedPendingFile)
}
