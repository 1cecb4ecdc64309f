// The flow (README, "Usage" and "Two phases"): inputs → trust → registration → device
// authorization → prompt → poll → export → record. `phase: all` does everything in one step;
// `phase: start` stops after the prompt and leaves the request to a `phase: wait` step, which
// polls, exports and records. The step succeeds only when approved (or, for `start`, when the
// request is pending); every other outcome fails it with one line saying what happened and what
// to do.
import * as core from '@actions/core'
import { abortOnTermination, CANCELLED_RECORD_MS } from './cancellation.js'
import { removeEarlierLeftovers } from './cleanup/leftovers.js'
import { readEventPayload, readRunContext } from './context.js'
import { attemptTimeoutMs, commentWriteLimitMs, DEADLINE_GRACE_MS, exportDeadline } from './deadline.js'
import { InputError, oneLine } from './errors.js'
import { explainFailure, isUnexpected, unapprovedMessage } from './failure.js'
import { formatDuration, formatUtc, seconds } from './time/format.js'
import { exportAwsAccess, obtainAwsAccess } from './export/aws-access.js'
import { exportCodeExpiry, exportCommentUrl, exportOutcome, exportRequestOutputs, exportToken } from './export/outputs.js'
import { maskDeviceAuthorization, maskPendingRequest, maskTokenSet } from './model/secrets.js'
import { HandoffWriter, type RevokeRecord } from './model/handoff.js'
import { closeSharedDispatcher } from './http/dispatcher.js'
import { checkProfileNames, maskSecretInputs, parseInputs, type ActionInputs } from './inputs.js'
import { commentTarget, createNotifiers, notifyAll, type ChannelSettings, type Notifier } from './notify/index.js'
import { noticeFor, noticeLine } from './notify/endpoint-notice.js'
import { gateOf } from './model/gate.js'
import type { ApprovalRequest, RequestResult, RequestSubject, RunContext } from './model/request.js'
import { SsoOidcClient } from './oidc/client.js'
import { endpointOverrides, oidcEndpoint, portalEndpoint, type EndpointOverride } from './oidc/endpoints.js'
import { AwsServiceError } from './oidc/errors.js'
import type { ClientRegistration, DeviceAuthorization, TokenSet } from './oidc/types.js'
import { SsoPortalClient } from './portal/client.js'
import { loadPendingRequest, pendingRequestPath, refuseAccessNotShown, removePendingRequest, savePendingRequest } from './model/pending.js'
import { pollForToken, type PollResult } from './poll.js'
import { RegistrationSource, type Retrying } from './registration/index.js'
import { withRetry } from './retry.js'
import { refuseUntrustedCode, type PullRequestLookup } from './trust.js'
import { lookUpPullRequest, PullRequestLookupError } from './github/pull-request.js'

/** How long RegisterClient, StartDeviceAuthorization and each portal call may retry transient failures. */
const SETUP_RETRY_WINDOW_MS = 60_000
/** How often the log says the job is still waiting. */
const HEARTBEAT_MS = 60_000

/** What the flow knows about the gate so far: enough to record it however it ends. */
interface Gate {
  subject: RequestSubject
  notifiers: Notifier[]
  handoff: HandoffWriter
  /** The last request shown to the approver. */
  request?: ApprovalRequest
  /** Once the outcome is recorded (the wait step then removes the pending request). */
  afterRecord?: () => void
}

/** One step's run of the flow, once the inputs are known. */
interface Flow {
  client: SsoOidcClient
  /** Both endpoints, resolved before anyone is asked: a bad override fails before a prompt. */
  endpoints: { oidc: string; portal: string; overrides: EndpointOverride[] }
  /** The OIDC client registration: cached or new (used by `all` and `start`). */
  registrations: RegistrationSource
  /** The setup retry window, fresh for each call. */
  retrying: Retrying
  inputs: ActionInputs
  context: RunContext
  gate: Gate
  /** Epoch ms from this step's `timeout` input. */
  timeoutAt: number | undefined
  signal: AbortSignal
}

/** A device authorization shown to the approver. */
interface StartedRequest {
  registration: ClientRegistration
  authorization: DeviceAuthorization
  request: ApprovalRequest
}

