// The sealed hand-off: a hand-off record (model/handoff.ts) encrypted with AES-256-GCM under a key
// derived from the `handoff-key` input, bound to the repository and the workflow run, and written
// as one line of plain text so that it can travel as a job output.
//
//   h1.<header>.<body>         (each part base64url, no padding)
//   header: {"repository","repositoryId"?,"runId","expiresAt"}  (JSON, in the clear)
//   body:   salt (16) | iv (12) | key check (16) | ciphertext | GCM tag (16)
//
// The header is in the clear so that a value from another repository or run, or an expired one,
// is refused with its own line before any key is derived; it is the GCM additional data, so a
// header changed to fit this run makes the tag fail. The key check is a second value derived from
// the same key: it tells a wrong key apart from an altered value. It gives an attacker nothing the
// tag does not already give (both let a guess be verified offline), which is why the key must carry
// at least 128 bits (inputs.ts checkEncryptionKeyStrength).
//
// The key: scrypt over the input with a fresh salt (as the cache's key, registration/crypto.ts),
// then HKDF-SHA256 with a label of its own, so a passphrase used for both purposes never gives the
// same key twice.
//
// Not a secret without the key, so no mask is registered for it: the runner drops a job output in
// which any masked value appears ("Skip output … since it may contain secret", JobExtension.cs).
// base64url of random bytes cannot hold a long secret except by chance (a 20-character one about
// once in 10^33 values), and sealing checks the value against every secret this step knows and
// seals again with fresh randomness in the unlikely case one appears. A SHORT workflow secret
// (a few characters) is what could still appear: docs/handoff.md explains why and what to do.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { InputError, UserFacingError } from '../errors.js'
import { deriveKey } from '../registration/crypto.js'
import { HANDOFF_VERSION, MalformedHandoffError, parseHandoffRecord, serializeHandoffRecord } from '../model/handoff.js'
import type { HandoffBinding, HandoffRecord } from '../model/handoff.js'
import { isoUtc } from '../time/format.js'

const PREFIX = `h${HANDOFF_VERSION}`
/** HKDF's info: what the key is for, apart from the cache's scrypt key of the same passphrase. */
const PURPOSE = `aws-sso-device-auth handoff v${HANDOFF_VERSION}`
const SALT = 16
const IV = 12
const CHECK = 16
const TAG = 16
const HEADER_LIMIT = 1024
/** Job outputs may be up to 1 MB a job; a hand-off of 100 roles is well under 1 MB. */
export const SEALED_LIMIT = 512 * 1024
/** Fresh randomness tried when a known secret appears in the value by chance. */
const SEAL_ATTEMPTS = 8

/** The value cannot be opened here; the message is the one line to show. */
export class HandoffRefusedError extends InputError {
  constructor(message: string) {
    super('handoff', message)
  }
}

export interface SealOptions {
  /**
   * Every secret this step registered with the runner: the sealed value must contain none of them,
   * nor their base64 forms (the runner masks those too), or the runner drops the job output.
   */
  avoid: readonly string[]
}

export async function sealHandoff(record: HandoffRecord, key: string, binding: HandoffBinding, options: SealOptions): Promise<string> {
  const header = Buffer.from(JSON.stringify({ ...binding, expiresAt: record.expiresAt }), 'utf8')
  const plaintext = Buffer.from(serializeHandoffRecord(record), 'utf8')
  const masked = maskedForms(options.avoid)
  for (let attempt = 0; attempt < SEAL_ATTEMPTS; attempt++) {
    const salt = randomBytes(SALT)
    const iv = randomBytes(IV)
    const keys = await deriveKeys(key, salt)
    const cipher = createCipheriv('aes-256-gcm', keys.encryption, iv, { authTagLength: TAG })
    cipher.setAAD(additionalData(header))
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
    const body = Buffer.concat([salt, iv, keys.check, ciphertext, cipher.getAuthTag()])
    const value = `${PREFIX}.${header.toString('base64url')}.${body.toString('base64url')}`
    if (!masked.some((secret) => value.includes(secret))) return value
  }
  const shortest = Math.min(...options.avoid.filter((secret) => secret !== '').map((secret) => secret.length))
  throw new UserFacingError(
    `Could not seal the hand-off without a masked value in it (a secret of ${shortest} characters keeps appearing), and the runner would drop such a job output; use longer secrets in this job.`
  )
}

