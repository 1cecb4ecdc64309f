// Hostile text in every field that comes from outside (issue 12), end to end: the bundled
// dist/index.js run as the runner runs it, with one group of outside fields at a time set to
// hostile strings (fast-check, plus the fixed list of __tests__/harness/hostile.ts), and what the
// runner would see checked after each run: (a) only the action's own workflow commands, none of
// them carrying hostile text un-neutralised; (b) a job summary, PR comment, outputs and GITHUB_ENV
// in which no injected HTML, link, marker or @mention acts; (c) no secret in any form; (d) one
// clear ending, approved or one error line, never a crash.
//
// Rerun a failure with its seed: HOSTILE_SEED=<seed> npm test -- __tests__/e2e/hostile-input.test.ts
// (HOSTILE_RUNS=<n> sets the random runs per group; the fixed list always runs).
// The groups run side by side (it.concurrent, jest.config.js's maxConcurrency at a time): a run
// mostly waits on its processes. Within a group the runs stay one after another, as fast-check
// shrinks a failure.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { Emulator } from '../../emulator/server.js'
import { gateId } from '../../src/model/gate.js'
import { commentMarker } from '../../src/notify/pr-comment.js'
import { startGitHubApi, type FakeGitHubApi, type FakeGitHubApiOptions } from '../fakes/github-api.js'
import {
  asEnvironmentValue,
  asHeaderValue,
  expectCommentInert,
  expectOneClearEnding,
  expectOnlyOwnCommands,
  expectSummaryInert,
  expectValuesOneLine,
  HOSTILE_FIXED,
  hostileString,
  withStoredClientId
} from '../harness/hostile.js'
import { startCacheService } from '../fakes/cache-service.js'
import { parseWorkflowCommands } from '../harness/file-commands.js'
import { createJob, type ActionRun, type EnvOverrides, type EventSpec, type Inputs } from '../harness/runner.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'
import { actionEntry, knownSecrets, postEntry, requiredInputs, startSsoBackend } from '../harness/sso-backend.js'

const SEED = process.env.HOSTILE_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.HOSTILE_SEED)
const RUNS = process.env.HOSTILE_RUNS === undefined ? 10 : Number(process.env.HOSTILE_RUNS)
const REPOSITORY = 'octo-org/deploy-service'
const PULL_REQUEST = 42
const ACCOUNT = '111111111111'

interface Scenario {
  /** Arms the emulator with the hostile answers. */
  inject?: (emulator: Emulator) => void
  inputs?: Inputs
  /** The step's environment: wins over what the runner sets. */
  env?: EnvOverrides
  /** Default: a pull_request from a branch of the repository itself. */
  event?: EventSpec
  /** Comments already on the PR (someone else's, hostile). */
  seed?: (api: FakeGitHubApi) => void
  /** The job's environment (the Actions cache service's variables). */
  jobEnv?: EnvOverrides
  /** How the GitHub API fake answers. */
  api?: FakeGitHubApiOptions
  /** Runs the post step after the main step, and checks it the same way. */
  post?: boolean
}

interface Outcome {
  run: ActionRun
  ending: 'approved' | 'pending' | 'failed'
  comments: string[]
}

