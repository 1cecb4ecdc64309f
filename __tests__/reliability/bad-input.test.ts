// Bad input end to end (issue 6, item 5): each bad value, given to the bundled action as a
// workflow's `with:` (or `env:`) gives it, must fail the step before any network call (the
// emulator behind the wire tap sees nothing), with ONE error line that names the input and shows a
// good value. The table grows by rows; every input action.yml declares has rows of its own.
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { ActionRun, EnvOverrides, Inputs } from '../harness/runner.js'
import { readActionYml } from '../harness/runner.js'
import { concurrency, hasStackTrace, inPool, withGate } from './support.js'

/** What the error line must show for each input: its name and a good value. */
const GOOD_VALUE: Record<string, string> = {
  'start-url': 'https://d-1234567890.awsapps.com/start',
  region: 'us-east-1',
  scopes: 'sso:account:access',
  'client-name': 'GitHub Actions octo-org/app',
  timeout: '600, 90s, 10m or 1h30m',
  notify: 'summary, pr-comment',
  phase: 'like start',
  'cache-registration': 'true or false',
  'cache-encryption-key': 'openssl rand -base64 32',
  'allow-forks': 'true or false',
  'account-id': '111122223333',
  'role-name': 'Deployer',
  profile: 'prod',
  roles: '111122223333:Deployer=prod',
  'aws-region': 'us-east-1',
  'output-credentials': 'true or false',
  revoke: 'true or false',
  approvers: 'like alice@example.com or *@example.com',
  'excluded-approvers': 'like alice@example.com or *@example.com',
  'required-approvals': 'like 2'
}

/** Inputs no value of which is bad, and why: they have no rows. */
const UNCONSTRAINED: Record<string, string> = {
  'github-token': 'any token GitHub accepts; GitHub itself judges it (a refused one costs a warning, not the gate)'
}

interface BadValue {
  /** The input (or environment variable) at fault: the error line must name it. */
  input: string
  inputs?: Inputs
  env?: EnvOverrides
  /** What the line must show as a good value; default GOOD_VALUE[input]. */
  example?: string
  why: string
}

const bad = (input: string, value: string, why: string): BadValue => ({ input, inputs: { [input]: value }, why })

