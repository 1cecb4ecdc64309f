// The sealed box of a cached registration, pinned: a fixed vector (scrypt N=2^15, r=8, p=1 over a
// fixed salt, AES-256-GCM under a fixed IV and additional data) that this version must open, and
// boxes from seal() opened here with node:crypto directly, so a change of cost parameters, key
// length, cipher or envelope fails a test instead of quietly orphaning every cached entry.
import { describe, expect, it } from '@jest/globals'
import { createDecipheriv, scryptSync } from 'node:crypto'
import { DecryptionError, MalformedBoxError, open, SCRYPT_PARAMS, seal, type SealedBox } from '../../src/registration/crypto.js'

const PASSPHRASE = 'correct horse battery staple'
const AAD = 'aws-sso-device-auth test vector'
const PLAINTEXT = '{"clientId":"known-answer"}'

/** Made once with node:crypto's scryptSync and createCipheriv from the parameters above. */
const KNOWN_BOX: SealedBox = {
  cipher: 'aes-256-gcm',
  kdf: { name: 'scrypt', N: 32768, r: 8, p: 1, salt: 'AAECAwQFBgcICQoLDA0ODw==' },
  iv: 'oKGio6Slpqeoqaqr',
  tag: '9j3ORedABPmNuwipQr36MQ==',
  ciphertext: 'Zp0tG07nxIFjwfkB4GAXwYtsDoJrsp5qj1xw'
}
/** The scrypt key of that vector (32 bytes). */
const KNOWN_KEY = '7a8e34241db898d59175c696538c417467a975ffe569068425f16188d3159c58'

/** Opens a box without the module: what another implementation reading our entries would do. */
function openIndependently(box: SealedBox, passphrase: string, aad: string): Buffer {
  const key = scryptSync(passphrase, Buffer.from(box.kdf.salt, 'base64'), 32, {
    N: box.kdf.N,
    r: box.kdf.r,
    p: box.kdf.p,
    maxmem: 64 * 1024 * 1024
  })
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'), { authTagLength: 16 })
  decipher.setAAD(Buffer.from(aad, 'utf8'))
  decipher.setAuthTag(Buffer.from(box.tag, 'base64'))
  return Buffer.concat([decipher.update(Buffer.from(box.ciphertext, 'base64')), decipher.final()])
}

describe('the known-answer vector', () => {
  it('pins the cost parameters this version writes and accepts', () => {
    expect(SCRYPT_PARAMS).toEqual({ N: 2 ** 15, r: 8, p: 1 })
  })

  it('is derived with exactly those parameters (the vector itself is sound)', () => {
    const key = scryptSync(PASSPHRASE, Buffer.from(KNOWN_BOX.kdf.salt, 'base64'), 32, { ...SCRYPT_PARAMS, maxmem: 64 * 1024 * 1024 })
    expect(key.toString('hex')).toBe(KNOWN_KEY)
    expect(openIndependently(KNOWN_BOX, PASSPHRASE, AAD).toString('utf8')).toBe(PLAINTEXT)
  })

  it('opens with the passphrase and additional data it was sealed with', async () => {
    expect((await open(KNOWN_BOX, PASSPHRASE, AAD)).toString('utf8')).toBe(PLAINTEXT)
  })

  it('opens with the passphrase in another Unicode normalisation (it is NFC-normalised first)', async () => {
    const composed = 'caf\u00e9 key'
    const box = await seal(Buffer.from(PLAINTEXT), composed, AAD)
    expect((await open(box, 'cafe\u0301 key', AAD)).toString('utf8')).toBe(PLAINTEXT)
    expect(openIndependently(box, composed, AAD).toString('utf8')).toBe(PLAINTEXT)
  })

  it.each([
    ['another passphrase', { ...KNOWN_BOX }, 'correct horse battery stapl', AAD],
    ['other additional data', { ...KNOWN_BOX }, PASSPHRASE, `${AAD}!`],
    ['an edited ciphertext', { ...KNOWN_BOX, ciphertext: 'Zp0tG07nxIFjwfkB4GAXwYtsDoJrsp5qj1xx' }, PASSPHRASE, AAD],
    ['an edited tag', { ...KNOWN_BOX, tag: '9j3ORedABPmNuwipQr36MA==' }, PASSPHRASE, AAD],
    ['another salt', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, salt: 'AAECAwQFBgcICQoLDA0ODg==' } }, PASSPHRASE, AAD],
    ['another IV', { ...KNOWN_BOX, iv: 'oKGio6Slpqeoqaqq' }, PASSPHRASE, AAD]
  ])('refuses %s with a DecryptionError', async (_what, box, passphrase, aad) => {
    await expect(open(box, passphrase, aad)).rejects.toThrow(
      new DecryptionError('the entry does not decrypt with this key (a different key, or the entry was altered)')
    )
  })
})

