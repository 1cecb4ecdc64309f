// Makes a bundle file pure ASCII without changing what it does.
//
// V8 keeps the source of every script it has loaded: one byte per character when all of them are
// Latin-1, two bytes per character as soon as one is not. A single arrow or dash in a comment (ours
// or a library's) doubles the memory the whole file's source takes: 2.4 MB for the @actions/cache
// chunk alone. So each character above U+007F is written as an escape that means the same thing
// where it stands, which needs to know where it stands: the file is parsed (acorn), and
//   in a comment               the escape is text like any other;
//   in a string, a template    \uXXXX is the same character (a character beyond U+FFFF is
//   or a regular expression    already two UTF-16 units, one escape each, also with the u flag);
//   in a name                  \uXXXX, or \u{XXXXX} beyond U+FFFF (the only form a name allows).
// A tagged template sees its raw text, where an escape is not the character: a non-ASCII character
// there stops the build, as does one anywhere else. `\` before such a character in a string, a
// template or a regular expression is an identity escape (`'\é'` is `'é'`) and goes with it.
// The result is parsed again and compared with the original, node by node: same shape, same names,
// same string and template values.
import { parse, type Comment, type Node } from 'acorn'

type Place = 'comment' | 'string' | 'template' | 'regexp' | 'name' | 'tagged-template'

interface Region {
  start: number
  end: number
  place: Place
}

const PARSE_OPTIONS = { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true } as const

export function isAscii(text: string): boolean {
  return !/[^\x00-\x7f]/.test(text)
}

/** The ASCII form of a bundle file; throws, naming the place, when that cannot be had safely. */
export function asciiOnly(source: string, file: string): string {
  if (isAscii(source)) return source
  const regions = regionsOf(source)
  let out = ''
  let copiedTo = 0
  let regionIndex = 0
  for (let at = 0; at < source.length; at++) {
    const unit = source.charCodeAt(at)
    if (unit < 0x80) continue
    while (regionIndex < regions.length && regions[regionIndex].end <= at) regionIndex++
    const region = regions[regionIndex]
    const place = region !== undefined && region.start <= at ? region.place : undefined
    if (place === undefined || place === 'tagged-template') {
      throw new Error(`${file}:${lineAndColumn(source, at)}: a non-ASCII character ${place === undefined ? 'outside any comment, string, template, regular expression or name' : 'in a tagged template, whose raw text an escape would change'}; write it as an escape in the source`)
    }
    const codePoint = source.codePointAt(at)!
    const pair = codePoint > 0xffff
    const end = at + (pair ? 2 : 1)
    let start = at
    if (place !== 'comment' && place !== 'name') {
      let backslashes = 0
      while (source[start - 1 - backslashes] === '\\') backslashes++
      if (backslashes % 2 === 1) start-- // the identity escape's backslash goes with the character
    }
    const escape = place === 'name' && pair ? `\\u{${codePoint.toString(16)}}` : unitEscapes(source.slice(at, end))
    out += source.slice(copiedTo, start) + escape
    copiedTo = end
    at = end - 1
  }
  const ascii = out + source.slice(copiedTo)
  const difference = firstDifference(parseModule(source, file), parseModule(ascii, `${file} (ASCII)`))
  if (difference !== undefined) throw new Error(`${file}: the ASCII form is not the same program (${difference}); write the character as an escape in the source`)
  return ascii
}

/** \uXXXX for each UTF-16 unit of `text`. */
function unitEscapes(text: string): string {
  let escapes = ''
  for (let i = 0; i < text.length; i++) escapes += `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`
  return escapes
}

function parseModule(source: string, file: string, comments?: Comment[]): Node {
  try {
    return parse(source, { ...PARSE_OPTIONS, onComment: comments })
  } catch (error) {
    throw new Error(`${file} does not parse as an ES module: ${(error as Error).message}`)
  }
}

/** Where comments, strings, templates, regular expressions and names are, in source order. */
function regionsOf(source: string): Region[] {
  const comments: Comment[] = []
  const program = parseModule(source, 'the bundle', comments)
  const regions: Region[] = comments.map(({ start, end }) => ({ start, end, place: 'comment' }))
  visit(program, undefined, (node, parent) => {
    const n = node as Node & { value?: unknown; regex?: unknown }
    if (node.type === 'Literal' && n.regex !== undefined) regions.push({ start: node.start, end: node.end, place: 'regexp' })
    else if (node.type === 'Literal' && typeof n.value === 'string') regions.push({ start: node.start, end: node.end, place: 'string' })
    else if (node.type === 'TemplateElement') {
      const tagged = parent?.type === 'TemplateLiteral' && (parent as Node & { tagged?: boolean }).tagged === true
      regions.push({ start: node.start, end: node.end, place: tagged ? 'tagged-template' : 'template' })
    } else if (node.type === 'Identifier' || node.type === 'PrivateIdentifier') regions.push({ start: node.start, end: node.end, place: 'name' })
  })
  return regions.sort((a, b) => a.start - b.start)
}

/** Calls `enter` for every node, with its parent; marks each TemplateLiteral that has a tag. */
function visit(node: Node, parent: Node | undefined, enter: (node: Node, parent: Node | undefined) => void): void {
  if (node.type === 'TaggedTemplateExpression') ((node as unknown as { quasi: { tagged?: boolean } }).quasi).tagged = true
  enter(node, parent)
  for (const [key, value] of Object.entries(node)) {
    if (key === 'tagged') continue
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) visit(child, node, enter)
    } else if (isNode(value)) visit(value, node, enter)
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
}

/** The first way two programs differ: node types, names, string values, template values, regex flags. */
function firstDifference(a: Node, b: Node): string | undefined {
  const left: Node[] = []
  const right: Node[] = []
  visit(a, undefined, (node) => left.push(node))
  visit(b, undefined, (node) => right.push(node))
  if (left.length !== right.length) return `${left.length} nodes against ${right.length}`
  for (let i = 0; i < left.length; i++) {
    const x = left[i] as Node & Record<string, unknown>
    const y = right[i] as Node & Record<string, unknown>
    if (x.type !== y.type) return `a ${x.type} became a ${y.type}`
    if (x.type === 'Identifier' || x.type === 'PrivateIdentifier') {
      if (x.name !== y.name) return `the name ${String(x.name)} became ${String(y.name)}`
    } else if (x.type === 'Literal') {
      const xr = x.regex as { flags: string } | undefined
      const yr = y.regex as { flags: string } | undefined
      if (xr !== undefined || yr !== undefined) {
        if (xr?.flags !== yr?.flags) return 'a regular expression changed its flags'
      } else if (x.value !== y.value) return `the value ${JSON.stringify(x.value)} became ${JSON.stringify(y.value)}`
    } else if (x.type === 'TemplateElement') {
      const xv = x.value as { cooked: string | null; raw: string }
      const yv = y.value as { cooked: string | null; raw: string }
      if (xv.cooked !== yv.cooked) return `the template text ${JSON.stringify(xv.cooked)} became ${JSON.stringify(yv.cooked)}`
    }
  }
  return undefined
}

function lineAndColumn(source: string, at: number): string {
  const before = source.slice(0, at)
  const line = before.split('\n').length
  return `${line}:${at - before.lastIndexOf('\n')}`
}
