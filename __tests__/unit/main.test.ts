// The flow of run() with the AWS side replaced: the OIDC client and the poll loop are module
// fakes; everything else (inputs, context, rendering, masking, outputs, summary) is the real code
// writing the runner's real files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) and stdout.
import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AwsServiceError, NetworkError } from '../../src/oidc/errors.js'
import type { ClientRegistration, DeviceAuthorization, TokenSet } from '../../src/oidc/types.js'
import type { PollOptions, PollResult } from '../../src/poll.js'
import { tempDir } from '../support/temp.js'
import { captureStdout } from '../support/capture.js'
import { registration } from '../support/registrations.js'

const OIDC = 'https://oidc.us-east-1.amazonaws.com'

function authorization(n: number): DeviceAuthorization {
  return {
    deviceCode: `device-code-${n}`,
    userCode: `CODE-000${n}`,
    verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
    verificationUriComplete: `https://device.sso.us-east-1.amazonaws.com/?user_code=CODE-000${n}`,
    expiresIn: 600,
    interval: 5,
    startedAt: Date.now()
  }
}

const TOKEN: TokenSet = {
  accessToken: 'access-token-secret',
  tokenType: 'Bearer',
  expiresIn: 3600,
  expiresAt: Date.UTC(2030, 0, 1, 13, 0, 0),
  refreshToken: 'refresh-token-secret'
}

const awsError = (operation: string, code: string, oauthError: string | undefined, status: number) =>
  new AwsServiceError({ operation, code, oauthError, status, endpoint: `${OIDC}/x` })
const invalidClient = () => awsError('CreateToken', 'InvalidClientException', 'invalid_client', 401)

// The fakes the flow talks to, reset before each test.
const client = {
  registerClient: jest.fn<(request: { clientName: string; scopes: string[] }) => Promise<ClientRegistration>>(),
  startDeviceAuthorization: jest.fn<(client: ClientRegistration, startUrl: string) => Promise<DeviceAuthorization>>(),
  createToken: jest.fn<(client: ClientRegistration, deviceCode: string, signal?: AbortSignal) => Promise<TokenSet>>()
}
const constructed: Array<{ endpoint: string; signal?: AbortSignal }> = []
const pollForToken = jest.fn<(options: PollOptions) => Promise<PollResult>>()

jest.unstable_mockModule('../../src/oidc/client.js', () => ({
  SsoOidcClient: jest.fn((options: { endpoint: string; signal?: AbortSignal }) => {
    constructed.push(options)
    return client
  })
}))
jest.unstable_mockModule('../../src/poll.js', () => ({ pollForToken }))
const { run } = await import('../../src/main.js')

const polled = (outcome: PollResult['outcome'], extra: Partial<PollResult> = {}): PollResult => ({
  outcome,
  polls: 3,
  slowDowns: 0,
  transientErrors: 0,
  ...extra
})

let dir: string
let stdout: string[]
const savedEnv = { ...process.env }
// core.summary remembers the first GITHUB_STEP_SUMMARY path it sees (one step per process), so
// every test writes the same file, emptied before each.
const summaryDir = tempDir('main-test-summary')
const SUMMARY = join(summaryDir, 'summary')
afterAll(() => rmSync(summaryDir, { recursive: true, force: true }))

const INPUTS = {
  'INPUT_START-URL': 'https://d-1234567890.awsapps.com/start',
  INPUT_REGION: 'us-east-1',
  INPUT_SCOPES: 'sso:account:access',
  'INPUT_CLIENT-NAME': '',
  INPUT_TIMEOUT: '',
  INPUT_NOTIFY: 'summary'
}

