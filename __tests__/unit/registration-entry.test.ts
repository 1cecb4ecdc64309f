import { describe, expect, it } from '@jest/globals'
import { decodeEntry, encodeEntry, ENTRY_FORMAT } from '../../src/registration/entry.js'
import { open, seal, SCRYPT_PARAMS, DecryptionError, MalformedBoxError } from '../../src/registration/crypto.js'
import type { ClientRegistration } from '../../src/oidc/types.js'

const registration: ClientRegistration = {
  clientId: 'client-id-0123456789',
  clientSecret: 'eyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0.client-secret-value',
  clientIdIssuedAt: 1_750_000_000,
  clientSecretExpiresAt: 1_757_776_000,
  scopes: ['sso:account:access'],
  clientName: 'GitHub Actions octo-org/octo-repo'
}
const digest = 'a'.repeat(64)

function masks(): { mask: (secret: string) => void; masked: string[] } {
  const masked: string[] = []
  return { mask: (secret) => masked.push(secret), masked }
}

describe('a plain entry', () => {
  it('round-trips the registration and masks its secret on the way in', async () => {
    const text = await encodeEntry(registration, digest)
    const { mask, masked } = masks()

    expect(await decodeEntry(text, digest, undefined, mask)).toEqual({ ok: true, registration })
    expect(masked).toEqual([registration.clientSecret])
  })

  it('stores the registration fields only, whatever else the object carries (never a token)', async () => {
    const withToken = { ...registration, accessToken: 'aoa-token-that-must-not-be-cached' } as ClientRegistration
    const stored = JSON.parse(await encodeEntry(withToken, digest)) as { format: string; registration: Record<string, unknown> }

    expect(stored.format).toBe(ENTRY_FORMAT)
    expect(Object.keys(stored.registration).sort()).toEqual([
      'clientId',
      'clientIdIssuedAt',
      'clientName',
      'clientSecret',
      'clientSecretExpiresAt',
      'scopes'
    ])
  })

  it.each([
    ['not JSON', '{"format":', /not JSON/],
    ['a JSON array', '[1,2]', /not in a format/],
    ['another format', JSON.stringify({ format: 'something-else', version: 1, registration }), /not in a format/],
    ['a newer version', JSON.stringify({ format: ENTRY_FORMAT, version: 2, registration }), /not in a format/],
    [
      'missing fields',
      JSON.stringify({ format: ENTRY_FORMAT, version: 1, registration: { clientId: 'x', clientSecret: 'secret-value' } }),
      /missing fields/
    ],
    [
      'a string expiry',
      JSON.stringify({ format: ENTRY_FORMAT, version: 1, registration: { ...registration, clientSecretExpiresAt: '2030' } }),
      /wrong type/
    ],
    // A number no Date holds would crash the step where the expiry is printed.
    [
      'an expiry past what a date holds',
      JSON.stringify({ format: ENTRY_FORMAT, version: 1, registration: { ...registration, clientSecretExpiresAt: 1e20 } }),
      /wrong type/
    ],
    ['no registration', JSON.stringify({ format: ENTRY_FORMAT, version: 1 }), /holds no registration/]
  ])('is corrupt when it is %s', async (_name, text, detail) => {
    const result = await decodeEntry(text, digest, undefined, () => undefined)

    expect(result).toEqual({ ok: false, failure: 'corrupt', detail: expect.stringMatching(detail) })
  })

  it('masks a secret found in an entry that is otherwise unusable', async () => {
    const { mask, masked } = masks()
    const text = JSON.stringify({ format: ENTRY_FORMAT, version: 1, registration: { clientSecret: 'half-valid-secret' } })

    expect((await decodeEntry(text, digest, undefined, mask)).ok).toBe(false)
    expect(masked).toEqual(['half-valid-secret'])
  })

  it('is refused (and its secret masked) when a key is configured', async () => {
    const { mask, masked } = masks()

    expect(await decodeEntry(await encodeEntry(registration, digest), digest, 'some key', mask)).toMatchObject({
      ok: false,
      failure: 'plain-with-key'
    })
    expect(masked).toEqual([registration.clientSecret])
  })
})

