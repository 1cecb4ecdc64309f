// The flow (README, "Usage" and "Two phases"): inputs → trust → registration → device
// authorization → prompt → poll → export → record. `phase: all` does everything in one step;
// `phase: start` stops after the prompt and leaves the request to a `phase: wait` step, which
// polls, exports and records. The step succeeds only when approved (or, for `start`, when the
// request is pending); every other outcome fails it with one line saying what happened and what
// to do.
import * as core from '@actions/core'
import { parseArgs } from 'node:util'
import { abortOnTermination, CANCELLED_RECORD_MS } from './cancellation.js'
import { removeEarlierLeftovers } from './cleanup/leftovers.js'
import { readEventPayload, readRunContext, type EventPayload } from './context.js'
import { attemptTimeoutMs, commentWriteLimitMs, DEADLINE_GRACE_MS, exportDeadline } from './deadline.js'
import { InputError, oneLine } from './errors.js'
import { explainFailure, isUnexpected, unapprovedMessage } from './failure.js'
import { formatDuration, formatUtc, seconds } from './time/format.js'
import { exportAwsAccess, obtainAwsAccess } from './export/aws-access.js'
import {
  exportApprovers,
  exportCommentUrl,
  exportHandoff,
  exportOutcome,
  exportRequestDeadline,
  exportRequestOutputs,
  exportToken
} from './export/outputs.js'
import { sealAccess, type GateSeal } from './handoff/gate.js'
import { openHandedOffAccess } from './handoff/open.js'
import { maskDeviceAuthorization, maskPendingRequest, maskTokenSet } from './model/secrets.js'
import { PostStepWriter, type RevokeRecord } from './model/post-step-state.js'
import { closeSharedDispatcher } from './http/dispatcher.js'
import { checkProfileNames, maskSecretInputs, parseInputs, type ActionInputs } from './inputs.js'
import { commentTarget, createNotifiers, notifyAll, type ChannelSettings, type Notifier } from './notify/index.js'
import { noticeFor, noticeLine } from './notify/endpoint-notice.js'
import { gateOf } from './model/gate.js'
import type { ApprovalRecord, ApprovalRequest, OtherCode, Refusal, RequestResult, RequestSubject, RunContext } from './model/request.js'
import { SsoOidcClient } from './oidc/client.js'
import { endpointOverrides, oidcEndpoint, portalEndpoint, type EndpointOverride } from './oidc/endpoints.js'
import { AwsServiceError } from './oidc/errors.js'
import type { ClientRegistration, DeviceAuthorization, TokenSet } from './oidc/types.js'
import { SsoPortalClient } from './portal/client.js'
import {
  loadPendingRequest,
  pendingRequestPath,
  refuseAccessNotShown,
  removePendingRequest,
  savePendingRequest,
  type PendingRequest,
  type PendingRound
} from './model/pending.js'
import { pollForToken, type PollResult } from './poll.js'
import {
  openRounds,
  waitInRounds,
  type Progress,
  type RoundCause,
  type RoundsEnd,
  type RoundsOptions,
  type Verdict
} from './gate/rounds.js'
import { revokeTokens } from './cleanup/revoke.js'
import { needsIdentity, refusalReason } from './gate/policy.js'
import { approvalReceipt } from './gate/receipt.js'
import { identifyApprover } from './identity/approver.js'
import type { Approver } from './model/approver.js'
import type { RoleCredentials, RoleTarget } from './portal/types.js'
import { stsEndpoint, stsEndpointOverride, type StsEndpoint } from './sts/endpoint.js'
import { sanitize } from './text/sanitize.js'
import { RegistrationSource, type Retrying } from './registration/index.js'
import { withRetry } from './retry.js'
import { definedFields } from './defined.js'
import { refuseUntrustedCode, type PullRequestLookup } from './trust.js'
import { lookUpPullRequest, PullRequestLookupError } from './github/pull-request.js'

/** How long RegisterClient, StartDeviceAuthorization and each portal call may retry transient failures. */
const SETUP_RETRY_WINDOW_MS = 60_000
/** How often the log says the job is still waiting. */
const HEARTBEAT_MS = 60_000

