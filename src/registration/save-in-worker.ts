// Runs @actions/cache saveCache in a worker thread (save-worker.ts) and reads what it writes.
//
// The library prints to the step log through @actions/core, which writes to process.stdout, and
// it has no option to stop it. A worker started with Node's `stdout: true` and `stderr: true`
// options has streams of its own that the starting thread reads (worker.stdout, worker.stderr):
// every line the library writes, however late, reaches the action instead of the runner, and is
// demoted and recorded (library-output.ts). Nothing of the process is patched for it.
//
// The worker's env is a copy of process.env taken here, its cwd the process's; it loads the
// library itself, so the library's modules never load in the action's own thread. It is not
// stopped at a deadline (the caller gives up waiting, as before; the process ends when the
// action exits), and a worker still running keeps the event loop alive as the library's own
// requests would.
import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import { demoteChunk, type LibraryOutput } from './library-output.js'

/** What the worker is given (workerData). */
export interface SaveRequest {
  paths: string[]
  key: string
  /** Starts the worker's last line, its reply: a value the library cannot know, so cannot write. */
  replyMarker: string
}

/** The worker's last line, after the marker, as JSON. */
export type SaveReply = { status: 'saved'; cacheId: number } | { status: 'failed'; message: string }

/**
 * saveCache(paths, key) in a worker: resolves with the cache id it returned, rejects with its
 * error's message. What the library writes is recorded in `output` and written to this process's
 * stdout as debug lines (masks as they are).
 */
export function saveCacheInWorker(paths: string[], key: string, output: LibraryOutput, script: URL = saveWorkerScript()): Promise<number> {
  const request: SaveRequest = { paths, key, replyMarker: `save-worker-reply-${randomUUID()} ` }
  const worker = new Worker(script, { workerData: request, stdout: true, stderr: true })
  return new Promise<number>((resolve, reject) => {
    const demote = (line: string): void => {
      const rewritten = demoteChunk(line, output)
      if (rewritten !== '') process.stdout.write(rewritten)
    }
    eachLine(worker.stdout, (line) => {
      if (!line.startsWith(request.replyMarker)) return demote(line)
      const reply = parseReply(line.slice(request.replyMarker.length))
      if (reply.status === 'saved') resolve(reply.cacheId)
      else reject(new Error(reply.message))
    }, () => reject(new Error('the save worker ended without an answer')))
    // Demoted stderr goes to stdout: a debug command is honoured there, whatever the stream.
    eachLine(worker.stderr, demote)
    // Thrown in the worker outside the save (its script failed to load): the same as a failed save.
    worker.once('error', reject)
  })
}

/** Calls `onLine` for every line of `stream` as it arrives (the last one even without a newline), then `onEnd`. */
function eachLine(stream: Readable, onLine: (line: string) => void, onEnd?: () => void): void {
  let pending = ''
  stream.setEncoding('utf8')
  stream.on('data', (text: string) => {
    const lines = (pending + text).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) onLine(line.replace(/\r$/, ''))
  })
  stream.on('end', () => {
    if (pending !== '') onLine(pending)
    onEnd?.()
  })
}

function parseReply(text: string): SaveReply {
  try {
    return JSON.parse(text) as SaveReply
  } catch {
    return { status: 'failed', message: 'the save worker answered in a form it should not' }
  }
}

/**
 * The worker's script. In the bundle this module sits in a chunk directly under dist/, beside the
 * worker's own entry, dist/save-worker/index.js; run from the sources (tsx, as the cache tests'
 * driver does: a worker inherits its loader), it is save-worker.ts beside this file.
 */
function saveWorkerScript(): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('./save-worker.ts', here) : new URL('./save-worker/index.js', here)
}
