// Reading outside data (an event payload, a GitHub answer) whose every part may be missing, null,
// an array or of another type than documented: one key at a time, never a cast that trusts it.

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** One key of a value that may not be an object at all. */
export function member(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined
}

/** A positive safe integer (a GitHub id or number), or undefined. */
export function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined
}

/** A GitHub login (a user's, or an app's with `[bot]`), as GitHub allows them; nothing else is believed. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/

export function isGitHubLogin(value: unknown): value is string {
  return typeof value === 'string' && LOGIN.test(value)
}
