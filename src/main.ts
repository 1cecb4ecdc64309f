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
import { exportCodeExpiry, exportCommentUrl, exportHandoff, exportOutcome, exportRequestOutputs, exportToken } from './export/outputs.js'
import { sealAccess, type GateSeal } from './handoff/gate.js'
import { openHandedOffAccess } from './handoff/open.js'
import { maskDeviceAuthorization, maskPendingRequest, maskTokenSet } from './model/secrets.js'
import { PostStepWriter, type RevokeRecord } from './model/post-step-state.js'
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
import {
  loadPendingRequest,
  pendingRequestPath,
  refuseAccessNotShown,
  removePendingRequest,
  savePendingRequest,
  type PendingRequest
} from './model/pending.js'
import { pollForToken, type PollResult } from './poll.js'
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
  /** Both endpoints, resolved before anyone is asked: a bad override fails before a prompt. */
  endpoints: { oidc: string; portal: string; overrides: EndpointOverride[] }
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

/** A device authorization, and the request it shows the approver. */
interface StartedRequest {
  registration: ClientRegistration
  authorization: DeviceAuthorization
  request: ApprovalRequest
  /** It replaced a client AWS rejected (invalid_client): there is no second new start. */
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
  const endpoints = { oidc: oidcEndpoint(inputs.region), portal: portalEndpoint(inputs.region), overrides: endpointOverrides() }
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

/** `phase: all`: 3. registration, 4. device authorization, 5. prompt, 6. poll, 7. export. */
async function approveInOneStep(flow: Flow, channels: Channels): Promise<RequestResult> {
  const started = await authorizeDevice(flow)
  await channels.prompt(started.request)
  const polled = await pollOrStartOver(flow, channels, started)
  return exportAccess(flow, polled.poll, polled.started)
}

/**
 * `phase: start`: 3. registration, 4. device authorization, 5. prompt; then the request waits on
 * disk for a `phase: wait` step. It is saved before anyone is prompted, and again with the PR
 * comment's link once the comment is posted.
 */
async function startRequest(flow: Flow, channels: Channels, pendingFile: string): Promise<void> {
  const started = await authorizeDevice(flow)
  savePendingRequest(pendingFile, started)
  await channels.prompt(started.request)
  if (channels.commentUrl !== undefined) savePendingRequest(pendingFile, { ...started, commentUrl: channels.commentUrl })
  exportCodeExpiry(started.request)
  core.info(
    `The request is pending until ${formatUtc(started.request.deadline)}: a later step with phase: wait and the same inputs waits for the approval.`
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

/** `phase: wait`, then: 5. the prompt again (in this step's log), 6. poll, 7. export. */
async function waitForStartedRequest(flow: Flow, channels: Channels, pending: PendingRequest): Promise<RequestResult> {
  // The start step's `timeout` set the deadline; this step's own can only bring it closer.
  const deadline = Math.min(pending.request.deadline.getTime(), flow.timeoutAt ?? Infinity)
  const request: ApprovalRequest = { ...pending.request, deadline: new Date(deadline), ...endpointNoticeOf(pending.request, flow) }
  await channels.prompt(request)
  const started: StartedRequest = { registration: pending.registration, authorization: pending.authorization, request, startedOver: false }
  return exportAccess(flow, await waitForApproval(flow, started), started)
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
 * 3. Registration (cached or new) and 4. device authorization (the device code masked at once).
 * When AWS rejects a cached client (invalid_client), a new one is registered and the
 * authorization started over, once; nobody has seen a code yet (obtain() says what happens).
 */
async function authorizeDevice(flow: Flow): Promise<StartedRequest> {
  const registration = await flow.registrations.obtain()
  try {
    return await startAuthorization(flow, registration)
  } catch (error) {
    if (!mayStartOver(error, flow.signal)) throw error
    return startAuthorization(flow, await flow.registrations.obtain({ replacing: registration }), true)
  }
}

/** 4. Device authorization with `registration`: the request to show the approver. */
async function startAuthorization(flow: Flow, registration: ClientRegistration, startedOver = false): Promise<StartedRequest> {
  const authorization = await flow.retrying(() => flow.client.startDeviceAuthorization(registration, flow.inputs.startUrl))
  maskDeviceAuthorization(authorization)
  return { registration, authorization, request: approvalRequest(authorization, flow), startedOver }
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
function endpointNoticeOf(
  links: Pick<ApprovalRequest, 'verificationUri' | 'verificationUriComplete'>,
  flow: Flow
): Pick<ApprovalRequest, 'endpointNotice'> {
  return definedFields({ endpointNotice: noticeFor(links, flow.endpoints.overrides) })
}

/**
 * 6. Poll. When AWS rejects the client while polling (invalid_client), the code shown can never
 * be approved: the approver is told it is void, and once, a new client's request is shown and polled.
 */
async function pollOrStartOver(
  flow: Flow,
  channels: Channels,
  started: StartedRequest
): Promise<{ started: StartedRequest; poll: PollResult }> {
  try {
    return { started, poll: await waitForApproval(flow, started) }
  } catch (error) {
    if (started.startedOver || !mayStartOver(error, flow.signal)) throw error
    core.warning(
      'AWS rejected the OIDC client (invalid_client): registering a new client and starting a new request; the code above is void.'
    )
    const again = await startAuthorization(flow, await flow.registrations.obtain({ replacing: started.registration }), true)
    await channels.prompt(again.request)
    return { started: again, poll: await waitForApproval(flow, again) }
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

/**
 * 7. Export. The tokens are masked before anything else sees them, and the post step learns what
 * to revoke before anything can fail. Every portal call and file write (role credentials, checked
 * roles, profiles) comes before the first variable or output, so a role the approver lacks leaves
 * nothing half exported.
 */
async function exportAccess(
  flow: Flow,
  poll: PollResult,
  { registration, authorization, request }: StartedRequest
): Promise<RequestResult> {
  if (!(poll.outcome === 'approved' && poll.token)) return unapprovedResult(poll, request, flow.inputs)
  const { inputs, context, postStep, signal } = flow
  const token = poll.token
  maskTokenSet(token)
  if (inputs.revoke) postStep.update((state) => (state.revoke = revokeRecord(flow, token, registration)))
  else postStep.update((state) => (state.notRevoked = { expiresAt: token.expiresAt }))
  // Bounded like the rest of the flow: by then the deadline may be near, or past for an approval
  // that came in the grace; such an approval still gets one short attempt.
  const deadline = exportDeadline(request.deadline.getTime())
  const access = await obtainAwsAccess({
    inputs,
    token,
    registration,
    portal: new SsoPortalClient({
      endpoint: flow.endpoints.portal,
      signal,
      requestTimeoutMs: attemptTimeoutMs(inputs.timeoutSeconds),
      ...definedFields({ deadline })
    }),
    retry: () => ({ deadline: Math.min(Date.now() + SETUP_RETRY_WINDOW_MS, deadline ?? Infinity), signal, onRetry: logRetry }),
    postStep,
    runId: context.runId,
    runUrl: context.runUrl,
    profileCredentials: inputs.handoffKey !== undefined
  })
  // Sealing is the export's last part that can fail: before the first variable or output.
  const handoff =
    inputs.handoffKey === undefined
      ? undefined
      : await sealAccess(access, gateSeal(inputs, inputs.handoffKey, token, [registration.clientSecret, authorization.deviceCode]))
  exportToken(token)
  exportAwsAccess(access, inputs)
  if (handoff !== undefined) exportHandoff(handoff)
  return { outcome: 'approved', at: new Date(), accessExpiresAt: new Date(token.expiresAt) }
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

function unapprovedResult(poll: PollResult, request: ApprovalRequest, inputs: ActionInputs): RequestResult {
  // 'approved' without a token would be a poll bug: report it rather than export nothing silently.
  if (poll.outcome === 'approved')
    return { outcome: 'error', at: new Date(), message: explainFailure(new Error('approved without a token')) }
  const details = {
    userCode: request.userCode,
    codeExpiresAt: request.expiresAt,
    region: request.region,
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
