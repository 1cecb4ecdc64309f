// Runs one restoreRegistration or saveRegistration (operation.ts) in a process of its own, as the
// action's main step would: the environment (the fake service's variables, HOME, RUNNER_TEMP,
// GITHUB_WORKSPACE) comes from the parent, the log goes to stdout where the parent reads it like
// the runner does. The last line is `RESULT <json>`. Unless told to linger, the process exits
// right after, as the action's main flow does. What only a process of its own shows: that
// @actions/cache is never loaded, that nothing keeps the event loop alive after a deadline, and
// the same entry through the real library (library-save, library-restore: interop.test.ts).
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { restoreRegistration, saveRegistration } from '../../src/registration/cache.js'
import { decodeEntry, encodeEntry } from '../../src/registration/entry.js'
import {
  identityDigest,
  REGISTRATION_CACHE_PATH,
  registrationFilePath,
  registrationKey,
  registrationKeyPrefix
} from '../../src/registration/key.js'
import { performOperation, type DriverRequest, type DriverResult } from './operation.js'

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
const result =
  request.op === 'library-save' || request.op === 'library-restore'
    ? await throughLibrary(request)
    : await performOperation(request, { restoreRegistration, saveRegistration })
result.libraryLoaded = libraryLoaded
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
if (!request.linger) process.exit(0)

/**
 * As the action saved before it had its own save: the file written owner-only, then saveCache of
 * its path; and as a job would restore it with the library: restoreCache extracts the file.
 */
async function throughLibrary(request: DriverRequest): Promise<DriverResult> {
  const started = performance.now()
  const result: DriverResult = { op: request.op, elapsedMs: 0 }
  const { restoreCache, saveCache } = await import('@actions/cache')
  const { options } = request
  const identity = { startUrl: options.startUrl, region: options.region, scopes: options.scopes, clientName: options.clientName }
  const prefix = registrationKeyPrefix(identity, Boolean(options.encryptionKey))
  const file = registrationFilePath()
  if (request.op === 'library-save') {
    if (!request.registration) throw new Error('library-save needs a registration')
    writeFileSync(file, await encodeEntry(request.registration, identityDigest(identity), options.encryptionKey || undefined), {
      mode: 0o600
    })
    await saveCache([REGISTRATION_CACHE_PATH], registrationKey(prefix, request.registration))
    rmSync(file, { force: true })
  } else {
    result.status = (await restoreCache([REGISTRATION_CACHE_PATH], prefix, [prefix])) ?? ''
    result.found = existsSync(file)
    if (result.found) {
      const decoded = await decodeEntry(readFileSync(file, 'utf8'), identityDigest(identity), options.encryptionKey || undefined, () => {})
      if (!decoded.ok) throw new Error(`the restored file does not decode: ${decoded.detail}`)
      result.clientId = decoded.registration.clientId
      result.clientSecretSha256 = createHash('sha256').update(decoded.registration.clientSecret).digest('hex')
    }
  }
  result.elapsedMs = Math.round(performance.now() - started)
  return result
}
