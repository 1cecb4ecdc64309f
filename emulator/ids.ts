// Identifiers and secrets the emulator hands out. Shapes follow what AWS returns (prefixes, lengths,
// alphabets) so that clients are exercised with realistic values, but every value is random and
// opaque: nothing is derived from another value, so nothing can be guessed from what a log shows.
import { randomBytes, randomInt, randomUUID } from 'node:crypto'

function base64url(bytes: number): string {
  return randomBytes(bytes).toString('base64url')
}

function fromAlphabet(alphabet: string, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)]
  return out
}

/** RFC 8628 §6.1: consonants only, no vowels (no words) and no look-alikes such as 0/O or 1/I. */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

/** `ABCD-EFGH`, the shape the AWS consent page asks for. */
export function newUserCode(): string {
  return `${fromAlphabet(USER_CODE_ALPHABET, 4)}-${fromAlphabet(USER_CODE_ALPHABET, 4)}`
}

/** Accepts what a person may type: lower case, spaces, with or without the hyphen. */
export function normalizeUserCode(input: string): string {
  const letters = input.toUpperCase().replace(/[^A-Z]/g, '')
  return letters.length === 8 ? `${letters.slice(0, 4)}-${letters.slice(4)}` : input.trim().toUpperCase()
}

export function newClientId(): string {
  return base64url(16) + 'dXMtZWFzdC0x' // AWS client ids end in the base64 of their region
}

/** AWS client secrets are ~1 KB JWT-like strings (docs/protocol.md §1): clients must cope with the size. */
export function newClientSecret(): string {
  const header = Buffer.from(JSON.stringify({ kid: `key-${randomUUID()}`, alg: 'HS384' })).toString('base64url')
  return `${header}.${base64url(640)}.${base64url(48)}`
}

export function newDeviceCode(): string {
  return base64url(96)
}

export function newAccessToken(): string {
  return 'aoa' + base64url(192)
}

export function newRefreshToken(): string {
  return 'aor' + base64url(192)
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const SECRET_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Temporary (STS-issued) access key ids start with ASIA and are 20 characters long. */
export function newAccessKeyId(): string {
  return 'ASIA' + fromAlphabet(UPPER_ALNUM, 16)
}

export function newSecretAccessKey(): string {
  return fromAlphabet(SECRET_KEY_ALPHABET, 40)
}

export function newSessionToken(): string {
  return 'IQoJb3JpZ2luX2Vj' + randomBytes(600).toString('base64')
}

/** A role's unique id, as IAM shows it in `aws:userid`: AROA and 17 upper-case letters and digits. */
export function newRoleId(): string {
  return 'AROA' + fromAlphabet(UPPER_ALNUM, 17)
}

/** The 16 hex digits IAM Identity Center appends to a permission set's role name. */
export function newRoleSuffix(): string {
  return randomBytes(8).toString('hex')
}

export function newRequestId(): string {
  return randomUUID()
}
