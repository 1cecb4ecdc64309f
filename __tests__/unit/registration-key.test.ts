import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { join } from 'node:path'
import {
  identityDigest,
  normalizeScopes,
  REGISTRATION_CACHE_PATH,
  registrationFilePath,
  registrationKey,
  registrationKeyPrefix,
  type RegistrationIdentity
} from '../../src/registration/key.js'

const identity: RegistrationIdentity = {
  startUrl: 'https://d-1234567890.awsapps.com/start',
  region: 'eu-west-1',
  scopes: ['sso:account:access'],
  clientName: 'GitHub Actions octo-org/octo-repo'
}

describe('registration cache keys', () => {
  it('name what the registration is for, whether it is encrypted, and when it was issued', () => {
    const prefix = registrationKeyPrefix(identity, false)

    expect(prefix).toMatch(/^aws-sso-device-auth-registration-v1-plain-[0-9a-f]{64}-$/)
    expect(registrationKeyPrefix(identity, true)).toMatch(/^aws-sso-device-auth-registration-v1-aes-[0-9a-f]{64}-$/)
    expect(registrationKey(prefix, { clientIdIssuedAt: 1_750_000_000 })).toBe(`${prefix}1750000000`)
  })

  it('give every new registration its own key under the same prefix, since entries cannot be overwritten', () => {
    const prefix = registrationKeyPrefix(identity, false)
    const first = registrationKey(prefix, { clientIdIssuedAt: 1_750_000_000 })
    const second = registrationKey(prefix, { clientIdIssuedAt: 1_750_000_001 })

    expect(first).not.toBe(second)
    expect(first.startsWith(prefix) && second.startsWith(prefix)).toBe(true)
  })

  it('ignore differences that do not make another registration: scope order and repeats, a trailing slash, region case', () => {
    const same = identityDigest(identity)

    expect(identityDigest({ ...identity, scopes: ['sso:account:access', ' sso:account:access'] })).toBe(same)
    expect(identityDigest({ ...identity, startUrl: `${identity.startUrl}/` })).toBe(same)
    expect(identityDigest({ ...identity, region: 'EU-WEST-1' })).toBe(same)
    expect(normalizeScopes(['b', 'a', 'b', ' ', 'a '])).toEqual(['a', 'b'])
  })

  it('change with each of start URL, region, scopes and client name', () => {
    const same = identityDigest(identity)
    const variants: RegistrationIdentity[] = [
      { ...identity, startUrl: 'https://d-0987654321.awsapps.com/start' },
      { ...identity, region: 'us-east-1' },
      { ...identity, scopes: ['sso:account:access', 'codewhisperer:completions'] },
      { ...identity, clientName: 'GitHub Actions octo-org/other-repo' }
    ]

    const digests = variants.map(identityDigest)
    expect(digests).not.toContain(same)
    expect(new Set(digests).size).toBe(variants.length)
  })

  it('stay within the cache service rules (at most 512 characters, no comma) whatever the inputs', () => {
    fc.assert(
      fc.property(
        fc.record({
          startUrl: fc.string({ maxLength: 2000 }),
          region: fc.string(),
          scopes: fc.array(fc.string()),
          clientName: fc.string({ maxLength: 2000 })
        }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (anyIdentity, encrypted, issuedAt) => {
          const key = registrationKey(registrationKeyPrefix(anyIdentity, encrypted), { clientIdIssuedAt: issuedAt })
          return key.length <= 512 && !key.includes(',')
        }
      )
    )
  })
})

describe('the cached file', () => {
  it('is named relative to HOME, so the path (part of the cache version) reads the same on every runner', () => {
    expect(REGISTRATION_CACHE_PATH).toMatch(/^~\/[^/]+$/)
    expect(registrationFilePath('/home/runner')).toBe(join('/home/runner', '.aws-sso-device-auth-registration.json'))
  })
})