export async function run(): Promise<void> {
  const startedAt = Date.now()
  const cancellation = abortOnTermination()
  const context = readRunContext()
  // The default channels until the inputs are read, so even a bad input is recorded.
  const gate: Gate = { subject: { context }, notifiers: createNotifiers(['summary']), handoff: new HandoffWriter() }
  // Stays undefined when `phase: start` leaves the request pending, as it is meant to.
  let result: RequestResult | undefined
  let registrations: RegistrationSource | undefined

  try {
    // 0. What a killed job of this action left in HOME on this runner goes first (self-hosted runners).
    removeEarlierLeftovers(core)
    // 1. Inputs: all checked before any network call, secrets masked before anything can print them.
    const inputs = readInputs(gate.subject)
    // 2. Trust: a run that executes a fork's code asks nobody for anything.
    await refuseUntrustedCode(
      context.eventName,
      readEventPayload(process.env.GITHUB_EVENT_PATH ?? ''),
      inputs.allowForks,
      context.repository,
      pullRequestLookup(context, inputs, cancellation.signal)
    )
    const timeoutAt = inputs.timeoutSeconds === undefined ? undefined : startedAt + inputs.timeoutSeconds * 1000
    const endpoints = { oidc: oidcEndpoint(inputs.region), portal: portalEndpoint(inputs.region), overrides: endpointOverrides() }
    const client = new SsoOidcClient({
      endpoint: endpoints.oidc,
      signal: cancellation.signal,
      // A hung connection costs at most one attempt's timeout, and nothing runs past `timeout`.
      requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds),
      ...(timeoutAt === undefined ? {} : { deadline: timeoutAt + DEADLINE_GRACE_MS })
    })
    // Transient failures of the calls before polling are retried for a while, never past `timeout`.
    const retrying: Retrying = (call) =>
      withRetry(call, {
        deadline: Math.min(Date.now() + SETUP_RETRY_WINDOW_MS, timeoutAt ?? Infinity),
        signal: cancellation.signal,
        onRetry: logRetry
      })
    registrations = new RegistrationSource({
      client,
      wanted: { startUrl: inputs.startUrl, region: inputs.region, clientName: inputs.clientName, scopes: inputs.scopes },
      cache: { enabled: inputs.cacheRegistration, ...(inputs.cacheEncryptionKey ? { encryptionKey: inputs.cacheEncryptionKey } : {}) },
      retrying,
      // The cache is a shortcut: it takes at most what one AWS call may, never holds the step past
      // `timeout`, nor a cancelled run at all.
      ...(timeoutAt === undefined ? {} : { deadline: timeoutAt, limitMs: attemptTimeoutMs(inputs.timeoutSeconds) }),
      signal: cancellation.signal
    })
    const flow: Flow = { client, endpoints, registrations, retrying, inputs, context, gate, timeoutAt, signal: cancellation.signal }
    if (inputs.phase === 'start') await startRequest(flow)
    else result = inputs.phase === 'wait' ? await waitForStartedRequest(flow) : await approveInOneStep(flow)
  } catch (error) {
    result = failureResult(error, cancellation.signal.aborted, gate.request)
  } finally {
    // A registration still being saved gets its (bounded) time, except when the run is cancelled.
    await registrations?.settle({ wait: !cancellation.signal.aborted })
    // Idle keep-alive sockets would otherwise hold the process (and so the step) open.
    await closeSharedDispatcher()
  }

  if (result) {
    // Record: the outcome output is always set, the channels record how it ended.
    exportOutcome(result.outcome)
    // The one error line before the channels: a cancelled step may be gone before GitHub answers.
    if (result.outcome !== 'approved') core.setFailed(result.message ?? result.outcome)
    const record = { subject: gate.subject, result, ...(gate.request ? { request: gate.request } : {}) }
    await notifyAll(gate.notifiers, (notifier) => notifier.record(record), (warning) => core.warning(warning))
    gate.afterRecord?.()
  }
  cancellation.dispose()
}

/** How step 2 asks GitHub where a pull request's head lives: with `github-token`, bounded like every call. */
function pullRequestLookup(context: RunContext, inputs: ActionInputs, signal: AbortSignal): PullRequestLookup {
  return async (number) => {
    if (inputs.githubToken === '') throw new PullRequestLookupError("input 'github-token' is empty")
    const [owner, repo] = context.repository.split('/')
    if (!owner || !repo) throw new PullRequestLookupError('GITHUB_REPOSITORY is not owner/repo')
    return lookUpPullRequest(
      { owner, repo, number },
      { token: inputs.githubToken, requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds), debug: (line) => core.debug(line), limit: () => signal }
    )
  }
}

