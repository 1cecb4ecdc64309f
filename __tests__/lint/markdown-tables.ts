// Reads the inputs and outputs tables of a README (GitHub-flavoured Markdown pipe tables) so a test
// can hold them equal to action.yml. Deliberately small: it understands what a README table needs
// (a header row, a delimiter row, body rows, `\|` inside cells, inline code, <br>), not all of GFM.

export interface MarkdownTable {
  /** 1-based line of the header row in the document. */
  line: number
  header: string[]
  rows: string[][]
}

/** Splits `| a | b \| c |` into cells, honouring escaped pipes and an optional outer pipe on each side. */
export function splitTableRow(line: string): string[] {
  let row = line.trim()
  if (row.startsWith('|')) row = row.slice(1)
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1)
  const cells: string[] = []
  let cell = ''
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\' && row[i + 1] === '|') {
      cell += '|'
      i++
    } else if (row[i] === '|') {
      cells.push(cell.trim())
      cell = ''
    } else {
      cell += row[i]
    }
  }
  cells.push(cell.trim())
  return cells
}

const DELIMITER_ROW = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/

/**
 * The first table under the first heading whose text matches `heading`, before the next heading of
 * the same or a higher level. Undefined when there is no such heading or no table under it.
 */
export function tableUnderHeading(markdown: string, heading: RegExp): MarkdownTable | undefined {
  const lines = markdown.split(/\r?\n/)
  let level = 0
  let inFence = false
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(```|~~~)/.test(lines[i])) inFence = !inFence
    if (inFence) continue
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(lines[i])
    if (level === 0) {
      if (match && heading.test(match[2])) level = match[1].length
      continue
    }
    if (match && match[1].length <= level) return undefined
    if (lines[i].trimStart().startsWith('|') && DELIMITER_ROW.test(lines[i + 1] ?? '')) {
      const rows: string[][] = []
      for (let j = i + 2; j < lines.length && lines[j].trimStart().startsWith('|'); j++) rows.push(splitTableRow(lines[j]))
      return { line: i + 1, header: splitTableRow(lines[i]), rows }
    }
  }
  return undefined
}

/** The text a reader sees in a cell: inline code unwrapped, emphasis and links dropped, <br> as a newline. */
export function cellText(cell: string): string {
  return cell
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*|__/g, '')
    .trim()
}

/** The name in a table's first column: the first inline-code span if there is one (`` `start-url` `` (required)), else the text. */
export function nameInCell(cell: string): string {
  const code = /`([^`]+)`/.exec(cell)
  return (code ? code[1] : cellText(cell)).trim()
}

const NO_DEFAULT = new Set(['', '-', '—', '–', 'none', '(none)', 'n/a'])

/**
 * A default as a comparable string, or undefined for "no default". Lists may be written with commas
 * in one place and newlines in the other (`summary, pr-comment` / a YAML block), so both become commas.
 */
export function normalizeDefault(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (NO_DEFAULT.has(text.toLowerCase())) return undefined
  return text
    .split(/[\n,]/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(',')
}

export interface NameDifference {
  /** In action.yml, not in the table. */
  undocumented: string[]
  /** In the table, not in action.yml. */
  unknown: string[]
}

export function compareNames(declared: Iterable<string>, documented: Iterable<string>): NameDifference {
  const declaredSet = new Set(declared)
  const documentedSet = new Set(documented)
  return {
    undocumented: [...declaredSet].filter((name) => !documentedSet.has(name)).sort(),
    unknown: [...documentedSet].filter((name) => !declaredSet.has(name)).sort()
  }
}
