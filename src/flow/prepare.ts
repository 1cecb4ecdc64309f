// 3. Preparation, before anyone is asked: the endpoints, the OIDC client and the registration
// source, each bounded by `timeout`; and the options only whoever starts the process can give.
import { parseArgs } from 'node:util'
import { attemptTimeoutMs, DEADLINE_GRACE_MS } from '../deadline.js'
import type { PostStepWriter } from '../model/post-step-state.js'
import type { ActionInputs } from '../inputs.js'
import type { RunContext } from '../model/request.js'
import { SsoOidcClient } from '../oidc/client.js'
import { endpointOverrides, oidcEndpoint, portalEndpoint } from '../oidc/endpoints.js'
import { stsEndpoint, stsEndpointOverride } from '../sts/endpoint.js'
import { RegistrationSource, type Retrying } from '../registration/index.js'
import { withRetry } from '../retry.js'
import { definedFields } from '../defined.js'
import { SETUP_RETRY_WINDOW_MS, type Flow, logRetry } from './flow.js'
import { identifiedThrough } from './approval.js'

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

/** The endpoints, the OIDC client and the registration source, each bounded by `timeout`. */
export function prepareFlow(
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
