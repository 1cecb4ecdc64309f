// The inputs that ask for AWS access: each bad value and each contradiction fails with one line
// naming the input (and the `roles` line), before any call.
import { describe, expect, it } from '@jest/globals'
import { inputError } from './input-error.js'
import { parseBoolean, parseRegion } from '../../src/inputs.js'
import { parseAccountId, parseAwsAccessInputs, parseRoles } from '../../src/role-inputs.js'

function parse(values: Record<string, string>, warnings: string[] = []) {
  return parseAwsAccessInputs((name) => values[name] ?? '', { region: 'us-east-1', warnings, parseRegion, parseBoolean })
}

describe('account-id and role-name', () => {
  it('make the role whose credentials are exported', () => {
    expect(parse({ 'account-id': ' 111122223333 ', 'role-name': 'Deployer' })).toEqual({
      role: { accountId: '111122223333', roleName: 'Deployer' },
      profiles: [],
      awsRegion: 'us-east-1',
      outputCredentials: false,
      revoke: true
    })
  })

  it('come together or not at all', () => {
    expect(inputError(() => parse({ 'account-id': '111122223333' }))).toMatchObject({
      input: 'role-name',
      message: "Input 'role-name' is required with 'account-id': set the role to get credentials for, like Deployer."
    })
    expect(inputError(() => parse({ 'role-name': 'Deployer' })).input).toBe('account-id')
  })

  it('reject an account ID that is not 12 digits, with a hint for the usual slips', () => {
    const message = (raw: string) => inputError(() => parseAccountId(raw, "Input 'account-id'", 'account-id')).message
    expect(message('1111-2222-3333')).toBe(
      'Input \'account-id\' must be a 12-digit AWS account ID (without dashes or spaces), like 111122223333; got "1111-2222-3333".'
    )
    expect(message('12345678901')).toMatch(/quote it in YAML, like '012345678901': an unquoted number loses its leading zeros/)
    expect(message('prod')).toBe('Input \'account-id\' must be a 12-digit AWS account ID, like 111122223333; got "prod".')
    expect(message('1111222233334')).not.toMatch(/YAML|dashes/)
  })

  it('reject a role name IAM would not accept', () => {
    for (const bad of ['Deploy er', 'Deploy/er', 'x'.repeat(65)]) {
      expect(inputError(() => parse({ 'account-id': '111122223333', 'role-name': bad })).input).toBe('role-name')
    }
    expect(parse({ 'account-id': '111122223333', 'role-name': 'AWSReservedSSO_Admin+=,.@-1' }).role?.roleName).toBe(
      'AWSReservedSSO_Admin+=,.@-1'
    )
  })
})

describe('roles', () => {
  it('takes one ACCOUNT_ID:ROLE_NAME[=PROFILE] per line, skipping blank lines and comments', () => {
    expect(parseRoles('111122223333:Deployer=prod\n\n  # staging\r\n444455556666:ReadOnly\n')).toEqual([
      { accountId: '111122223333', roleName: 'Deployer', profile: 'prod', source: "input 'roles' line 1" },
      { accountId: '444455556666', roleName: 'ReadOnly', profile: '444455556666-ReadOnly', source: "input 'roles' line 4" }
    ])
  })

  it('names the line of a malformed entry', () => {
    expect(inputError(() => parseRoles('111122223333:Deployer\n111122223333 Deployer')).message).toBe(
      'Input \'roles\' line 2 must be ACCOUNT_ID:ROLE_NAME or ACCOUNT_ID:ROLE_NAME=PROFILE, one per line, like 111122223333:Deployer=prod; got "111122223333 Deployer".'
    )
    expect(inputError(() => parseRoles('11112222333:Deployer')).message).toMatch(
      /^Input 'roles' line 1: the account must be a 12-digit AWS account ID/
    )
    expect(inputError(() => parseRoles('111122223333:Deployer=')).message).toMatch(
      /^Input 'roles' line 1: the profile must be a profile name/
    )
    expect(inputError(() => parseRoles('111122223333:Deployer=[x]')).input).toBe('roles')
  })

  it('refuses a profile name used twice, in roles or against profile', () => {
    expect(inputError(() => parse({ roles: '111122223333:Deployer=prod\n444455556666:Deployer=prod' })).message).toBe(
      "Input 'roles' line 2 uses the profile name \"prod\", already used by input 'roles' line 1; give each profile its own name, like 111122223333:Deployer=prod."
    )
    expect(
      inputError(() =>
        parse({ 'account-id': '111122223333', 'role-name': 'Deployer', profile: 'prod', roles: '444455556666:ReadOnly=prod' })
      ).message
    ).toMatch(/^Input 'roles' line 1 uses the profile name "prod", already used by input 'profile';/)
  })

  it('adds to account-id and role-name, whose profile comes first', () => {
    const access = parse({ 'account-id': '111122223333', 'role-name': 'Deployer', profile: 'deploy', roles: '444455556666:ReadOnly=audit' })
    expect(access.role).toEqual({ accountId: '111122223333', roleName: 'Deployer' })
    expect(access.profiles.map(({ profile, source }) => [profile, source])).toEqual([
      ['deploy', "input 'profile'"],
      ['audit', "input 'roles' line 1"]
    ])
  })
})