function readInputs(subject: RequestSubject): ActionInputs {
  const readInput = (name: string) => core.getInput(name)
  maskSecretInputs(readInput, (secret) => core.setSecret(secret))
  const { inputs, warnings } = parseInputs(readInput, subject.context.repository)
  warnings.forEach((warning) => core.warning(warning))
  // A profile name the user's AWS config file already has: fail before anyone is asked to approve.
  checkProfileNames(inputs)
  Object.assign(subject, { startUrl: inputs.startUrl, region: inputs.region, clientName: inputs.clientName, scopes: inputs.scopes }, requestedAccess(inputs))
  return inputs
}

/** `phase: all`: 3. registration, 4. device authorization, 5. prompt, 6. poll, 7. export. */
async function approveInOneStep(flow: Flow): Promise<RequestResult> {
  useChannels(flow)
  const { poll, registration } = await requestApproval(flow, async (started) => {
    await prompt(flow, started.request)
    return { poll: await waitForApproval(flow, started), registration: started.registration }
  })
  return settle(flow, poll, registration)
}

/**
 * `phase: start`: steps 3 to 5, then the request waits on disk for a `phase: wait` step. The
 * pending request is saved before anyone is prompted: a request someone can see always has a file
 * that the wait step (or, if none comes, the post step) can close.
 */
async function startRequest(flow: Flow): Promise<void> {
  const pendingFile = pendingRequestPath(gateOf({ ...flow.gate.subject, startUrl: flow.inputs.startUrl }))
  flow.gate.handoff.addFile(pendingFile)
  // Runs only when this step ends with an outcome, i.e. it failed: no wait step may pick that up.
  flow.gate.afterRecord = () => removePendingRequest(pendingFile)
  let commentUrl: string | undefined
  useChannels(flow, { pendingFile, onPosted: (url) => (commentUrl = url) })
  const started = await requestApproval(flow, async (started) => {
    savePendingRequest(pendingFile, started)
    await prompt(flow, started.request)
    return started
  })
  if (commentUrl !== undefined) savePendingRequest(pendingFile, { ...started, commentUrl })
  exportCodeExpiry(started.request)
  core.info(
    `The request is pending until ${formatUtc(started.request.deadline)}: a later step with phase: wait and the same inputs waits for the approval.`
  )
}

/** `phase: wait`: picks up the request its `phase: start` step left, then 6. poll and 7. export. */
async function waitForStartedRequest(flow: Flow): Promise<RequestResult> {
  const { inputs, gate } = flow
  const pendingFile = pendingRequestPath(gateOf({ ...gate.subject, startUrl: inputs.startUrl }))
  const pending = loadPendingRequest(pendingFile)
  maskPendingRequest(pending)
  if (pending.request.region !== inputs.region) {
    throw new InputError(
      'region',
      `Input 'region' is ${inputs.region} but the phase: start step asked IAM Identity Center in ${pending.request.region}; give both phases the same inputs.`
    )
  }
  // Before this step owns the request, polls or exports: only what the approver saw.
  refuseAccessNotShown(pending.request, requestedAccess(inputs))
  // From here this step owns the request: it closes it, or its post step does.
  gate.handoff.addFile(pendingFile)
  gate.afterRecord = () => removePendingRequest(pendingFile)
  // The start step's `timeout` set the deadline; this step's own can only bring it closer.
  const deadline = Math.min(pending.request.deadline.getTime(), flow.timeoutAt ?? Infinity)
  const request: ApprovalRequest = { ...pending.request, deadline: new Date(deadline), ...endpointNoticeOf(pending.request, flow) }
  // The comment is the start step's to begin with: without one, this step posts none either.
  useChannels(flow, { pendingFile, prComment: pending.commentUrl !== undefined })
  // Shown again here, in the log of the step that now waits, and re-handed to the post step.
  await prompt(flow, request)
  return settle(flow, await waitForApproval(flow, { ...pending, request }), pending.registration)
}

/**
 * 7. Export. The tokens are masked before anything else sees them, and the post step learns what
 * to revoke before anything can fail. Every portal call and file write (role credentials, checked
 * roles, profiles) comes before the first variable or output, so a role the approver lacks leaves
 * nothing half exported.
 */
