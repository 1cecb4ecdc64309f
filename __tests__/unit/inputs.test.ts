import { describe, expect, it } from '@jest/globals'
import { inputError } from './input-error.js'
import {
  defaultClientName,
  parseClientName,
  parseDuration,
  maskSecretInputs,
  parseBoolean,
  checkEncryptionKeyStrength,
  parseInputs,
  parseNotify,
  parsePhase,
  parseRegion,
  parseScopes,
  parseStartUrl,
  startUrlRegion
} from '../../src/inputs.js'

const GOOD = {
  'start-url': 'https://d-1234567890.awsapps.com/start',
  region: 'us-east-1',
  scopes: 'sso:account:access',
  'client-name': '',
  timeout: '',
  notify: 'summary',
  phase: 'all',
  'github-token': 'ghs_token',
  'allow-forks': 'false'
}

function reader(overrides: Record<string, string> = {}) {
  const values: Record<string, string> = { ...GOOD, ...overrides }
  return (name: string) => values[name] ?? ''
}

describe('parseInputs', () => {
  it('reads every input, applying defaults for empty values', () => {
    const { inputs, warnings } = parseInputs(
      reader({ scopes: '', notify: '', phase: '', 'github-token': '', 'allow-forks': '' }),
      'octo/app'
    )
    expect(inputs).toEqual({
      startUrl: GOOD['start-url'],
      region: 'us-east-1',
      scopes: ['sso:account:access'],
      clientName: 'GitHub Actions octo/app',
      notify: ['summary', 'pr-comment'],
      phase: 'all',
      githubToken: '',
      allowForks: false,
      cacheRegistration: true,
      // Anyone with the requested access may approve, one person is enough.
      policy: { approvers: [], excluded: [], requiredApprovals: 1 },
      // No role asked for: no AWS access to export, and the token is revoked at the end.
      profiles: [],
      awsRegion: 'us-east-1',
      outputCredentials: false,
      revoke: true
    })
    expect(warnings).toEqual([])
  })

  it('reads who may approve: approvers, excluded-approvers, required-approvals', () => {
    const { inputs } = parseInputs(
      reader({ approvers: '*@example.com\nops-lead', 'excluded-approvers': 'alice@example.com', 'required-approvals': '2' }),
      'octo/app'
    )
    expect(inputs.policy).toEqual({ approvers: ['*@example.com', 'ops-lead'], excluded: ['alice@example.com'], requiredApprovals: 2 })
    expect(() => parseInputs(reader({ 'required-approvals': '9' }), 'octo/app')).toThrow(/^Input 'required-approvals' must be/)
  })

  it('reads the registration cache inputs', () => {
    const { inputs } = parseInputs(
      reader({ 'cache-registration': 'false', 'cache-encryption-key': 'k3y-from-a-secret-Zq8Lr2Wx' }),
      'octo/app'
    )
    expect(inputs.cacheRegistration).toBe(false)
    expect(inputs.cacheEncryptionKey).toBe('k3y-from-a-secret-Zq8Lr2Wx')
  })

  it('keeps explicit values', () => {
    const { inputs } = parseInputs(
      reader({ 'client-name': 'Deploy gate', timeout: '1h30m', scopes: 'sso:account:access, codewhisperer:completions' }),
      'octo/app'
    )
    expect(inputs.clientName).toBe('Deploy gate')
    expect(inputs.timeoutSeconds).toBe(5400)
    expect(inputs.scopes).toEqual(['sso:account:access', 'codewhisperer:completions'])
  })

  it.each([
    ['start-url', ''],
    ['region', '']
  ])('requires %s', (name, value) => {
    const error = inputError(() => parseInputs(reader({ [name]: value }), 'octo/app'))
    expect(error.input).toBe(name)
    expect(error.message).toMatch(new RegExp(`^Input '${name}' is required; set it to a value like \\S+\\.$`))
  })

  it('collects warnings instead of failing for an unusual but usable start URL', () => {
    const { inputs, warnings } = parseInputs(reader({ 'start-url': 'https://sso.example.test/start' }), 'octo/app')
    expect(inputs.startUrl).toBe('https://sso.example.test/start')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('sso.example.test')
  })

  it.each([
    ["'account-id' and 'role-name'", { 'account-id': '111122223333', 'role-name': 'Deploy' }],
    ["'roles'", { roles: '111122223333:Deploy=prod' }]
  ])('warns when %s ask for role credentials but the scopes leave out sso:account:access', (_name, access) => {
    const { warnings } = parseInputs(reader({ ...access, scopes: 'codewhisperer:completions' }), 'octo/app')
    expect(warnings).toEqual([
      "Input 'scopes' (codewhisperer:completions) does not include sso:account:access, but role credentials are asked for ('account-id' and 'role-name', 'profile' or 'roles'): AWS gives a token without it no accounts, roles or role credentials. Add sso:account:access to 'scopes'."
    ])
  })

  it.each([
    ['the default scopes and a role', { 'account-id': '111122223333', 'role-name': 'Deploy' }],
    ['other scopes and no role (a token for another service)', { scopes: 'codewhisperer:completions' }],
    [
      'sso:account:access among others, and a role',
      { scopes: 'codewhisperer:completions sso:account:access', roles: '111122223333:Deploy=prod' }
    ]
  ])('does not warn about scopes for %s', (_name, values) => {
    expect(parseInputs(reader(values), 'octo/app').warnings).toEqual([])
  })
})

