// The text stored in the cache: one registration (never a token), plain or sealed with the
// `cache-encryption-key`, in a small versioned envelope:
//   {"format":"aws-sso-device-auth/registration","version":1,"registration":{...}}
//   {"format":"aws-sso-device-auth/registration","version":1,"encrypted":{cipher,kdf,iv,tag,ciphertext}}
// A plain entry is readable by anyone who can open a pull request: the client secret lets them start
// device flows under this client's name, never obtain a token without an approver.
import type { ClientRegistration } from '../oidc/types.js'
import { DecryptionError, open, seal } from './crypto.js'
import { isTime } from '../http/response-fields.js'

export const ENTRY_FORMAT = 'aws-sso-device-auth/registration'
export const ENTRY_VERSION = 1

export type DecodeFailure =
  /** Not an entry this version wrote, or not a well-formed registration. */
  | 'corrupt'
  /** Sealed, and the configured key does not open it. */
  | 'wrong-key'
  /** Sealed, and no key is configured. */
  | 'encrypted-without-key'
  /** Plain, although a key is configured (plain entries are never looked up then). */
  | 'plain-with-key'

export type DecodeResult = { ok: true; registration: ClientRegistration } | { ok: false; failure: DecodeFailure; detail: string }

/** What the entry is bound to (the identity digest): a sealed entry moved under another key does not open. */
function associatedData(identityDigest: string): string {
  return `${ENTRY_FORMAT}|${ENTRY_VERSION}|${identityDigest}`
}

export async function encodeEntry(registration: ClientRegistration, identityDigest: string, encryptionKey?: string): Promise<string> {
  // Only these fields, whatever else the object carries: nothing but the registration is stored.
  const stored: ClientRegistration = {
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    clientIdIssuedAt: registration.clientIdIssuedAt,
    clientSecretExpiresAt: registration.clientSecretExpiresAt,
    scopes: [...registration.scopes],
    clientName: registration.clientName
  }
  if (!encryptionKey) return JSON.stringify({ format: ENTRY_FORMAT, version: ENTRY_VERSION, registration: stored })
  const encrypted = await seal(Buffer.from(JSON.stringify(stored), 'utf8'), encryptionKey, associatedData(identityDigest))
  return JSON.stringify({ format: ENTRY_FORMAT, version: ENTRY_VERSION, encrypted })
}

/**
 * Reads an entry back. `mask` is called with the client secret the moment it is in hand, before
 * validation, so not even a half-valid entry can put it in a log unmasked.
 */
export async function decodeEntry(
  text: string,
  identityDigest: string,
  encryptionKey: string | undefined,
  mask: (secret: string) => void
): Promise<DecodeResult> {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return { ok: false, failure: 'corrupt', detail: 'the entry is not JSON' }
  }
  if (typeof document !== 'object' || document === null) return { ok: false, failure: 'corrupt', detail: 'the entry is not a JSON object' }
  const envelope = document as Record<string, unknown>
  if (envelope.format !== ENTRY_FORMAT || envelope.version !== ENTRY_VERSION) {
    return { ok: false, failure: 'corrupt', detail: 'the entry is not in a format this version of the action wrote' }
  }

  if ('encrypted' in envelope) {
    if (!encryptionKey) {
      return { ok: false, failure: 'encrypted-without-key', detail: 'the entry is encrypted and no cache-encryption-key is set' }
    }
    let plaintext: Buffer
    try {
      plaintext = await open(envelope.encrypted, encryptionKey, associatedData(identityDigest))
    } catch (error) {
      if (error instanceof DecryptionError) return { ok: false, failure: 'wrong-key', detail: error.message }
      return { ok: false, failure: 'corrupt', detail: `the encrypted entry is malformed: ${(error as Error).message}` }
    }
    let registration: unknown
    try {
      registration = JSON.parse(plaintext.toString('utf8'))
    } catch {
      return { ok: false, failure: 'corrupt', detail: 'the decrypted entry is not JSON' }
    }
    return checkRegistration(registration, mask)
  }

  if (encryptionKey) {
    maskSecretIn(envelope.registration, mask)
    return { ok: false, failure: 'plain-with-key', detail: 'the entry is not encrypted although cache-encryption-key is set' }
  }
  return checkRegistration(envelope.registration, mask)
}

function maskSecretIn(candidate: unknown, mask: (secret: string) => void): void {
  if (typeof candidate !== 'object' || candidate === null) return
  const secret = (candidate as Record<string, unknown>).clientSecret
  if (typeof secret === 'string' && secret !== '') mask(secret)
}

function checkRegistration(candidate: unknown, mask: (secret: string) => void): DecodeResult {
  maskSecretIn(candidate, mask)
  if (typeof candidate !== 'object' || candidate === null)
    return { ok: false, failure: 'corrupt', detail: 'the entry holds no registration' }
  const r = candidate as Record<string, unknown>
  const valid =
    typeof r.clientId === 'string' &&
    r.clientId !== '' &&
    typeof r.clientSecret === 'string' &&
    r.clientSecret !== '' &&
    Number.isFinite(r.clientIdIssuedAt) &&
    // A time a Date holds: the expiry is printed and compared (whoever saves the entry chooses it).
    typeof r.clientSecretExpiresAt === 'number' &&
    isTime(r.clientSecretExpiresAt * 1000) &&
    Array.isArray(r.scopes) &&
    r.scopes.every((scope) => typeof scope === 'string') &&
    typeof r.clientName === 'string'
  if (!valid) return { ok: false, failure: 'corrupt', detail: 'the stored registration is missing fields or has fields of the wrong type' }
  return {
    ok: true,
    registration: {
      clientId: r.clientId as string,
      clientSecret: r.clientSecret as string,
      clientIdIssuedAt: r.clientIdIssuedAt as number,
      clientSecretExpiresAt: r.clientSecretExpiresAt as number,
      scopes: [...(r.scopes as string[])],
      clientName: r.clientName as string
    }
  }
}