beforeEach(() => {
  dir = tempDir('main-test')
  for (const key of Object.keys(process.env)) if (/^(INPUT_|GITHUB_|AWS_)/.test(key)) delete process.env[key]
  Object.assign(process.env, INPUTS, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    RUNNER_TEMP: dir,
    GITHUB_STEP_SUMMARY: SUMMARY,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'Deploy',
    GITHUB_JOB: 'deploy',
    GITHUB_ACTOR: 'alice',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567'
  })
  writeFileSync(process.env.GITHUB_OUTPUT!, '')
  writeFileSync(process.env.GITHUB_STATE!, '')
  rmSync(SUMMARY, { recursive: true, force: true })
  writeFileSync(SUMMARY, '')
  stdout = captureStdout().lines
  constructed.length = 0
  let registered = 0
  let started = 0
  client.registerClient.mockImplementation(async () => registration(++registered))
  client.startDeviceAuthorization.mockImplementation(async () => authorization(++started))
  client.createToken.mockResolvedValue(TOKEN)
  pollForToken.mockImplementation(async (options) => polled('approved', { token: await options.createToken(new AbortController().signal) }))
})

afterEach(() => {
  jest.restoreAllMocks()
  process.exitCode = undefined
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
  rmSync(dir, { recursive: true, force: true })
})

function outputs(): Record<string, string> {
  const text = readFileSync(process.env.GITHUB_OUTPUT!, 'utf8')
  const found: Record<string, string> = {}
  for (const m of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) found[m[1]!] = m[3]!
  return found
}
const summary = () => readFileSync(SUMMARY, 'utf8')
const errors = () => stdout.filter((line) => line.startsWith('::error::')).map((line) => line.slice('::error::'.length))
const warnings = () => stdout.filter((line) => line.startsWith('::warning::')).map((line) => line.slice('::warning::'.length))
const indexOf = (needle: string) => stdout.findIndex((line) => line.includes(needle))

describe('run: approved', () => {
  it('registers, starts, prompts, polls, exports the token and records the approval', async () => {
    await run()

    expect(process.exitCode).toBeUndefined()
    expect(errors()).toEqual([])
    expect(constructed).toEqual([{ endpoint: OIDC, signal: expect.any(AbortSignal), requestTimeoutMs: 15_000 }])
    expect(client.registerClient).toHaveBeenCalledWith({ clientName: 'GitHub Actions octo/app', scopes: ['sso:account:access'] })
    expect(client.startDeviceAuthorization).toHaveBeenCalledWith(registration(1), 'https://d-1234567890.awsapps.com/start')
    expect(client.createToken).toHaveBeenCalledWith(registration(1), 'device-code-1', expect.any(AbortSignal))
    expect(pollForToken.mock.calls[0]![0]).toMatchObject({ interval: 5, codeExpiresAt: expect.any(Number) })
    expect(pollForToken.mock.calls[0]![0].timeoutAt).toBeUndefined()

    expect(outputs()).toEqual({
      'user-code': 'CODE-0001',
      'verification-uri': 'https://device.sso.us-east-1.amazonaws.com/',
      'verification-uri-complete': 'https://device.sso.us-east-1.amazonaws.com/?user_code=CODE-0001',
      'access-token': 'access-token-secret',
      'expires-at': '2030-01-01T13:00:00Z',
      outcome: 'approved'
    })
    expect(summary()).toContain('<h2>✅ AWS sign-in approved</h2>')
    expect(summary()).toContain('<tr><th align="left">Token expires</th><td>2030-01-01 13:00:00 UTC</td></tr>')

    // The post step gets the token to revoke through a private file; the state names only the file.
    const state = readFileSync(process.env.GITHUB_STATE!, 'utf8')
    const postStep = /^post_step<<(ghadelimiter_[\w-]+)\n(.+)\n\1\n$/.exec(state)?.[2]
    expect(postStep?.startsWith(`${dir}/`)).toBe(true)
    for (const secret of ['access-token-secret', 'refresh-token-secret', 'client-secret-1']) expect(state).not.toContain(secret)
    expect(statSync(postStep!).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(postStep!, 'utf8'))).toEqual({
      files: [],
      revoke: {
        portalEndpoint: 'https://portal.sso.us-east-1.amazonaws.com',
        accessToken: 'access-token-secret',
        expiresAt: TOKEN.expiresAt,
        // Should the token have expired by the post step: its session is ended through these.
        refresh: {
          oidcEndpoint: 'https://oidc.us-east-1.amazonaws.com',
          clientId: 'client-id-1',
          clientSecret: 'client-secret-1',
          registrationExpiresAt: 1900000000000,
          refreshToken: 'refresh-token-secret'
        }
      }
    })
  })

  it('masks each secret as it arrives: before the prompt, before any output', async () => {
    await run()
    const prompt = indexOf('AWS access requested')
    expect(indexOf('::add-mask::client-secret-1')).toBeGreaterThanOrEqual(0)
    expect(indexOf('::add-mask::client-secret-1')).toBeLessThan(prompt)
    expect(indexOf('::add-mask::device-code-1')).toBeLessThan(prompt)
    expect(indexOf('::add-mask::access-token-secret')).toBeGreaterThan(prompt)
    expect(indexOf('::add-mask::refresh-token-secret')).toBeLessThan(indexOf('Approved at'))
    // Nothing but the mask commands carries a secret.
    const leaks = stdout.filter((line) => !line.startsWith('::add-mask::') && /secret|device-code/.test(line))
    expect(leaks).toEqual([])
  })

  it('prints the prompt with the code and a QR code in the log', async () => {
    await run()
    expect(stdout).toContain('         CODE-0001')
    expect(stdout).toContain('Scan to open the link that fills in the code:')
    expect(stdout.some((line) => /^[█▀▄ ]{20,}$/.test(line))).toBe(true)
  })

  it('passes the timeout as a deadline counted from the start of the step', async () => {
    process.env.INPUT_TIMEOUT = '5m'
    const before = Date.now()
    await run()
    const { timeoutAt } = pollForToken.mock.calls[0]![0]
    expect(timeoutAt).toBeGreaterThanOrEqual(before + 300_000)
    expect(timeoutAt).toBeLessThanOrEqual(Date.now() + 300_000)
    // No AWS call outlives the timeout by more than the grace, and a hung one leaves room to retry.
    expect(constructed[0]).toMatchObject({ deadline: timeoutAt! + 3_000, requestTimeoutMs: 15_000 })
  })

  it('a short timeout shortens each attempt, so a hung call can be retried within it', async () => {
    process.env.INPUT_TIMEOUT = '12'
    await run()
    expect(constructed[0]).toMatchObject({ requestTimeoutMs: 3_000 })
  })
})

