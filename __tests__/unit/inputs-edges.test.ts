// Input checks at their edges: the key-strength estimate's alphabets and thresholds, the start
// URL's paths and credentials, durations with white space, and the default client name's length.
import { describe, expect, it } from '@jest/globals'
import { inputError } from './input-error.js'
import { checkEncryptionKeyStrength, defaultClientName, parseDuration, parseStartUrl } from '../../src/inputs.js'

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
      "Input 'start-url' host sso.example.test is not an AWS access portal host (*.awsapps.com, *.awsapps.cn, *.portal.<region>.app.aws); continuing in case it is right.",
      "Input 'start-url' (https://sso.example.test/start?x=1) has a query or fragment; AWS access portal URLs have neither, like https://d-1234567890.awsapps.com/start."
    ])
  })

  it('names both regions when the portal host names another', () => {
    const warnings: string[] = []
    parseStartUrl('https://ssoins-1.portal.eu-west-1.app.aws', 'us-east-1', warnings)
    expect(warnings).toEqual([
      "Input 'start-url' names the region eu-west-1 but input 'region' is us-east-1; IAM Identity Center usually lives in the portal's region."
    ])
  })
})

describe('parseDuration: white space', () => {
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
