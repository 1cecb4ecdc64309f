// Text helpers shared by the channels: times a person reads at a glance, and values from the
// environment made safe to put on one line (a value with a line break could otherwise start a
// `::workflow-command::` line in the log, or break a table row).
import { sanitize } from '../text/sanitize.js'

/** "in 10 minutes", "in 1 minute", "in under a minute", "1 hour 5 minutes ago" style, from `now`. */
export function formatRelative(date: Date, now: Date): string {
  const ms = date.getTime() - now.getTime()
  const minutes = Math.round(Math.abs(ms) / 60_000)
  if (minutes === 0) return ms >= 0 ? 'in under a minute' : 'less than a minute ago'
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  const span = [hours ? plural(hours, 'hour') : '', rest ? plural(rest, 'minute') : ''].filter(Boolean).join(' ')
  return ms >= 0 ? `in ${span}` : `${span} ago`
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}

/** One line of printable text, through the one sanitiser for outside text (text/sanitize.ts). */
export function plain(value: string): string {
  return sanitize(value)
}

/** A value for display, or a placeholder when the runner did not provide it. */
export function shown(value: string | undefined): string {
  const text = value === undefined ? '' : plain(value)
  return text === '' ? '(unknown)' : text
}

/** The first 12 characters of a commit: enough to compare with what GitHub shows. */
export function shortSha(sha: string): string {
  return /^[0-9a-f]{40,64}$/i.test(sha) ? sha.slice(0, 12) : sha
}