describe('parseRegion', () => {
  it.each([
    'us-east-1',
    'eu-west-3',
    'ap-southeast-7',
    'mx-central-1',
    'il-central-1',
    'cn-north-1',
    'cn-northwest-1',
    'us-gov-west-1',
    'us-gov-east-1',
    'us-iso-east-1',
    'us-isob-east-1',
    'eu-isoe-west-1',
    'us-isof-south-1',
    'eusc-de-east-1'
  ])('accepts %s', (region) => {
    expect(parseRegion(region)).toBe(region)
  })

  it.each([
    ['useast1', ''],
    ['us-east', ''],
    ['us-east-1a', 'availability zone'],
    ['US-EAST-1', 'lower case'],
    ['us_east_1', ''],
    ['us-east-1 ', ''],
    ['https://oidc.us-east-1.amazonaws.com', ''],
    ['us-east-1.evil.test', '']
  ])('rejects %j with one line naming the input and an example', (region, hint) => {
    const error = inputError(() => parseRegion(region))
    expect(error.input).toBe('region')
    expect(error.message).toContain(`Input 'region' must be an AWS region like us-east-1; got ${JSON.stringify(region)}`)
    expect(error.message).toContain(hint)
    expect(error.message).not.toContain('\n')
  })

  it('gives the exact message the docs show', () => {
    expect(inputError(() => parseRegion('useast1')).message).toBe(`Input 'region' must be an AWS region like us-east-1; got "useast1".`)
  })
})

