// The worker thread a new registration is saved in (save-in-worker.ts starts it; scripts/bundle.ts
// bundles it as an entry of its own, dist/save-worker/index.js). @actions/cache logs through
// @actions/core, which writes to process.stdout; in a worker started with `stdout: true` that
// stream goes to the thread that started it, not to the step log. The outcome is the last line
// written, after everything the library wrote, behind the marker the parent chose.
import { workerData } from 'node:worker_threads'
import type { SaveReply, SaveRequest } from './save-in-worker.js'

const request = workerData as SaveRequest
let reply: SaveReply
try {
  const { saveCache } = await import('@actions/cache')
  reply = { status: 'saved', cacheId: await saveCache(request.paths, request.key) }
} catch (error) {
  reply = { status: 'failed', message: error instanceof Error ? error.message : String(error) }
}
process.stdout.write(`${request.replyMarker}${JSON.stringify(reply)}\n`)