/** One step's run of the flow, once the inputs are known and trusted. */
interface Flow {
  inputs: ActionInputs
  context: RunContext
  client: SsoOidcClient
  /** The endpoints, resolved before anyone is asked: a bad override fails before a prompt. STS only when the approver is looked up. */
  endpoints: { oidc: string; portal: string; sts?: StsEndpoint; overrides: EndpointOverride[] }
  /** The OIDC client registration: cached or new (used by `all` and `start`). */
  registrations: RegistrationSource
  /** The setup retry window, fresh for each call. */
  retrying: Retrying
  /** What the post step finishes: the files to remove, the token to revoke, the comment to finalize. */
  postStep: PostStepWriter
  /** Epoch ms from this step's `timeout` input. */
  timeoutAt: number | undefined
  signal: AbortSignal
}

/** One round: a device authorization (one code), and the client registration it belongs to. */
interface Round extends PendingRound {
  /** Its client replaced one AWS rejected (invalid_client): there is no second new start. */
  startedOver: boolean
}

/**
 * What only whoever starts the process can ask for, never a workflow (index.ts says why): the
 * test harness's short bounds, so its tests of a silent cache service take seconds.
 */
export interface RunOptions {
  /** A ceiling in ms on the cache's restore and save bounds: it can only shorten them. */
  cacheLimitMs?: number
}

/** RunOptions from the process's arguments (`--cache-limit-ms=<ms>`); none when the runner starts it. */
export function runOptionsFrom(args: readonly string[]): RunOptions {
  const { values } = parseArgs({ args: [...args], options: { 'cache-limit-ms': { type: 'string' } }, strict: true })
  const limit = values['cache-limit-ms']
  if (limit === undefined) return {}
  if (!/^[1-9]\d{0,6}$/.test(limit)) throw new Error(`--cache-limit-ms takes a whole number of milliseconds, not '${limit}'`)
  return { cacheLimitMs: Number(limit) }
}

/** An approval the gate accepted: the token, from which round, and who approved when that was looked up. */
interface Approval {
  token: TokenSet
  round: Round
  approver?: Approver
  /** The credentials the lookup opened, with their role: the export reuses them for the same role. */
  lookup?: { target: RoleTarget; credentials: RoleCredentials }
}

/** How the request ended: the rounds' end (gate/rounds.ts). */
type GateEnd = RoundsEnd<Round, Approval>

/** What every request of a step shows besides its codes: the run, the access asked for, the deadline. */
type RequestBase = Omit<
  ApprovalRequest,
  'userCode' | 'verificationUri' | 'verificationUriComplete' | 'expiresAt' | 'endpointNotice' | 'otherCodes' | 'approvals' | 'refusal'
>

/** One step's request: what it shows, and where a two-phase request keeps its current codes. */
interface Gate {
  base: RequestBase
  /** Two phases: the pending-request file, rewritten with every new round. */
  pendingFile?: string
  /** What an end at the deadline is called: `timed-out` when `timeout` set it, else `expired`. */
  endsAs: 'timed-out' | 'expired'
}

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