/** One run of the action in a pull request job, every channel on, approved at once by the emulator. */
async function runScenario(scenario: Scenario): Promise<Outcome> {
  const backend = await startSsoBackend({ interval: 0.1, approveAfter: 0 })
  const api = await startGitHubApi({ repository: REPOSITORY, ...scenario.api })
  const event: EventSpec = scenario.event ?? { name: 'pull_request', number: PULL_REQUEST }
  const job = createJob({
    githubToken: api.token,
    env: { ...backend.env, ...scenario.jobEnv },
    event,
    context: { repository: REPOSITORY, apiUrl: api.url }
  })
  try {
    scenario.inject?.(backend.emulator)
    scenario.seed?.(api)
    const run = await job.run({
      ...actionEntry(),
      inputs: { ...requiredInputs, notify: 'summary, pr-comment', 'cache-registration': 'false', timeout: '20', ...scenario.inputs },
      env: scenario.env ?? {},
      timeoutMs: 45_000
    })
    const post = scenario.post ? await job.run({ ...postEntry(), mainStep: run, timeoutMs: 45_000 }) : undefined
    const comments = [...api.written]
    // (c) Every secret that crossed the wire, and the job's token, in every form, everywhere.
    const secrets = Object.fromEntries(Object.entries(knownSecrets(backend, job)).filter(([, value]) => value.length >= 6))
    const texts = Object.fromEntries(comments.map((body, index) => [`comment write ${index + 1}`, body]))
    const masked = {
      maskedOutputs: ['access-token', 'aws-secret-access-key', 'aws-session-token', 'aws-access-key-id'],
      exportedEnv: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']
    }
    expectNoSecretLeaks(run, secrets, { ...masked, texts })
    // (a), (d), (b)
    expectOnlyOwnCommands(run)
    if (post) {
      expectNoSecretLeaks(post, secrets, masked)
      expectOnlyOwnCommands(post)
      expect({ code: post.code, errors: post.errors }).toEqual({ code: 0, errors: [] })
      expectValuesOneLine(post)
    }
    const ending = expectOneClearEnding(run)
    expectSummaryInert(run.summary)
    expectValuesOneLine(run)
    for (const body of comments) expectCommentInert(body)
    return { run, ending, comments }
  } finally {
    await api.close()
    await backend.close()
    job.dispose()
  }
}

/** The run got through, and the PR comment was written (so its checks had something to check). */
function expectApprovedWithComment({ ending, comments }: Outcome): void {
  expect(ending).toBe('approved')
  expect(comments.length).toBeGreaterThanOrEqual(2)
}

/** fast-check over one group of fields: the fixed values first, then RUNS random ones; the seed is in the test's name. */
async function property<T>(arbitrary: fc.Arbitrary<T>, examples: T[], check: (value: T) => Promise<void>): Promise<void> {
  await fc.assert(fc.asyncProperty(arbitrary, check), {
    seed: SEED,
    numRuns: RUNS + examples.length,
    examples: examples.map((example) => [example] as [T]),
    endOnFailure: true
  })
}

/** Every field of a group hostile at once: a record of hostile strings. */
function hostileFields<K extends string>(names: readonly K[]): fc.Arbitrary<Record<K, string>> {
  return fc.record(Object.fromEntries(names.map((name) => [name, hostileString])) as Record<K, fc.Arbitrary<string>>) as fc.Arbitrary<
    Record<K, string>
  >
}

function fixedFields<K extends string>(names: readonly K[]): Array<Record<K, string>> {
  return HOSTILE_FIXED.map((value) => Object.fromEntries(names.map((name) => [name, value])) as Record<K, string>)
}

const TIMEOUT = 180_000

