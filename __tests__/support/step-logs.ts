// The logs of the processes a test ran (action steps, cache drivers), kept on the test itself so
// that a failing test shows them (environment.js appends them to its failure): `expect(run.code)
// .toBe(0)` alone would say only "Expected 0, received 1". Text is recorded with the step's masks
// applied. Outside jest (the demo uses the harness too) nothing is recorded.
export const STEP_LOGS = Symbol.for('aws-sso-device-auth.step-logs')

export interface StepLog {
  /** What ran, e.g. `dist/index.js` or `cache driver: save`. */
  label: string
  code: number | null
  signal?: string | null
  /** Masks already applied. */
  stdout: string
  stderr: string
}

interface ExpectState {
  /** jest-circus: the running test, found by async context (right for concurrent tests too). */
  currentTestIdentity?: () => unknown
}

/** jest-circus's record of the test running in this async context; undefined outside a test or outside jest. */
export function currentTest(): Record<symbol, unknown> | undefined {
  const expectGlobal = (globalThis as { expect?: { getState?: () => ExpectState } }).expect
  const test = expectGlobal?.getState?.().currentTestIdentity?.()
  return typeof test === 'object' && test !== null ? (test as Record<symbol, unknown>) : undefined
}

/**
 * Call where the process starts, in the test's own async context; the function it returns records
 * the finished process's log on that test (a no-op outside a test, e.g. in a beforeAll).
 */
export function stepLogRecorder(): (log: StepLog) => void {
  const test = currentTest()
  if (!test) return () => undefined
  return (log) => {
    ;((test[STEP_LOGS] ??= []) as StepLog[]).push(log)
  }
}
