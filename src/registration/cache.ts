// The client registration in the Actions cache: restored before RegisterClient, saved after it.
//
// Caching is an optimisation, never a reason to fail or to stall the gate:
// - Neither function throws. Whatever goes wrong costs at most one warning (a plain miss, an
//   unavailable service, a key another job saved first or an expiring registration only a debug
//   line) and the caller registers.
// - Both directions are the action's own requests; @actions/cache is never loaded. Restoring never
//   extracts anything (entry-fetch.ts): the entry is looked up and downloaded into memory and read
//   there, because an archive in the cache may have been written by someone else (SECURITY.md,
//   "Cache poisoning"); an entry of any other shape is refused with one warning. Saving builds the
//   archive in memory, as the library would have, and uploads it (entry-save.ts, which says why
//   not the library): no file with the secret in it is written.
// - Both are bounded in time: their requests are torn down at the deadline or on cancellation,
//   so nothing of the cache keeps the process alive after it.
import * as core from '@actions/core'
import type { ClientRegistration } from '../oidc/types.js'
import { sanitize } from '../text/sanitize.js'
import { entryArchive } from './archive-write.js'
import { cacheVersion, compressionMethodOfThisRunner } from './cache-version.js'
import { decodeEntry, encodeEntry } from './entry.js'
import { fetchEntry, type FetchedEntry } from './entry-fetch.js'
import { saveCacheEntry } from './entry-save.js'
import {
  archivedFileName,
  identityDigest,
  normalizeScopes,
  REGISTRATION_CACHE_PATH,
  registrationKey,
  registrationKeyPrefix,
  type RegistrationIdentity
} from './key.js'
import { isCacheReadable, isCacheServiceAvailable, isCacheWritable } from './service.js'
import { clip } from '../text/lines.js'
import { isoUtc, seconds } from '../time/format.js'
import { settleWithin } from '../time/limit.js'

export { isCacheServiceAvailable } from './service.js'

export interface RegistrationCacheOptions extends RegistrationIdentity {
  /** From the `cache-encryption-key` input (a secret); empty or absent stores the entry in plain JSON. */
  encryptionKey?: string
  /** Bound on the whole restore, library loading included. Default 10 s. */
  restoreTimeoutMs?: number
  /** Bound on the whole save. Default 15 s. */
  saveTimeoutMs?: number
  /** Where the one warning goes. Default core.warning; the action passes a sink that keeps one per run. */
  onWarning?: (message: string) => void
  /** The run's cancellation: a restore or save in progress is given up at once, without a warning. */
  signal?: AbortSignal
  /** Epoch ms: a restore or save is cut short to what is left before it (the `timeout` input). */
  deadline?: number
  /** A ceiling on both bounds above: with a short `timeout`, the cache may use only a part of it. */
  limitMs?: number
}

/**
 * What a restore found. `timed-out` is told apart from a plain miss because a service that did not
 * answer one request is not worth a second wait for a save in the same run.
 */
export type RestoreResult = { status: 'restored'; registration: ClientRegistration } | { status: 'not-restored' } | { status: 'timed-out' }

export const DEFAULT_RESTORE_TIMEOUT_MS = 10_000
export const DEFAULT_SAVE_TIMEOUT_MS = 15_000
/** A registration this close to its expiry is not reused: the device flow itself can take that long. */
export const MIN_REMAINING_VALIDITY_MS = 15 * 60 * 1000

const SKIP_NOTE = 'a new client will be registered'
const NOT_RESTORED: RestoreResult = { status: 'not-restored' }

/**
 * The newest cached registration for these options, if it is usable: it decodes, matches the scopes
 * and client name, and stays valid for more than 15 minutes after `now` (epoch milliseconds).
 * Never throws; at most one warning.
 */
export async function restoreRegistration(options: RegistrationCacheOptions, now: number = Date.now()): Promise<RestoreResult> {
  try {
    return await restore(options, now)
  } catch (error) {
    warn(options, `Could not use the Actions cache for the OIDC client registration (${describe(error)}); ${SKIP_NOTE}.`)
    return NOT_RESTORED
  }
}

