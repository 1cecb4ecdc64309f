// The sealed hand-off (src/handoff/seal.ts): what opens, and the one line for everything that must
// not: each byte region altered, a wrong key, another repository's or run's value, an expired one,
// another format version, and a value that would carry a masked secret.
import { describe, expect, it } from '@jest/globals'
import { openHandoff, sealHandoff } from '../../src/handoff/seal.js'
import { handoffBinding, HandoffBindingError } from '../../src/handoff/binding.js'
import { parseHandoffRecord, serializeHandoffRecord, type HandoffBinding, type HandoffRecord } from '../../src/model/handoff.js'

const KEY = 'c2VjcmV0LWhhbmRvZmYta2V5LWZvci10ZXN0cw=='
const BINDING: HandoffBinding = { repository: 'octo-org/app', repositoryId: '4242', runId: '987654321' }
const HOUR = 3_600_000
const NOW = Date.parse('2026-12-02T12:00:00Z')

function record(overrides: Partial<HandoffRecord> = {}): HandoffRecord {
  const credentials = (n: number, expiration = NOW + HOUR) => ({
    accessKeyId: `ASIAHANDOFFTEST${n}AAAAA`,
    secretAccessKey: `handoff-secret-access-key-${n}-${'s'.repeat(24)}`,
    sessionToken: `handoff-session-token-${n}-${'t'.repeat(80)}`,
    expiration
  })
  return {
    role: { accountId: '111122223333', roleName: 'Deployer', credentials: credentials(1) },
    profiles: [
      { accountId: '111122223333', roleName: 'Deployer', profile: 'prod', credentials: credentials(2) },
      { accountId: '444455556666', roleName: 'ReadOnly', profile: 'staging', credentials: credentials(3, NOW + HOUR / 2) }
    ],
    awsRegion: 'eu-west-1',
    expiresAt: NOW + HOUR / 2,
    ...overrides
  }
}

/** The value's body, decoded, with one byte at `offset` flipped, re-encoded. */
function flipBodyByte(value: string, offset: (length: number) => number): string {
  const [prefix, header, body] = value.split('.') as [string, string, string]
  const bytes = Buffer.from(body, 'base64url')
  const at = offset(bytes.length)
  bytes[at] = bytes[at]! ^ 0x01
  return `${prefix}.${header}.${bytes.toString('base64url')}`
}

function withHeader(value: string, change: (header: Record<string, unknown>) => void): string {
  const [prefix, header, body] = value.split('.') as [string, string, string]
  const fields = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>
  change(fields)
  return `${prefix}.${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${body}`
}