/** The roles the approver hands over, for the prompt: the approver must see what they grant. */
function requestedAccess(inputs: ActionInputs): Pick<ApprovalRequest, 'accountId' | 'roleName' | 'profiles'> {
  return {
    ...(inputs.role ? { accountId: inputs.role.accountId, roleName: inputs.role.roleName } : {}),
    ...(inputs.profiles.length > 0
      ? { profiles: inputs.profiles.map(({ profile, accountId, roleName }) => ({ profile, accountId, roleName })) }
      : {})
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

/** The endpoints, the OIDC client and the registration source, each bounded by `timeout`. */
function prepareFlow(
  inputs: ActionInputs,
  context: RunContext,
  postStep: PostStepWriter,
  startedAt: number,
  signal: AbortSignal,
  options: RunOptions
): Flow {
  const timeoutAt = inputs.timeoutSeconds === undefined ? undefined : startedAt + inputs.timeoutSeconds * 1000
  // STS only when the approver is looked up: the lookup sends the approver's role session there,
  // so an override of it is one more thing the approver is warned about.
  const sts = identifiedThrough(inputs) === false ? undefined : stsEndpoint(inputs.region)
  const stsOverride = sts === undefined ? undefined : stsEndpointOverride()
  const endpoints = {
    oidc: oidcEndpoint(inputs.region),
    portal: portalEndpoint(inputs.region),
    ...definedFields({ sts }),
    overrides: [...endpointOverrides(), ...(stsOverride ? [stsOverride] : [])]
  }
  const client = new SsoOidcClient({
    endpoint: endpoints.oidc,
    signal,
    // A hung connection costs at most one attempt's timeout, and nothing runs past `timeout`.
    requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds),
    ...definedFields({ deadline: timeoutAt === undefined ? undefined : timeoutAt + DEADLINE_GRACE_MS })
  })
  // Transient failures of the calls before polling are retried for a while, never past `timeout`.
  const retrying: Retrying = (call) =>
    withRetry(call, { deadline: Math.min(Date.now() + SETUP_RETRY_WINDOW_MS, timeoutAt ?? Infinity), signal, onRetry: logRetry })
  const registrations = new RegistrationSource({
    client,
    wanted: { startUrl: inputs.startUrl, region: inputs.region, clientName: inputs.clientName, scopes: inputs.scopes },
    cache: { enabled: inputs.cacheRegistration, ...(inputs.cacheEncryptionKey ? { encryptionKey: inputs.cacheEncryptionKey } : {}) },
    retrying,
    // The cache is a shortcut: it takes at most what one AWS call may, never holds the step past
    // `timeout`, nor a cancelled run at all.
    ...definedFields({ deadline: timeoutAt, limitMs: cacheLimitMs(inputs.timeoutSeconds, options) }),
    signal
  })
  return { inputs, context, client, endpoints, registrations, retrying, postStep, timeoutAt, signal }
}

/** The most a restore or a save may take: one attempt's time under `timeout`, or the harness's ceiling if lower. */
function cacheLimitMs(timeoutSeconds: number | undefined, options: RunOptions): number | undefined {
  const limits = [timeoutSeconds === undefined ? undefined : attemptTimeoutMs(timeoutSeconds), options.cacheLimitMs]
  const given = limits.filter((limit) => limit !== undefined)
  return given.length === 0 ? undefined : Math.min(...given)
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

/** The request a step opens: its deadline is `timeout`'s end, or without one the first code's expiry. */
function openGate(flow: Flow, [first]: Round[]): Gate {
  const deadline = flow.timeoutAt ?? codeExpiry(first!.authorization)
  return { base: requestBase(flow, new Date(deadline)), endsAs: flow.timeoutAt === undefined ? 'expired' : 'timed-out' }
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

/** How this step's rounds start, are polled, judged and shown (gate/rounds.ts runs them). */
function roundsOptions(flow: Flow, channels: Channels, gate: Gate, open: Round[]): RoundsOptions<Round, Approval, Refusal> {
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

/**
 * An approval arrived. The token is masked at once, and the approver looked up when anything needs
 * to know who it is (gate/policy.ts decides whether they may approve). A refused approval's token
 * is revoked at once; so is every accepted one but the first, which the job acts with and the
 * post step revokes.
 */
async function judgeApproval(
  flow: Flow,
  gate: Gate,
  round: Round,
  token: TokenSet,
  approvals: readonly Approval[]
): Promise<Verdict<Approval, Refusal>> {
  maskTokenSet(token)
  const approvedAt = new Date()
  // The first approval may be the one the job acts with: the post step knows to revoke it before
  // anything can fail (a lookup cut short by cancellation leaves it to the post step).
  const first = approvals.length === 0
  if (first && flow.inputs.revoke) flow.postStep.update((state) => (state.revoke = revokeRecord(flow, token, round.registration)))
  // `revoke: false`: the post step says the approver's access outlives the job, and until when.
  else if (first) flow.postStep.update((state) => (state.notRevoked = { expiresAt: token.expiresAt }))
  let identified: Pick<Approval, 'approver' | 'lookup'>
  try {
    identified = await identify(flow, gate, token, approvedAt)
  } catch (error) {
    // Unknown, so not acting with it: the token goes before the failure ends the request.
    if (!flow.signal.aborted) await revokeNow(flow, token, 'The token of the approval that could not be identified', first)
    throw error
  }
  const approval: Approval = { token, round, ...identified }
  const userName = approval.approver?.userName
  const shownName = sanitize(userName ?? 'another approver', { maxLength: 128 })
  const approvedSoFar = approvals.flatMap(({ approver }) => (approver ? [approver.userName] : []))
  const reason = userName === undefined ? undefined : refusalReason(userName, flow.inputs.policy, approvedSoFar)
  if (userName !== undefined && reason !== undefined) {
    await revokeNow(flow, token, `The token of ${shownName}, whose approval was not accepted,`, first)
    core.warning(
      `${shownName} approved but ${reason}: the approval is not accepted and their token is revoked. Another person must approve the new code.`
    )
    return { refused: { userName, reason, at: approvedAt } }
  }
  if (!first) await revokeNow(flow, token, `The token of the approval by ${shownName}`, false)
  return { accepted: approval }
}

/** Logs out a token the job will not act with, now; one held for the post step is then no longer its business. */
async function revokeNow(flow: Flow, token: TokenSet, label: string, heldForPostStep: boolean): Promise<void> {
  await revokeAtOnce(flow, [{ token, label }])
  if (heldForPostStep) flow.postStep.update((state) => delete state.revoke)
}

/**
 * Which role the approver is looked up through: the requested role (`account-id`/`role-name`,
 * else the first `roles` line); undefined for "the first role they have", when only the policy
 * needs the identity; false when nothing needs it.
 */
function identifiedThrough(inputs: ActionInputs): (RoleTarget & { source: string }) | undefined | false {
  if (inputs.role) return { ...inputs.role, source: "input 'role-name'" }
  const [first] = inputs.profiles
  if (first) return { accountId: first.accountId, roleName: first.roleName, source: first.source }
  return needsIdentity(inputs.policy) ? undefined : false
}

/** Who approved (STS GetCallerIdentity through the role their token opens), when anything needs it. */
async function identify(flow: Flow, gate: Gate, token: TokenSet, approvedAt: Date): Promise<Pick<Approval, 'approver' | 'lookup'>> {
  const through = identifiedThrough(flow.inputs)
  if (through === false || flow.endpoints.sts === undefined) return {}
  const deadline = exportDeadline(gate.base.deadline.getTime())
  const { approver, credentials } = await identifyApprover(token, through, {
    portal: portalClient(flow, deadline),
    sts: flow.endpoints.sts,
    signal: flow.signal,
    ...definedFields({ deadline }),
    log: (line) => core.info(line),
    retry: () => setupRetry(flow, deadline),
    approvedAt,
    requestTimeoutMs: attemptTimeoutMs(flow.inputs.timeoutSeconds)
  })
  const target = through
    ? { accountId: through.accountId, roleName: through.roleName }
    : { accountId: approver.accountId, roleName: roleOfArn(approver.arn) }
  return { approver, lookup: { target, credentials } }
}

/** The permission set's name in `…:assumed-role/AWSReservedSSO_<set>_<id>/<user>`, for the record. */
function roleOfArn(arn: string): string {
  return /assumed-role\/AWSReservedSSO_(.+)_[0-9a-f]{16}\//.exec(arn)?.[1] ?? ''
}

/** The portal client of one step's AWS calls after an approval, bounded by `deadline`. */
function portalClient(flow: Flow, deadline: number | undefined): SsoPortalClient {
  return new SsoPortalClient({
    endpoint: flow.endpoints.portal,
    signal: flow.signal,
    requestTimeoutMs: attemptTimeoutMs(flow.inputs.timeoutSeconds),
    ...definedFields({ deadline })
  })
}

function setupRetry(flow: Flow, deadline: number | undefined) {
  return { deadline: Math.min(Date.now() + SETUP_RETRY_WINDOW_MS, deadline ?? Infinity), signal: flow.signal, onRetry: logRetry }
}

/** Logs out tokens the job will not act with (refused, extra, or held when the request failed), now. */
async function revokeAtOnce(flow: Flow, tokens: ReadonlyArray<{ token: TokenSet; label: string }>): Promise<void> {
  for (const { token, label } of tokens) {
    await revokeTokens({ portalEndpoint: flow.endpoints.portal, tokens: [token], label }, core)
  }
}

interface ChannelOptions {
  /** Two phases: the pending request, whose existence tells the post step the request is open. */
  pendingFile?: string
  /** `false` turns the PR comment off even when `notify` lists it. */
  prComment?: boolean
}

/** The channels `notify` asks for, now that the inputs are known. */
function openChannels(flow: Flow, options: ChannelOptions = {}): Channels {
  const { inputs } = flow
  const settings: ChannelSettings = { summaryShowsPrompt: inputs.phase === 'start' }
  if (inputs.notify.includes('pr-comment') && options.prComment !== false) {
    const where = commentTarget(flow.context, inputs.githubToken)
    if ('reason' in where) core.debug(`No PR comment: ${where.reason}.`)
    else {
      settings.prComment = {
        target: where.target,
        postStep: flow.postStep,
        phase: inputs.phase,
        ...definedFields({ pendingFile: options.pendingFile }),
        warn: (message) => core.warning(message),
        // The comment is written at each change of the request; its URL is news only once.
        onPosted: (url) => {
          if (url === channels.commentUrl) return
          channels.commentUrl = url
          core.info(`The request is shown in the PR comment ${exportCommentUrl(url)}`)
        },
        sticky: { debug: (line) => core.debug(line), requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds) },
        // Asked at each write: near the deadline, recording the outcome gets only the grace.
        // Cancelled, the outcome gets a short try: the step must be gone soon, the post step finishes.
        writeWithinMs: () =>
          flow.signal.aborted
            ? CANCELLED_RECORD_MS
            : commentWriteLimitMs(inputs.timeoutSeconds, channels.shown?.deadline.getTime() ?? flow.timeoutAt),
        signal: flow.signal
      }
    }
  }
  const channels = new Channels(createNotifiers(inputs.notify, settings))
  return channels
}

/** The step's channels, and what they have shown: the prompt and the record go through them. */
class Channels {
  /** The last request shown to the approver. */
  shown: ApprovalRequest | undefined
  /** The PR comment's web URL, once posted. */
  commentUrl: string | undefined

  constructor(private readonly notifiers: readonly Notifier[]) {}

  /** 5. Prompt: every channel shows the request; the outputs carry its public parts. */
  async prompt(request: ApprovalRequest): Promise<void> {
    this.shown = request
    exportRequestOutputs(request)
    if (request.endpointNotice) core.warning(noticeLine(request.endpointNotice))
    await notifyAll(
      this.notifiers,
      (notifier) => notifier.prompt(request),
      (warning) => core.warning(warning)
    )
  }

  async record(subject: RequestSubject, result: RequestResult): Promise<void> {
    const record = { subject, result, ...definedFields({ request: this.shown }) }
    await notifyAll(
      this.notifiers,
      (notifier) => notifier.record(record),
      (warning) => core.warning(warning)
    )
  }
}

/**
 * 4. A round: a new device authorization, the device code masked at once. The first of a request
 * registers (cached or new) and, when AWS rejects a cached client (invalid_client), registers a new
 * one and starts over, once, before anyone saw a code (obtain() says what happens). A code that
 * expired or whose approval was refused gets a new one from the same client; a client AWS rejected
 * while polling is replaced, and the approver told the code shown is void.
 */
async function startRound(flow: Flow, cause: RoundCause, previous?: Round, deadline?: Date): Promise<Round> {
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

/**
 * Whether a round's code reached its expiry: the poll ends one wait early (it starts no poll that
 * cannot finish before the expiry), and each slow_down makes that wait 5 s longer.
 */
function expiredOnTime({ authorization }: Round, poll: PollResult): boolean {
  const longestWaitMs = (authorization.interval > 0 ? authorization.interval : 5) * 1000 + poll.slowDowns * 5_000
  return Date.now() >= codeExpiry(authorization) - longestWaitMs - 1_000
}

function codeExpiry(authorization: DeviceAuthorization): number {
  return authorization.startedAt + authorization.expiresIn * 1000
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
function requestOf(flow: Flow, base: RequestBase, { rounds, approvals, refusal }: Progress<Round, Approval, Refusal>): ApprovalRequest {
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
function approvalRecord({ approver }: Approval): ApprovalRecord[] {
  return approver ? [{ userName: approver.userName, arn: approver.arn, approvedAt: approver.approvedAt }] : []
}

/** The warning for a request that does not go to AWS's own endpoints, decided in the step that shows it. */
function endpointNoticeOf(
  links: Pick<ApprovalRequest, 'verificationUri' | 'verificationUriComplete'>,
  flow: Flow
): Pick<ApprovalRequest, 'endpointNotice'> {
  return definedFields({ endpointNotice: noticeFor(links, flow.endpoints.overrides) })
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
 * 7. Export. The tokens are masked before anything else sees them, and the post step learns what
 * to revoke before anything can fail. Every portal call and file write (role credentials, checked
 * roles, profiles) comes before the first variable or output, so a role the approver lacks leaves
 * nothing half exported.
 */
async function exportAccess(flow: Flow, ended: GateEnd, { base }: Gate): Promise<RequestResult> {
  if (ended.outcome === 'unapproved') {
    // Nobody gets access: tokens already accepted (a second approver denied, say) end now.
    await revokeHeld(flow, ended.approvals)
    return unapprovedResult(ended.poll, ended.round, flow.inputs)
  }
  const { inputs, context, postStep } = flow
  const [first] = ended.approvals as [Approval, ...Approval[]]
  const { token, round } = first
  // Bounded like the rest of the flow: by then the deadline may be near, or past for an approval
  // that came in the grace; such an approval still gets one short attempt.
  const deadline = exportDeadline(base.deadline.getTime())
  const access = await obtainAwsAccess({
    inputs,
    token,
    registration: round.registration,
    portal: portalClient(flow, deadline),
    retry: () => setupRetry(flow, deadline),
    postStep,
    runId: context.runId,
    runUrl: context.runUrl,
    profileCredentials: inputs.handoffKey !== undefined,
    // The lookup opened the requested role already: its credentials are the ones exported.
    ...definedFields({ openedRole: first.lookup })
  })
  // Sealing is the export's last part that can fail: before the first variable or output.
  const handoff =
    inputs.handoffKey === undefined
      ? undefined
      : await sealAccess(
          access,
          gateSeal(inputs, inputs.handoffKey, token, [round.registration.clientSecret, round.authorization.deviceCode])
        )
  exportToken(token)
  exportAwsAccess(access, inputs)
  if (handoff !== undefined) exportHandoff(handoff)
  const approvers = ended.approvals.flatMap(({ approver }) => (approver ? [approver] : []))
  const receipt = approvers.length > 0 ? approvalReceipt(context, base, approvers) : undefined
  if (receipt) exportApprovers(approvers[0]!, receipt)
  const approvals = ended.approvals.flatMap(approvalRecord)
  return {
    outcome: 'approved',
    at: new Date(),
    accessExpiresAt: new Date(token.expiresAt),
    ...(approvals.length > 0 ? { approvals } : {}),
    ...definedFields({ receipt })
  }
}

/** The approvals accepted before the request failed: their tokens are logged out now, and the post step has nothing left to revoke. */
async function revokeHeld(flow: Flow, approvals: readonly Approval[]): Promise<void> {
  if (approvals.length === 0) return
  await revokeAtOnce(
    flow,
    approvals.map(({ token }) => ({ token, label: 'The token of an approval this request no longer needs' }))
  )
  flow.postStep.update((state) => delete state.revoke)
}

/** The hand-off's key, and every secret this step registered: none of them may appear in the sealed value. */
function gateSeal(inputs: ActionInputs, key: string, token: TokenSet, clientSecrets: string[]): GateSeal {
  const secrets = [
    token.accessToken,
    token.refreshToken,
    token.idToken,
    ...clientSecrets,
    inputs.cacheEncryptionKey,
    inputs.githubToken,
    key
  ]
  return { key, awsRegion: inputs.awsRegion, secrets: secrets.filter((secret): secret is string => secret !== undefined && secret !== '') }
}

/**
 * What the post step needs to log out the token, and, should it have expired by then, to end its
 * session through the refresh token (cleanup/refresh.ts). Secrets: it goes only into the post-step state
 * file (model/post-step-state.ts), never into GITHUB_STATE.
 */
function revokeRecord({ endpoints }: Flow, token: TokenSet, registration: ClientRegistration): RevokeRecord {
  const record: RevokeRecord = { portalEndpoint: endpoints.portal, accessToken: token.accessToken, expiresAt: token.expiresAt }
  if (token.refreshToken !== undefined) {
    record.refresh = {
      oidcEndpoint: endpoints.oidc,
      clientId: registration.clientId,
      clientSecret: registration.clientSecret,
      registrationExpiresAt: registration.clientSecretExpiresAt * 1000,
      refreshToken: token.refreshToken
    }
  }
  return record
}

function unapprovedResult(poll: PollResult, { authorization }: Round, inputs: ActionInputs): RequestResult {
  // 'approved' without a token would be a poll bug: report it rather than export nothing silently.
  if (poll.outcome === 'approved')
    return { outcome: 'error', at: new Date(), message: explainFailure(new Error('approved without a token')) }
  const details = {
    userCode: authorization.userCode,
    codeExpiresAt: new Date(codeExpiry(authorization)),
    region: inputs.region,
    ...definedFields({ timeoutSeconds: inputs.timeoutSeconds })
  }
  // The deadline came while AWS could not be reached: whether anyone approved is unknown, and the
  // failure, not the approver, is what to fix. It ends as an error naming the endpoint and cause.
  if (poll.lastError !== undefined) {
    return { outcome: 'error', at: new Date(), message: `${explainFailure(poll.lastError)} ${deadlineNote(poll.outcome, details)}` }
  }
  return { outcome: poll.outcome, at: new Date(), message: unapprovedMessage(poll.outcome, details) }
}

/** What the deadline was, for a poll that kept failing until it came. */
function deadlineNote(outcome: PollResult['outcome'], details: { timeoutSeconds?: number }): string {
  return outcome === 'timed-out' && details.timeoutSeconds !== undefined
    ? `No poll succeeded before the timeout of ${formatDuration(details.timeoutSeconds)} (input 'timeout').`
    : 'No poll succeeded before the code expired.'
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

function failureResult(error: unknown, cancelled: boolean, request: ApprovalRequest | undefined): RequestResult {
  if (cancelled) {
    return { outcome: 'cancelled', at: new Date(), message: unapprovedMessage('cancelled', definedFields({ userCode: request?.userCode })) }
  }
  if (isUnexpected(error) && error instanceof Error && error.stack) core.debug(error.stack)
  return { outcome: 'error', at: new Date(), message: explainFailure(error) }
}

/** Logs a failure that will be retried: the error's own line, and when. */
function logRetry({ error, delayMs }: { error: unknown; delayMs: number }): void {
  core.info(`${explainTransient(error)}; trying again in ${seconds(Math.max(100, delayMs))}.`)
}

/** A retried failure, for the log: the error's own one line (operation, endpoint, cause). */
function explainTransient(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error))
}

/** AWS rejected the OIDC client (invalid_client): a new registration may succeed, unless the run is cancelled. */
function mayStartOver(error: unknown, signal: AbortSignal): boolean {
  const invalidClient =
    error instanceof AwsServiceError && (error.code === 'InvalidClientException' || error.oauthError === 'invalid_client')
  return invalidClient && !signal.aborted
}