/**
 * Saves a newly registered client under a key of its own. Never throws; a save another job won
 * (the key already exists) is a debug line, any other failure one warning.
 */
export async function saveRegistration(registration: ClientRegistration, options: RegistrationCacheOptions): Promise<void> {
  try {
    await save(registration, options)
  } catch (error) {
    warn(options, `Could not save the OIDC client registration to the Actions cache (${describe(error)}).`)
  }
}

async function restore(options: RegistrationCacheOptions, now: number): Promise<RestoreResult> {
  if (!isCacheServiceAvailable()) {
    core.debug(`The Actions cache service is not available to this step; ${SKIP_NOTE}.`)
    return NOT_RESTORED
  }
  if (!isCacheReadable()) {
    core.debug(`The runner's cache mode does not allow restoring; ${SKIP_NOTE}.`)
    return NOT_RESTORED
  }
  const identity = identityOf(options)
  const encryptionKey = options.encryptionKey || undefined
  const prefix = registrationKeyPrefix(identity, encryptionKey !== undefined)
  const timeoutMs = boundBy(options, options.restoreTimeoutMs ?? DEFAULT_RESTORE_TIMEOUT_MS)

  // The requests end for real at the deadline or on cancellation, not only our wait for them.
  const cutoff = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, cutoff]) : cutoff
  const outcome = await settleWithin(
    () => fetchEntry({ prefix, cachePath: REGISTRATION_CACHE_PATH, archivedName: archivedFileName(), timeoutMs, signal }),
    timeoutMs,
    options.signal
  )

  if (outcome.status !== 'done') {
    // A request torn down by the cutoff or the cancellation fails at that moment: the same outcome.
    const cancelled = outcome.status === 'cancelled' || (outcome.status === 'failed' && options.signal?.aborted === true)
    const timedOut = outcome.status === 'timed-out' || (outcome.status === 'failed' && cutoff.aborted)
    if (cancelled) return { status: 'timed-out' }
    if (timedOut) {
      warn(options, `The Actions cache did not answer within ${seconds(timeoutMs)}; ${SKIP_NOTE}.`)
      return { status: 'timed-out' }
    }
    const error = outcome.status === 'failed' ? outcome.error : undefined
    warn(options, `Could not restore the OIDC client registration from the Actions cache (${describe(error)}); ${SKIP_NOTE}.`)
    return NOT_RESTORED
  }
  const fetched: FetchedEntry = outcome.value
  if (fetched.status === 'miss') {
    core.debug(`No cached OIDC client registration under ${prefix}*; ${SKIP_NOTE}.`)
    return NOT_RESTORED
  }
  // The key is whoever saved the entry's choice (a restore key matches by prefix): it reaches
  // the log only through the one sanitiser.
  const matchedKey = sanitize(fetched.key, { maxLength: 512 })
  if (fetched.status === 'refused') {
    if (fetched.misplaced) {
      // An entry this action saved on a runner whose workspace sits at another depth below HOME.
      warn(
        options,
        `The cached OIDC client registration ${matchedKey} was saved on a runner of another layout (${fetched.reason}); ${SKIP_NOTE}.`
      )
    } else {
      warn(
        options,
        `Ignoring the cached OIDC client registration ${matchedKey}: the cache entry is not one this action wrote (${fetched.reason}); ${SKIP_NOTE}. ` +
          "If this repeats, someone may be writing to this repository's Actions cache: see SECURITY.md."
      )
    }
    return NOT_RESTORED
  }

  const decoded = await decodeEntry(fetched.text, identityDigest(identity), encryptionKey, (secret) => core.setSecret(secret))
  if (!decoded.ok) {
    const advice =
      decoded.failure === 'wrong-key' ? ' If cache-encryption-key was changed, this is expected once; the next save uses the new key.' : ''
    warn(options, `Ignoring the cached OIDC client registration ${matchedKey}: ${decoded.detail}; ${SKIP_NOTE}.${advice}`)
    return NOT_RESTORED
  }
  const registration = decoded.registration
  if (!sameScopes(registration.scopes, options.scopes) || registration.clientName !== options.clientName) {
    warn(
      options,
      `Ignoring the cached OIDC client registration ${matchedKey}: it was made for other scopes or another client name; ${SKIP_NOTE}.`
    )
    return NOT_RESTORED
  }
  const expiresAt = registration.clientSecretExpiresAt * 1000
  if (expiresAt - now <= MIN_REMAINING_VALIDITY_MS) {
    core.debug(
      `The cached OIDC client registration ${sanitize(registration.clientId)} expires at ${isoUtc(expiresAt)}, within 15 minutes; ${SKIP_NOTE}.`
    )
    return NOT_RESTORED
  }
  core.info(`Reusing the cached OIDC client registration ${sanitize(registration.clientId)}, valid until ${isoUtc(expiresAt)}.`)
  return { status: 'restored', registration }
}