/** What the value says before it is opened: the binding and the expiry, unauthenticated until decryption. */
interface Parsed {
  header: Buffer
  binding: HandoffBinding
  expiresAt: number
  salt: Buffer
  iv: Buffer
  check: Buffer
  ciphertext: Buffer
  tag: Buffer
}

/**
 * Opens a sealed value in the job that needs it. Everything is checked before anything is
 * returned, each refusal its own line: the format, the repository and run, the expiry, the key,
 * the seal, the record.
 */
export async function openHandoff(value: string, key: string, binding: HandoffBinding, now: number = Date.now()): Promise<HandoffRecord> {
  const parsed = parseSealed(value)
  refuseOtherBinding(parsed.binding, binding)
  if (now >= parsed.expiresAt) {
    throw new HandoffRefusedError(
      `Input 'handoff' expired at ${isoUtc(parsed.expiresAt)}, when the role credentials it holds expire; run the gate job again for a new approval.`
    )
  }
  const keys = await deriveKeys(key, parsed.salt)
  if (!timingSafeEqual(keys.check, parsed.check)) {
    throw new HandoffRefusedError(
      "Input 'handoff-key' does not open input 'handoff': the gate job sealed it with another key (or the value was altered); give this job the same handoff-key secret as the gate job."
    )
  }
  const decipher = createDecipheriv('aes-256-gcm', keys.encryption, parsed.iv, { authTagLength: TAG })
  decipher.setAAD(additionalData(parsed.header))
  decipher.setAuthTag(parsed.tag)
  let plaintext: Buffer
  try {
    plaintext = Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()])
  } catch {
    throw altered('its seal does not verify')
  }
  let record: HandoffRecord
  try {
    record = parseHandoffRecord(plaintext.toString('utf8'))
  } catch (error) {
    if (error instanceof MalformedHandoffError) throw altered(error.message)
    throw error
  }
  // The header's expiry is authenticated now; the record's own must agree with it.
  if (record.expiresAt !== parsed.expiresAt) throw altered('its expiry does not match')
  return record
}

function parseSealed(value: string): Parsed {
  const notHandoff = (problem: string): never => {
    throw new HandoffRefusedError(
      `Input 'handoff' is not a hand-off sealed by this action (${problem}); pass the gate job's output unchanged, like \${{ needs.gate.outputs.handoff }}.`
    )
  }
  if (value.length > SEALED_LIMIT) notHandoff('too long')
  const parts = value.split('.')
  const version = /^h(\d{1,4})$/.exec(parts[0] ?? '')
  if (parts.length !== 3 || !version) notHandoff('not three parts starting with h1')
  if (version![1] !== String(HANDOFF_VERSION)) {
    throw new HandoffRefusedError(
      `Input 'handoff' has format version ${version![1]}, and this version of the action reads version ${HANDOFF_VERSION}; use the same version of the action in the gate job and in this job.`
    )
  }
  const [, headerText = '', bodyText = ''] = parts
  if (!/^[\w-]+$/.test(headerText) || !/^[\w-]+$/.test(bodyText)) notHandoff('not base64url')
  const header = Buffer.from(headerText, 'base64url')
  const body = Buffer.from(bodyText, 'base64url')
  if (header.length > HEADER_LIMIT) notHandoff('its header is too long')
  if (body.length < SALT + IV + CHECK + 1 + TAG) notHandoff('too short')
  const fields = readHeader(header) ?? notHandoff('its header is not one this version writes')
  let at = 0
  const take = (length: number) => body.subarray(at, (at += length))
  const salt = take(SALT)
  const iv = take(IV)
  const check = take(CHECK)
  const ciphertext = take(body.length - at - TAG)
  return { header, ...fields, salt, iv, check, ciphertext, tag: take(TAG) }
}

