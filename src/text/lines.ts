// Cutting outside text (an error message, a library's log line) down to what one line may show.
import { sanitize } from './sanitize.js'

/** The text up to its first line break, at most `maxLength` characters. */
export function firstLine(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  return (text.split(/\r?\n/, 1)[0] ?? '').slice(0, maxLength)
}

/**
 * The first line, through the one sanitiser (a library or service message may echo a key or a
 * request), at most `maxLength` characters, a cut marked with "...".
 */
export function clip(text: string, maxLength = 300): string {
  const line = sanitize(firstLine(text))
  return line.length > maxLength ? `${line.slice(0, maxLength - 3)}...` : line
}
