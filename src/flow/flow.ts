// What the main step's flow passes from step to step: the Flow (inputs, clients, bounds) that
// prepare.ts builds, the rounds and approvals of a request, and the bounds every AWS call after
// the prompt shares. No step lives here; main.ts runs them in order.
import * as core from '@actions/core'
import { attemptTimeoutMs } from '../deadline.js'
import { oneLine } from '../errors.js'
import { seconds } from '../time/format.js'
import type { PostStepWriter } from '../model/post-step-state.js'
import type { ActionInputs } from '../inputs.js'
import type { ApprovalRequest, RunContext } from '../model/request.js'
import type { SsoOidcClient } from '../oidc/client.js'
import type { EndpointOverride } from '../oidc/endpoints.js'
import type { TokenSet } from '../oidc/types.js'
import { SsoPortalClient } from '../portal/client.js'
import type { PendingRound } from '../model/pending.js'
import type { RoundsEnd } from '../gate/rounds.js'
import type { Approver } from '../model/approver.js'
import type { RoleCredentials, RoleTarget } from '../portal/types.js'
import type { StsEndpoint } from '../sts/endpoint.js'
import type { RegistrationSource, Retrying } from '../registration/index.js'
import { definedFields } from '../defined.js'

/** One step's run of the flow, once the inputs are known and trusted. */
export interface Flow {
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
export interface Round extends PendingRound {
  /** Its client replaced one AWS rejected (invalid_client): there is no second new start. */
  startedOver: boolean
}

/** An approval the gate accepted: the token, from which round, and who approved when that was looked up. */
export interface Approval {
  token: TokenSet
  round: Round
  approver?: Approver
  /** The credentials the lookup opened, with their role: the export reuses them for the same role. */
  lookup?: { target: RoleTarget; credentials: RoleCredentials }
}

/** How the request ended: the rounds' end (gate/rounds.ts). */
export type GateEnd = RoundsEnd<Round, Approval>

/** What every request of a step shows besides its codes: the run, the access asked for, the deadline. */
export type RequestBase = Omit<
  ApprovalRequest,
  'userCode' | 'verificationUri' | 'verificationUriComplete' | 'expiresAt' | 'endpointNotice' | 'otherCodes' | 'approvals' | 'refusal'
>

/** One step's request: what it shows, and where a two-phase request keeps its current codes. */
export interface Gate {
  base: RequestBase
  /** Two phases: the pending-request file, rewritten with every new round. */
  pendingFile?: string
  /** What an end at the deadline is called: `timed-out` when `timeout` set it, else `expired`. */
  endsAs: 'timed-out' | 'expired'
}

/** The roles the approver hands over, for the prompt: the approver must see what they grant. */
export function requestedAccess(inputs: ActionInputs): Pick<ApprovalRequest, 'accountId' | 'roleName' | 'profiles'> {
  return {
    ...(inputs.role ? { accountId: inputs.role.accountId, roleName: inputs.role.roleName } : {}),
    ...(inputs.profiles.length > 0
      ? { profiles: inputs.profiles.map(({ profile, accountId, roleName }) => ({ profile, accountId, roleName })) }
      : {})
  }
}

/** How long RegisterClient, StartDeviceAuthorization and each portal call may retry transient failures. */
export const SETUP_RETRY_WINDOW_MS = 60_000

/** The portal client of one step's AWS calls after an approval, bounded by `deadline`. */
export function portalClient(flow: Flow, deadline: number | undefined): SsoPortalClient {
  return new SsoPortalClient({
    endpoint: flow.endpoints.portal,
    signal: flow.signal,
    requestTimeoutMs: attemptTimeoutMs(flow.inputs.timeoutSeconds),
    ...definedFields({ deadline })
  })
}

export function setupRetry(flow: Flow, deadline: number | undefined) {
  return { deadline: Math.min(Date.now() + SETUP_RETRY_WINDOW_MS, deadline ?? Infinity), signal: flow.signal, onRetry: logRetry }
}

/** Logs a failure that will be retried: the error's own line, and when. */
export function logRetry({ error, delayMs }: { error: unknown; delayMs: number }): void {
  core.info(`${explainTransient(error)}; trying again in ${seconds(Math.max(100, delayMs))}.`)
}

/** A retried failure, for the log: the error's own one line (operation, endpoint, cause). */
export function explainTransient(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error))
}
