// Runs one restoreRegistration or saveRegistration in a process of its own, as the action's main
// step would: the environment (the fake service's variables, HOME, RUNNER_TEMP, GITHUB_WORKSPACE)
// comes from the parent, the log goes to stdout where the parent reads it like the runner does.
// The last line is `RESULT <json>`; it never carries the client secret, only a digest of it.
// Unless told to linger, the process exits right after, as the action's main flow will.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { decodeEntry, encodeEntry } from '../../src/registration/entry.js'
import { identityDigest, REGISTRATION_CACHE_PATH, registrationFilePath, registrationKey, registrationKeyPrefix } from '../../src/registration/key.js'
import { restoreRegistration, saveRegistration, type RegistrationCacheOptions } from '../../src/registration/cache.js'
import type { ClientRegistration } from '../../src/oidc/types.js'

export interface DriverRequest {
  /** `library-save` / `library-restore`: the same entry through the real @actions/cache, for interop.test.ts. */
  op: 'restore' | 'save' | 'library-save' | 'library-restore'
  options: RegistrationCacheOptions
  registration?: ClientRegistration
  /** Epoch milliseconds passed to restoreRegistration. */
  now?: number
  /** Leave the process to end by itself (to see what keeps the event loop alive). */
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
  /** Whether anything of @actions/cache was resolved: the action never loads it. */
  libraryLoaded: boolean
}

// Records whether anything from @actions/cache gets resolved: neither the restore nor the save may
// load it (the save used to, in a worker thread; there is none now).
let libraryLoaded = false
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context)
    if (resolved.url.includes('/node_modules/@actions/cache/')) libraryLoaded = true
    return resolved
  }
})

const request = JSON.parse(process.argv[2] ?? '{}') as DriverRequest
const started = performance.now()
const result: DriverResult = { op: request.op, elapsedMs: 0, libraryLoaded: false }
if (request.op === 'restore') {
  const restored = await restoreRegistration(request.options, request.now)
  result.status = restored.status
  result.found = restored.status === 'restored'
  if (restored.status === 'restored') {
    const registration = restored.registration
    const { clientSecret, ...rest } = registration
    result.clientId = registration.clientId
    result.clientSecretSha256 = createHash('sha256').update(clientSecret).digest('hex')
    result.registration = rest
  }
} else if (request.op === 'save') {
  if (!request.registration) throw new Error('save needs a registration')
  await saveRegistration(request.registration, request.options)
} else {
  // As the action saved before it had its own save: the file written owner-only, then saveCache of
  // its path; and as a job would restore it with the library: restoreCache extracts the file.
  const { restoreCache, saveCache } = await import('@actions/cache')
  const identity = { startUrl: request.options.startUrl, region: request.options.region, scopes: request.options.scopes, clientName: request.options.clientName }
  const prefix = registrationKeyPrefix(identity, Boolean(request.options.encryptionKey))
  const file = registrationFilePath()
  if (request.op === 'library-save') {
    if (!request.registration) throw new Error('library-save needs a registration')
    writeFileSync(file, await encodeEntry(request.registration, identityDigest(identity), request.options.encryptionKey || undefined), { mode: 0o600 })
    await saveCache([REGISTRATION_CACHE_PATH], registrationKey(prefix, request.registration))
    rmSync(file, { force: true })
  } else {
    result.status = (await restoreCache([REGISTRATION_CACHE_PATH], prefix, [prefix])) ?? ''
    result.found = existsSync(file)
    if (result.found) {
      const decoded = await decodeEntry(readFileSync(file, 'utf8'), identityDigest(identity), request.options.encryptionKey || undefined, () => {})
      if (!decoded.ok) throw new Error(`the restored file does not decode: ${decoded.detail}`)
      result.clientId = decoded.registration.clientId
      result.clientSecretSha256 = createHash('sha256').update(decoded.registration.clientSecret).digest('hex')
    }
  }
}
result.elapsedMs = Math.round(performance.now() - started)
result.libraryLoaded = libraryLoaded
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
if (!request.linger) process.exit(0)
