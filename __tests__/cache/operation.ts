// One restoreRegistration or saveRegistration, as the action's main step makes it, and what came
// of it (never the client secret, only a digest of it). Shared by the two ways the cache tests run
// one: in the test's own process (in-process.ts) and in a process of its own (driver.ts).
import { createHash } from 'node:crypto'
import type { ClientRegistration } from '../../src/oidc/types.js'
import type { restoreRegistration, saveRegistration, RegistrationCacheOptions } from '../../src/registration/cache.js'

export interface DriverRequest {
  /** Driver only, `library-save` / `library-restore`: the same entry through the real @actions/cache, for interop.test.ts. */
  op: 'restore' | 'save' | 'library-save' | 'library-restore'
  options: RegistrationCacheOptions
  registration?: ClientRegistration
  /** Epoch milliseconds passed to restoreRegistration. */
  now?: number
  /** Driver only: leave the process to end by itself (to see what keeps the event loop alive). */
  linger?: boolean
}

export interface DriverResult {
  op: DriverRequest['op']
  elapsedMs: number
  found?: boolean
  /** restoreRegistration's status; for library-restore, the key restoreCache matched ('' for none). */
  status?: string
  clientId?: string
  clientSecretSha256?: string
  registration?: Omit<ClientRegistration, 'clientSecret'>
  /** Driver only: whether anything of @actions/cache was resolved (the action never loads it). */
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
  } else if (request.op === 'save') {
    if (!request.registration) throw new Error('save needs a registration')
    await cache.saveRegistration(request.registration, request.options)
  } else {
    throw new Error(`${request.op} runs only in the driver (driver.ts)`)
  }
  result.elapsedMs = Math.round(performance.now() - started)
  return result
}
