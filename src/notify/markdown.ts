// Safe pieces of GitHub-flavoured Markdown for text we do not control: workflow and job names,
// refs, the actor, inputs, and server messages. Anything else could inject links, HTML, @mentions
// that notify people, #references, or autolinked URLs into a message that asks for approval, which
// is exactly what a phishing attempt would want. Identifiers go in code spans (nothing inside a
// code span is parsed: no HTML, no links, no mentions); prose is backslash-escaped.
import { sanitize } from '../text/sanitize.js'

/** One line of plain text, at most `maxLength` characters (an ellipsis marks a cut): the one
 *  sanitiser (text/sanitize.ts) removes bidi, zero-width and control characters and line breaks. */
export function plainLine(text: string, maxLength = 200): string {
  return sanitize(text, { maxLength })
}

/** The ASCII punctuation that can start or end Markdown, HTML, an entity, or a GFM autolink.
 *  The rest (`'",;?/=%$^`) means nothing in GFM and stays readable in notification e-mails. */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!|<>~&:@]/g

/**
 * Prose that renders as exactly these characters: markup punctuation is backslash-escaped
 * (CommonMark allows it for any ASCII punctuation), which also stops GFM autolinks
 * (`https\://…`, `www\.`) because the parser never sees the raw trigger characters.
 */
export function escapeText(text: string, maxLength = 500): string {
  return plainLine(text, maxLength).replace(MARKDOWN_PUNCTUATION, (char) => `\\${char}`)
}

/** A code span that holds any text: the fence is longer than any run of backticks inside. */
export function codeSpan(text: string, maxLength = 200): string {
  const content = plainLine(text, maxLength)
  if (content === '') return '` `'
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  // A space on each side when the content touches a backtick or a space (CommonMark strips one).
  const pad = content.startsWith('`') || content.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${content}${pad}${fence}`
}

/**
 * A link destination we are willing to render: http(s) only (no javascript:, data:), serialized
 * by the URL parser and with the characters that could end a Markdown destination encoded.
 * Undefined when the text is not such a URL; render it as text instead.
 */
export function safeUrl(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  if (url.username || url.password) return undefined
  // Only after the origin: an IPv6 host keeps its brackets.
  const rest = url.href.slice(url.origin.length)
  return url.origin + rest.replace(/[()<>\s"'`\\[\]|]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

/** `[text](url)` when the URL is safe; otherwise the text and the URL as a code span. */
export function link(label: string, url: string): string {
  const href = safeUrl(url)
  return href === undefined ? `${label} (${codeSpan(url, 300)})` : `[${label}](${href})`
}