describe('run: the approver does not approve', () => {
  it.each<[PollResult['outcome'], string]>([
    ['denied', 'The request was denied at the verification page. Re-run the job and ask the approver to approve it.'],
    ['expired', 'The code CODE-0001 expired at'],
    ['cancelled', 'The run was cancelled while waiting for approval; no AWS access was exported.']
  ])('%s: sets the outcome, fails the step with one line, records it', async (outcome, message) => {
    pollForToken.mockResolvedValue(polled(outcome))
    await run()
    expect(process.exitCode).toBe(1)
    expect(outputs().outcome).toBe(outcome)
    expect(outputs()['access-token']).toBeUndefined()
    expect(errors()).toHaveLength(1)
    expect(errors()[0]).toContain(message)
    expect(summary()).toContain(`<code>${outcome}</code>`)
  })

  it('timed-out: names the timeout and what to do', async () => {
    process.env.INPUT_TIMEOUT = '90s'
    pollForToken.mockResolvedValue(polled('timed-out'))
    await run()
    expect(outputs().outcome).toBe('timed-out')
    expect(errors()).toEqual([
      "No approval arrived within the timeout of 1m30s (input 'timeout'). Re-run the job and approve sooner, or raise 'timeout'. " +
        "If the approver saw an error on the AWS page instead of the code, check that input 'region' (us-east-1) is the home region of your IAM Identity Center instance."
    ])
  })

  it('the code expired while AWS was unreachable: an error naming the endpoint and cause', async () => {
    pollForToken.mockResolvedValue(polled('expired', { lastError: new NetworkError('CreateToken', `${OIDC}/token`, 'connection refused') }))
    await run()
    expect(outputs().outcome).toBe('error')
    expect(errors()).toEqual([
      `CreateToken at ${OIDC}/token failed: connection refused. Check 'region' (and AWS_ENDPOINT_URL_SSO_OIDC or AWS_ENDPOINT_URL if set) and that the runner can reach AWS. No poll succeeded before the code expired.`
    ])
    expect(summary()).toContain('<code>error</code>')
  })

  it('the timeout came while AWS kept failing: an error that names the timeout too', async () => {
    process.env.INPUT_TIMEOUT = '2m'
    pollForToken.mockResolvedValue(polled('timed-out', { lastError: awsError('CreateToken', 'InternalServerException', undefined, 500) }))
    await run()
    expect(outputs().outcome).toBe('error')
    expect(errors()).toHaveLength(1)
    expect(errors()[0]).toMatch(
      /^CreateToken at .* failed: InternalServerException \(HTTP 500\)\. .* No poll succeeded before the timeout of 2m \(input 'timeout'\)\.$/
    )
  })
})

