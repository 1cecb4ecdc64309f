// The runner's side of the two channels an action talks through: the per-step files
// (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_PATH; read after the process exits,
// `FileCommandManager.cs`) and the `::command::` lines on stdout (`ActionCommand.cs`, TryParseV2).
// Parsing them as the runner does, including its errors, is what lets an end-to-end test fail
// on output the real runner would reject.

/** Thrown for a file the runner would refuse (the step fails there too). */
export class FileCommandFormatError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`)
    this.name = 'FileCommandFormatError'
  }
}

/** Reads one line and its terminator (`\n` or `\r\n`), like the runner's ReadLine. */
function readLine(text: string, start: number): { line: string; next: number; newline: string | null } | null {
  if (start >= text.length) return null
  const lf = text.indexOf('\n', start)
  if (lf < 0) return { line: text.slice(start), next: text.length, newline: null }
  const crlf = lf > start && text[lf - 1] === '\r'
  return { line: text.slice(start, crlf ? lf - 1 : lf), next: lf + 1, newline: crlf ? '\r\n' : '\n' }
}

/**
 * Parses GITHUB_OUTPUT, GITHUB_ENV or GITHUB_STATE content: `name=value` lines and
 * `name<<DELIMITER` heredoc blocks (the toolkit writes `ghadelimiter_<uuid>`); a later entry
 * wins. Throws where the runner throws: an empty name or delimiter, an unterminated heredoc.
 */
export function parseKeyValueFile(text: string, file = 'file command'): Record<string, string> {
  const values: Record<string, string> = {}
  let cursor = readLine(text, 0)
  while (cursor) {
    const { line } = cursor
    let next = cursor.next
    if (line !== '') {
      const equals = line.indexOf('=')
      const heredoc = line.indexOf('<<')
      if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
        const name = line.slice(0, equals)
        if (name === '') throw new FileCommandFormatError(file, `invalid format '${line}': name must not be empty`)
        values[name] = line.slice(equals + 1)
      } else if (heredoc >= 0) {
        const name = line.slice(0, heredoc)
        const delimiter = line.slice(heredoc + 2)
        if (name === '' || delimiter === '') {
          throw new FileCommandFormatError(file, `invalid format '${line}': name and delimiter must not be empty`)
        }
        const valueStart = next
        let valueEnd = next
        let body = readLine(text, next)
        while (!body || body.line !== delimiter) {
          if (!body) throw new FileCommandFormatError(file, `matching delimiter not found for '${name}'`)
          if (body.newline === null) throw new FileCommandFormatError(file, `EOF marker missing new line for '${name}'`)
          valueEnd = body.next - body.newline.length
          body = readLine(text, body.next)
        }
        next = body.next
        values[name] = valueEnd > valueStart ? text.slice(valueStart, valueEnd) : ''
      } else {
        throw new FileCommandFormatError(file, `invalid format '${line}'`)
      }
    }
    cursor = readLine(text, next)
  }
  return values
}

/** Parses GITHUB_PATH: one directory per non-empty line, in the order written. */
export function parsePathFile(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '')
}

/** One workflow command found on stdout, in either syntax the runner reads. */
export interface WorkflowCommand {
  name: string
  properties: Record<string, string>
  data: string
  /** 0-based index of the stdout line. */
  line: number
  /** `::name::data` (TryParseV2) or the legacy `##[name]data` (TryParse). */
  syntax: 'v2' | 'legacy'
}

/** The commands the runner knows (matched case-insensitively); other lines are just log text. */
const registeredCommands = new Set([
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning'
])

function unescapeData(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')
}

function unescapeLegacy(value: string): string {
  return value.replace(/%3B/g, ';').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%5D/g, ']').replace(/%25/g, '%')
}

/** The escaping @actions/core applies to command data (`toCommandValue` + `escapeData`). */
export function escapeCommandData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** .NET's String.TrimStart(): Char.IsWhiteSpace, which (unlike JS) leaves U+FEFF alone. */
const DOTNET_LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

interface ParsedCommand {
  name: string
  properties: Record<string, string>
  data: string
  syntax: 'v2' | 'legacy'
}

/** TryParseV2: after leading white space, `::name props::data`. */
function parseV2(raw: string, registered: Set<string>): ParsedCommand | null {
  const line = raw.replace(DOTNET_LEADING_SPACE, '')
  if (!line.startsWith('::')) return null
  const end = line.indexOf('::', 2)
  if (end < 0) return null
  const info = line.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return null
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const eq = pair.indexOf('=')
      if (eq > 0 && eq < pair.length - 1) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1))
    }
  }
  return { name, properties, data: unescapeData(line.slice(end + 2)), syntax: 'v2' }
}

/** TryParse, the legacy form: `##[name props]data` ANYWHERE in the line, not only at its start. */
function parseLegacy(line: string, registered: Set<string>): ParsedCommand | null {
  const prefix = line.indexOf('##[')
  if (prefix < 0) return null
  const close = line.indexOf(']', prefix)
  if (close < 0) return null
  const info = line.slice(prefix + 3, close)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return null
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter(Boolean)) {
      const eq = pair.indexOf('=')
      if (eq > 0 && eq < pair.length - 1) properties[pair.slice(0, eq)] = unescapeLegacy(pair.slice(eq + 1))
    }
  }
  return { name, properties, data: unescapeLegacy(line.slice(close + 1)), syntax: 'legacy' }
}

/**
 * A stateful reader of stdout lines, as the runner's ActionCommandManager reads them: TryParseV2,
 * then the legacy TryParse; command names case-insensitive. `stop-commands` with data TOKEN
 * suspends every command until one whose name is TOKEN (either syntax). Returns null for log text.
 */
export function createCommandReader(): (line: string, index: number) => WorkflowCommand | null {
  let resumeToken: string | null = null
  return (raw, index) => {
    const registered = resumeToken === null ? registeredCommands : new Set([...registeredCommands, resumeToken.toLowerCase()])
    const parsed = parseV2(raw, registered) ?? parseLegacy(raw, registered)
    if (parsed === null) return null
    if (resumeToken !== null) {
      if (parsed.name.toLowerCase() === resumeToken.toLowerCase()) resumeToken = null
      return null
    }
    if (parsed.name.toLowerCase() === 'stop-commands') resumeToken = parsed.data
    return { ...parsed, line: index }
  }
}

/** The runner reads its child's stdout with ReadLine: CR, LF and CRLF all end a line. */
export function stdoutLines(stdout: string): string[] {
  return stdout.split(/\r\n|\r|\n/)
}

/** Every workflow command in a step's stdout, in order. */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const read = createCommandReader()
  return stdoutLines(stdout).flatMap((line, index) => read(line, index) ?? [])
}