describe('profile, aws-region and the switches', () => {
  it('refuses profile without the role it names', () => {
    expect(inputError(() => parse({ profile: 'deploy' }))).toMatchObject({
      input: 'profile',
      message:
        "Input 'profile' names the profile for 'account-id' and 'role-name', which are not set; set both, or list profiles in 'roles' as ACCOUNT_ID:ROLE_NAME=PROFILE, like 111122223333:Deployer=prod."
    })
    expect(inputError(() => parse({ 'account-id': '111122223333', 'role-name': 'Deployer', profile: 'my profile' })).input).toBe('profile')
  })

  it('checks aws-region as a region, and warns where it has no effect', () => {
    expect(parse({ roles: '111122223333:Deployer', 'aws-region': 'eu-west-1' }).awsRegion).toBe('eu-west-1')
    expect(inputError(() => parse({ 'aws-region': 'eu-west-1a' })).message).toBe(
      'Input \'aws-region\' must be an AWS region like us-east-1; got "eu-west-1a" (that is an availability zone; drop the last letter).'
    )
    const warnings: string[] = []
    parse({ 'aws-region': 'eu-west-1', 'output-credentials': 'true' }, warnings)
    expect(warnings).toEqual([
      "Input 'output-credentials' is true but 'account-id' and 'role-name' are not set: there are no role credentials to output.",
      "Input 'aws-region' has no effect without 'account-id' and 'role-name' or 'roles': nothing is exported for a region."
    ])
  })

  it('reads the switches as booleans, revoke on and output-credentials off by default', () => {
    expect(inputError(() => parse({ revoke: 'yes' })).message).toBe('Input \'revoke\' must be true or false; got "yes".')
    expect(parse({ revoke: 'false', 'output-credentials': 'TRUE', 'account-id': '111122223333', 'role-name': 'D' })).toMatchObject({
      revoke: false,
      outputCredentials: true
    })
  })
})

describe('each failure names its input and the value it refused', () => {
  it('a missing account-id, in its own words', () => {
    expect(inputError(() => parse({ 'role-name': 'Deployer' })).message).toBe(
      "Input 'account-id' is required with 'role-name': set the AWS account of that role, like 111122223333."
    )
  })

  it('a bad account-id or role-name', () => {
    expect(inputError(() => parse({ 'account-id': 'prod', 'role-name': 'Deployer' }))).toMatchObject({
      input: 'account-id',
      message: 'Input \'account-id\' must be a 12-digit AWS account ID, like 111122223333; got "prod".'
    })
    expect(inputError(() => parse({ 'account-id': '111122223333', 'role-name': 'Deploy/er' }))).toMatchObject({
      input: 'role-name',
      message:
        'Input \'role-name\' must be a role (permission set) name of up to 64 letters, digits and +=,.@_-, like Deployer; got "Deploy/er".'
    })
  })

  it('a bad profile', () => {
    expect(inputError(() => parse({ 'account-id': '111122223333', 'role-name': 'Deployer', profile: 'my profile' })).message).toBe(
      'Input \'profile\' must be a profile name of up to 64 letters, digits and ._@+- (starting with a letter or digit), like prod; got "my profile".'
    )
  })

  it('a bad roles line, named by the roles input', () => {
    const malformed = inputError(() => parseRoles('111122223333 Deployer'))
    expect(malformed.input).toBe('roles')
    expect(inputError(() => parseRoles('11112222333:Deployer'))).toMatchObject({
      input: 'roles',
      message: expect.stringMatching(/^Input 'roles' line 1: the account must be a 12-digit AWS account ID/)
    })
    expect(inputError(() => parseRoles('\n111122223333:Deploy/er'))).toMatchObject({
      input: 'roles',
      message: expect.stringMatching(/^Input 'roles' line 2: the role must be a role \(permission set\) name of up to 64 letters/)
    })
    expect(inputError(() => parse({ roles: '111122223333:Deployer=prod\n444455556666:Deployer=prod' })).input).toBe('roles')
  })

  it('output-credentials by its name', () => {
    expect(inputError(() => parse({ 'output-credentials': 'yes' }))).toMatchObject({
      input: 'output-credentials',
      message: 'Input \'output-credentials\' must be true or false; got "yes".'
    })
  })
})

describe('the values as given', () => {
  it('trims the role name and the profile name', () => {
    const access = parse({ 'account-id': '111122223333', 'role-name': ' Deployer ', profile: ' deploy ' })
    expect(access.role).toEqual({ accountId: '111122223333', roleName: 'Deployer' })
    expect(access.profiles.map((target) => target.profile)).toEqual(['deploy'])
  })

  it('takes a roles line only as a whole: nothing before the account, nothing after the profile', () => {
    for (const line of ['x 111122223333:Deployer', '111122223333:Deployer=prod extra', '111122223333:Deployer extra']) {
      expect(inputError(() => parseRoles(line)).message).toMatch(/^Input 'roles' line 1 must be ACCOUNT_ID:ROLE_NAME or/)
    }
  })

  it('has no role at all without account-id and role-name', () => {
    expect(Object.keys(parse({ roles: '111122223333:Deployer' }))).not.toContain('role')
  })

  it('does not warn about aws-region when only roles are set: the profiles get the region', () => {
    const warnings: string[] = []
    expect(parse({ roles: '111122223333:Deployer', 'aws-region': 'eu-west-1' }, warnings).awsRegion).toBe('eu-west-1')
    expect(warnings).toEqual([])
  })
})
