// core.summary writes its text and attributes raw, so everything we put in HTML passes here.
import { safeUrl } from './markdown.js'

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
}

/**
 * A link only for http(s) URLs; anything else (javascript:, data:) is shown as text. The href is
 * the URL parser's serialisation (markdown.ts safeUrl), never the raw text: a line break, control
 * or bidi character from GITHUB_SERVER_URL or an AWS answer would otherwise stand in the summary.
 */
export function link(href: string, text: string): string {
  const url = /^https?:\/\//i.test(href.trim()) ? safeUrl(href) : undefined
  return url === undefined ? escapeHtml(text) : `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>`
}
