// The fault matrix (issue 6, item 4): every fault kind on every endpoint the action calls, run
// through the bundled action, each case judged by the same rules:
// - a transient fault (one 5xx, one reset, one hang, slow answers, throttling) ends approved;
// - anything else ends with `outcome: error` and ONE error line naming the endpoint (operation
//   and URL) and the cause; a permanent fault is not retried;
// - either way within `timeout` plus the grace, with no stack trace and no secret in anything
//   captured (cache entries included);
// - the Actions cache is a shortcut: no fault of its service may fail the gate; it ends approved
//   with at most one warning naming the cache.
// The tables grow by rows: a new endpoint is one entry in its service's endpoint table, a new
// fault one row in its service's fault table.
// Checks return problems instead of throwing, so the same run feeds the test and the figures
// in docs/reliability.md (scripts/bench-reliability.ts).
import type { Fault } from '../../emulator/server.js'
import { POST_TASK_LIMIT_MS } from '../../src/cleanup/task.js'
import { DEADLINE_GRACE_MS } from '../../src/deadline.js'
import type { CacheEndpoint, CacheFault } from '../fakes/cache-service.js'
import type { Fault as GitHubFault, FakeRoute } from '../fakes/github-api.js'
import type { ActionRun, Inputs } from '../harness/runner.js'
import { otherWarnings } from '../harness/sso-backend.js'
import { FAULT_TIMEOUT_SECONDS, hasStackTrace, leaksIn, withWorld, type Gate, type World } from './support.js'

export type Stage = 'registering' | 'starting' | 'polling' | 'saving' | 'exporting' | 'revoking'

/** An endpoint of the emulator the action calls, and how its URL shows in an error line. */
export interface Endpoint {
  /** The AWS operation, as the emulator and the error line name it. */
  operation: string
  /** The flow stage that calls it. */
  stage: Stage
  path: string
  /** Inputs that make the action call it (e.g. account-id and role-name for GetRoleCredentials). */
  inputs?: Inputs
}

// The account and roles the emulator's default directory assigns to every approver.
const ROLE = { 'account-id': '111111111111', 'role-name': 'Deploy' }
const PROFILE_ROLES = { roles: '111111111111:ReadOnly=readonly' }

export const ENDPOINTS: Endpoint[] = [
  { operation: 'RegisterClient', stage: 'registering', path: '/client/register' },
  { operation: 'StartDeviceAuthorization', stage: 'starting', path: '/device_authorization' },
  { operation: 'CreateToken', stage: 'polling', path: '/token' },
  { operation: 'GetRoleCredentials', stage: 'exporting', path: '/federation/credentials', inputs: ROLE },
  // `roles` checks each profile's role against the approver's assignments, one listing per account.
  { operation: 'ListAccountRoles', stage: 'exporting', path: '/assignment/roles', inputs: PROFILE_ROLES }
]

/** A step of the Actions cache protocol (v2, as on github.com) the action calls. */
export interface CacheStep {
  endpoint: CacheEndpoint
  stage: Stage
  /** Run a clean gate first, so the cache holds an entry (only a hit downloads). */
  warmUp?: boolean
}

export const CACHE_STEPS: CacheStep[] = [
  { endpoint: 'lookup', stage: 'registering' },
  { endpoint: 'download', stage: 'registering', warmUp: true },
  { endpoint: 'reserve', stage: 'saving' },
  { endpoint: 'upload', stage: 'saving' },
  { endpoint: 'commit', stage: 'saving' }
]

/** A GitHub route (REST, and GraphQL's viewer) the PR comment uses (on a pull request, with `notify: pr-comment`). */
export interface GitHubStep {
  route: FakeRoute
  stage: Stage
  /** What the route does, for the report. */
  does: string
}

export const GITHUB_STEPS: GitHubStep[] = [
  { route: 'user', stage: 'starting', does: 'who the token is' },
  // GET /user refuses the job's GITHUB_TOKEN, so every default run asks GraphQL next.
  { route: 'graphql', stage: 'starting', does: 'who an installation token is' },
  { route: 'list', stage: 'starting', does: 'find the gate’s comment' },
  { route: 'create', stage: 'starting', does: 'post the pending comment' },
  { route: 'update', stage: 'polling', does: 'record the outcome' }
]

/** The post step's call: sso:Logout with the approved token, after an approved main step. */
export const POST_ENDPOINTS: Endpoint[] = [{ operation: 'Logout', stage: 'revoking', path: '/logout' }]

