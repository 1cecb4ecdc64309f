// Hostile text and what the runner, the job summary and a PR comment must never show of it, for
// the end-to-end property test (__tests__/e2e/hostile-input.test.ts). The checks read what the
// runner reads (file-commands.ts) and what GitHub renders (GFM for the comment, HTML for the
// summary), and promise only what the code promises: text/sanitize.ts for every line of the log
// and every command's message, notify/markdown.ts for the comment, notify/html.ts for the summary.
import fc from 'fast-check'
import { expect } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { gzipSync, zstdCompressSync } from 'node:zlib'
import { openArchive } from '../cache/support.js'
import { commentMarker } from '../../src/notify/pr-comment.js'
import { stdoutLines } from './file-commands.js'
import type { ActionRun } from './runner.js'

/** The fixed list: each trick once, from the log's side and from the Markdown/HTML side. */
export const HOSTILE_PIECES = [
  '\n::stop-commands::x',
  '\r::add-mask::',
  '##[set-output name=x]y',
  '##[add-path]/tmp/evil',
  '\u2003\u00a0\u3000::warning::forged',
  ':\u200b:error::forged',
  '\u202egnp.exe',
  '\u2066isolate\u2069',
  'a\u0085::set-env name=X::y',
  'b\u2028::echo::on',
  'c\u2029::stop-commands::y',
  '\ud800',
  '\udfff',
  '%0A::stop-commands::z',
  '%0D%0A::add-mask::%25',
  '\u001b[2K\u001b[31m',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '[click me](javascript:alert(1))',
  '](javascript:alert(1))',
  '@octocat',
  `${commentMarker('0000000000000000')}`,
  '<!-- aws-sso-device-auth:gate=ffffffffffffffff -->',
  '| forged | row |',
  '`',
  '``\u200b`'
] as const

/** Every piece at once, and a very long string: the two fixed "everything" values. */
export const HOSTILE_FIXED = [HOSTILE_PIECES.join(''), `${HOSTILE_PIECES.join(' ')}${'A'.repeat(6000)}\n::stop-commands::tail`] as const

/**
 * A hostile string: at least one piece of the fixed list, with random text around it (no U+FFFD,
 * which stands for a lone surrogate once written as UTF-8, so the scan can tell one got through).
 */
export const hostileString: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ maxLength: 6 }),
    fc.array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ unit: 'binary', maxLength: 6 })), { minLength: 1, maxLength: 5 }),
    fc.constantFrom(...HOSTILE_PIECES)
  )
  .map(([head, middle, piece]) => `${head}${middle.join('')}${piece}`.replace(/\ufffd/g, ''))

/** An HTTP header can carry only tab and bytes 0x20-0xFF (Node refuses the rest): hostile within that. */
export function asHeaderValue(text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')
}

/** The commands @actions/core issues for this action; never stop-commands, set-output, set-env, add-path, echo… */
const OWN_COMMANDS = new Set(['add-mask', 'debug', 'notice', 'warning', 'error', 'group', 'endgroup'])

/** Characters the sanitiser removes: controls (but tab), line and paragraph separators, format
 *  characters (bidi, zero-width), and U+FFFD (a lone surrogate after UTF-8). */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\ufffd]/u

function describeCharacter(text: string): string {
  const match = UNSAFE_CHARACTER.exec(text)
  if (!match) return ''
  const at = match.index
  return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} in ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}`
}

/**
 * (a) stdout as the runner reads it: only the action's own commands, each issued by @actions/core
 * at the start of a line in the `::name::` syntax (never the legacy `##[` form, never after white
 * space), and no message or log line carrying a line break, control, bidi or zero-width character.
 */
