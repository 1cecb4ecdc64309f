// The one way out for text this action did not write itself: AWS answers, cache contents, the
// event payload, inputs and environment variables. Everything such a value says passes through
// `sanitize` before it reaches a log line, the job summary or a PR comment.
//
// Why each rule exists:
// - Line breaks (CR, LF, NEL, U+2028/9) would let a value start a new log line of its own choosing.
// - The runner reads a stdout line as a workflow command when, after leading white space is trimmed,
//   it starts with `::` (`::add-mask::`, `::stop-commands::`), or when it contains the legacy
//   `##[` prefix anywhere. `::stop-commands::` turns masking off for every later line, so a single
//   such line leaks every secret printed after it. A value is therefore never allowed to begin with
//   `::` (it may be printed at the start of a line) and never carries `##[`.
// - C0/C1 controls include terminal escapes (colours, cursor moves that hide text).
// - Bidirectional overrides and isolates, zero-width and other format characters can make text read
//   as something it is not (a ref that displays as another ref, a code that looks like another).
//
// What is removed is replaced by a space or dropped, never escaped: a person reads the result.

/** Controls (C0, C1, DEL, so CR and LF too) and the line and paragraph separators: a space. */
const BREAKING = /[\p{Cc}\p{Zl}\p{Zp}]+/gu
/** Format characters (bidi, zero-width, BOM, soft hyphen, tags), lone surrogates and private-use
 *  code points: dropped, so "ref<RLO>gnp.exe" reads as what it is, "refgnp.exe". */
const INVISIBLE = /[\p{Cf}\p{Cs}\p{Co}]+/gu

/** White space as the runner's TrimStart sees it (.NET Char.IsWhiteSpace), plus what JS adds. */
const LEADING_SPACE = /^[\s\u0085\u180e]+/u

/** The legacy workflow-command prefix, which the runner finds anywhere in a line. */
const LEGACY_PREFIX = /##\[/g

export interface SanitizeOptions {
  /** At most this many characters (an ellipsis marks a cut). Default 1,000. */
  maxLength?: number
}

/**
 * One line of printable text a person can trust to show what it is: no line breaks, controls,
 * bidi or zero-width characters, no workflow command (`::…` at its start, `##[` anywhere),
 * white space folded, at most `maxLength` characters.
 */
export function sanitize(value: unknown, options: SanitizeOptions = {}): string {
  const maxLength = options.maxLength ?? 1000
  const text = typeof value === 'string' ? value : String(value)
  // Dropped first, then the command checks: `:<ZWSP>:` must not become `::` after them.
  let line = text.replace(BREAKING, ' ').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim()
  line = line.replace(LEGACY_PREFIX, '##\u0020[')
  if (line.length > maxLength) line = `${line.slice(0, Math.max(0, maxLength - 1))}\u2026`
  return neutralizeCommandStart(line)
}

/**
 * A line (or a block of lines) of the action's own making, made safe to write to stdout: any
 * line that the runner would read as a workflow command gets a visible marker in front. The
 * action's own commands never pass through here (they are issued by @actions/core).
 */
export function safeLogText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => neutralizeCommandStart(line.replace(LEGACY_PREFIX, '##\u0020[')))
    .join('\n')
}

/** True when the runner would read this stdout line as a workflow command (either syntax). */
export function looksLikeCommand(line: string): boolean {
  return line.replace(LEADING_SPACE, '').startsWith('::') || line.includes('##[')
}

function neutralizeCommandStart(line: string): string {
  const trimmed = line.replace(LEADING_SPACE, '')
  return trimmed.startsWith('::') ? `${line.slice(0, line.length - trimmed.length)}'${trimmed}` : line
}