describe('sealHandoff and openHandoff', () => {
  it('opens what it sealed, in the same run of the same repository, with every field back', async () => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    expect(sealed).toMatch(/^h1\.[\w-]+\.[\w-]+$/)
    await expect(openHandoff(sealed, KEY, BINDING, NOW)).resolves.toEqual(record())
  })

  it('is not readable without the key: no credential, key or record text appears in the value', async () => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    const decodedParts = sealed.split('.').map((part) => Buffer.from(part, 'base64url').toString('latin1'))
    for (const text of [sealed, ...decodedParts]) {
      for (const secret of ['ASIAHANDOFFTEST', 'handoff-secret-access-key', 'handoff-session-token', KEY, 'Deployer', 'eu-west-1']) {
        expect(text).not.toContain(secret)
      }
    }
  })

  it('opens in a later attempt of the same run (the attempt is not part of the binding)', async () => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    const env = { GITHUB_REPOSITORY: 'octo-org/app', GITHUB_REPOSITORY_ID: '4242', GITHUB_RUN_ID: '987654321', GITHUB_RUN_ATTEMPT: '3' }
    await expect(openHandoff(sealed, KEY, handoffBinding(env), NOW)).resolves.toEqual(record())
  })

  it('refuses a wrong key with the key line', async () => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    await expect(openHandoff(sealed, `${KEY}x`, BINDING, NOW)).rejects.toThrow(
      /^Input 'handoff-key' does not open input 'handoff': the gate job sealed it with another key/
    )
  })

  it.each([
    ['another repository', { ...BINDING, repository: 'octo-org/other' }, /sealed in another repository \(octo-org\/app\)/],
    ['a re-created repository of the same name', { ...BINDING, repositoryId: '4343' }, /sealed in another repository/],
    ['another run', { ...BINDING, runId: '987654322' }, /sealed in another workflow run \(987654321, this is 987654322\)/]
  ])('refuses a value from %s', async (_what, here, line) => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    await expect(openHandoff(sealed, KEY, here, NOW)).rejects.toThrow(line)
  })

  it('refuses an expired value, at and after the earliest expiry, and opens just before it', async () => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    await expect(openHandoff(sealed, KEY, BINDING, NOW + HOUR / 2 - 1)).resolves.toBeDefined()
    for (const at of [NOW + HOUR / 2, NOW + HOUR]) {
      await expect(openHandoff(sealed, KEY, BINDING, at)).rejects.toThrow(
        "Input 'handoff' expired at 2026-12-02T12:30:00Z, when the role credentials it holds expire; run the gate job again for a new approval."
      )
    }
  })

  // Body layout: salt 0-15, iv 16-27, key check 28-43, ciphertext, tag (last 16).
  it.each([
    ['the salt', () => 3, /another key/],
    ['the iv', () => 20, /was altered after the gate job sealed it \(its seal does not verify\)/],
    ['the key check', () => 30, /another key \(or the value was altered\)/],
    ['the ciphertext, first byte', () => 44, /was altered after the gate job sealed it/],
    ['the ciphertext, last byte', (length: number) => length - 17, /was altered after the gate job sealed it/],
    ['the tag', (length: number) => length - 1, /was altered after the gate job sealed it/]
  ])('refuses a value with one bit of %s changed', async (_region, offset, line) => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    await expect(openHandoff(flipBodyByte(sealed, offset), KEY, BINDING, NOW)).rejects.toThrow(line)
  })

  it('refuses a header changed to a later expiry: it is authenticated', async () => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    const later = withHeader(sealed, (header) => (header.expiresAt = NOW + 10 * HOUR))
    await expect(openHandoff(later, KEY, BINDING, NOW)).rejects.toThrow(/was altered after the gate job sealed it/)
  })

  it("refuses another run's value whose header was changed to this run: the tag covers it", async () => {
    const sealed = await sealHandoff(record(), KEY, { ...BINDING, runId: '1' }, { avoid: [] })
    const moved = withHeader(sealed, (header) => (header.runId = BINDING.runId))
    await expect(openHandoff(moved, KEY, BINDING, NOW)).rejects.toThrow(/was altered after the gate job sealed it/)
  })

  it.each([
    ['an empty value', '', /is not a hand-off sealed by this action \(not three parts starting with h1\)/],
    ['a word', 'hello', /is not a hand-off sealed by this action/],
    ['a header with an extra field', 'EXTRA', /its header is not one this version writes/],
    ['a body cut short', 'SHORT', /too short/],
    ['characters outside base64url', 'h1.ab+c.de/f', /not base64url/]
  ])('refuses %s as not a hand-off', async (_what, input, line) => {
    let value = input
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    if (input === 'EXTRA') value = withHeader(sealed, (header) => (header.extra = 1))
    if (input === 'SHORT') value = `${sealed.split('.').slice(0, 2).join('.')}.AAAA`
    await expect(openHandoff(value, KEY, BINDING, NOW)).rejects.toThrow(line)
  })

  it('refuses another format version with its own line', async () => {
    const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: [] })
    await expect(openHandoff(sealed.replace(/^h1\./, 'h2.'), KEY, BINDING, NOW)).rejects.toThrow(
      "Input 'handoff' has format version 2, and this version of the action reads version 1; use the same version of the action in the gate job and in this job."
    )
  })

  it('seals again with fresh randomness when a masked secret appears by chance, and says so when one always does', async () => {
    // A two-character secret appears in roughly one value in five; never in ten values means the
    // value was sealed again each time it did.
    for (let n = 0; n < 10; n++) {
      const sealed = await sealHandoff(record(), KEY, BINDING, { avoid: ['Qz'] })
      expect(sealed).not.toContain('Qz')
    }
    await expect(sealHandoff(record(), KEY, BINDING, { avoid: ['A', 'long-enough-secret-value'] })).rejects.toThrow(
      /Could not seal the hand-off without a masked value in it \(a secret of 1 characters keeps appearing\)/
    )
  })
})

describe('the record inside', () => {
  it('round-trips and refuses another version, a missing role, a bad field and a repeated profile', () => {
    expect(parseHandoffRecord(serializeHandoffRecord(record()))).toEqual(record())
    const text = (change: (fields: Record<string, unknown>) => void) => {
      const fields = JSON.parse(serializeHandoffRecord(record())) as Record<string, unknown>
      change(fields)
      return JSON.stringify(fields)
    }
    expect(() => parseHandoffRecord(text((fields) => (fields.v = 2)))).toThrow(/another version/)
    expect(() => parseHandoffRecord(text((fields) => (delete fields.role, (fields.profiles = []))))).toThrow(/no role/)
    expect(() => parseHandoffRecord(text((fields) => (fields.awsRegion = 'EU')))).toThrow(/awsRegion/)
    const profiles = record().profiles
    expect(() => parseHandoffRecord(text((fields) => (fields.profiles = [profiles[0], profiles[0]])))).toThrow(/repeats/)
  })
})

describe('handoffBinding', () => {
  it('reads the repository, its id and the run; refuses what GitHub never sets', () => {
    expect(handoffBinding({ GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '12' })).toEqual({ repository: 'o/r', runId: '12' })
    for (const env of [
      { GITHUB_RUN_ID: '12' },
      { GITHUB_REPOSITORY: 'o/r' },
      { GITHUB_REPOSITORY: 'o/r\n::warning::x', GITHUB_RUN_ID: '12' },
      { GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '12 or 13' },
      { GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '12', GITHUB_REPOSITORY_ID: 'abc' }
    ]) {
      expect(() => handoffBinding(env)).toThrow(HandoffBindingError)
    }
    expect(() => handoffBinding({})).toThrow(/needs GITHUB_REPOSITORY as the runner sets it \(owner\/repo\)/)
  })
})
