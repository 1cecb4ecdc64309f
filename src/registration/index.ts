// Where the OIDC client registration comes from. This is the single place that decides whether to
// reuse a registration or call RegisterClient:
// - with `cache-registration` on, the newest cached registration is restored first and used when
//   it matches the scopes and stays valid for more than 15 minutes (cache.ts checks both);
// - otherwise, and whenever AWS rejected the one in use (invalid_client), RegisterClient is called
//   and the new registration saved, so the next run finds it (the newest entry wins a restore).
//
// The restore sits on the path to the prompt (nothing can be shown before a registration exists),
// bounded by its deadline; a save never does: it starts in the background, overlapping the prompt
// and the polling, and `finishSaving()` waits for it before the step ends.
import { definedFields } from '../defined.js'
import * as core from '@actions/core'
import { rm } from 'node:fs/promises'
import { maskRegistration } from '../model/secrets.js'
import type { SsoOidcClient } from '../oidc/client.js'
import type { ClientRegistration } from '../oidc/types.js'
import { sanitize } from '../text/sanitize.js'
import { isCacheServiceAvailable, restoreRegistration, saveRegistration, type RegistrationCacheOptions } from './cache.js'
import { registrationFilePath, type RegistrationIdentity } from './key.js'

export interface RegistrationCachePolicy {
  /** The `cache-registration` input. */
  enabled: boolean
  /** The `cache-encryption-key` input (already masked); empty or absent stores plain entries. */
  encryptionKey?: string
}

export interface ObtainOptions {
  /** A registration AWS refused (invalid_client): never hand it out again. */
  replacing?: ClientRegistration
}

/** Runs one AWS call with the caller's retries (the flow's setup retry window). */
export type Retrying = <T>(call: () => Promise<T>) => Promise<T>

export interface RegistrationSourceOptions {
  client: Pick<SsoOidcClient, 'registerClient'>
  /** The registration wanted: a cached one is used only for exactly the same. */
  wanted: RegistrationIdentity
  cache: RegistrationCachePolicy
  retrying?: Retrying
  /** The file the cache's save archives (registrationFilePath()); tests point it elsewhere. */
  cacheFile?: string
  /** Epoch ms: no restore or save runs past it (each is cut short to what is left). */
  deadline?: number
  /** The longest a restore or a save may take, when shorter than their own bounds. */
  limitMs?: number
  /** The run's cancellation: a restore or save in progress is given up at once. */
  signal?: AbortSignal
}

export class RegistrationSource {
  private readonly options: RegistrationSourceOptions
  private readonly cacheOptions: RegistrationCacheOptions
  /** Saves run one after another: they share the one file the library archives. */
  private saves: Promise<void> = Promise.resolve()
  /** Whether a save of this run may have left the cache's file in HOME (only if it reached the service). */
  private cacheTouched = false
  private cacheHung = false
  private warned = false

  constructor(options: RegistrationSourceOptions) {
    this.options = options
    const { encryptionKey } = options.cache
    this.cacheOptions = {
      ...options.wanted,
      ...(encryptionKey ? { encryptionKey } : {}),
      ...definedFields({ deadline: options.deadline, limitMs: options.limitMs, signal: options.signal }),
      onWarning: (message) => this.warnOnce(message)
    }
  }

  /**
   * A registration to start a device authorization with: the cached one when it is usable (first
   * call only), else a new one, saved in the background. With `replacing`, always a new one.
   */
  async obtain(options: ObtainOptions = {}): Promise<ClientRegistration> {
    const { wanted, cache } = this.options
    if (options.replacing) {
      // The client id is AWS's answer (or a cache entry's): outside text, so through the one sanitiser.
      core.info(`Registering a new OIDC client to replace ${sanitize(options.replacing.clientId)}, which AWS no longer accepts.`)
    } else if (cache.enabled) {
      const restored = await restoreRegistration(this.cacheOptions)
      if (restored.status === 'restored') return restored.registration
      // A service that did not answer the restore in time: a save would wait on it a second time.
      if (restored.status === 'timed-out') this.cacheHung = true
    } else {
      core.debug('cache-registration is false: registering a new OIDC client without looking in the Actions cache.')
    }

    const retrying = this.options.retrying ?? ((call) => call())
    const registration = await retrying(() => this.options.client.registerClient({ clientName: wanted.clientName, scopes: wanted.scopes }))
    // Masked before anything else runs: the client secret authenticates every later call.
    maskRegistration(registration)
    core.info(
      `Registered OIDC client "${sanitize(wanted.clientName)}" (scopes: ${wanted.scopes.join(' ')}), valid until ${new Date(registration.clientSecretExpiresAt * 1000).toISOString()}.`
    )
    this.saveInBackground(registration)
    return registration
  }

  /**
   * Lets a save in progress finish (each is bounded; skipped when `wait` is false, on cancellation)
   * and removes the file a save given up on may have left (restoring writes no file). Never throws.
   */
  async finishSaving({ wait }: { wait: boolean }): Promise<void> {
    if (wait) await this.saves
    if (this.cacheTouched) await rm(this.options.cacheFile ?? registrationFilePath(), { force: true }).catch(() => undefined)
  }

  private saveInBackground(registration: ClientRegistration): void {
    if (!this.options.cache.enabled) return
    if (this.cacheHung) {
      core.debug('The Actions cache did not answer the restore; the new OIDC client registration is not saved in this run.')
      return
    }
    this.cacheTouched ||= isCacheServiceAvailable()
    // saveRegistration never throws.
    this.saves = this.saves.then(() => saveRegistration(registration, this.cacheOptions))
  }

  /** One cache warning per run: a service that fails the restore will likely fail the save too. */
  private warnOnce(message: string): void {
    if (this.warned) {
      core.debug(message)
      return
    }
    this.warned = true
    core.warning(message)
  }
}