export function expectOnlyOwnCommands(run: ActionRun): void {
  const lines = stdoutLines(run.stdout)
  for (const command of run.commands) {
    const line = lines[command.line]
    expect({ command: command.name, syntax: command.syntax, own: OWN_COMMANDS.has(command.name), line: line.slice(0, 120) }).toEqual({
      command: command.name,
      syntax: 'v2',
      own: true,
      line: line.slice(0, 120)
    })
    expect(line.startsWith(`::${command.name}`)).toBe(true)
    // A mask's value is a secret, not a message: any character may be in it.
    if (command.name === 'add-mask') continue
    // Debug lines may span lines (the cache library's request dumps, demoted to debug): the runner
    // shows them only in a debug log, as text. Everything else is one line.
    const data = command.name === 'debug' ? command.data.replace(/\r?\n/g, ' ') : command.data
    expect({ command: command.name, starts: command.data.slice(0, 60), problem: describeCharacter(data) }).toEqual({
      command: command.name,
      starts: command.data.slice(0, 60),
      problem: ''
    })
    expect(command.data).not.toContain('##[')
    for (const value of Object.values(command.properties)) expect(describeCharacter(value)).toBe('')
  }
  for (const line of lines) {
    if (/^::add-mask::/.test(line)) continue
    // The QR code is printed with block characters and spaces: none of them is unsafe.
    expect(describeCharacter(line.replace(/\t/g, ' '))).toBe('')
  }
}

/** (d) One clear line: approved, or exactly one error line; never a crash or a stack trace. */
export function expectOneClearEnding(run: ActionRun): 'approved' | 'pending' | 'failed' {
  expect(run.signal).toBeNull()
  expect(run.stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)|TypeError|ReferenceError|RangeError|Unhandled|ERR_[A-Z_]+/)
  expect(run.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  expect(run.stdout).not.toMatch(/Unexpected error/)
  for (const command of run.commands) expect(command.data).not.toMatch(/\n\s+at \S.*:\d+:\d+\)?(\n|$)/)
  if (run.code === 0 && run.outputs.outcome === undefined) {
    // phase: start ends with the request pending, in one line saying until when.
    expect(run.errors).toEqual([])
    expect(run.stdout).toMatch(/^The request is pending until .+: a later step with phase: wait/m)
    return 'pending'
  }
  if (run.code === 0) {
    expect(run.errors).toEqual([])
    expect(run.outputs.outcome).toBe('approved')
    // "Approved by <user> at" when the approver was looked up (a role was requested), else "Approved at".
    expect(run.stdout).toMatch(/^Approved (?:by \S+ )?at /m)
    return 'approved'
  }
  expect(run.code).toBe(1)
  expect(run.errors).toHaveLength(1)
  expect(run.errors[0].length).toBeGreaterThan(10)
  return 'failed'
}

const SUMMARY_TAGS = new Set(['h2', 'h3', 'p', 'strong', 'em', 'table', 'tr', 'th', 'td', 'code', 'a', 'sub', 'br'])

/**
 * (b) The job summary is HTML (core.summary writes it raw): only the tags the action writes, links
 * only to http(s), attributes only those it writes, no comment, and every table row whole.
 */
export function expectSummaryInert(summary: string): void {
  for (const match of summary.matchAll(/<\/?([A-Za-z][\w-]*)([^>]*)>/g)) {
    const [tag, name, attributes] = match
    expect({ tag: tag.slice(0, 120), allowed: SUMMARY_TAGS.has(name.toLowerCase()) }).toEqual({ tag: tag.slice(0, 120), allowed: true })
    if (name.toLowerCase() === 'a' && !tag.startsWith('</')) expect(attributes).toMatch(/^ href="https?:\/\/[^"]*"$/)
    else if (!tag.startsWith('</')) expect(attributes).toMatch(/^( align="left")?$/)
  }
  expect(summary).not.toMatch(/<!--|<img|<script/i)
  for (const line of summary.split('\n')) {
    if (line.startsWith('<tr>')) expect(line).toMatch(/^<tr><th align="left">[^<]*<\/th><td>.*<\/td><\/tr>$/)
    expect(line.match(/<tr>/g)?.length ?? 0).toBe(line.match(/<\/tr>/g)?.length ?? 0)
  }
  expect(describeCharacter(summary.replace(/\n/g, ' '))).toBe('')
}