/** The header's fields, of exactly the shapes sealing writes, or undefined. */
function readHeader(header: Buffer): Pick<Parsed, 'binding' | 'expiresAt'> | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(header.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const { repository, repositoryId, runId, expiresAt, ...rest } = parsed as Record<string, unknown>
  const id = /^[1-9]\d{0,19}$/
  if (Object.keys(rest).length > 0) return undefined
  if (typeof repository !== 'string' || !/^[A-Za-z0-9-]{1,39}\/[\w.-]{1,100}$/.test(repository)) return undefined
  if (typeof runId !== 'string' || !id.test(runId)) return undefined
  if (repositoryId !== undefined && (typeof repositoryId !== 'string' || !id.test(repositoryId))) return undefined
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt <= 0) return undefined
  return { binding: { repository, runId, ...(repositoryId === undefined ? {} : { repositoryId }) }, expiresAt }
}

/** Another repository's or run's value: refused before any key is derived. Names only what it checked. */
function refuseOtherBinding(sealed: HandoffBinding, here: HandoffBinding): void {
  const otherRepository =
    sealed.repository.toLowerCase() !== here.repository.toLowerCase() ||
    (sealed.repositoryId !== undefined && here.repositoryId !== undefined && sealed.repositoryId !== here.repositoryId) ||
    (sealed.repositoryId === undefined) !== (here.repositoryId === undefined)
  if (otherRepository) {
    throw new HandoffRefusedError(
      `Input 'handoff' was sealed in another repository (${sealed.repository}) and only opens in the workflow run that sealed it; pass this run's gate job output.`
    )
  }
  if (sealed.runId !== here.runId) {
    throw new HandoffRefusedError(
      `Input 'handoff' was sealed in another workflow run (${sealed.runId}, this is ${here.runId}) and only opens in the run that sealed it; pass this run's gate job output, like \${{ needs.gate.outputs.handoff }}.`
    )
  }
}

function altered(problem: string): HandoffRefusedError {
  return new HandoffRefusedError(
    `Input 'handoff' was altered after the gate job sealed it (${problem}); pass the gate job's output unchanged, like \${{ needs.gate.outputs.handoff }}.`
  )
}

function additionalData(header: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${PURPOSE}\n`, 'utf8'), header])
}

async function deriveKeys(key: string, salt: Buffer): Promise<{ encryption: Buffer; check: Buffer }> {
  const master = await deriveKey(key, salt)
  const encryption = Buffer.from(hkdfSync('sha256', master, salt, `${PURPOSE} encryption`, 32))
  const check = Buffer.from(hkdfSync('sha256', master, salt, `${PURPOSE} key check`, CHECK))
  return { encryption, check }
}

/**
 * Each secret in the forms the runner's masker also hides (its value encoders, HostContext.cs):
 * as given, each line of it, JSON- and URI-escaped, and base64 of it and of it without its first
 * one or two bytes, in both alphabets, cut to whole 3-byte groups: a shorter needle is the cautious one.
 */
function maskedForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>()
  for (const secret of secrets.filter((value) => value !== '')) {
    for (const text of [secret, ...secret.split(/\r?\n/), JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
      if (text !== '') forms.add(text)
    }
    const bytes = Buffer.from(secret, 'utf8')
    for (const shift of [0, 1, 2]) {
      // Whole 3-byte groups only: their characters do not depend on what follows.
      const groups = bytes.subarray(shift, shift + Math.floor((bytes.length - shift) / 3) * 3)
      if (groups.length > 0) forms.add(groups.toString('base64')).add(groups.toString('base64url'))
    }
  }
  return [...forms]
}
