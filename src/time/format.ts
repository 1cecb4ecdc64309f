// Times and durations as the action writes them for people and for the AWS tools: one function for
// each notation, so every log line, summary, comment and file says a time the same way.

/** "2026-05-01 12:10:00 UTC": an absolute time a reader anywhere understands at a glance. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** "12:10:00 UTC": the time of day, for a time within the job's own hour or so. */
export function formatUtcTimeOfDay(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`
}

/** "2026-05-01T12:10:00Z": ISO 8601 without milliseconds, as the AWS tools write it (docs/protocol.md §5). */
export function isoUtc(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** 5400 → "1h30m", 90 → "1m30s": the same notation the `timeout` input accepts. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : '']
  return parts.join('')
}

/** 1234 → "1.2 s": a short wait or limit, to a tenth of a second. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}