describe('parseStartUrl', () => {
  it.each([
    ['https://d-1234567890.awsapps.com/start', 'us-east-1'],
    ['https://d-1234567890.awsapps.com/start/', 'us-east-1'],
    ['https://my-company.awsapps.com/start', 'eu-west-1'],
    ['https://start.us-gov-home.awsapps.com/directory/d-906769aa66', 'us-gov-west-1'],
    ['https://d-1234567890.awsapps.cn/start', 'cn-north-1'],
    ['https://ssoins-1234567890abcdef.portal.us-east-1.app.aws', 'us-east-1'],
    ['https://ssoins-1234567890abcdef.portal.us-east-1.app.aws/', 'us-east-1'],
    // Multi-Region: an additional region's portal, with that region.
    ['https://ssoins-111111h2222j33pp.eu-west-1.portal.amazonaws.com', 'eu-west-1'],
    ['https://ssoins-111111h2222j33pp.portal.eu-west-1.app.aws', 'eu-west-1'],
    ['https://ssoins-1.cn-north-1.portal.amazonaws.com.cn', 'cn-north-1'],
    ['https://ssoins-1.portal.cn-north-1.app.amazonwebservices.com.cn', 'cn-north-1'],
    ['https://ssoins-1.us-gov-west-1.portal.amazonaws.com', 'us-gov-west-1']
  ])('accepts %s without warnings', (url, region) => {
    const warnings: string[] = []
    expect(parseStartUrl(url, region, warnings)).toBe(url)
    expect(warnings).toEqual([])
  })

  it.each([
    ['http://d-1234567890.awsapps.com/start', 'https://'],
    ['d-1234567890.awsapps.com/start', 'the AWS access portal URL'],
    ['ftp://d-1234567890.awsapps.com/start', 'https://'],
    ['https://user:pass@d-1234567890.awsapps.com/start', 'user name or password'],
    ['https://d-1234567890.awsapps.com/start https://other', 'without spaces'],
    ['https://', 'the AWS access portal URL'],
    ['https://d-1234567890.awsapps.com/', 'ending in /start'],
    ['https://my-company.awsapps.com/start/console', 'ending in /start']
  ])('rejects %j', (url, problem) => {
    const error = inputError(() => parseStartUrl(url, 'us-east-1', []))
    expect(error.input).toBe('start-url')
    expect(error.message).toContain(problem)
    expect(error.message).toContain('like https://d-1234567890.awsapps.com/start')
    expect(error.message).toContain(JSON.stringify(url))
    expect(error.message).not.toContain('\n')
  })

  it.each([
    ['https://127.0.0.1:8443/start', 'us-east-1', 'not an AWS access portal host'],
    ['https://d-1234567890.awsapps.com/start/#/', 'us-east-1', 'query or fragment'],
    ['https://d-1234567890.awsapps.com/start?x=1', 'us-east-1', 'query or fragment'],
    ['https://ssoins-1.portal.eu-west-1.app.aws/start', 'eu-west-1', "has the path /start; AWS's regional portal URLs have none"]
  ])('warns about %s (region %s) but accepts it', (url, region, warning) => {
    const warnings: string[] = []
    expect(parseStartUrl(url, region, warnings)).toBe(url)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(warning)
    expect(warnings[0]).toContain("Input 'start-url'")
  })

  it.each([
    ['https://ssoins-1.portal.eu-west-1.app.aws', 'us-east-1', 'eu-west-1'],
    ['https://ssoins-111111h2222j33pp.eu-west-1.portal.amazonaws.com', 'us-east-1', 'eu-west-1'],
    ['https://ssoins-1.us-east-2.portal.amazonaws.com/', 'us-east-1', 'us-east-2']
  ])('refuses the regional portal %s with region %s: that region cannot approve it', (url, region, named) => {
    const error = inputError(() => parseStartUrl(url, region, []))
    expect(error.input).toBe('start-url')
    expect(error.message).toBe(
      `Input 'start-url' is the access portal of region ${named}, but input 'region' is ${region}: set 'region' to ${named} (the region of that portal's IAM Identity Center), or use the start URL of region ${region}.`
    )
  })

  it.each([
    ['ssoins-1.portal.eu-west-1.app.aws', 'eu-west-1'],
    ['ssoins-1.eu-west-1.portal.amazonaws.com', 'eu-west-1'],
    ['ssoins-1.portal.eusc-de-east-1.api.amazonwebservices.eu', 'eusc-de-east-1'],
    ['d-1234567890.awsapps.com', undefined],
    ['portal.eu-west-1.app.aws', undefined],
    ['x.eu-west-1.portal.amazonaws.com.evil.example', undefined]
  ])('startUrlRegion(%s) is %s', (host, region) => {
    expect(startUrlRegion(host)).toBe(region)
  })

  it('echoes a start URL in a warning only through the sanitiser', () => {
    const warnings: string[] = []
    parseStartUrl('https://d-1234567890.awsapps.com/start?\u0085::stop-commands::x\u202e\u200b##[add-mask]y', 'us-east-1', warnings)
    expect(warnings).toEqual([
      "Input 'start-url' (https://d-1234567890.awsapps.com/start? ::stop-commands::x## [add-mask]y) has a query or fragment; AWS access portal URLs have neither, like https://d-1234567890.awsapps.com/start."
    ])
  })
})

describe('parseScopes', () => {
  it.each([
    ['sso:account:access', ['sso:account:access']],
    ['sso:account:access,codewhisperer:completions', ['sso:account:access', 'codewhisperer:completions']],
    ['sso:account:access codewhisperer:analysis', ['sso:account:access', 'codewhisperer:analysis']],
    ['sso:account:access\ncodecatalyst:read_write\n', ['sso:account:access', 'codecatalyst:read_write']],
    ['sso:account:access, sso:account:access', ['sso:account:access']],
    ['', ['sso:account:access']]
  ])('parses %j', (raw, scopes) => {
    expect(parseScopes(raw)).toEqual(scopes)
  })

  it.each(['sso', 'sso:account:access;rm', ':access', 'sso::access'])('rejects %j', (raw) => {
    const error = inputError(() => parseScopes(raw))
    expect(error.input).toBe('scopes')
    expect(error.message).toContain('like sso:account:access')
  })
})

