// Waiting for work that may not end in time: the one way the action bounds a wait it cannot cut
// short from inside (a library call, a post task, a GitHub write). The work itself is not stopped;
// it is left to finish on its own, unheard, and its failure after the limit is no unhandled rejection.

/** How bounded work ended. */
export type Bounded<T> =
  { status: 'done'; value: T } | { status: 'failed'; error: unknown } | { status: 'timed-out' } | { status: 'cancelled' }

/**
 * Starts `work` and settles with its outcome, with `timed-out` after `ms` (no limit when
 * undefined), or with `cancelled` as soon as `signal` aborts (at once when it has already). The
 * clock starts before the work does: its first synchronous moments count against the limit too.
 */
export async function settleWithin<T>(work: () => Promise<T>, ms: number | undefined, signal?: AbortSignal): Promise<Bounded<T>> {
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  const limit = new Promise<Bounded<T>>((resolve) => {
    if (ms !== undefined) timer = setTimeout(() => resolve({ status: 'timed-out' }), ms)
    onAbort = () => resolve({ status: 'cancelled' })
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, { once: true })
  })
  // Mapped to a value, so a failure after the limit is not an unhandled rejection.
  const running = work().then(
    (value): Bounded<T> => ({ status: 'done', value }),
    (error: unknown): Bounded<T> => ({ status: 'failed', error })
  )
  try {
    return await Promise.race([running, limit])
  } finally {
    clearTimeout(timer)
    if (onAbort) signal?.removeEventListener('abort', onAbort)
  }
}
