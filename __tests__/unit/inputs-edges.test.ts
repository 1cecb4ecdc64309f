// Input checks at their edges: the key-strength estimate's alphabets and thresholds, the start
// URL's paths and credentials, durations with white space, and the default client name's length.
import { afterEach, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inputError } from './input-error.js'
import { tempDir } from '../support/temp.js'
import {
  checkEncryptionKeyStrength,
  checkProfileNames,
  defaultClientName,
  isRegionName,
  parseDuration,
  parseInputs,
  parseRegion,
  parseScopes,
  parseStartUrl
} from '../../src/inputs.js'

const REQUIRED: Record<string, string> = { 'start-url': 'https://d-1234567890.awsapps.com/start', region: 'us-east-1' }
const parse = (values: Record<string, string>) => parseInputs((name) => ({ ...REQUIRED, ...values })[name] ?? '', 'octo/app')

describe('parseInputs reads each input by its own name', () => {
  it('notify, phase, github-token', () => {
    expect(parse({ notify: 'pr-comment', phase: 'wait', 'github-token': 'ghs_token' }).inputs).toMatchObject({
      notify: ['pr-comment'],
      phase: 'wait',
      githubToken: 'ghs_token'
    })
  })

  it.each([
    ['cache-registration', 'yes'],
    ['timeout', 'soon']
  ])('%s, named in its error', (name, value) => {
    expect(inputError(() => parse({ [name]: value })).input).toBe(name)
  })
})

describe('checkProfileNames', () => {
  const saved = process.env.AWS_CONFIG_FILE
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_CONFIG_FILE
    else process.env.AWS_CONFIG_FILE = saved
  })
  const target = { accountId: '111122223333', roleName: 'Deployer', profile: 'prod', source: "input 'roles' line 1" }

  it("refuses a profile name the user's config file already has", () => {
    const file = join(tempDir('inputs-profiles'), 'config')
    writeFileSync(file, '[profile prod]\nregion = eu-west-1\n')
    process.env.AWS_CONFIG_FILE = file
    expect(() => checkProfileNames({ profiles: [target], awsRegion: 'us-east-1', outputCredentials: false, revoke: true })).toThrow(/prod/)
    expect(() =>
      checkProfileNames({ profiles: [{ ...target, profile: 'other' }], awsRegion: 'us-east-1', outputCredentials: false, revoke: true })
    ).not.toThrow()
  })

  it('does not read the config file when no profile is asked for', () => {
    // a directory in the file's place cannot be read: only a call that reads it fails
    process.env.AWS_CONFIG_FILE = tempDir('inputs-profiles')
    expect(() => checkProfileNames({ profiles: [], awsRegion: 'us-east-1', outputCredentials: false, revoke: true })).not.toThrow()
    expect(() => checkProfileNames({ profiles: [target], awsRegion: 'us-east-1', outputCredentials: false, revoke: true })).toThrow()
  })
})

describe('regions: the whole value, one or two digits', () => {
  it.each(['us-east-10', 'us-gov-west-1'])('accepts %s', (region) => {
    expect(parseRegion(region)).toBe(region)
    expect(isRegionName(region)).toBe(true)
  })

  it.each(['abcde-east-1', '1us-east-1', 'us-east-100'])('refuses %s', (region) => {
    expect(inputError(() => parseRegion(region)).input).toBe('region')
    expect(isRegionName(region)).toBe(false)
  })

  it.each(['us-east-10a', 'us-gov-west-1a'])('names %s an availability zone', (zone) => {
    expect(inputError(() => parseRegion(zone)).message).toContain('(that is an availability zone; drop the last letter)')
  })

  it.each(['my.us-east-1a', 'us-east-1a.example', 'US_EAST_1', 'Useast1'])('gives %s no hint', (value) => {
    expect(inputError(() => parseRegion(value)).message).toBe(
      `Input 'region' must be an AWS region like us-east-1; got ${JSON.stringify(value)}.`
    )
  })
})

describe('scopes: the whole scope', () => {
  it('refuses a scope with a character before the service', () => {
    expect(inputError(() => parseScopes('!sso:account:access')).input).toBe('scopes')
  })
})

describe('cache-encryption-key strength: the alphabet is judged on the whole key', () => {
  it.each([
    ['one letter beyond hex first, then 21 hex digits (6 bits each: 132)', `z${'0123456789abcdef01234'}`],
    ['21 hex digits, then one letter beyond hex (132 bits)', `${'0123456789abcdef01234'}z`],
    ['exactly eight distinct characters, 24 of them (144 bits)', 'abcdefghabcdefghabcdefgh']
  ])('accepts %s', (_what, key) => {
    expect(checkEncryptionKeyStrength(key)).toBe(key)
  })

  it('counts upper-case hex as hex: 31 digits carry 124 bits, too few', () => {
    expect(inputError(() => checkEncryptionKeyStrength('9F86D081884C7D659A2FEAA0C55AD01')).input).toBe('cache-encryption-key')
  })

  it('says how long the refused key is and what it needs', () => {
    expect(inputError(() => checkEncryptionKeyStrength('q1xV4m2lJH6nS0r8T3yZ5')).message).toBe(
      "Input 'cache-encryption-key' is too weak to protect the cached registration (21 characters; at least 128 bits are needed, " +
        "for example 22 or more random base64 characters). Store the output of 'openssl rand -base64 32' in a repository secret and pass it, " +
        'or leave the input empty to cache unencrypted.'
    )
  })
})