describe('seal', () => {
  it('writes the pinned envelope: cipher, scrypt parameters, 16-byte salt, 12-byte IV, 16-byte tag, all base64', async () => {
    const box = await seal(Buffer.from(PLAINTEXT), PASSPHRASE, AAD)

    expect(Object.keys(box).sort()).toEqual(['cipher', 'ciphertext', 'iv', 'kdf', 'tag'])
    expect(box.cipher).toBe('aes-256-gcm')
    expect(box.kdf).toEqual({ name: 'scrypt', N: 32768, r: 8, p: 1, salt: expect.any(String) })
    expect(Buffer.from(box.kdf.salt, 'base64')).toHaveLength(16)
    expect(Buffer.from(box.iv, 'base64')).toHaveLength(12)
    expect(Buffer.from(box.tag, 'base64')).toHaveLength(16)
    // GCM is a stream mode: as long as the plaintext, and not the plaintext.
    expect(Buffer.from(box.ciphertext, 'base64')).toHaveLength(Buffer.byteLength(PLAINTEXT))
    expect(Buffer.from(box.ciphertext, 'base64').toString('utf8')).not.toBe(PLAINTEXT)
  })

  it('seals what another AES-256-GCM implementation opens with the same scrypt key and additional data', async () => {
    const box = await seal(Buffer.from(PLAINTEXT), PASSPHRASE, AAD)

    expect(openIndependently(box, PASSPHRASE, AAD).toString('utf8')).toBe(PLAINTEXT)
    expect(() => openIndependently(box, PASSPHRASE, 'other')).toThrow()
  })

  it('draws a fresh salt and IV for every box', async () => {
    const first = await seal(Buffer.from(PLAINTEXT), PASSPHRASE, AAD)
    const second = await seal(Buffer.from(PLAINTEXT), PASSPHRASE, AAD)

    expect(second.kdf.salt).not.toBe(first.kdf.salt)
    expect(second.iv).not.toBe(first.iv)
    expect(second.ciphertext).not.toBe(first.ciphertext)
  })

  it('seals an empty plaintext, which opens to empty', async () => {
    const box = await seal(Buffer.alloc(0), PASSPHRASE, AAD)
    expect(box.ciphertext).toBe('')
    expect(await open(box, PASSPHRASE, AAD)).toEqual(Buffer.alloc(0))
  })
})

describe('open refuses a box this version did not write, before any key derivation', () => {
  const malformed = (message: string) => new MalformedBoxError(message)

  it.each<[string, unknown, string]>([
    ['no box', undefined, 'the encrypted part is missing'],
    ['null', null, 'the encrypted part is missing'],
    ['a string', 'box', 'the encrypted part is missing'],
    ['another cipher', { ...KNOWN_BOX, cipher: 'aes-128-gcm' }, 'unsupported cipher "aes-128-gcm"'],
    ['no cipher', { ...KNOWN_BOX, cipher: undefined }, 'unsupported cipher undefined'],
    ['no kdf', { ...KNOWN_BOX, kdf: undefined }, 'unsupported key derivation parameters'],
    ['a null kdf', { ...KNOWN_BOX, kdf: null }, 'unsupported key derivation parameters'],
    ['a kdf that is a string', { ...KNOWN_BOX, kdf: 'scrypt' }, 'unsupported key derivation parameters'],
    ['another kdf', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, name: 'pbkdf2' } }, 'unsupported key derivation parameters'],
    ['a greater N', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, N: 2 ** 20 } }, 'unsupported key derivation parameters'],
    ['a smaller N', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, N: 2 ** 14 } }, 'unsupported key derivation parameters'],
    ['another r', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, r: 16 } }, 'unsupported key derivation parameters'],
    ['another p', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, p: 4 } }, 'unsupported key derivation parameters'],
    ['N as a string', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, N: '32768' } }, 'unsupported key derivation parameters'],
    ['no salt', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, salt: undefined } }, 'salt is not base64'],
    ['a salt that is not base64', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, salt: 'AAECAwQFBgcICQoLDA0ODw==!' } }, 'salt is not base64'],
    [
      'a salt with text before the base64',
      { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, salt: '!AAECAwQFBgcICQoLDA0ODw==' } },
      'salt is not base64'
    ],
    [
      'a salt with three pad characters',
      { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, salt: 'AAECAwQFBgcICQoLDA0ODw===' } },
      'salt is not base64'
    ],
    ['a short salt', { ...KNOWN_BOX, kdf: { ...KNOWN_BOX.kdf, salt: 'AAECAwQFBgcICQoLDA0O' } }, 'salt must be 16 bytes'],
    ['an iv that is a number', { ...KNOWN_BOX, iv: 12 }, 'iv is not base64'],
    ['a 16-byte iv', { ...KNOWN_BOX, iv: 'AAECAwQFBgcICQoLDA0ODw==' }, 'iv must be 12 bytes'],
    ['no tag', { ...KNOWN_BOX, tag: undefined }, 'tag is not base64'],
    ['a truncated tag', { ...KNOWN_BOX, tag: '9j3ORedABPmNuwip' }, 'tag must be 16 bytes'],
    ['a ciphertext with a line break', { ...KNOWN_BOX, ciphertext: 'Zp0t\nG07n' }, 'ciphertext is not base64']
  ])('%s', async (_what, box, message) => {
    await expect(open(box, PASSPHRASE, AAD)).rejects.toThrow(malformed(message))
    await expect(open(box, PASSPHRASE, AAD)).rejects.toBeInstanceOf(MalformedBoxError)
  })

  it('names its errors, so a log line says which kind it was', () => {
    expect(new MalformedBoxError('x').name).toBe('MalformedBoxError')
    expect(new DecryptionError('x').name).toBe('DecryptionError')
  })
})
