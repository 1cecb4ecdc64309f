// A strict reader for the small XML documents STS answers with (the Query protocol): elements,
// attributes, text and the five predefined entities, after an optional XML declaration. Anything
// else (a DOCTYPE, entity declarations, CDATA, comments, processing instructions, numeric
// character references, mixed content, more than a few levels or elements) makes it throw: an AWS
// answer never has them, and each is a way for whoever answers in AWS's place to make one
// document read two ways. Hand-written because the action needs only this much; a general XML
// library would bring DTD handling that is exactly what must not run on a hostile answer.

/** One element: its name (prefix kept), its attributes, and either children or text. */
export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  /** The unescaped text of an element without children ('' for an empty one). */
  text: string
}

/** The document is not the plain XML an AWS answer is. Its message never quotes the document. */
export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError'
}

const MAX_DEPTH = 8
const MAX_ELEMENTS = 200
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** The root element of `text`; throws XmlSyntaxError for anything but one well-formed element. */
export function parseXml(text: string): XmlElement {
  const reader = new Reader(text.replace(/^\uFEFF/, ''))
  reader.skipSpace()
  if (reader.rest().startsWith('<?xml')) {
    const end = reader.rest().indexOf('?>')
    if (end < 0) throw new XmlSyntaxError('unterminated XML declaration')
    reader.advance(end + 2)
  }
  reader.skipSpace()
  const root = reader.element(1)
  reader.skipSpace()
  if (!reader.atEnd()) throw new XmlSyntaxError('content after the root element')
  return root
}

/** The only child of `parent` named `name`; undefined when there is none, an error when there are several. */
export function onlyChild(parent: XmlElement, name: string): XmlElement | undefined {
  const matches = parent.children.filter((child) => child.name === name)
  if (matches.length > 1) throw new XmlSyntaxError(`${parent.name} has ${matches.length} ${name} elements`)
  return matches[0]
}

class Reader {
  private position = 0
  private elements = 0

  constructor(private readonly text: string) {}

  rest(): string {
    return this.text.slice(this.position)
  }

  advance(count: number): void {
    this.position += count
  }

  atEnd(): boolean {
    return this.position >= this.text.length
  }

  skipSpace(): void {
    while (/[ \t\r\n]/.test(this.text[this.position] ?? '')) this.position++
  }

  element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) throw new XmlSyntaxError(`elements nested deeper than ${MAX_DEPTH}`)
    if (++this.elements > MAX_ELEMENTS) throw new XmlSyntaxError(`more than ${MAX_ELEMENTS} elements`)
    this.expect('<')
    const name = this.name()
    const attributes: Record<string, string> = {}
    for (;;) {
      this.skipSpace()
      if (this.take('/>')) return { name, attributes, children: [], text: '' }
      if (this.take('>')) break
      const attribute = this.name()
      if (attribute in attributes) throw new XmlSyntaxError(`attribute ${attribute} repeated`)
      this.skipSpace()
      this.expect('=')
      this.skipSpace()
      const quote = this.text[this.position]
      if (quote !== '"' && quote !== "'") throw new XmlSyntaxError('attribute value not quoted')
      const end = this.text.indexOf(quote, this.position + 1)
      if (end < 0) throw new XmlSyntaxError('unterminated attribute value')
      attributes[attribute] = unescape(this.text.slice(this.position + 1, end))
      this.position = end + 1
    }
    const children: XmlElement[] = []
    let text = ''
    for (;;) {
      const next = this.text.indexOf('<', this.position)
      if (next < 0) throw new XmlSyntaxError(`element ${name} is not closed`)
      text += this.text.slice(this.position, next)
      this.position = next
      if (this.take('</')) {
        if (this.name() !== name) throw new XmlSyntaxError(`element ${name} closed by another name`)
        this.skipSpace()
        this.expect('>')
        break
      }
      if (/^<[!?]/.test(this.rest())) throw new XmlSyntaxError('comments, CDATA, declarations and processing instructions are not accepted')
      children.push(this.element(depth + 1))
    }
    if (children.length > 0) {
      // Only layout between child elements: text beside an element is not an AWS shape.
      if (text.trim() !== '') throw new XmlSyntaxError(`element ${name} mixes text and elements`)
      return { name, attributes, children, text: '' }
    }
    return { name, attributes, children, text: unescape(text) }
  }

  private name(): string {
    const match = NAME.exec(this.rest())
    if (!match) throw new XmlSyntaxError('expected an element or attribute name')
    this.position += match[0].length
    return match[0]
  }

  private take(token: string): boolean {
    if (!this.text.startsWith(token, this.position)) return false
    this.position += token.length
    return true
  }

  private expect(token: string): void {
    if (!this.take(token)) throw new XmlSyntaxError(`expected "${token}"`)
  }
}

function unescape(raw: string): string {
  if (raw.includes('<')) throw new XmlSyntaxError('"<" inside a value')
  return raw.replace(/&([^;&]*);?/g, (whole, entity: string) => {
    const value = whole.endsWith(';') ? ENTITIES[entity] : undefined
    if (value === undefined) throw new XmlSyntaxError('an entity other than &amp; &lt; &gt; &quot; &apos;')
    return value
  })
}
