// Runs one restoreRegistration or saveRegistration (operation.ts) in a process of its own, as the
// action's main step would: the environment (the fake service's variables, HOME, RUNNER_TEMP,
// GITHUB_WORKSPACE) comes from the parent, the log goes to stdout where the parent reads it like
// the runner does. The last line is `RESULT <json>`. Unless told to linger, the process exits
// right after, as the action's main flow does. What only a process of its own shows: whether
// @actions/cache was loaded at all, that nothing keeps the event loop alive after a restore's
// deadline, and a save whose hung request the library keeps alive past its bound.
import { registerHooks } from 'node:module'
import { restoreRegistration, saveRegistration } from '../../src/registration/cache.js'
import { performOperation, type DriverRequest } from './operation.js'

// Records whether anything from @actions/cache gets resolved: it must not be when the service is unavailable.
// The save loads it in a worker thread of its own, where this thread's hooks do not reach: loading
// the module that starts that worker (src/registration/save-in-worker.ts) counts as loading it.
let libraryLoaded = false
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context)
    if (resolved.url.includes('/node_modules/@actions/cache/') || resolved.url.endsWith('/src/registration/save-in-worker.ts')) libraryLoaded = true
    return resolved
  }
})

const request = JSON.parse(process.argv[2] ?? '{}') as DriverRequest
if (request.preloadLibrary) await import('@actions/cache')
const result = await performOperation(request, { restoreRegistration, saveRegistration })
result.libraryLoaded = libraryLoaded
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
if (!request.linger) process.exit(0)