describe('run: cancellation', () => {
  it('SIGINT while polling aborts the poll and ends as cancelled, then stops listening', async () => {
    const listeners = process.listenerCount('SIGINT')
    pollForToken.mockImplementation(
      (options) =>
        new Promise((resolve) => {
          options.signal!.addEventListener('abort', () => resolve(polled('cancelled')))
          setImmediate(() => process.emit('SIGINT'))
        })
    )
    await run()
    expect(stdout).toContain('Received SIGINT: cancelling the request.')
    expect(outputs().outcome).toBe('cancelled')
    expect(process.exitCode).toBe(1)
    expect(process.listenerCount('SIGINT')).toBe(listeners)
  })

  it('SIGTERM during registration ends as cancelled, not as an error', async () => {
    client.registerClient.mockImplementation(
      () =>
        new Promise((_, reject) => {
          const { signal } = constructed[0]!
          signal!.addEventListener('abort', () => reject(signal!.reason))
          setImmediate(() => process.emit('SIGTERM'))
        })
    )
    await run()
    expect(outputs().outcome).toBe('cancelled')
    expect(errors()[0]).toContain('cancelled')
    expect(client.startDeviceAuthorization).not.toHaveBeenCalled()
  })
})

describe('run: the registration cache inputs', () => {
  it('masks cache-encryption-key before anything else is printed, even when another input is bad', async () => {
    process.env['INPUT_CACHE-ENCRYPTION-KEY'] = 'a-literal-key-in-the-workflow'
    process.env.INPUT_REGION = 'useast1'
    await run()
    expect(stdout[0]).toBe('::add-mask::a-literal-key-in-the-workflow')
    expect(stdout.slice(1).join('\n')).not.toContain('a-literal-key-in-the-workflow')
  })

  it('fails on a cache-registration value core.getBooleanInput would refuse', async () => {
    process.env['INPUT_CACHE-REGISTRATION'] = 'yes'
    await run()
    expect(client.registerClient).not.toHaveBeenCalled()
    expect(errors()).toEqual([`Input 'cache-registration' must be true or false; got "yes".`])
  })
})

describe('run: AWS rejects the client (invalid_client)', () => {
  it('registers again once, restarts the device authorization and shows the new code', async () => {
    pollForToken.mockRejectedValueOnce(invalidClient())
    await run()
    expect(client.registerClient).toHaveBeenCalledTimes(2)
    expect(client.startDeviceAuthorization).toHaveBeenCalledTimes(2)
    expect(client.startDeviceAuthorization.mock.calls[1]![0]).toEqual(registration(2))
    expect(warnings()).toEqual([expect.stringContaining('invalid_client')])
    expect(stdout.filter((line) => line.includes('AWS access requested'))).toHaveLength(2)
    expect(outputs()['user-code']).toBe('CODE-0002')
    expect(outputs().outcome).toBe('approved')
    expect(process.exitCode).toBeUndefined()
  })

  it('gives up when the new client is rejected too', async () => {
    pollForToken.mockRejectedValue(invalidClient())
    await run()
    expect(client.registerClient).toHaveBeenCalledTimes(2)
    expect(outputs().outcome).toBe('error')
    expect(errors()).toEqual([
      expect.stringMatching(/^CreateToken at .* failed: InvalidClientException \(HTTP 401, invalid_client\)\. AWS rejected/)
    ])
  })
})

