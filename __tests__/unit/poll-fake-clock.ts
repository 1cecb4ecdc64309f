// A virtual clock for schedule tests: sleeps are timers on a virtual timeline, and run() moves
// time straight to the next timer whenever nothing else can happen, so minutes of polling take
// milliseconds and concurrent timers (a wait and a deadline) fire in the right order.
import type { Clock } from '../../src/time/clock.js'

interface Timer {
  due: number
  order: number
  resolve: () => void
}

export class FakeClock implements Clock {
  private current: number
  private timers: Timer[] = []
  private created = 0
  /** Every sleep requested, in ms, in order. */
  readonly sleeps: number[] = []

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms)
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const timer: Timer = {
        due: this.current + Math.max(0, ms),
        order: this.created++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      }
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.timers.push(timer)
    })
  }

  /** Pending timers (for asserting nothing is left behind). */
  get pendingTimers(): number {
    return this.timers.length
  }

  /** Drives `promise` to completion, jumping virtual time from timer to timer. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false
    promise.then(
      () => (settled = true),
      () => (settled = true)
    )
    for (;;) {
      // All microtasks run before a macrotask: after this, everything not waiting on a timer is done.
      await new Promise((resolve) => setImmediate(resolve))
      if (settled) return promise
      const next = this.timers.reduce<Timer | undefined>(
        (earliest, t) => (!earliest || t.due < earliest.due || (t.due === earliest.due && t.order < earliest.order) ? t : earliest),
        undefined
      )
      if (!next) throw new Error('FakeClock: the promise is pending and no timer is left to fire')
      this.timers = this.timers.filter((t) => t !== next)
      this.current = Math.max(this.current, next.due)
      next.resolve()
    }
  }

  /** Moves time forward without firing timers, as a slow call would. */
  advance(ms: number): void {
    this.current += ms
  }
}
