// The single-step flow (DESIGN.md, "The flow"): inputs → registration → device authorization →
// prompt → poll → export → record. Exit code 0 only when approved; every other outcome fails the
// step with one line saying what happened and what to do.
import * as core from '@actions/core'
import { readRunContext } from './context.js'
import { attemptTimeoutMs, DEADLINE_GRACE_MS } from './deadline.js'
import { explainFailure, formatDuration, isUnexpected, oneLine, unapprovedMessage } from './errors.js'
import { exportOutcome, exportRequestOutputs, exportToken } from './export/outputs.js'
import { maskDeviceAuthorization } from './export/secrets.js'
import { closeSharedDispatcher } from './http/dispatcher.js'
import { maskSecretInputs, parseInputs, type ActionInputs } from './inputs.js'
import { createNotifiers, notifyAll, type Notifier, type RequestSubject } from './notify/index.js'
import type { ApprovalRequest, RequestResult, RunContext } from './notify/request.js'
import { SsoOidcClient } from './oidc/client.js'
import { oidcEndpoint } from './oidc/endpoints.js'
import { AwsServiceError } from './oidc/errors.js'
import type { ClientRegistration, DeviceAuthorization } from './oidc/types.js'
import { pollForToken, type PollResult } from './poll.js'
import { RegistrationSource, type Retrying } from './registration/index.js'
import { withRetry } from './retry.js'

/** How long RegisterClient and StartDeviceAuthorization may keep retrying transient failures. */
const SETUP_RETRY_WINDOW_MS = 60_000
/** How often the log says the job is still waiting. */
const HEARTBEAT_MS = 60_000

