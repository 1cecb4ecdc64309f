// settleWithin, the one timeout race: on a virtual clock (the poll's), so its limits are exact.
import { describe, expect, it } from '@jest/globals'
import { settleWithin } from '../../src/time/limit.js'
import { FakeClock } from './poll-fake-clock.js'

const never = () => new Promise<never>(() => {})

describe('settleWithin', () => {
  it('settles with the value or the failure of work that ends in time, and leaves no timer behind', async () => {
    const clock = new FakeClock()
    const slow = async () => (await clock.sleep(900), 'value')
    await expect(clock.run(settleWithin(slow, 1_000, undefined, clock))).resolves.toEqual({ status: 'done', value: 'value' })
    const failure = new Error('refused')
    await expect(clock.run(settleWithin(() => Promise.reject(failure), 1_000, undefined, clock))).resolves.toEqual({
      status: 'failed',
      error: failure
    })
    expect(clock.pendingTimers).toBe(0)
  })

  it('times out after exactly `ms` on its clock, the clock started before the work', async () => {
    const clock = new FakeClock()
    const start = clock.now()
    let startedAt: number | undefined
    const work = () => ((startedAt = clock.sleeps.length), never())
    await expect(clock.run(settleWithin(work, 1_500, undefined, clock))).resolves.toEqual({ status: 'timed-out' })
    expect(clock.now() - start).toBe(1_500)
    expect(startedAt).toBe(1)
  })

  it('waits without a limit when `ms` is undefined, until the work ends', async () => {
    const clock = new FakeClock()
    const work = async () => (await clock.sleep(3_600_000), 'late')
    await expect(clock.run(settleWithin(work, undefined, undefined, clock))).resolves.toEqual({ status: 'done', value: 'late' })
  })

  it('is cancelled as soon as the signal aborts, and at once when it already has', async () => {
    const clock = new FakeClock()
    const controller = new AbortController()
    void clock.sleep(400).then(() => controller.abort())
    await expect(clock.run(settleWithin(never, 1_000, controller.signal, clock))).resolves.toEqual({ status: 'cancelled' })
    expect(clock.now() - Date.UTC(2026, 0, 1)).toBe(400)
    expect(clock.pendingTimers).toBe(0)
    await expect(settleWithin(never, 1_000, AbortSignal.abort(), clock)).resolves.toEqual({ status: 'cancelled' })
  })

  it('keeps time on the system clock by default', async () => {
    const started = performance.now()
    await expect(settleWithin(never, 50)).resolves.toEqual({ status: 'timed-out' })
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
  })

  it('takes a failure after the limit as nothing: no unhandled rejection', async () => {
    const clock = new FakeClock()
    const late = async () => {
      await clock.sleep(2_000)
      throw new Error('too late')
    }
    const unhandled: unknown[] = []
    const listener = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', listener)
    try {
      await expect(clock.run(settleWithin(late, 1_000, undefined, clock))).resolves.toEqual({ status: 'timed-out' })
      await clock.run(clock.sleep(1_500))
      await new Promise((resolve) => setImmediate(resolve))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', listener)
    }
  })
})
