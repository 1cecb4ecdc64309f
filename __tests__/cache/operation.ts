// One restoreRegistration or saveRegistration, as the action's main step makes it, and what came
// of it (never the client secret, only a digest of it). Shared by the two ways the cache tests run
// one: in the test's own process (in-process.ts) and in a process of its own (driver.ts).
import { createHash } from 'node:crypto'
import type { ClientRegistration } from '../../src/oidc/types.js'
import type { restoreRegistration, saveRegistration, RegistrationCacheOptions } from '../../src/registration/cache.js'

export interface DriverRequest {
  op: 'restore' | 'save'
  options: RegistrationCacheOptions
  registration?: ClientRegistration
  /** Epoch milliseconds passed to restoreRegistration. */
  now?: number
  /** Driver only: leave the process to end by itself (to see what keeps the event loop alive). */
  linger?: boolean
  /**
   * Driver only: import @actions/cache before the save starts, so its bound is spent on the save
   * and not on loading megabytes of modules (seconds on a busy machine).
   */
  preloadLibrary?: boolean
}

export interface DriverResult {
  op: 'restore' | 'save'
  elapsedMs: number
  found?: boolean
  /** restoreRegistration's status. */
  status?: string
  clientId?: string
  clientSecretSha256?: string
  registration?: Omit<ClientRegistration, 'clientSecret'>
  /** Driver only: whether @actions/cache was imported (it must not be for a restore, nor when the service is unavailable). */
  libraryLoaded?: boolean
}

export interface CacheFunctions {
  restoreRegistration: typeof restoreRegistration
  saveRegistration: typeof saveRegistration
}

export async function performOperation(request: DriverRequest, cache: CacheFunctions): Promise<DriverResult> {
  const started = performance.now()
  const result: DriverResult = { op: request.op, elapsedMs: 0 }
  if (request.op === 'restore') {
    const restored = await cache.restoreRegistration(request.options, request.now)
    result.status = restored.status
    result.found = restored.status === 'restored'
    if (restored.status === 'restored') {
      const { clientSecret, ...rest } = restored.registration
      result.clientId = restored.registration.clientId
      result.clientSecretSha256 = createHash('sha256').update(clientSecret).digest('hex')
      result.registration = rest
    }
  } else {
    if (!request.registration) throw new Error('save needs a registration')
    await cache.saveRegistration(request.registration, request.options)
  }
  result.elapsedMs = Math.round(performance.now() - started)
  return result
}