describe('run: failures', () => {
  it('a bad input fails before any network call, with the one line naming the input', async () => {
    process.env.INPUT_REGION = 'useast1'
    await run()
    expect(constructed).toEqual([])
    expect(client.registerClient).not.toHaveBeenCalled()
    expect(outputs()).toEqual({ outcome: 'error' })
    expect(errors()).toEqual([`Input 'region' must be an AWS region like us-east-1; got "useast1".`])
    expect(summary()).toContain('❌ AWS sign-in failed')
  })

  it('a start URL host that is not AWS only warns', async () => {
    process.env['INPUT_START-URL'] = 'https://127.0.0.1:9/start'
    await run()
    expect(warnings()).toEqual([expect.stringContaining('not an AWS access portal host')])
    expect(outputs().outcome).toBe('approved')
  })

  it('an AWS error says what failed and what to check, without a stack trace', async () => {
    client.startDeviceAuthorization.mockRejectedValue(
      awsError('StartDeviceAuthorization', 'InvalidRequestException', 'invalid_request', 400)
    )
    await run()
    expect(outputs().outcome).toBe('error')
    expect(errors()).toEqual([
      `StartDeviceAuthorization at ${OIDC}/x failed: InvalidRequestException (HTTP 400, invalid_request). Check that 'start-url' is your AWS access portal URL and 'region' is the region of that IAM Identity Center instance.`
    ])
    expect(stdout.some((line) => /^\s+at /.test(line) || line.includes('.ts:'))).toBe(false)
  })

  it('a network failure points at the region and the endpoint settings', async () => {
    client.registerClient.mockRejectedValue(
      new NetworkError('RegisterClient', `${OIDC}/client/register`, 'certificate has expired', { retryable: false })
    )
    await run()
    expect(errors()).toEqual([expect.stringMatching(/^RegisterClient at .* failed: certificate has expired\. Check 'region'/)])
  })

  it('a transient failure before polling is retried', async () => {
    client.registerClient.mockRejectedValueOnce(
      new NetworkError('RegisterClient', `${OIDC}/client/register`, 'connection reset (ECONNRESET)')
    )
    await run()
    expect(client.registerClient).toHaveBeenCalledTimes(2)
    expect(outputs().outcome).toBe('approved')
  })

  it('a bug is reported as unexpected, with its stack only in the debug log', async () => {
    client.registerClient.mockRejectedValue(new TypeError('x is not a function'))
    await run()
    expect(errors()).toEqual([
      'Unexpected error: x is not a function. Re-run the job; if it happens again, please report it with the debug log.'
    ])
    expect(stdout.some((line) => line.startsWith('::debug::TypeError: x is not a function'))).toBe(true)
  })

  it('a summary that cannot be written only warns: the approval stands', async () => {
    rmSync(SUMMARY)
    mkdirSync(SUMMARY) // appending to a directory fails
    await run()
    expect(outputs().outcome).toBe('approved')
    expect(warnings()).toEqual([expect.stringContaining('Could not update the job summary')])
    expect(process.exitCode).toBeUndefined()
  })

  it('an endpoint override that cannot be used is an input-like error', async () => {
    process.env.AWS_ENDPOINT_URL_SSO_OIDC = 'not a url'
    await run()
    expect(constructed).toEqual([])
    expect(errors()).toEqual([
      expect.stringContaining('Cannot use the AWS endpoint settings in the environment: AWS_ENDPOINT_URL_SSO_OIDC is not a URL')
    ])
  })
})

