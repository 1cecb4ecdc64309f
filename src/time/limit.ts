// Waiting for work that may not end in time: the one way the action bounds a wait it cannot cut
// short from inside (a library call, a post task, a GitHub write). The work itself is not stopped;
// it is left to finish on its own, unheard, and its failure after the limit is no unhandled rejection.
import { systemClock, type Clock } from './clock.js'

/** How bounded work ended. */
export type Bounded<T> =
  { status: 'done'; value: T } | { status: 'failed'; error: unknown } | { status: 'timed-out' } | { status: 'cancelled' }

/**
 * Starts `work` and settles with its outcome, with `timed-out` after `ms` (no limit when
 * undefined), or with `cancelled` as soon as `signal` aborts (at once when it has already). The
 * clock starts before the work does: its first synchronous moments count against the limit too.
 * The limit is kept on `clock`: the system's, or a test's virtual one (the poll's schedule tests).
 */
export async function settleWithin<T>(
  work: () => Promise<T>,
  ms: number | undefined,
  signal?: AbortSignal,
  clock: Pick<Clock, 'sleep'> = systemClock
): Promise<Bounded<T>> {
  // Ends the limit's own wait and listener once the race is over, whoever won it.
  const settled = new AbortController()
  const limit = new Promise<Bounded<T>>((resolve) => {
    if (ms !== undefined) {
      clock.sleep(ms, settled.signal).then(
        () => resolve({ status: 'timed-out' }),
        () => {} // the work settled first
      )
    }
    const onAbort = () => resolve({ status: 'cancelled' })
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, { once: true, signal: settled.signal })
  })
  // Mapped to a value, so a failure after the limit is not an unhandled rejection.
  const running = work().then(
    (value): Bounded<T> => ({ status: 'done', value }),
    (error: unknown): Bounded<T> => ({ status: 'failed', error })
  )
  try {
    return await Promise.race([running, limit])
  } finally {
    settled.abort()
  }
}