/** The text of a GFM comment outside its code spans, with backslash escapes resolved to «x». */
function outsideCodeSpans(markdown: string): string {
  let out = ''
  let i = 0
  while (i < markdown.length) {
    const char = markdown[i]
    if (char === '\\' && i + 1 < markdown.length) {
      out += '«»'
      i += 2
      continue
    }
    if (char === '`') {
      const run = /^`+/.exec(markdown.slice(i))![0]
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g')
      close.lastIndex = i + run.length
      const end = close.exec(markdown)
      if (end) {
        out += '«code»'
        i = end.index + run.length
        continue
      }
      out += run
      i += run.length
      continue
    }
    out += char
    i += 1
  }
  return out
}

/**
 * (b) A PR comment as GFM renders it (notify/markdown.ts): the marker only on its first line, no
 * HTML but the action's own `<sub>`, links only the action's own to http(s), no @mention outside a
 * code span, no line a value could have started.
 */
export function expectCommentInert(body: string): void {
  const [first, ...rest] = body.split('\n')
  expect(first).toMatch(/^<!-- aws-sso-device-auth:gate=[0-9a-f]{16} -->$/)
  const outside = outsideCodeSpans(rest.join('\n'))
  // Link destinations: http(s) only, nothing in them that could end one; then out of the way (an
  // `@` or `javascript:` in a URL's query is no mention and no scheme).
  for (const link of outside.matchAll(/\]\(([^)\s]*)\)/g)) expect(link[1]).toMatch(/^https?:\/\/[^\s()<>]+$/)
  const text = outside.replace(/\]\([^)\s]*\)/g, ']')
  expect(text).not.toMatch(/<!--|-->/)
  expect(text.replace(/<\/?sub>/g, '')).not.toMatch(/</)
  expect(text).not.toMatch(/@/)
  expect(text).not.toMatch(/javascript:/i)
  // No table (a pipe outside code spans), no heading, HTML or list a value could have started;
  // the quotes allowed are the action's own (its warnings, the endpoint notice beside the code).
  expect(text).not.toMatch(/\|/)
  for (const line of text.split('\n')) {
    if (line === '') continue
    expect(line).not.toMatch(
      /^\s*(#(?!## )|<(?!sub>)|=|\+|\*(?!\*)|\d+[.)]|>(?! ⚠️| Check| Anyone| 🛑 \*\*This request does not go| AWS\S* sends the | The verification link goes to | If you did not expect this))/
    )
  }
  expect(describeCharacter(body.replace(/\n/g, ' '))).toBe('')
}

/** (b) Outputs and exported variables: one line each, no control, bidi or zero-width character. */
export function expectValuesOneLine(run: ActionRun): void {
  for (const [name, value] of [...Object.entries(run.outputs), ...Object.entries(run.env)]) {
    expect({ name, problem: describeCharacter(value) }).toEqual({ name, problem: '' })
  }
}

/**
 * What an input or an environment variable can carry: the runner hands them over as UTF-8 C
 * strings, so a lone surrogate arrives as U+FFFD, which is an ordinary character then (and the
 * scan's sign of a surrogate that got through elsewhere), and NUL cannot be in one at all.
 */
export function asEnvironmentValue(text: string): string {
  return text.replace(/[\p{Cs}\0]/gu, '')
}

const ENTRY_START = Buffer.from('{"format"')

/**
 * A cache entry's archive with the registration inside its plain JSON document changed: a valid
 * entry, as whoever can save to the cache could store it. The tar stays valid because the new
 * document has the old one's length in bytes (the hostile client id is cut to fit, JSON white
 * space pads it); the client secret is replaced by a short random one to make room, and
 * `changes` set other fields.
 */
export function withStoredClientId(archive: Buffer, clientId: string, changes: Record<string, unknown> = {}): Buffer {
  const tar = Buffer.from(openArchive(archive))
  const at = tar.indexOf(ENTRY_START)
  const end = tar.indexOf(0, at)
  if (at < 0 || end < 0) throw new Error('The archive holds no registration entry')
  const document = JSON.parse(tar.subarray(at, end).toString('utf8')) as { registration?: Record<string, unknown> }
  if (!document.registration) throw new Error('The entry is not a plain one')
  Object.assign(document.registration, changes, { clientSecret: randomBytes(24).toString('base64url') })
  let id = clientId
  const encode = () => Buffer.from(JSON.stringify({ ...document, registration: { ...document.registration, clientId: id } }), 'utf8')
  while (encode().length > end - at) id = id.slice(0, Math.max(0, id.length - Math.max(1, Math.ceil((encode().length - (end - at)) / 2))))
  const text = encode()
  tar.fill(0x20, at, end)
  text.copy(tar, at)
  return archive[0] === 0x1f ? gzipSync(tar) : zstdCompressSync(tar)
}