describe('parseStartUrl: paths and credentials', () => {
  it.each([
    ['https://:secret@d-1234567890.awsapps.com/start', 'user name or password'],
    ['https://d-1234567890.awsapps.com/x/start', 'ending in /start'],
    ['https://d-1234567890.awsapps.com/startx', 'ending in /start'],
    ['https://start.us-gov-home.awsapps.com/directory/', 'ending in /start'],
    ['https://start.us-gov-home.awsapps.com/directory/d-906769aa66/x', 'ending in /start'],
    ['https://start.us-gov-home.awsapps.com/x/directory/d-906769aa66', 'ending in /start']
  ])('rejects %s', (url, problem) => {
    expect(inputError(() => parseStartUrl(url, 'us-gov-west-1', [])).message).toContain(problem)
  })

  it('says an http URL must be https', () => {
    expect(inputError(() => parseStartUrl('http://d-1234567890.awsapps.com/start', 'us-east-1', [])).message).toBe(
      'Input \'start-url\' must be an https:// URL, like https://d-1234567890.awsapps.com/start; got "http://d-1234567890.awsapps.com/start".'
    )
  })

  it.each(['https://a_b.d-1234567890.awsapps.com/start', 'https://a_b.portal.us-east-1.app.aws'])(
    'takes a host for a portal only from its first character: %s',
    (url) => {
      const warnings: string[] = []
      parseStartUrl(url, 'us-east-1', warnings)
      expect(warnings).toEqual([expect.stringContaining('is not an AWS access portal host')])
    }
  )

  it('quotes at most 300 characters of a start URL with a query', () => {
    const warnings: string[] = []
    const url = `https://d-1234567890.awsapps.com/start?${'q'.repeat(400)}`
    parseStartUrl(url, 'us-east-1', warnings)
    expect(warnings[0]).toContain(`(${url.slice(0, 299)}\u2026)`)
  })

  it('accepts a directory start URL with a trailing slash', () => {
    const warnings: string[] = []
    const url = 'https://start.us-gov-home.awsapps.com/directory/d-906769aa66/'
    expect(parseStartUrl(url, 'us-gov-west-1', warnings)).toBe(url)
    expect(warnings).toEqual([])
  })

  it('warns once for each thing it doubts, the host before the query', () => {
    const warnings: string[] = []
    parseStartUrl('https://sso.example.test/start?x=1', 'us-east-1', warnings)
    expect(warnings).toEqual([
      "Input 'start-url' host sso.example.test is not an AWS access portal host (*.awsapps.com, *.awsapps.cn, *.portal.<region>.app.aws, *.<region>.portal.amazonaws.com); continuing in case it is right.",
      "Input 'start-url' (https://sso.example.test/start?x=1) has a query or fragment; AWS access portal URLs have neither, like https://d-1234567890.awsapps.com/start."
    ])
  })

  it('names both regions when the portal host names another, and refuses it', () => {
    const warnings: string[] = []
    expect(() => parseStartUrl('https://ssoins-1.portal.eu-west-1.app.aws', 'us-east-1', warnings)).toThrow(
      "Input 'start-url' is the access portal of region eu-west-1, but input 'region' is us-east-1: set 'region' to eu-west-1 (the region of that portal's IAM Identity Center), or use the start URL of region us-east-1."
    )
    expect(warnings).toEqual([])
  })
})

describe('parseDuration: white space', () => {
  it('reads hours of more than one digit', () => {
    expect(parseDuration('timeout', '12h')).toBe(43_200)
  })

  it('takes digits as seconds only when they are the whole value', () => {
    expect(inputError(() => parseDuration('timeout', '1h30')).message).toContain('must be a number of seconds or a duration')
  })

  it('trims the value', () => {
    expect(parseDuration('timeout', ' 90s ')).toBe(90)
    expect(parseDuration('timeout', ' 600 ')).toBe(600)
  })

  it.each(['   ', '1h 30m'])('refuses %j', (raw) => {
    // (the message folds the white space it quotes)
    expect(inputError(() => parseDuration('timeout', raw)).message).toMatch(
      /^Input 'timeout' must be a number of seconds or a duration like 600, 90s, 10m or 1h30m; got "[^"]*"\.$/
    )
  })

  it('says what is wrong with zero and with an unreasonable number', () => {
    expect(inputError(() => parseDuration('timeout', '0')).message).toBe(
      'Input \'timeout\' must be at least one second, like 600, 90s, 10m or 1h30m; got "0".'
    )
    expect(inputError(() => parseDuration('timeout', '99999999999999999999')).message).toBe(
      'Input \'timeout\' must be a reasonable duration like 600, 90s, 10m or 1h30m; got "99999999999999999999".'
    )
  })
})

describe('defaultClientName', () => {
  it('keeps at most 200 characters of the repository', () => {
    const name = defaultClientName(`octo/${'a'.repeat(300)}`)
    expect(name.startsWith('GitHub Actions octo/aaa')).toBe(true)
    expect(name).toHaveLength('GitHub Actions '.length + 200)
  })
})