describe('run: trust', () => {
  it('a pull request from a fork is refused before any AWS client exists', async () => {
    const eventPath = join(dir, 'event.json')
    writeFileSync(
      eventPath,
      JSON.stringify({
        pull_request: { number: 7, head: { repo: { full_name: 'mallory/app' } }, base: { repo: { full_name: 'octo/app' } } }
      })
    )
    Object.assign(process.env, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath })
    await run()
    expect(constructed).toEqual([])
    expect(outputs()).toEqual({ outcome: 'error' })
    expect(errors()).toEqual([
      expect.stringMatching(/^Refusing to request AWS access: this pull_request run executes code from the fork mallory\/app, /)
    ])
  })

  it('allow-forks: true runs it', async () => {
    const eventPath = join(dir, 'event.json')
    writeFileSync(
      eventPath,
      JSON.stringify({ pull_request: { number: 7, head: { repo: null }, base: { repo: { full_name: 'octo/app' } } } })
    )
    Object.assign(process.env, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, 'INPUT_ALLOW-FORKS': 'true' })
    await run()
    expect(outputs().outcome).toBe('approved')
  })
})

describe('run: two phases', () => {
  it('start saves the request and polls nothing; wait polls with the saved device code and removes it', async () => {
    process.env.RUNNER_TEMP = join(dir, 'temp')
    process.env.GITHUB_STATE = join(dir, 'state')
    writeFileSync(process.env.GITHUB_STATE, '')
    process.env.INPUT_PHASE = 'start'
    await run()
    expect(process.exitCode).toBeUndefined()
    expect(pollForToken).not.toHaveBeenCalled()
    const started = outputs()
    expect(started).toEqual({
      'user-code': 'CODE-0001',
      'verification-uri': 'https://device.sso.us-east-1.amazonaws.com/',
      'verification-uri-complete': 'https://device.sso.us-east-1.amazonaws.com/?user_code=CODE-0001',
      'expires-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    })
    const privateDir = join(process.env.RUNNER_TEMP, 'aws-sso-device-auth')
    expect(readdirSync(privateDir).filter((name) => name.startsWith('pending-'))).toHaveLength(1)
    expect(stdout.some((line) => line.includes('a later step with phase: wait and the same inputs waits for the approval'))).toBe(true)
    expect(readFileSync(process.env.GITHUB_STATE, 'utf8')).toContain('post_step<<')

    writeFileSync(process.env.GITHUB_OUTPUT!, '')
    stdout.length = 0
    process.env.INPUT_PHASE = 'wait'
    await run()
    expect(client.registerClient).toHaveBeenCalledTimes(1)
    expect(client.startDeviceAuthorization).toHaveBeenCalledTimes(1)
    expect(client.createToken).toHaveBeenCalledWith(registration(1), 'device-code-1', expect.any(AbortSignal))
    expect(outputs().outcome).toBe('approved')
    expect(process.exitCode).toBeUndefined()
    // Masked again in this process before anything else could print them.
    expect(indexOf('::add-mask::client-secret-1')).toBeGreaterThanOrEqual(0)
    expect(indexOf('::add-mask::client-secret-1')).toBeLessThan(indexOf('AWS access requested'))
    expect(indexOf('::add-mask::device-code-1')).toBeLessThan(indexOf('AWS access requested'))
    expect(readdirSync(privateDir).filter((name) => name.startsWith('pending-'))).toEqual([])
    expect(existsSync(privateDir)).toBe(true)
  })

  it('wait in another region than its start is an input error', async () => {
    process.env.RUNNER_TEMP = join(dir, 'temp')
    process.env.INPUT_PHASE = 'start'
    await run()
    process.env.INPUT_PHASE = 'wait'
    process.env.INPUT_REGION = 'eu-west-1'
    await run()
    expect(pollForToken).not.toHaveBeenCalled()
    expect(errors()).toEqual([
      "Input 'region' is eu-west-1 but the phase: start step asked IAM Identity Center in us-east-1; give both phases the same inputs."
    ])
  })
})