describe('parseDuration', () => {
  it.each([
    ['600', 600],
    ['1', 1],
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1h30m15s', 5415],
    ['2m30s', 150],
    ['0h5m', 300]
  ])('parses %j as %d seconds', (raw, seconds) => {
    expect(parseDuration('timeout', raw)).toBe(seconds)
  })

  it.each(['0', '0s', '10 minutes', '10M', '1.5h', '-5', 'm', '30s10m', 'h', '99999999999999999999'])('rejects %j', (raw) => {
    const error = inputError(() => parseDuration('timeout', raw))
    expect(error.input).toBe('timeout')
    expect(error.message).toMatch(/^Input 'timeout' must be .+ like 600, 90s, 10m or 1h30m; got ".*"\.$/)
  })
})

describe('parseNotify', () => {
  it.each([
    ['summary', ['summary']],
    ['summary, summary', ['summary']],
    ['pr-comment', ['pr-comment']],
    ['pr-comment\nsummary', ['pr-comment', 'summary']],
    ['Summary, PR-Comment', ['summary', 'pr-comment']],
    ['', ['summary', 'pr-comment']],
    ['none', []],
    ['None', []],
    [' NONE\n', []]
  ])('parses %j', (raw, channels) => {
    expect(parseNotify(raw)).toEqual(channels)
  })

  it.each(['slack', 'summary,email', 'pr-comments', 'nothing'])('rejects %j, listing the valid channels', (raw) => {
    const error = inputError(() => parseNotify(raw))
    expect(error.input).toBe('notify')
    expect(error.message).toContain('from: summary, pr-comment (the log is always used)')
    expect(error.message).toContain('or be none for the log only')
  })

  it('rejects none beside a channel, saying which to remove', () => {
    const error = inputError(() => parseNotify('none, summary'))
    expect(error.input).toBe('notify')
    expect(error.message).toBe(
      `Input 'notify' is "none, summary": "none" (the log only) cannot be combined with a channel: use none alone, or channels like "summary, pr-comment".`
    )
  })
})

describe('parsePhase', () => {
  it.each([
    ['', 'all'],
    ['all', 'all'],
    ['start', 'start'],
    ['wait', 'wait'],
    ['Start', 'start'],
    ['WAIT', 'wait'],
    ['All', 'all']
  ])('parses %j as %s', (raw, phase) => {
    expect(parsePhase(raw)).toBe(phase)
  })

  it.each(['poll', 'begin', 'starts'])('rejects %j with the valid phases', (raw) => {
    const error = inputError(() => parsePhase(raw))
    expect(error.input).toBe('phase')
    expect(error.message).toBe(`Input 'phase' must be one of all, start, wait, like start; got ${JSON.stringify(raw)}.`)
  })
})

describe('allow-forks', () => {
  it('is false unless set to true', () => {
    expect(parseInputs(reader({ 'allow-forks': '' }), 'octo/app').inputs.allowForks).toBe(false)
    expect(parseInputs(reader({ 'allow-forks': 'true' }), 'octo/app').inputs.allowForks).toBe(true)
    expect(inputError(() => parseInputs(reader({ 'allow-forks': 'ture' }), 'octo/app')).input).toBe('allow-forks')
  })
})

describe('parseBoolean (core.getBooleanInput semantics, empty means the default)', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false]
  ])('parses %j', (raw, value) => {
    expect(parseBoolean('cache-registration', raw, !value)).toBe(value)
  })

  it('takes the default for an empty value', () => {
    expect(parseBoolean('cache-registration', '', true)).toBe(true)
    expect(parseBoolean('cache-registration', '', false)).toBe(false)
  })

  it.each(['yes', 'no', '1', '0', 'tRUE', 'on'])('rejects %j with one line naming the input', (raw) => {
    const error = inputError(() => parseBoolean('cache-registration', raw, true))
    expect(error.input).toBe('cache-registration')
    expect(error.message).toBe(`Input 'cache-registration' must be true or false; got ${JSON.stringify(raw)}.`)
  })
})