async function settle(flow: Flow, poll: PollResult, registration: ClientRegistration): Promise<RequestResult> {
  if (!(poll.outcome === 'approved' && poll.token)) return unapprovedResult(poll, flow.gate.request, flow.inputs)
  const { inputs, context, gate, signal } = flow
  const token = poll.token
  maskTokenSet(token)
  const endpoint = flow.endpoints.portal
  if (inputs.revoke) gate.handoff.update((handoff) => (handoff.revoke = revokeRecord(flow, token, registration)))
  // Bounded like the rest of the flow: by then the deadline may be near, or past for an approval
  // that came in the grace; such an approval still gets one short attempt.
  const deadline = exportDeadline(gate.request?.deadline.getTime() ?? flow.timeoutAt)
  const access = await obtainAwsAccess({
    inputs,
    token,
    registration,
    portal: new SsoPortalClient({
      endpoint,
      signal,
      requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds),
      ...(deadline === undefined ? {} : { deadline })
    }),
    retry: () => ({ deadline: Math.min(Date.now() + SETUP_RETRY_WINDOW_MS, deadline ?? Infinity), signal, onRetry: logRetry }),
    handoff: gate.handoff,
    runId: context.runId,
    runUrl: context.runUrl
  })
  exportToken(token)
  exportAwsAccess(access, inputs)
  return { outcome: 'approved', at: new Date(), accessExpiresAt: new Date(token.expiresAt) }
}

/**
 * What the post step needs to log out the token, and, should it have expired by then, to end its
 * session through the refresh token (cleanup/refresh.ts). Secrets: it goes only into the hand-off
 * file (handoff.ts), never into GITHUB_STATE.
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

interface ChannelOptions {
  /** Two phases: the pending request, whose existence tells the post step the request is open. */
  pendingFile?: string
  /** `false` turns the PR comment off even when `notify` lists it. */
  prComment?: boolean
  onPosted?: (url: string) => void
}

/** The channels `notify` asks for, now that the inputs are known. */
function useChannels(flow: Flow, options: ChannelOptions = {}): void {
  const { inputs, gate } = flow
  const settings: ChannelSettings = { summaryShowsPrompt: inputs.phase === 'start' }
  if (inputs.notify.includes('pr-comment') && options.prComment !== false) {
    const where = commentTarget(flow.context, inputs.githubToken)
    if ('reason' in where) core.debug(`No PR comment: ${where.reason}.`)
    else {
      settings.prComment = {
        target: where.target,
        handoff: gate.handoff,
        phase: inputs.phase,
        ...(options.pendingFile === undefined ? {} : { pendingFile: options.pendingFile }),
        warn: (message) => core.warning(message),
        onPosted: (url) => {
          exportCommentUrl(url)
          options.onPosted?.(url)
        },
        sticky: { debug: (line) => core.debug(line), requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds) },
        // Asked at each write: near the deadline, recording the outcome gets only the grace.
        // Cancelled, the outcome gets a short try: the step must be gone soon, the post step finishes.
        writeWithinMs: () =>
          flow.signal.aborted ? CANCELLED_RECORD_MS : commentWriteLimitMs(inputs.timeoutSeconds, gate.request?.deadline.getTime() ?? flow.timeoutAt),
        signal: flow.signal
      }
    }
  }
  gate.notifiers = createNotifiers(inputs.notify, settings)
}

/** 5. Prompt: every channel shows the request; the outputs carry its public parts. */
async function prompt(flow: Flow, request: ApprovalRequest): Promise<void> {
  flow.gate.request = request
  exportRequestOutputs(request)
  if (request.endpointNotice) core.warning(noticeLine(request.endpointNotice))
  await notifyAll(flow.gate.notifiers, (notifier) => notifier.prompt(request), (warning) => core.warning(warning))
}

/**
 * 3. Registration (cached or new) and 4. device authorization (the device code masked at once),
 * then `next`, which prompts and polls or saves the request. When AWS rejects the client
 * (invalid_client) at any of these, registers a new one and starts over once: a code issued to a
 * rejected client can never be approved.
 */
