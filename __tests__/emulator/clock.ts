// A clock the test moves by hand: expiry and poll-rate rules are tested without waiting.
export interface ManualClock {
  now: () => number
  advance(ms: number): void
}

export function manualClock(start = Date.now()): ManualClock {
  let current = start
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    }
  }
}
