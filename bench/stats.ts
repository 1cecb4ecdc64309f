// The arithmetic of the bench, kept apart from the processes it measures so it can be tested on
// planted numbers: every figure is a median with its minimum and maximum over the runs.

export interface Summary {
  median: number
  min: number
  max: number
  /** How many runs the figure summarises. */
  runs: number
}

/** Median (the mean of the two middle values for an even count), minimum and maximum. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values (a scenario produced no runs)')
  if (values.some((value) => !Number.isFinite(value))) throw new Error(`summarize: not a finite number in ${JSON.stringify(values)}`)
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length }
}

/** How many times `subject`'s median is `base`'s: the ratios the report prints. */
export function ratio(subject: Summary, base: Summary): number {
  if (base.median <= 0) throw new Error('ratio: the base median must be positive')
  return subject.median / base.median
}

/**
 * The most CreateToken calls RFC 8628 allows for an approval `waitMs` after the device
 * authorization started, polling every `intervalMs`: poll k cannot come before k intervals, the
 * polls before the approval all came before `waitMs`, and one more poll collects the token.
 */
export function maxPollsAllowed(waitMs: number, intervalMs: number): number {
  if (!(intervalMs > 0) || !(waitMs >= 0)) throw new Error('maxPollsAllowed: the interval must be positive and the wait not negative')
  return Math.max(1, Math.ceil(waitMs / intervalMs))
}

/** Smallest gap between consecutive timestamps; undefined with fewer than two. */
export function smallestGap(timestamps: readonly number[]): number | undefined {
  let smallest: number | undefined
  for (let i = 1; i < timestamps.length; i++) {
    const gap = timestamps[i] - timestamps[i - 1]
    if (smallest === undefined || gap < smallest) smallest = gap
  }
  return smallest
}

/** Occurrences of each name, in first-seen order. */
export function countBy(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1
  return counts
}
