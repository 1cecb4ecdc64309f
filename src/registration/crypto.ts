// Authenticated encryption of the cached registration with a key taken from a secret input.
//
// Anyone who can open a pull request can read the repository's caches, and the stored text is all
// they get, so the key is stretched with scrypt (a person may well choose a short passphrase) and a
// fresh random salt and 12-byte IV go with every entry. AES-256-GCM authenticates the ciphertext and
// the additional data (what the entry is for), so a wrong key, an edited entry or an entry copied to
// another key all fail the same way: the tag does not verify.
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto'

/** The scrypt parameters of every entry this version writes: about 32 MiB and ~100 ms once per run. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const
const KEY_LENGTH = 32
const SALT_LENGTH = 16
const IV_LENGTH = 12
const TAG_LENGTH = 16
// scrypt needs 128 * N * r bytes; Node's default ceiling (32 MiB) is exactly that, so allow headroom.
const SCRYPT_MAXMEM = 64 * 1024 * 1024

/** The encrypted part of a stored entry; every byte field is base64. */
export interface SealedBox {
  cipher: 'aes-256-gcm'
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string }
  iv: string
  tag: string
  ciphertext: string
}

/** The key does not open this box: a different key, or the box was altered. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError'
}

export async function seal(plaintext: Buffer, passphrase: string, associatedData: string): Promise<SealedBox> {
  const salt = randomBytes(SALT_LENGTH)
  const iv = randomBytes(IV_LENGTH)
  const key = await deriveKey(passphrase, salt)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH })
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return {
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', ...SCRYPT_PARAMS, salt: salt.toString('base64') },
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64')
  }
}

/**
 * Opens a box. The box comes from a cache anyone with a pull request can write to their own scope,
 * so its parameters are checked against the ones this version writes before any work is done: an
 * entry must not be able to ask for a gigabyte of scrypt memory.
 */
export async function open(box: unknown, passphrase: string, associatedData: string): Promise<Buffer> {
  const checked = checkBox(box)
  const key = await deriveKey(passphrase, checked.salt)
  const decipher = createDecipheriv('aes-256-gcm', key, checked.iv, { authTagLength: TAG_LENGTH })
  decipher.setAAD(Buffer.from(associatedData, 'utf8'))
  decipher.setAuthTag(checked.tag)
  try {
    return Buffer.concat([decipher.update(checked.ciphertext), decipher.final()])
  } catch {
    throw new DecryptionError('the entry does not decrypt with this key (a different key, or the entry was altered)')
  }
}

/** The box's shape is wrong: not something this version wrote. */
export class MalformedBoxError extends Error {
  override readonly name = 'MalformedBoxError'
}

function checkBox(box: unknown): { salt: Buffer; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  if (typeof box !== 'object' || box === null) throw new MalformedBoxError('the encrypted part is missing')
  const candidate = box as Record<string, unknown>
  const kdf = candidate.kdf as Record<string, unknown> | undefined
  if (candidate.cipher !== 'aes-256-gcm') throw new MalformedBoxError(`unsupported cipher ${JSON.stringify(candidate.cipher)}`)
  if (
    typeof kdf !== 'object' ||
    kdf === null ||
    kdf.name !== 'scrypt' ||
    kdf.N !== SCRYPT_PARAMS.N ||
    kdf.r !== SCRYPT_PARAMS.r ||
    kdf.p !== SCRYPT_PARAMS.p
  ) {
    throw new MalformedBoxError('unsupported key derivation parameters')
  }
  const salt = base64Field(kdf.salt, 'salt', SALT_LENGTH)
  const iv = base64Field(candidate.iv, 'iv', IV_LENGTH)
  const tag = base64Field(candidate.tag, 'tag', TAG_LENGTH)
  const ciphertext = base64Field(candidate.ciphertext, 'ciphertext')
  return { salt, iv, tag, ciphertext }
}

function base64Field(value: unknown, name: string, length?: number): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new MalformedBoxError(`${name} is not base64`)
  const bytes = Buffer.from(value, 'base64')
  if (length !== undefined && bytes.length !== length) throw new MalformedBoxError(`${name} must be ${length} bytes`)
  return bytes
}

/** scrypt with this version's parameters: the cache's key, and the hand-off's master key (handoff/seal.ts). */
export function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  const options: ScryptOptions = { ...SCRYPT_PARAMS, maxmem: SCRYPT_MAXMEM }
  // The async form runs on the thread pool: the event loop (and the log) keeps moving meanwhile.
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}