describe('an encrypted entry', () => {
  it('round-trips with the same key and holds nothing of the registration in clear', async () => {
    const text = await encodeEntry(registration, digest, 'correct horse battery staple')
    const { mask, masked } = masks()

    for (const value of [registration.clientSecret, registration.clientId, registration.clientName]) expect(text).not.toContain(value)
    expect(JSON.parse(text)).toMatchObject({
      format: ENTRY_FORMAT,
      version: 1,
      encrypted: { cipher: 'aes-256-gcm', kdf: { name: 'scrypt', ...SCRYPT_PARAMS } }
    })
    expect(await decodeEntry(text, digest, 'correct horse battery staple', mask)).toEqual({ ok: true, registration })
    expect(masked).toEqual([registration.clientSecret])
  })

  it('uses a fresh salt and IV each time', async () => {
    const [a, b] = await Promise.all([encodeEntry(registration, digest, 'k'), encodeEntry(registration, digest, 'k')])
    const boxA = (JSON.parse(a) as { encrypted: { iv: string; kdf: { salt: string }; ciphertext: string } }).encrypted
    const boxB = (JSON.parse(b) as { encrypted: { iv: string; kdf: { salt: string }; ciphertext: string } }).encrypted

    expect(boxA.iv).not.toBe(boxB.iv)
    expect(boxA.kdf.salt).not.toBe(boxB.kdf.salt)
    expect(boxA.ciphertext).not.toBe(boxB.ciphertext)
    expect(Buffer.from(boxA.iv, 'base64')).toHaveLength(12)
  })

  it('does not open with another key', async () => {
    const text = await encodeEntry(registration, digest, 'the old key')

    expect(await decodeEntry(text, digest, 'the new key', () => undefined)).toMatchObject({ ok: false, failure: 'wrong-key' })
  })

  it('does not open once altered, nor under another identity (the identity is authenticated data)', async () => {
    const text = await encodeEntry(registration, digest, 'key')
    const document = JSON.parse(text) as { encrypted: { ciphertext: string } }
    const bytes = Buffer.from(document.encrypted.ciphertext, 'base64')
    bytes[0] = (bytes[0] ?? 0) ^ 1
    const altered = JSON.stringify({ ...document, encrypted: { ...document.encrypted, ciphertext: bytes.toString('base64') } })

    expect(await decodeEntry(altered, digest, 'key', () => undefined)).toMatchObject({ ok: false, failure: 'wrong-key' })
    expect(await decodeEntry(text, 'b'.repeat(64), 'key', () => undefined)).toMatchObject({ ok: false, failure: 'wrong-key' })
  })

  it('is reported as such when no key is configured', async () => {
    const text = await encodeEntry(registration, digest, 'key')

    expect(await decodeEntry(text, digest, undefined, () => undefined)).toMatchObject({ ok: false, failure: 'encrypted-without-key' })
  })

  it('is corrupt when its parameters are not the ones this version writes (an entry cannot ask for a huge scrypt)', async () => {
    const document = JSON.parse(await encodeEntry(registration, digest, 'key')) as {
      encrypted: { kdf: Record<string, unknown>; iv: string }
    }
    const greedy = JSON.stringify({ ...document, encrypted: { ...document.encrypted, kdf: { ...document.encrypted.kdf, N: 2 ** 30 } } })
    const shortIv = JSON.stringify({ ...document, encrypted: { ...document.encrypted, iv: Buffer.alloc(8).toString('base64') } })

    expect(await decodeEntry(greedy, digest, 'key', () => undefined)).toEqual({
      ok: false,
      failure: 'corrupt',
      detail: expect.stringMatching(/key derivation parameters/)
    })
    expect(await decodeEntry(shortIv, digest, 'key', () => undefined)).toEqual({
      ok: false,
      failure: 'corrupt',
      detail: expect.stringMatching(/iv must be 12 bytes/)
    })
  })
})

describe('seal and open', () => {
  it('throw typed errors: DecryptionError for a wrong key, MalformedBoxError for a bad box', async () => {
    const box = await seal(Buffer.from('plaintext'), 'key', 'aad')

    expect((await open(box, 'key', 'aad')).toString()).toBe('plaintext')
    await expect(open(box, 'other', 'aad')).rejects.toBeInstanceOf(DecryptionError)
    await expect(open({ ...box, cipher: 'aes-128-cbc' }, 'key', 'aad')).rejects.toBeInstanceOf(MalformedBoxError)
    await expect(open(null, 'key', 'aad')).rejects.toBeInstanceOf(MalformedBoxError)
  })
})