/** How a main step must end. */
export type MainExpectation =
  /** `warning`: at most one warning, and it must match (the cache's faults cost one warning at most). */
  | { outcome: 'approved'; warning?: RegExp }
  /** `retried`: a persistent transient fault is retried before it gives up; a permanent one is not. */
  | { outcome: 'error'; cause: RegExp; retried: boolean }

/** The post step succeeds whatever happens: the token is revoked, or one warning names endpoint and cause. */
export type PostExpectation = { outcome: 'revoked' } | { outcome: 'revocation warned'; cause: RegExp }

export type Expectation = MainExpectation | PostExpectation

export interface FaultRow {
  label: string
  /** The fault for one endpoint; `Omit<Fault, 'operation'>` keeps rows endpoint-free. */
  fault: Omit<Fault, 'operation'>
  expect: MainExpectation
  /** Endpoints the row applies to; default all. */
  appliesTo?: (endpoint: Endpoint) => boolean
}

export interface CacheFaultRow {
  label: string
  fault: CacheFault
  /** How many requests it hits; default every one. */
  times?: number
}

const ALWAYS = Infinity
const approved: MainExpectation = { outcome: 'approved' }
const persistent = (cause: RegExp): MainExpectation => ({ outcome: 'error', cause, retried: true })
const permanent = (cause: RegExp): MainExpectation => ({ outcome: 'error', cause, retried: false })
// On CreateToken these two are protocol answers, not faults: slow_down widens the interval
// (5 s more, longer than these tests' timeout) and AccessDenied is the approver's "deny".
const notPolling = (endpoint: Endpoint) => endpoint.operation !== 'CreateToken'
// SlowDownException means "too many requests" only where nothing is polled (docs/protocol.md §2).
const beforePolling = (endpoint: Endpoint) => ['RegisterClient', 'StartDeviceAuthorization'].includes(endpoint.operation)
// invalid_client makes the action register anew and start over: an OIDC answer about the client.
const aboutTheClient = (endpoint: Endpoint) => ['StartDeviceAuthorization', 'CreateToken'].includes(endpoint.operation)

