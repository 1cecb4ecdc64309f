// Keeps @actions/cache quiet. The library writes to the step log on its own: info lines ("Cache
// hit for …", the tar command line, upload progress), warnings for 4xx and network failures, and
// even `::error::` annotations for 5xx. For a best-effort cache in front of an approval prompt that
// is noise at best and alarming at worst, and it would break the promise of at most one warning.
// Worse, work the library keeps doing after our deadline (retries, a hung request finishing late)
// would print into the middle of the prompt.
//
// So every write the library makes, however late, is turned into a `::debug::` line (visible with
// step debug logging) and recorded for the caller, who then decides what, if anything, to say.
// `::add-mask::` lines pass through untouched: the library masks signed URLs with them.
//
// The library's writes are recognised by asynchronous context (AsyncLocalStorage): whatever runs
// inside `runWithLibraryOutputDemoted`, including timers, child-process output and socket callbacks
// it started, carries the context; our own code around it does not.
import { AsyncLocalStorage } from 'node:async_hooks'
import { sanitize } from '../text/sanitize.js'

/** What the library said during one call, unescaped, in order. */
export interface LibraryOutput {
  /** Every message (info, debug, warning, error), first line only. */
  messages: string[]
  /** The warnings and errors among them: the library's own view that something failed. */
  problems: string[]
}

export function newLibraryOutput(): LibraryOutput {
  return { messages: [], problems: [] }
}

const scope = new AsyncLocalStorage<LibraryOutput>()

type Write = typeof process.stdout.write
let stdoutWrapper: Write | undefined
let stderrWrapper: Write | undefined

/** Runs `work` with everything it writes to stdout or stderr demoted to debug lines and recorded in `output`. */
export function runWithLibraryOutputDemoted<T>(output: LibraryOutput, work: () => Promise<T>): Promise<T> {
  ensureInstalled()
  return scope.run(output, work)
}

/**
 * The rewrite of one chunk written inside the scope: the text to write instead (possibly empty) and
 * what to record. Exported for tests.
 */
export function demoteChunk(text: string, output: LibraryOutput): string {
  let rewritten = ''
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue
    const command = /^::([A-Za-z-]+)(?: [^:]*)?::(.*)$/.exec(line)
    if (command) {
      const [, name = '', data = ''] = command
      if (name === 'add-mask') {
        rewritten += `${line}\n`
        continue
      }
      const message = unescapeData(data)
      output.messages.push(firstLine(message))
      if (name === 'warning' || name === 'error') output.problems.push(firstLine(message))
      if (name === 'debug') rewritten += `::debug::${escapeData(sanitizeLines(message))}\n`
      else rewritten += `::debug::${escapeData(`@actions/cache ${name}: ${sanitizeLines(message)}`)}\n`
      continue
    }
    output.messages.push(line)
    rewritten += `::debug::${escapeData(`@actions/cache: ${sanitizeLines(line)}`)}\n`
  }
  return rewritten
}

function ensureInstalled(): void {
  // Re-checked on every call: something else (a test spy, another library) may have replaced
  // the stream's write since, and then the library's output would reach the log raw again.
  if (process.stdout.write !== stdoutWrapper) stdoutWrapper = process.stdout.write = wrap(process.stdout.write, process.stdout)
  if (process.stderr.write !== stderrWrapper) {
    // Demoted stderr goes to stdout: a debug command is honoured there, whatever the stream.
    stderrWrapper = process.stderr.write = wrap(process.stderr.write, process.stderr, () => stdoutWrapper ?? process.stdout.write)
  }
}

function wrap(original: Write, stream: NodeJS.WriteStream, demotedTarget?: () => Write): Write {
  const wrapped = function (this: unknown, chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
    const output = scope.getStore()
    if (output === undefined) return (original as (...args: unknown[]) => boolean).apply(stream, [chunk, encodingOrCallback, callback].slice(0, arguments.length))
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : typeof callback === 'function' ? callback : undefined
    const encoding = typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : 'utf8'
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(encoding)
    const rewritten = demoteChunk(text, output)
    if (rewritten === '') {
      if (done) process.nextTick(done as () => void)
      return true
    }
    // Written outside the scope, so the write is not demoted a second time.
    return scope.exit(() => {
      const target = demotedTarget ? demotedTarget() : original
      const targetStream = demotedTarget ? process.stdout : stream
      const write = target as (this: NodeJS.WriteStream, text: string, callback?: (error?: Error | null) => void) => boolean
      return write.call(targetStream, rewritten, done as ((error?: Error | null) => void) | undefined)
    })
  }
  return wrapped as Write
}

// The runner's command data escaping (@actions/core escapeData), and its inverse.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function unescapeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

/** The library echoes the cache service's answers (a matched key is whoever saved it's choice):
 *  each line through the one sanitiser, the lines kept apart. */
function sanitizeLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => sanitize(line, { maxLength: 4000 }))
    .join('\n')
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? ''
}