describe('maskSecretInputs', () => {
  it('masks the encryption key and the GitHub token when set, and nothing else', () => {
    const masked: string[] = []
    maskSecretInputs(reader({ 'cache-encryption-key': 'k3y-from-a-secret-Zq8Lr2Wx' }), (secret) => masked.push(secret))
    expect(masked).toEqual(['k3y-from-a-secret-Zq8Lr2Wx', 'ghs_token'])
    masked.length = 0
    maskSecretInputs(reader({ 'github-token': '' }), (secret) => masked.push(secret))
    expect(masked).toEqual([])
  })
})

describe('client name', () => {
  it('defaults to the repository', () => {
    expect(defaultClientName('octo/app')).toBe('GitHub Actions octo/app')
    expect(defaultClientName('')).toBe('GitHub Actions')
    // GITHUB_REPOSITORY is outside text: one readable line, as an explicit client-name must be.
    expect(defaultClientName('octo/app\n::stop-commands::x\u202e')).toBe('GitHub Actions octo/app ::stop-commands::x')
    expect(parseClientName('', 'octo/app')).toBe('GitHub Actions octo/app')
  })

  it('rejects a multi-line name', () => {
    expect(inputError(() => parseClientName('a\nb', 'octo/app')).input).toBe('client-name')
  })

  // The consent page shows the name as given: nothing invisible may make it read otherwise.
  it.each([
    ['a C1 control', 'GitHub\u0085Actions'],
    ['a bidi override', 'GitHub Actions \u202eppa/otco'],
    ['a bidi isolate', 'GitHub \u2066Actions'],
    ['a zero-width space', 'Git\u200bHub Actions'],
    ['a line separator', 'GitHub\u2028Actions'],
    ['a lone surrogate', 'GitHub \ud800 Actions'],
    ['a private-use character', 'GitHub \ue000 Actions']
  ])('rejects %s', (_what, name) => {
    const error = inputError(() => parseClientName(name, 'octo/app'))
    expect(error.input).toBe('client-name')
    expect(error.message).toMatch(/without control, bidi or zero-width characters/)
  })

  it('accepts visible text in any script', () => {
    expect(parseClientName('Déploiement — équipe 東京', 'octo/app')).toBe('Déploiement — équipe 東京')
  })
})

describe('cache-encryption-key strength', () => {
  it.each([
    ['openssl rand -base64 32', 'q1xV4m2lJH6nS0r8T3yZ5cW7bN9kA2dF4gH6jK8lM0o='],
    ['openssl rand -hex 16', '9f86d081884c7d659a2feaa0c55ad015'],
    ['22 base64 characters', 'q1xV4m2lJH6nS0r8T3yZ5c']
  ])('accepts %s', (_what, key) => {
    expect(checkEncryptionKeyStrength(key)).toBe(key)
  })

  it.each([
    ['one character', 'k'],
    ['21 base64 characters (126 bits)', 'q1xV4m2lJH6nS0r8T3yZ5'],
    ['31 hex characters', '9f86d081884c7d659a2feaa0c55ad01'],
    ['seven distinct characters', 'abcdefgabcdefgabcdefgabcdefg']
  ])('refuses %s, with an example and without the key', (_what, key) => {
    expect(() => checkEncryptionKeyStrength(key)).toThrow(/cache-encryption-key.*openssl rand -base64 32/)
    try {
      checkEncryptionKeyStrength(key)
    } catch (error) {
      // A one-character key is in any sentence; longer ones must not be echoed.
      if (key.length > 3) expect((error as Error).message).not.toContain(key)
    }
  })
})

describe('parseStartUrl: the portal host is anchored at both ends', () => {
  it.each([
    'https://d-1.awsapps.com.evil.example/start',
    'https://d-1234567890.awsapps.com.evil.example/start',
    'https://evil.example/d-1234567890.awsapps.com/start',
    'https://d-1234567890.awsapps.community/start',
    'https://x.portal.us-east-1.app.aws.evil.example/start'
  ])('does not take %s for a portal: it warns that the host is not one', (url) => {
    const warnings: string[] = []
    parseStartUrl(url, 'us-east-1', warnings)
    expect(warnings).toEqual([expect.stringContaining('is not an AWS access portal host')])
  })
})