async function requestApproval<T>(flow: Flow, next: (started: StartedRequest) => Promise<T>): Promise<T> {
  const { client, registrations, retrying, inputs, signal } = flow
  let registration = await registrations.obtain()
  for (let restarted = false; ; restarted = true) {
    let authorization: DeviceAuthorization | undefined
    try {
      authorization = await retrying(() => client.startDeviceAuthorization(registration, inputs.startUrl))
      maskDeviceAuthorization(authorization)
      return await next({ registration, authorization, request: approvalRequest(authorization, flow) })
    } catch (error) {
      if (restarted || !isInvalidClient(error) || signal.aborted) throw error
      // After a prompt the approver must know the code shown is void. Before one (a cached
      // registration AWS has since dropped, say) nobody saw anything: obtain() says what happens.
      if (authorization !== undefined && flow.gate.request?.userCode === authorization.userCode) {
        core.warning('AWS rejected the OIDC client (invalid_client): registering a new client and starting a new request; the code above is void.')
      }
      registration = await registrations.obtain({ replacing: registration })
    }
  }
}

function approvalRequest(authorization: DeviceAuthorization, flow: Flow): ApprovalRequest {
  const { inputs, context, timeoutAt } = flow
  const expiresAt = authorization.startedAt + authorization.expiresIn * 1000
  return {
    ...endpointNoticeOf(authorization, flow),
    userCode: authorization.userCode,
    verificationUri: authorization.verificationUri,
    verificationUriComplete: authorization.verificationUriComplete,
    expiresAt: new Date(expiresAt),
    deadline: new Date(Math.min(expiresAt, timeoutAt ?? Infinity)),
    startUrl: inputs.startUrl,
    region: inputs.region,
    clientName: inputs.clientName,
    scopes: inputs.scopes,
    context,
    ...requestedAccess(inputs)
  }
}

/** The warning for a request that does not go to AWS's own endpoints, decided in the step that shows it. */
function endpointNoticeOf(links: Pick<ApprovalRequest, 'verificationUri' | 'verificationUriComplete'>, flow: Flow): Pick<ApprovalRequest, 'endpointNotice'> {
  const notice = noticeFor(links, flow.endpoints.overrides)
  return notice ? { endpointNotice: notice } : {}
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

/** 6. Poll until the request's deadline (the code's expiry, or earlier by `timeout`). */
async function waitForApproval({ client, signal }: Flow, { registration, authorization, request }: StartedRequest): Promise<PollResult> {
  let lastHeartbeat = Date.now()
  const codeExpiresAt = request.expiresAt.getTime()
  const deadline = request.deadline.getTime()
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
      core.info(`Still waiting for approval of code ${request.userCode} (about ${left} min left).`)
    },
    onTransientError: (error, delayMs) => core.info(`${explainTransient(error)}; polling again in ${seconds(Math.max(100, delayMs))}.`)
  })
}

function unapprovedResult(poll: PollResult, request: ApprovalRequest | undefined, inputs: ActionInputs): RequestResult {
  // 'approved' without a token would be a poll bug: report it rather than export nothing silently.
  if (poll.outcome === 'approved') return { outcome: 'error', at: new Date(), message: explainFailure(new Error('approved without a token')) }
  const details = {
    ...(request ? { userCode: request.userCode, codeExpiresAt: request.expiresAt } : {}),
    ...(inputs.timeoutSeconds === undefined ? {} : { timeoutSeconds: inputs.timeoutSeconds })
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

/** Logs a failure that will be retried: the error's own line, and when. */
function logRetry({ error, delayMs }: { error: unknown; delayMs: number }): void {
  core.info(`${explainTransient(error)}; trying again in ${seconds(Math.max(100, delayMs))}.`)
}

/** A retried failure, for the log: the error's own one line (operation, endpoint, cause). */
function explainTransient(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error))
}

function failureResult(error: unknown, cancelled: boolean, request: ApprovalRequest | undefined): RequestResult {
  if (cancelled) {
    return { outcome: 'cancelled', at: new Date(), message: unapprovedMessage('cancelled', request ? { userCode: request.userCode } : {}) }
  }
  if (isUnexpected(error) && error instanceof Error && error.stack) core.debug(error.stack)
  return { outcome: 'error', at: new Date(), message: explainFailure(error) }
}

function isInvalidClient(error: unknown): boolean {
  return error instanceof AwsServiceError && (error.code === 'InvalidClientException' || error.oauthError === 'invalid_client')
}