export const FAULTS: FaultRow[] = [
  // Transient: retried with backoff (or, for invalid_client, a new registration), then approved.
  { label: '500 once', fault: { kind: 'status', status: 500 }, expect: approved },
  { label: '503 once', fault: { kind: 'status', status: 503 }, expect: approved },
  { label: '429 with Retry-After: 1, once', fault: { kind: 'status', status: 429, retryAfter: 1 }, expect: approved },
  { label: 'ThrottlingException once', fault: { kind: 'status', status: 400, errorType: 'ThrottlingException' }, expect: approved },
  {
    label: 'SlowDownException once',
    fault: { kind: 'status', status: 400, errorType: 'SlowDownException' },
    expect: approved,
    appliesTo: beforePolling
  },
  { label: 'connection reset once', fault: { kind: 'reset' }, expect: approved },
  { label: 'no answer once (hang)', fault: { kind: 'hang' }, expect: approved },
  { label: 'every answer 1 s late', fault: { kind: 'slow', delayMs: 1_000, times: ALWAYS }, expect: approved },
  { label: 'one answer later than the attempt timeout', fault: { kind: 'slow', delayMs: 4_000 }, expect: approved },
  {
    label: 'InvalidClientException once',
    fault: { kind: 'status', status: 401, errorType: 'InvalidClientException' },
    expect: approved,
    appliesTo: aboutTheClient
  },
  // Persistent: retried within the deadline, then one line naming endpoint and cause.
  { label: '500 always', fault: { kind: 'status', status: 500, times: ALWAYS }, expect: persistent(/InternalServerException \(HTTP 500/) },
  {
    label: '429 always',
    fault: { kind: 'status', status: 429, times: ALWAYS },
    expect: persistent(/TooManyRequestsException \(HTTP 429/)
  },
  { label: 'connection reset always', fault: { kind: 'reset', times: ALWAYS }, expect: persistent(/connection (reset|closed)/) },
  { label: 'no answer ever (hang)', fault: { kind: 'hang', times: ALWAYS }, expect: persistent(/no response within \d+ ms|not sent/) },
  // Permanent: not retried.
  {
    label: '400 InvalidRequestException',
    fault: { kind: 'status', status: 400, errorType: 'InvalidRequestException' },
    expect: permanent(/InvalidRequestException \(HTTP 400/)
  },
  {
    label: '403 AccessDeniedException',
    fault: { kind: 'status', status: 403, errorType: 'AccessDeniedException' },
    expect: permanent(/AccessDeniedException \(HTTP 403/),
    appliesTo: notPolling
  },
  { label: '501 Not Implemented', fault: { kind: 'status', status: 501 }, expect: permanent(/\(HTTP 501/) },
  {
    label: 'InvalidClientException always',
    fault: { kind: 'status', status: 401, errorType: 'InvalidClientException', times: ALWAYS },
    // One new registration is tried, so the operation is called twice; then it gives up.
    expect: { outcome: 'error', cause: /InvalidClientException \(HTTP 401, invalid_client\)/, retried: true },
    appliesTo: aboutTheClient
  },
  { label: 'malformed JSON', fault: { kind: 'malformed-json' }, expect: permanent(/unusable response: HTTP 200 body is not JSON/) },
  { label: '200 missing fields', fault: { kind: 'missing-fields' }, expect: permanent(/unusable response: [\w.]+ is missing/) }
]

// Every fault the fake cache service can inject, each on every request: the worst case.
export const CACHE_FAULTS: CacheFaultRow[] = [
  { label: '500 always', fault: { kind: 'status', status: 500 } },
  { label: '429 with Retry-After: 1, always', fault: { kind: 'status', status: 429, retryAfter: 1 } },
  { label: '403 always', fault: { kind: 'status', status: 403 } },
  { label: 'connection reset always', fault: { kind: 'reset' } },
  { label: 'no answer ever (hang)', fault: { kind: 'hang' } }
]

const CACHE_WARNING = /Actions cache/

export interface GitHubFaultRow {
  label: string
  fault: Omit<GitHubFault, 'route'>
}

// What GitHub does when it misbehaves, each on every request to the route.
export const GITHUB_FAULTS: GitHubFaultRow[] = [
  { label: '502 always', fault: { status: 502 } },
  { label: '429 with Retry-After: 1, always', fault: { status: 429, retryAfter: 1 } },
  { label: '403 rate limited (remaining 0), always', fault: { status: 403, headers: { 'x-ratelimit-remaining': '0' }, retryAfter: 1 } },
  { label: '401 bad credentials', fault: { status: 401 } },
  { label: 'no answer ever (hang)', fault: { status: 'hang' } }
]

const COMMENT_WARNING = /PR comment/

export interface FaultCase {
  /** `endpoint × fault`, as the test and the report name it. */
  name: string
  service: 'aws' | 'actions cache' | 'github'
  /** The endpoint as the report names it. */
  endpoint: string
  stage: Stage
  fault: string
  expect: Expectation
  inputs?: Inputs
  warmUp?: boolean
  /** Arms the fault in the world's services. */
  arm(world: World): void
  /** Requests the fault hit so far. */
  fired(world: World): number
  /** For an AWS endpoint: what the error line must name. */
  aws?: Endpoint
  /** Which step meets the fault; the post step runs after an approved main step. */
  step: 'main' | 'post'
}

/** The emulator fault a row arms on an endpoint. */
export function faultOf(endpoint: Endpoint, row: FaultRow): Fault {
  return { ...row.fault, operation: endpoint.operation }
}

export function faultCases(endpoints: readonly Endpoint[] = ENDPOINTS, rows: readonly FaultRow[] = FAULTS): FaultCase[] {
  return endpoints.flatMap((endpoint) =>
    rows
      .filter((row) => row.appliesTo?.(endpoint) ?? true)
      .map((row) => ({
        name: `${endpoint.operation} × ${row.label}`,
        service: 'aws' as const,
        endpoint: endpoint.operation,
        stage: endpoint.stage,
        fault: row.label,
        expect: row.expect,
        ...(endpoint.inputs ? { inputs: endpoint.inputs } : {}),
        aws: endpoint,
        step: 'main' as const,
        arm: (world: World) => world.backend.emulator.injectFault(faultOf(endpoint, row)),
        fired: (world: World) =>
          world.backend.emulator.requests.filter((request) => request.operation === endpoint.operation && request.fault !== undefined)
            .length
      }))
  )
}

export function cacheFaultCases(steps: readonly CacheStep[] = CACHE_STEPS, rows: readonly CacheFaultRow[] = CACHE_FAULTS): FaultCase[] {
  return steps.flatMap((step) =>
    rows.map((row) => ({
      name: `cache ${step.endpoint} × ${row.label}`,
      service: 'actions cache' as const,
      endpoint: `cache ${step.endpoint}`,
      stage: step.stage,
      fault: row.label,
      expect: { outcome: 'approved' as const, warning: CACHE_WARNING },
      step: 'main' as const,
      ...(step.warmUp ? { warmUp: true } : {}),
      arm: (world: World) => world.cache!.setFault(step.endpoint, row.fault, row.times),
      fired: (world: World) =>
        world.cache!.requests.filter((request) => request.endpoint === step.endpoint && (request.status === 0 || request.status >= 400))
          .length
    }))
  )
}

export function githubFaultCases(
  steps: readonly GitHubStep[] = GITHUB_STEPS,
  rows: readonly GitHubFaultRow[] = GITHUB_FAULTS
): FaultCase[] {
  return steps.flatMap((step) =>
    rows.map((row) => ({
      name: `GitHub ${step.route} (${step.does}) × ${row.label}`,
      service: 'github' as const,
      endpoint: `GitHub ${step.route}`,
      stage: step.stage,
      fault: row.label,
      expect: { outcome: 'approved' as const, warning: COMMENT_WARNING },
      step: 'main' as const,
      arm: (world: World) => world.github!.setFault({ route: step.route, count: Infinity, ...row.fault }),
      fired: (world: World) =>
        world.github!.requests.filter((request) => request.route === step.route && (request.status === 0 || request.status >= 400)).length
    }))
  )
}

/** The AWS faults on the post step's calls: a transient one still revokes, any other is one warning. */
export function postFaultCases(endpoints: readonly Endpoint[] = POST_ENDPOINTS, rows: readonly FaultRow[] = FAULTS): FaultCase[] {
  return faultCases(
    endpoints,
    rows.filter((row) => row.fault.kind !== 'missing-fields')
  ).map((testCase) => {
    const main = testCase.expect as MainExpectation
    const expect: PostExpectation =
      main.outcome === 'approved' ? { outcome: 'revoked' } : { outcome: 'revocation warned', cause: main.cause }
    return { ...testCase, step: 'post' as const, expect }
  })
}

/** The whole matrix: every AWS endpoint, cache step and GitHub route, each with every fault of its service. */
export function allFaultCases(): FaultCase[] {
  return [...faultCases(), ...cacheFaultCases(), ...githubFaultCases(), ...postFaultCases()]
}

export interface CaseResult {
  name: string
  endpoint: string
  fault: string
  expected: Expectation['outcome']
  outcome: string | undefined
  durationMs: number
  /** The one error line, when the step failed. */
  errorLine?: string
  /** Every expectation the run broke; empty when the case held. */
  problems: string[]
}

/** The bound every case must meet: `timeout`, the grace, and a little for starting and ending a process. */
export const CASE_BOUND_MS = FAULT_TIMEOUT_SECONDS * 1000 + DEADLINE_GRACE_MS + 2_000

/**
 * Every case runs as on github.com, on a pull request: with the cache service (v2) at hand and a
 * PR comment, so every service's steps are real.
 */
export async function runFaultCase(testCase: FaultCase): Promise<CaseResult> {
  const spec = { cache: 'v2' as const, github: true, inputs: { timeout: String(FAULT_TIMEOUT_SECONDS), ...testCase.inputs } }
  return withWorld(spec, async (world) => {
    if (testCase.warmUp) {
      const warm = await world.start().step.result
      if (warm.outputs.outcome !== 'approved') throw new Error(`The warm-up gate of ${testCase.name} ended ${warm.outputs.outcome}`)
      // Entry keys end in the second a client was issued: the case's own save must not meet it.
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 10))
    }
    testCase.arm(world)
    const gate = world.start()
    const run = await gate.step.result
    if (testCase.step === 'main') return judge(testCase, run, gate, world)
    const post = await gate.job.run({ entry: 'post', timeoutMs: 60_000 })
    return judgePost(testCase, run, post, gate, world)
  })
}

/** The bound on a post step: its task limit, and a little for starting and ending a process. */
export const POST_BOUND_MS = POST_TASK_LIMIT_MS + 2_000

function judgePost(testCase: FaultCase, main: ActionRun, post: ActionRun, gate: Gate, world: World): CaseResult {
  const problems: string[] = []
  const expected = testCase.expect
  const token = main.outputs['access-token'] ?? ''
  if (main.outputs.outcome !== 'approved')
    problems.push(`the main step ended ${main.outputs.outcome}, not approved: ${main.errors.join(' | ')}`)
  if (post.code !== 0) problems.push(`the post step exited ${post.code}, expected 0`)
  if (post.errors.length > 0) problems.push(`error lines in the post step: ${JSON.stringify(post.errors)}`)
  if (post.durationMs > POST_BOUND_MS)
    problems.push(`the post step took ${Math.round(post.durationMs)} ms, more than the bound of ${POST_BOUND_MS} ms`)
  const revocationWarnings = post.warnings.filter((warning) => /revoke/i.test(warning))
  if (expected.outcome === 'revoked') {
    if (token === '' || gate.backend.emulator.isAccessTokenValid(token)) problems.push('the token still works after the post step')
    if (post.warnings.length > 0) problems.push(`warnings: ${JSON.stringify(post.warnings)}`)
  } else if (expected.outcome === 'revocation warned') {
    const url = `${gate.backend.tap.endpoint}${testCase.aws!.path}`
    const [warning] = revocationWarnings
    if (revocationWarnings.length !== 1 || post.warnings.length !== 1)
      problems.push(`warnings ${JSON.stringify(post.warnings)}: exactly one, about the revocation`)
    else {
      if (!warning!.includes(`Logout at ${url}`)) problems.push(`the warning does not name Logout at ${url}: ${warning}`)
      if (!expected.cause.test(warning!)) problems.push(`the warning does not give the cause ${expected.cause}: ${warning}`)
    }
  }
  if (testCase.fired(world) === 0) problems.push(`the fault on ${testCase.endpoint} never fired`)
  if (hasStackTrace(post)) problems.push('a stack trace in the post step log')
  for (const leak of [...leaksIn(main, gate), ...leaksIn(post, gate)]) problems.push(`secret leaked: ${leak}`)
  return {
    name: testCase.name,
    endpoint: `${testCase.endpoint} (post step)`,
    fault: testCase.fault,
    expected: expected.outcome,
    outcome: revocationWarnings.length > 0 ? 'revocation warned' : 'revoked',
    durationMs: Math.round(post.durationMs),
    ...(revocationWarnings[0] === undefined ? {} : { errorLine: revocationWarnings[0] }),
    problems
  }
}

function judge(testCase: FaultCase, run: ActionRun, gate: Gate, world: World): CaseResult {
  const problems: string[] = []
  const expected = testCase.expect
  const outcome = run.outputs.outcome
  const errorLine = run.errors[0]
  if (outcome !== expected.outcome)
    problems.push(`outcome ${outcome ?? '(none)'}, expected ${expected.outcome}${errorLine ? `: ${errorLine}` : ''}`)
  if (run.durationMs > CASE_BOUND_MS) problems.push(`took ${Math.round(run.durationMs)} ms, more than the bound of ${CASE_BOUND_MS} ms`)

  if (expected.outcome === 'approved') {
    if (run.code !== 0) problems.push(`exit code ${run.code}, expected 0`)
    if (run.errors.length > 0) problems.push(`error lines: ${JSON.stringify(run.errors)}`)
    // Besides the endpoint notice every run against the emulator carries.
    const warnings = otherWarnings(run)
    if (expected.warning && (warnings.length > 1 || warnings.some((warning) => !expected.warning!.test(warning)))) {
      problems.push(`warnings ${JSON.stringify(warnings)}: at most one, matching ${expected.warning}`)
    }
  } else if (expected.outcome === 'error') {
    const endpoint = testCase.aws!
    if (run.code !== 1) problems.push(`exit code ${run.code}, expected 1`)
    const errorCommands = run.stdout.split('\n').filter((line) => line.startsWith('::error'))
    if (run.errors.length !== 1 || errorCommands.length !== 1) problems.push(`${run.errors.length} error lines, expected exactly one`)
    const url = `${gate.backend.tap.endpoint}${endpoint.path}`
    if (errorLine !== undefined) {
      if (!errorLine.includes(`${endpoint.operation} at ${url}`))
        problems.push(`the error line does not name ${endpoint.operation} at ${url}: ${errorLine}`)
      if (!expected.cause.test(errorLine)) problems.push(`the error line does not give the cause ${expected.cause}: ${errorLine}`)
    }
    const faulted = testCase.fired(world)
    if (!expected.retried && faulted !== 1)
      problems.push(`${faulted} faulty answers from ${endpoint.operation}; a permanent fault must not be retried`)
    if (expected.retried && faulted < 2)
      problems.push(`only ${faulted} attempt at ${endpoint.operation}; a transient fault must be retried`)
  }
  if (testCase.fired(world) === 0) problems.push(`the fault on ${testCase.endpoint} never fired`)
  if (hasStackTrace(run)) problems.push('a stack trace in the log')
  for (const leak of leaksIn(run, gate)) problems.push(`secret leaked: ${leak}`)

  return {
    name: testCase.name,
    endpoint: testCase.endpoint,
    fault: testCase.fault,
    expected: expected.outcome,
    outcome,
    durationMs: Math.round(run.durationMs),
    ...(errorLine === undefined ? {} : { errorLine }),
    problems
  }
}