async function save(registration: ClientRegistration, options: RegistrationCacheOptions): Promise<void> {
  if (!isCacheServiceAvailable()) {
    core.debug('The Actions cache service is not available to this step; the OIDC client registration is not saved.')
    return
  }
  if (!isCacheWritable()) {
    core.debug("The runner's cache mode does not allow saving; the OIDC client registration is not saved.")
    return
  }
  const identity = identityOf(options)
  const encryptionKey = options.encryptionKey || undefined
  const key = registrationKey(registrationKeyPrefix(identity, encryptionKey !== undefined), registration)
  const timeoutMs = boundBy(options, options.saveTimeoutMs ?? DEFAULT_SAVE_TIMEOUT_MS)

  // Built in memory: no file with the secret in it is ever written (entry-save.ts says why not @actions/cache).
  const method = compressionMethodOfThisRunner()
  const document = await encodeEntry(registration, identityDigest(identity), encryptionKey)
  const archive = await entryArchive(archivedFileName(), Buffer.from(document, 'utf8'), method)
  const version = cacheVersion([REGISTRATION_CACHE_PATH], method)

  // As the restore: the requests end for real at the deadline or on cancellation.
  const cutoff = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, cutoff]) : cutoff
  const outcome = await settleWithin(() => saveCacheEntry({ key, version, archive, timeoutMs, signal }), timeoutMs, options.signal)

  const cancelled = outcome.status === 'cancelled' || (outcome.status === 'failed' && options.signal?.aborted === true)
  if (cancelled) return
  if (outcome.status === 'timed-out' || (outcome.status === 'failed' && cutoff.aborted)) {
    warn(options, `The Actions cache did not take the OIDC client registration within ${seconds(timeoutMs)}; it is not saved.`)
    return
  }
  if (outcome.status === 'failed') {
    warn(options, `Could not save the OIDC client registration to the Actions cache (${describe(outcome.error)}).`)
    return
  }
  if (outcome.value.status === 'exists') {
    // Many jobs starting at once on an empty cache each register; the first save wins.
    core.debug(`The Actions cache already holds ${sanitize(key)} (another job saved it first); nothing to do.`)
    return
  }
  core.info(`Saved the OIDC client registration to the Actions cache as ${sanitize(key)}.`)
}

/** Every warning passes the sanitiser: it quotes the service's key and the entry's member names. */
function warn(options: RegistrationCacheOptions, message: string): void {
  const sink = options.onWarning ?? core.warning
  sink(sanitize(message))
}

function identityOf(options: RegistrationCacheOptions): RegistrationIdentity {
  return { startUrl: options.startUrl, region: options.region, scopes: options.scopes, clientName: options.clientName }
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const left = normalizeScopes(a)
  const right = normalizeScopes(b)
  return left.length === right.length && left.every((scope, index) => scope === right[index])
}

/** `ms`, or less under the limit or when the deadline comes sooner (at least 1 ms: the call then gives up at once). */
function boundBy(options: Pick<RegistrationCacheOptions, 'deadline' | 'limitMs'>, ms: number): number {
  const left = options.deadline === undefined ? Infinity : Math.floor(options.deadline - Date.now())
  return Math.max(1, Math.min(ms, options.limitMs ?? Infinity, left))
}

function describe(error: unknown): string {
  return clip(error instanceof Error ? error.message : String(error))
}
