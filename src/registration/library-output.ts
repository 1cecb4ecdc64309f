// Keeps @actions/cache quiet. The library writes to the step log on its own: info lines ("Cache
// size: …", upload progress), warnings for 4xx and network failures, and even `::error::`
// annotations for 5xx. For a best-effort cache in front of an approval prompt that is noise at
// best and alarming at worst, and it would break the promise of at most one warning. Worse, work
// the library keeps doing after our deadline (retries, a hung request finishing late) would print
// into the middle of the prompt.
//
// So the library runs where its output is contained: in a worker thread whose stdout and stderr
// the action reads (save-in-worker.ts). Every line it writes, however late, is turned here into a
// `::debug::` line (visible with step debug logging) and recorded for the caller, who then
// decides what, if anything, to say. `::add-mask::` lines pass through untouched: the library
// masks signed URLs with them.
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

/**
 * The rewrite of what the library wrote (one or more lines): the text to write instead (possibly
 * empty), with what it said recorded in `output`.
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