describe(`hostile outside text end to end (seed ${SEED}: HOSTILE_SEED=${SEED} reruns it)`, () => {
  it.concurrent(
    'StartDeviceAuthorization: userCode, verificationUri, verificationUriComplete, deviceCode',
    async () => {
      const fields = ['userCode', 'verificationUri', 'verificationUriComplete', 'deviceCode'] as const
      const field = fc.constantFrom(...fields)
      // A hostile value inside a link that passes the https/loopback check, and a raw one.
      // (Links are printable ASCII only: the rest of the hostile text goes in raw.)
      const asLink = (text: string) => `http://127.0.0.1:9/device?user_code=ABCD-EFGH&x=${text.replace(/[^\x21-\x7e]/g, '')}`
      const scenario = fc.record({ field, value: hostileString, link: fc.boolean() })
      const examples = fields.flatMap((name) =>
        HOSTILE_FIXED.flatMap((value) => [
          { field: name, value, link: false },
          { field: name, value, link: true }
        ])
      )
      await property(scenario, examples.slice(0, 8), async ({ field: name, value, link }) => {
        const linked = link && name !== 'deviceCode' && name !== 'userCode'
        const text = linked ? asLink(value) : value
        const outcome = await runScenario({
          inject: (emulator) => emulator.injectFault({ operation: 'StartDeviceAuthorization', kind: 'override', fields: { [name]: text } })
        })
        // A plain link of a sane length is shown (in every channel, the PR comment included); anything else is refused by name.
        if (linked && text.length <= 2048) expectApprovedWithComment(outcome)
        else expect(outcome.run.errors[0]).toContain(name)
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'CreateToken errors: error, error_description and x-amzn-ErrorType',
    async () => {
      const scenario = fc.record({
        status: fc.constantFrom(400, 401, 403, 500),
        body: hostileFields(['error', 'error_description']),
        header: hostileString
      })
      const examples = fixedFields(['error', 'error_description']).map((body, index) => ({
        status: index ? 500 : 400,
        body,
        header: HOSTILE_FIXED[index]
      }))
      await property(scenario, examples, async ({ status, body, header }) => {
        const outcome = await runScenario({
          inject: (emulator) =>
            emulator.injectFault({
              operation: 'CreateToken',
              kind: 'override',
              status,
              fields: body,
              headers: { 'x-amzn-errortype': asHeaderValue(header) }
            })
        })
        // A server error is retried, and the approval then goes through.
        if (status === 500) expectApprovedWithComment(outcome)
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'RegisterClient clientId, echoed when AWS rejects the client and it is replaced',
    async () => {
      await property(hostileString, [...HOSTILE_FIXED], async (clientId) => {
        const outcome = await runScenario({
          inject: (emulator) => {
            emulator.injectFault({ operation: 'RegisterClient', kind: 'override', fields: { clientId } })
            emulator.injectFault({
              operation: 'StartDeviceAuthorization',
              kind: 'status',
              status: 401,
              errorType: 'InvalidClientException'
            })
          }
        })
        expectApprovedWithComment(outcome)
        expect(outcome.run.stdout).toMatch(/^Registering a new OIDC client to replace /m)
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'numbers from AWS: registration and token lifetimes, role credential expiry',
    async () => {
      const number = fc.oneof(
        fc.constantFrom(1e20, -1, 0, 1.5, Number.MAX_VALUE, -Number.MAX_VALUE, 8.64e15, 2 ** 53),
        fc.double({ noNaN: true, noDefaultInfinity: true })
      )
      // One answer at a time: a refused registration would end the run before the token is seen.
      const faults = {
        RegisterClient: (n: number) => ({ clientSecretExpiresAt: n, clientIdIssuedAt: n }),
        CreateToken: (n: number) => ({ expiresIn: n }),
        GetRoleCredentials: (n: number) => ({ 'roleCredentials.expiration': n })
      }
      const operations = Object.keys(faults) as Array<keyof typeof faults>
      const scenario = fc.record({ operation: fc.constantFrom(...operations), value: number })
      const examples = operations.flatMap((operation) => [1e20, -1].map((value) => ({ operation, value })))
      await property(scenario, examples, async ({ operation, value }) => {
        await runScenario({
          inputs: { 'account-id': ACCOUNT, 'role-name': 'Deploy' },
          inject: (emulator) => emulator.injectFault({ operation, kind: 'override', fields: faults[operation](value) })
        })
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'cache entries: the client id inside a valid plain entry, and the key it is stored under',
    async () => {
      const cache = await startCacheService({ protocol: 'v2' })
      try {
        // One real run saves a real entry; each run below restores a copy of it, newer than
        // anything else, with the hostile client id inside and a hostile tail on its key.
        await runScenario({ inputs: { 'cache-registration': 'true' }, jobEnv: cache.env })
        const saved = cache.entries.find((entry) => entry.committed)
        expect(saved).toBeDefined()
        let newest = Date.now() + 1_000_000_000
        // Sometimes an expiry no date holds (or long past) as well: the entry is then refused, not used.
        const expiry = fc.option(fc.constantFrom(1e20, -1, Number.MAX_VALUE, 1), { freq: 4 })
        const scenario = fc.record({ clientId: hostileString, key: hostileString, expiry })
        const examples = HOSTILE_FIXED.map((value, index) => ({ clientId: value, key: value.slice(0, 300), expiry: index ? 1e20 : null }))
        await property(scenario, examples, async ({ clientId, key, expiry }) => {
          const archive = withStoredClientId(saved!.archive, clientId, expiry === null ? {} : { clientSecretExpiresAt: expiry })
          // (The cache library refuses a key with a lone surrogate: such an entry is never restored.)
          const storedKey = `${saved!.key}${asEnvironmentValue(key).slice(0, 300)}`
          cache.seedEntry({ key: storedKey, version: saved!.version, archive, createdAt: (newest += 1) })
          const outcome = await runScenario({ inputs: { 'cache-registration': 'true' }, jobEnv: cache.env })
          expectApprovedWithComment(outcome)
          // A key of another shape than the action saves (printable ASCII, no comma, at most 512)
          // is refused at the lookup, in one warning, before anything of the entry is read.
          if (!/^[\x21-\x2b\x2d-\x7e]{1,512}$/.test(storedKey)) {
            expect(outcome.run.stdout).not.toMatch(/^Reusing the cached OIDC client registration /m)
            expect(outcome.run.warnings.filter((warning) => /Actions cache/.test(warning))).toEqual([
              expect.stringMatching(/the matched key is not a key of the shape this action saves/)
            ])
            return
          }
          if (expiry !== null) return
          // Restored and used; AWS does not know the client, so a new one replaces it.
          expect(outcome.run.stdout).toMatch(/^Reusing the cached OIDC client registration /m)
          expect(outcome.run.stdout).toMatch(/^Registering a new OIDC client to replace /m)
        })
      } finally {
        await cache.close()
      }
    },
    TIMEOUT
  )

  it.concurrent(
    'portal: GetRoleCredentials fields, its error message, ListAccounts and ListAccountRoles names',
    async () => {
      const credentialFields = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration'] as const
      const scenario = fc.oneof(
        fc.record({ kind: fc.constant('credentials' as const), values: hostileFields(credentialFields) }),
        fc.record({
          kind: fc.constant('unassigned' as const),
          values: hostileFields(['message', 'type', 'accountId', 'accountName', 'emailAddress', 'roleName'])
        })
      )
      const examples = [
        ...fixedFields(credentialFields).map((values) => ({ kind: 'credentials' as const, values })),
        ...fixedFields(['message', 'type', 'accountId', 'accountName', 'emailAddress', 'roleName'] as const).map((values) => ({
          kind: 'unassigned' as const,
          values
        }))
      ]
      await property(scenario as fc.Arbitrary<(typeof examples)[number]>, examples, async ({ kind, values }) => {
        await runScenario({
          inputs: { 'account-id': ACCOUNT, 'role-name': 'Deploy', 'output-credentials': 'true' },
          inject: (emulator) => {
            if (kind === 'credentials') {
              const fields = Object.fromEntries(Object.entries(values).map(([name, value]) => [`roleCredentials.${name}`, value]))
              emulator.injectFault({ operation: 'GetRoleCredentials', kind: 'override', fields })
              return
            }
            const v = values as Record<string, string>
            emulator.injectFault({
              operation: 'GetRoleCredentials',
              kind: 'override',
              status: 404,
              errorType: 'ResourceNotFoundException',
              fields: { message: v.message, __type: v.type }
            })
            emulator.injectFault({
              operation: 'ListAccounts',
              kind: 'override',
              fields: {
                accountList: [
                  { accountId: ACCOUNT, accountName: v.accountName, emailAddress: v.emailAddress },
                  { accountId: v.accountId, accountName: v.accountName, emailAddress: v.emailAddress }
                ]
              }
            })
            emulator.injectFault({
              operation: 'ListAccountRoles',
              kind: 'override',
              fields: { roleList: [{ accountId: ACCOUNT, roleName: v.roleName }] },
              times: Infinity
            })
          }
        })
      })
    },
    TIMEOUT
  )

  it.concurrent(
    "STS: the approver's name in the role session's ARN, the UserId, the Account and the RequestId",
    async () => {
      const role = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Deploy_0123456789abcdef'
      // Raw markup in one element, as a hostile server could send it: the strict reader refuses it
      // or the sanitiser carries it, never the runner's parser.
      const asElement = {
        session: (value: string) => ({ Arn: `${role}/${value}` }),
        userId: (value: string) => ({ UserId: `AROAEXAMPLE:${value}` }),
        account: (value: string) => ({ Account: value }),
        requestId: (value: string) => ({ RequestId: value })
      }
      const fields = Object.keys(asElement) as Array<keyof typeof asElement>
      const scenario = fc.record({ field: fc.constantFrom(...fields), value: hostileString })
      const examples = fields.flatMap((field) => HOSTILE_FIXED.slice(0, 3).map((value) => ({ field, value })))
      await property(scenario, examples, async ({ field, value }) => {
        await runScenario({
          // A policy makes the approver's name part of what every channel says, accepted or not.
          inputs: { 'account-id': ACCOUNT, 'role-name': 'Deploy', approvers: 'demo-user' },
          inject: (emulator) => emulator.injectFault({ operation: 'GetCallerIdentity', kind: 'override', fields: asElement[field](value) })
        })
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'the event payload and the GitHub API: PR title, head ref and label, repository and fork names, comment body, sender, existing comments',
    async () => {
      const names = ['title', 'headRef', 'label', 'fullName', 'forkName', 'commentBody', 'sender', 'otherLogin', 'otherBody'] as const
      const scenario = fc.record({
        event: fc.constantFrom('pull_request', 'fork', 'issue_comment', 'workflow_run'),
        values: hostileFields(names)
      })
      const examples = fixedFields(names).flatMap((values) => [
        { event: 'pull_request', values },
        { event: 'fork', values }
      ])
      await property(scenario, examples, async ({ event, values }) => {
        const repo = (fullName: string) => ({
          full_name: fullName,
          name: fullName.split('/')[1] ?? fullName,
          fork: fullName !== REPOSITORY,
          owner: { login: values.sender }
        })
        const pullRequest = {
          number: PULL_REQUEST,
          title: values.title,
          user: { login: values.sender },
          head: {
            ref: values.headRef,
            label: values.label,
            sha: 'a'.repeat(40),
            repo: repo(event === 'fork' ? values.forkName : REPOSITORY)
          },
          base: { ref: 'main', label: 'octo-org:main', repo: repo(REPOSITORY) }
        }
        const payloads: Record<string, Record<string, unknown>> = {
          pull_request: {
            action: 'opened',
            number: PULL_REQUEST,
            pull_request: pullRequest,
            repository: repo(REPOSITORY),
            sender: { login: values.sender }
          },
          fork: {
            action: 'opened',
            number: PULL_REQUEST,
            pull_request: pullRequest,
            repository: repo(REPOSITORY),
            sender: { login: values.sender }
          },
          issue_comment: {
            action: 'created',
            issue: { number: PULL_REQUEST, title: values.title, pull_request: { url: 'https://api.github.com/x' } },
            comment: { body: values.commentBody, user: { login: values.sender } },
            repository: repo(REPOSITORY),
            sender: { login: values.sender }
          },
          workflow_run: {
            action: 'completed',
            workflow_run: {
              head_branch: values.headRef,
              display_title: values.title,
              head_repository: repo(values.forkName),
              repository: repo(REPOSITORY)
            },
            repository: repo(REPOSITORY),
            sender: { login: values.sender }
          }
        }
        const name = event === 'fork' ? 'pull_request' : event
        const outcome = await runScenario({
          event: { name, payload: payloads[event] },
          post: true,
          env: { GITHUB_HEAD_REF: asEnvironmentValue(values.headRef), GITHUB_EVENT_NAME: name },
          seed: (api) => {
            api.seedComment({ issue: PULL_REQUEST, body: values.otherBody, author: values.otherLogin })
            api.seedComment({
              issue: PULL_REQUEST,
              body: `${commentMarker(gateId({ workflow: 'Deploy', job: 'deploy', startUrl: requiredInputs['start-url'] }))}\n${values.otherBody}`,
              author: values.otherLogin
            })
          }
        })
        // The repository's own pull request is approved; a fork's code, or code the payload cannot vouch for, is refused.
        if (event === 'pull_request') expectApprovedWithComment(outcome)
        else expect(outcome.run.errors[0]).toMatch(/fork/)
      })
    },
    TIMEOUT
  )

  it.concurrent(
    "the GitHub API's comment link (html_url), through the main step and the post step that closes the comment",
    async () => {
      // A start step with no wait step: its post step marks the comment failed and names its link.
      const scenario = fc.record({ htmlUrl: hostileString, urlShaped: fc.boolean() })
      const examples = HOSTILE_FIXED.map((htmlUrl, index) => ({ htmlUrl, urlShaped: index === 0 }))
      await property(scenario, examples, async ({ htmlUrl, urlShaped }) => {
        const link = urlShaped ? `https://github.com/${REPOSITORY}/pull/${PULL_REQUEST}#${htmlUrl}` : htmlUrl
        const outcome = await runScenario({ inputs: { phase: 'start' }, api: { htmlUrl: () => link }, post: true })
        expect(outcome.ending).toBe('pending')
        expect(outcome.comments.length).toBeGreaterThanOrEqual(2)
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'a hand-off to open: the handoff input and the binding variables (GITHUB_REPOSITORY, _ID, GITHUB_RUN_ID)',
    async () => {
      // Nothing to approve: every hostile value must end in one error line, with nothing exported.
      const KEY = 'aG9zdGlsZS1oYW5kb2ZmLWtleS0wMTIzNDU2Nzg5'
      const fields = ['handoff', 'GITHUB_REPOSITORY', 'GITHUB_REPOSITORY_ID', 'GITHUB_RUN_ID'] as const
      const scenario = fc.record({ field: fc.constantFrom(...fields), value: hostileString })
      const examples = fields.flatMap((field) => HOSTILE_FIXED.slice(0, 2).map((value) => ({ field, value })))
      await property(scenario, examples, async ({ field, value }) => {
        const job = createJob()
        try {
          const handoff = field === 'handoff' ? value : 'h1.e30.AAAA'
          const env: EnvOverrides = field === 'handoff' ? {} : { [field]: asEnvironmentValue(value) }
          const run = await job.run({ ...actionEntry(), inputs: { handoff, 'handoff-key': KEY }, env })
          expectOnlyOwnCommands(run)
          expect(expectOneClearEnding(run)).toBe('failed')
          expectSummaryInert(run.summary)
          expectValuesOneLine(run)
          expect(Object.keys(run.env)).toEqual([])
        } finally {
          job.dispose()
        }
      })
    },
    TIMEOUT
  )

  it.concurrent(
    'inputs and the environment: echoed inputs, GITHUB_* variables, endpoint overrides',
    async () => {
      const inputNames = [
        'client-name',
        'role-name',
        'account-id',
        'profile',
        'roles',
        'start-url',
        'region',
        'aws-region',
        'scopes',
        'timeout',
        'notify',
        'phase'
      ] as const
      const envNames = [
        'GITHUB_REPOSITORY',
        'GITHUB_REF',
        'GITHUB_REF_NAME',
        'GITHUB_ACTOR',
        'GITHUB_TRIGGERING_ACTOR',
        'GITHUB_WORKFLOW',
        'GITHUB_JOB',
        'GITHUB_SERVER_URL',
        'GITHUB_RUN_ID',
        'GITHUB_RUN_ATTEMPT',
        'GITHUB_SHA',
        'GITHUB_EVENT_NAME',
        'AWS_ENDPOINT_URL_SSO_OIDC',
        'AWS_ENDPOINT_URL_SSO',
        'AWS_ENDPOINT_URL',
        'AWS_CONFIG_FILE'
      ] as const
      // Endpoint variables keep the emulator reachable unless drawn; the others are all hostile at once.
      // Often no hostile input at all: a refused input would end the run before the variables are shown.
      const input = fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: fc.constantFrom(...inputNames), weight: 3 })
      const scenario = fc.record({
        input,
        inputValue: hostileString,
        urlShaped: fc.boolean(),
        endpoint: fc.constantFrom(undefined, 'AWS_ENDPOINT_URL_SSO_OIDC', 'AWS_ENDPOINT_URL_SSO', 'AWS_ENDPOINT_URL'),
        env: hostileFields(envNames.filter((name) => !name.startsWith('AWS_')))
      })
      const examples = ([undefined, 'client-name', 'start-url', 'role-name', 'profile'] as const).map((input, index) => ({
        input,
        inputValue: HOSTILE_FIXED[index % 2],
        urlShaped: index < 3,
        endpoint: index === 4 ? ('AWS_ENDPOINT_URL_SSO_OIDC' as const) : undefined,
        env: fixedFields(envNames.filter((name) => !name.startsWith('AWS_')))[index % 2]
      }))
      await property(scenario, examples, async ({ input, inputValue, urlShaped, endpoint, env }) => {
        const roleInputs: Inputs =
          input === 'role-name' || input === 'account-id' || input === undefined ? { 'account-id': ACCOUNT, 'role-name': 'Deploy' } : {}
        // URL-shaped: a value that parses, with the hostile text in its path and query.
        const url = (base: string, text: string) => (urlShaped ? `${base}/${text.replace(/[\s?#]/g, '')}?${text}` : text)
        // A start URL gets past its checks with the text in its query (which only warns), without white space.
        const startUrl = (text: string) => (urlShaped ? `https://d-1234567890.awsapps.com/start?${text.replace(/\s/g, '')}` : text)
        const value = asEnvironmentValue(input === 'start-url' ? startUrl(inputValue) : inputValue)
        const variables = Object.fromEntries(
          Object.entries(env).map(([name, text]) => [
            name,
            asEnvironmentValue(name === 'GITHUB_SERVER_URL' ? url('https://github.example', text) : text)
          ])
        )
        await runScenario({
          inputs: { ...roleInputs, ...(input === undefined ? {} : { [input]: value }) },
          // The post step reads the same variables (and revokes, and removes files).
          post: true,
          env: { ...variables, ...(endpoint ? { [endpoint]: value } : {}) }
        })
      })
    },
    TIMEOUT
  )
})

// Keeps the file honest about what it proves: the checks reject what they are meant to reject.
describe('the checks themselves', () => {
  const runWith = (stdout: string) => ({ stdout, commands: parseWorkflowCommands(stdout) }) as unknown as ActionRun

  it('reject a forged command, an unsafe character, raw HTML, a javascript: link and a forged marker', () => {
    expect(() => expectOnlyOwnCommands(runWith('::debug::ok\n::stop-commands::x\n'))).toThrow()
    expect(() => expectOnlyOwnCommands(runWith('text ##[set-output name=a]b\n'))).toThrow()
    expect(() => expectOnlyOwnCommands(runWith('::warning::evil\u202e\n'))).toThrow()
    expect(() => expectOnlyOwnCommands(runWith('plain \u200b text\n'))).toThrow()
    expect(() => expectOnlyOwnCommands(runWith("::debug::ok\n::add-mask::any\u202e\nA line with ' quotes\n"))).not.toThrow()
    expect(() => expectSummaryInert('<h2>x</h2>\n<img src=x onerror=alert(1)>')).toThrow()
    expect(() => expectSummaryInert('<a href="javascript:alert(1)">x</a>')).toThrow()
    expect(() => expectSummaryInert('<h2>x</h2>\n<p>&lt;img src=x&gt; javascript:alert(1)</p>')).not.toThrow()
    const marker = commentMarker('0123456789abcdef')
    expect(() => expectCommentInert(`${marker}\n- Ref: <!-- x -->`)).toThrow()
    expect(() => expectCommentInert(`${marker}\n- Ref: @octocat`)).toThrow()
    expect(() => expectCommentInert(`${marker}\n- Ref: [x](javascript:alert(1))`)).toThrow()
    expect(() => expectCommentInert(`${marker}\n| a | b |`)).toThrow()
    expect(() => expectCommentInert('- Ref: x')).toThrow()
    expect(() => expectCommentInert(`${marker}\n- Ref: \`@octocat <img>\` \\@x [y](https://e.example/@z)`)).not.toThrow()
  })
})