const BAD_VALUES: BadValue[] = [
  // start-url: not https, not a URL, not a start URL
  bad('start-url', '', 'missing'),
  bad('start-url', 'http://d-1234567890.awsapps.com/start', 'plain http'),
  bad('start-url', 'ftp://d-1234567890.awsapps.com/start', 'ftp'),
  bad('start-url', 'ws://d-1234567890.awsapps.com/start', 'websocket'),
  bad('start-url', 'file:///etc/passwd', 'a file URL'),
  bad('start-url', 'javascript:alert(1)', 'a script URL'),
  bad('start-url', 'd-1234567890.awsapps.com/start', 'no scheme'),
  bad('start-url', 'not a url', 'not a URL'),
  bad('start-url', 'https://', 'a scheme alone'),
  bad('start-url', 'https://user:secret@d-1234567890.awsapps.com/start', 'credentials in it'),
  bad('start-url', 'https://d-1234567890.awsapps.com/start https://evil.example/start', 'two URLs'),
  bad('start-url', 'https://d-1234567890.awsapps.com/', "the portal's root, not its start URL"),
  bad('start-url', 'https://my-company.awsapps.com/start/console', 'a page inside the portal'),
  {
    input: 'start-url',
    inputs: { 'start-url': 'https://ssoins-111111h2222j33pp.eu-west-1.portal.amazonaws.com' },
    example: "set 'region' to eu-west-1",
    why: "a regional portal of another region than 'region'"
  },
  // region: malformed
  bad('region', '', 'missing'),
  bad('region', 'useast1', 'no dashes'),
  bad('region', 'US-EAST-1', 'upper case'),
  bad('region', 'us-east-1a', 'an availability zone'),
  bad('region', 'us_east_1', 'underscores'),
  bad('region', 'us-east-1,eu-west-1', 'two regions'),
  bad('region', 'east', 'a word'),
  bad('region', 'us-east-123', 'a three-digit number'),
  bad('region', '../../etc', 'a path'),
  bad('region', 'oidc.us-east-1.amazonaws.com', 'a host name'),
  // scopes
  bad('scopes', 'sso', 'no colon'),
  bad('scopes', 'openid', 'an OpenID scope'),
  bad('scopes', 'sso:account:access;rm -rf', 'shell syntax'),
  bad('scopes', ':account', 'no service'),
  // client-name: must be one line
  bad('client-name', 'GitHub Actions\nEvil Corp', 'two lines'),
  bad('client-name', 'tab\there', 'a control character'),
  bad('client-name', 'GitHub Actions \u202eppa/gro-otco', 'a bidi override'),
  // timeout: durations
  bad('timeout', '0', 'zero'),
  bad('timeout', '0s', 'zero seconds'),
  bad('timeout', '-5', 'negative'),
  bad('timeout', '1.5', 'a fraction'),
  bad('timeout', '10x', 'an unknown unit'),
  bad('timeout', '1d', 'days'),
  bad('timeout', 'ten minutes', 'words'),
  bad('timeout', '1h-30m', 'a negative part'),
  bad('timeout', 'm', 'a unit alone'),
  bad('timeout', '99999999999999999999', 'beyond any integer'),
  // notify: unknown channels
  bad('notify', 'email', 'an unknown channel'),
  bad('notify', 'summary,slack', 'one unknown among known'),
  bad('notify', 'none, summary', 'none beside a channel'),
  bad('notify', 'pr-comments', 'a near miss'),
  // phase: all, start or wait
  bad('phase', 'begin', 'an unknown phase'),
  bad('phase', 'alll', 'a typo'),
  bad('phase', 'start,wait', 'two phases'),
  bad('phase', 'poll', 'a step of the flow, not a phase'),
  // booleans: what core.getBooleanInput accepts, nothing else
  bad('cache-registration', 'yes', 'yes'),
  bad('cache-registration', '1', 'a number'),
  bad('cache-registration', 'enabled', 'a word'),
  bad('allow-forks', 'yes', 'yes'),
  bad('allow-forks', 'sometimes', 'a word'),
  bad('output-credentials', 'yes', 'yes'),
  bad('revoke', 'never', 'a word'),
  // who may approve: the pattern language, and how many
  bad('approvers', 'alice bob', 'a space inside a name'),
  bad('approvers', 'a[lic]e', 'a bracket'),
  { input: 'approvers', inputs: { approvers: '*' }, example: 'leave the input empty for that', why: 'a pattern that allows anyone' },
  bad('excluded-approvers', 'ali?e@example.com', 'a ? wildcard'),
  bad('required-approvals', '0', 'zero'),
  bad('required-approvals', '6', 'more than 5'),
  bad('required-approvals', 'two', 'a word'),
  // account-id and role-name: malformed
  { input: 'account-id', inputs: { 'account-id': '12345', 'role-name': 'Deployer' }, why: 'too short (YAML ate the leading zeros)' },
  { input: 'account-id', inputs: { 'account-id': '1111-2222-3333', 'role-name': 'Deployer' }, why: 'with dashes' },
  { input: 'account-id', inputs: { 'account-id': '1111222233334', 'role-name': 'Deployer' }, why: '13 digits' },
  { input: 'account-id', inputs: { 'account-id': 'production', 'role-name': 'Deployer' }, why: 'an alias, not an id' },
  { input: 'role-name', inputs: { 'account-id': '111122223333', 'role-name': 'Deploy Role' }, why: 'a space' },
  { input: 'role-name', inputs: { 'account-id': '111122223333', 'role-name': 'role/Deployer' }, why: 'an ARN path' },
  { input: 'role-name', inputs: { 'account-id': '111122223333', 'role-name': 'R'.repeat(65) }, why: 'longer than 64' },
  // contradictory combinations
  { input: 'role-name', inputs: { 'account-id': '111122223333' }, why: 'an account without a role' },
  { input: 'account-id', inputs: { 'role-name': 'Deployer' }, why: 'a role without an account' },
  { input: 'profile', inputs: { profile: 'prod' }, why: 'a profile without a role' },
  { input: 'roles', inputs: { roles: '111122223333:Deployer=prod\n222233334444:Admin=prod' }, why: 'one profile name for two roles' },
  // profile, roles, aws-region: malformed
  {
    input: 'profile',
    inputs: { 'account-id': '111122223333', 'role-name': 'Deployer', profile: 'my profile' },
    why: 'a space in a profile name'
  },
  { input: 'profile', inputs: { 'account-id': '111122223333', 'role-name': 'Deployer', profile: '-prod' }, why: 'a leading dash' },
  bad('roles', 'Deployer', 'a role alone'),
  { input: 'roles', inputs: { roles: '1234:Deployer' }, example: '111122223333', why: 'a short account' },
  bad('roles', '111122223333:Deploy Role=prod', 'a space in the role'),
  bad('aws-region', 'mars-1', 'not a region'),
  // A key whoever reads the cache could guess offline: under 128 bits.
  bad('cache-encryption-key', 'k', 'one character'),
  bad('cache-encryption-key', 'correct-horse', 'a short passphrase'),
  bad('cache-encryption-key', '0123456789abcdef0123456789abcde', '31 hex characters (124 bits)'),
  bad('cache-encryption-key', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'long but one repeated character'),
  bad('aws-region', 'EU-WEST-1', 'upper case'),
  // The hand-off: a weak key to seal with, a value that is not a sealed hand-off, a value without its key.
  {
    input: 'handoff-key',
    inputs: { 'handoff-key': 'correct-horse', 'account-id': '111122223333', 'role-name': 'Deployer' },
    example: 'openssl rand -base64 32',
    why: 'a short passphrase'
  },
  {
    input: 'handoff',
    inputs: { handoff: 'not-a-hand-off', 'handoff-key': 'aG9zdGlsZS1oYW5kb2ZmLWtleS0wMTIzNDU2Nzg5' },
    example: 'needs.gate.outputs.handoff',
    why: 'not a sealed hand-off'
  },
  { input: 'handoff', inputs: { handoff: 'h1.e30.AAAA' }, example: 'secrets.HANDOFF_KEY', why: 'without its handoff-key' },
  // The endpoint settings of the environment, read before any call too.
  { input: 'AWS_USE_FIPS_ENDPOINT', env: { AWS_USE_FIPS_ENDPOINT: 'yes' }, example: '"true" or "false"', why: 'not a boolean' },
  {
    input: 'AWS_ENDPOINT_URL_SSO_OIDC',
    env: { AWS_ENDPOINT_URL_SSO_OIDC: 'oidc.example' },
    example: 'https://oidc.us-east-1.amazonaws.com',
    why: 'not a URL'
  },
  {
    // An unparseable value may still hold credentials: the line must not echo it (checked below).
    input: 'AWS_ENDPOINT_URL_SSO_OIDC',
    env: { AWS_ENDPOINT_URL_SSO_OIDC: 'https://admin:hunter2-endpoint-secret@[oidc.example' },
    example: 'https://oidc.us-east-1.amazonaws.com',
    why: 'not a URL, with credentials in it'
  },
  {
    input: 'AWS_ENDPOINT_URL_SSO_OIDC',
    env: { AWS_ENDPOINT_URL_SSO_OIDC: 'ftp://127.0.0.1:1' },
    example: 'https://oidc.us-east-1.amazonaws.com',
    why: 'not http(s)'
  },
  {
    input: 'AWS_USE_FIPS_ENDPOINT',
    env: { AWS_USE_FIPS_ENDPOINT: 'true' },
    example: 'unset one of them',
    why: 'FIPS together with a custom endpoint (contradictory)'
  }
]

