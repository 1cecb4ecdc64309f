// Time as a dependency: polling and retries read the time and sleep only through a Clock, so
// tests can run minutes of schedule in milliseconds with a fake one.
import { setTimeout as delay } from 'node:timers/promises'

export interface Clock {
  /** Epoch milliseconds. */
  now(): number
  /** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    try {
      await delay(Math.max(0, ms), undefined, { signal })
    } catch (error) {
      // timers/promises wraps the reason in its own AbortError; callers expect the reason itself,
      // as fetch and undici give it, so a cancellation looks the same wherever it is caught.
      if (signal?.aborted) throw signal.reason
      throw error
    }
  }
}