export async function run(): Promise<void> {
  const startedAt = Date.now()
  const cancellation = abortOnTermination()
  const context = readRunContext()
  const subject: RequestSubject = { context }
  // The default channels until the inputs are read, so even a bad input is recorded.
  let notifiers = createNotifiers(['summary'])
  let request: ApprovalRequest | undefined
  let registrations: RegistrationSource | undefined
  let result: RequestResult

  try {
    // 1. Inputs: all checked before any network call, secrets masked before anything can print them.
    const readInput = (name: string) => core.getInput(name)
    maskSecretInputs(readInput, (secret) => core.setSecret(secret))
    const { inputs, warnings } = parseInputs(readInput, context.repository)
    warnings.forEach((warning) => core.warning(warning))
    Object.assign(subject, { startUrl: inputs.startUrl, region: inputs.region, clientName: inputs.clientName, scopes: inputs.scopes })
    notifiers = createNotifiers(inputs.notify)
    const timeoutAt = inputs.timeoutSeconds === undefined ? undefined : startedAt + inputs.timeoutSeconds * 1000
    const client = new SsoOidcClient({
      endpoint: oidcEndpoint(inputs.region),
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
        onRetry: ({ error, delayMs }) => core.info(`${explainTransient(error)}; trying again in ${seconds(delayMs)}.`)
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

    // 2. Registration, 3. device authorization, 4. prompt, 5. poll.
    const poll = await requestApproval({
      client,
      registrations,
      retrying,
      inputs,
      context,
      notifiers,
      timeoutAt,
      signal: cancellation.signal,
      onRequest: (started) => (request = started)
    })

    // 6. Export: the tokens are masked before anything else sees them.
    if (poll.outcome === 'approved' && poll.token) {
      exportToken(poll.token)
      result = { outcome: 'approved', at: new Date(), accessExpiresAt: new Date(poll.token.expiresAt) }
    } else {
      result = unapprovedResult(poll, request, inputs)
    }
  } catch (error) {
    result = failureResult(error, cancellation.signal.aborted, request)
  } finally {
    // A registration still being saved gets its (bounded) time, except when the run is cancelled.
    await registrations?.settle({ wait: !cancellation.signal.aborted })
    // Idle keep-alive sockets would otherwise hold the process (and so the step) open.
    await closeSharedDispatcher()
  }

  // 7. Record: the outcome output is always set, the channels record how it ended.
  exportOutcome(result.outcome)
  await record(notifiers, { subject, result, ...(request ? { request } : {}) })
  if (result.outcome !== 'approved') core.setFailed(result.message ?? result.outcome)
  cancellation.dispose()
}

interface ApprovalAttempt {
  client: SsoOidcClient
  registrations: RegistrationSource
  /** The setup retry window, fresh for each call. */
  retrying: Retrying
  inputs: ActionInputs
  context: RunContext
  notifiers: readonly Notifier[]
  timeoutAt: number | undefined
  signal: AbortSignal
  /** Each request shown to the approver (a restart shows a new one). */
  onRequest: (request: ApprovalRequest) => void
}

/**
 * Obtains a registration (cached or new), starts a device authorization (masking the device code),
 * prompts and polls. When AWS rejects the client (invalid_client) at any of these, registers a new
 * one and starts over once: a code issued to a rejected client can never be approved.
 */
async function requestApproval(attempt: ApprovalAttempt): Promise<PollResult> {
  const { client, registrations, retrying, inputs, signal } = attempt
  let registration = await registrations.obtain()
  for (let restarted = false; ; restarted = true) {
    let prompted = false
    try {
      const authorization = await retrying(() => client.startDeviceAuthorization(registration, inputs.startUrl))
      maskDeviceAuthorization(authorization)
      const request = approvalRequest(authorization, inputs, attempt.context, attempt.timeoutAt)
      attempt.onRequest(request)
      exportRequestOutputs(request)
      await notifyAll(attempt.notifiers, (notifier) => notifier.prompt(request), (warning) => core.warning(warning))
      prompted = true
      return await waitForApproval(client, registration, authorization, request, attempt.timeoutAt, signal)
    } catch (error) {
      if (restarted || !isInvalidClient(error) || signal.aborted) throw error
      // After a prompt the approver must know the code shown is void. Before one (a cached
      // registration AWS has since dropped, say) nobody saw anything: obtain() says what happens.
      if (prompted) {
        core.warning('AWS rejected the OIDC client (invalid_client): registering a new client and starting a new request; the code above is void.')
      }
      registration = await registrations.obtain({ replacing: registration })
    }
  }
}

function approvalRequest(
  authorization: DeviceAuthorization,
  inputs: ActionInputs,
  context: RunContext,
  timeoutAt: number | undefined
): ApprovalRequest {
  const expiresAt = authorization.startedAt + authorization.expiresIn * 1000
  return {
    userCode: authorization.userCode,
    verificationUri: authorization.verificationUri,
    verificationUriComplete: authorization.verificationUriComplete,
    expiresAt: new Date(expiresAt),
    deadline: new Date(Math.min(expiresAt, timeoutAt ?? Infinity)),
    startUrl: inputs.startUrl,
    region: inputs.region,
    clientName: inputs.clientName,
    scopes: inputs.scopes,
    context
  }
}

async function waitForApproval(
  client: SsoOidcClient,
  registration: ClientRegistration,
  authorization: DeviceAuthorization,
  request: ApprovalRequest,
  timeoutAt: number | undefined,
  signal: AbortSignal
): Promise<PollResult> {
  let lastHeartbeat = Date.now()
  return pollForToken({
    createToken: (pollSignal) => client.createToken(registration, authorization.deviceCode, pollSignal),
    interval: authorization.interval,
    codeExpiresAt: request.expiresAt.getTime(),
    ...(timeoutAt === undefined ? {} : { timeoutAt }),
    signal,
    onPoll: () => {
      if (Date.now() - lastHeartbeat < HEARTBEAT_MS) return
      lastHeartbeat = Date.now()
      const left = Math.max(0, Math.round((request.deadline.getTime() - lastHeartbeat) / 60_000))
      core.info(`Still waiting for approval of code ${request.userCode} (about ${left} min left).`)
    },
    onTransientError: (error, delayMs) => core.info(`${explainTransient(error)}; polling again in ${seconds(delayMs)}.`)
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

/** A retried failure, for the log: the error's own one line (operation, endpoint, cause). */
function explainTransient(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error))
}

function seconds(ms: number): string {
  return `${Math.max(0.1, Math.round(ms / 100) / 10)} s`
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

async function record(notifiers: readonly Notifier[], gate: Parameters<Notifier['record']>[0]): Promise<void> {
  await notifyAll(notifiers, (notifier) => notifier.record(gate), (warning) => core.warning(warning))
}

/**
 * SIGINT and SIGTERM are how the runner cancels a step (SIGINT, then SIGTERM 7.5 s later): stop
 * polling, record `cancelled`, exit non-zero. Without handlers Node would die mid-request and
 * leave no outcome behind.
 */
function abortOnTermination(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const cancel = (name: string) => {
    if (controller.signal.aborted) return
    core.info(`Received ${name}: cancelling the request.`)
    controller.abort(new Error(`cancelled by ${name}`))
  }
  const onInterrupt = () => cancel('SIGINT')
  const onTerminate = () => cancel('SIGTERM')
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onTerminate)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onInterrupt)
      process.off('SIGTERM', onTerminate)
    }
  }
}