interface Outcome {
  row: BadValue
  run: ActionRun
  /** Requests the wire tap forwarded and the emulator received: both must stay zero. */
  tapped: number
  received: number
}

const outcomes: Outcome[] = []

beforeAll(async () => {
  outcomes.push(
    ...(await inPool(BAD_VALUES, concurrency(), (row) =>
      withGate({ inputs: row.inputs ?? {}, env: row.env ?? {}, killAfterMs: 20_000 }, async (gate) => {
        const run = await gate.step.result
        return { row, run, tapped: gate.backend.tap.exchanges.length, received: gate.backend.emulator.requests.length }
      })
    ))
  )
}, 180_000)

describe('bad input fails before any network call, with one line naming the input and a good value', () => {
  it('has at least 40 bad values, and rows for every input action.yml declares', () => {
    expect(BAD_VALUES.length).toBeGreaterThanOrEqual(40)
    const covered = new Set(BAD_VALUES.map((row) => row.input))
    expect(Object.keys(readActionYml().inputs).filter((input) => !covered.has(input) && !(input in UNCONSTRAINED))).toEqual([])
  })

  it.each(BAD_VALUES.map((row, index) => [row.input, row.why, index] as const))('%s: %s', (input, _why, index) => {
    const { row, run, tapped, received } = outcomes[index]!
    expect(row.input).toBe(input)
    expect({ tapped, received }).toEqual({ tapped: 0, received: 0 })
    expect(run.code).toBe(1)
    expect(run.outputs.outcome).toBe('error')
    expect(run.errors).toHaveLength(1)
    const line = run.errors[0]!
    expect(line).not.toMatch(/[\r\n]/)
    expect(line).toContain(input)
    expect(line).toContain(row.example ?? GOOD_VALUE[input]!)
    expect(hasStackTrace(run)).toBe(false)
    // Neither a rejected key (masked first) nor credentials in an endpoint variable are ever echoed.
    const key = row.inputs?.['cache-encryption-key'] ?? row.inputs?.['handoff-key']
    if (typeof key === 'string' && key.length > 3) expect(line).not.toContain(key)
    expect(run.stdout).not.toContain('hunter2-endpoint-secret')
  })
})
