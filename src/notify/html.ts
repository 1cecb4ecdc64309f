// core.summary writes its text and attributes raw, so everything we put in HTML passes here.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
}

/** A link only for http(s) URLs; anything else (javascript:, data:) is shown as text. */
export function link(href: string, text: string): string {
  return /^https?:\/\//i.test(href) ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text)
}
