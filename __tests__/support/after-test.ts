// Cleanups that belong to the running test: they run when it ends, passed or failed, last first,
// for a concurrent test too (jest runs no afterEach for `it.concurrent`). environment.js runs them
// when jest reports the test done; a cleanup that throws fails the test.
import { currentTest } from './step-logs.js'

export const AFTER_TEST = Symbol.for('aws-sso-device-auth.after-test')

/** Runs `cleanup` when the current test ends; throws outside a test (use afterAll there). */
export function afterThisTest(cleanup: () => unknown): void {
  const test = currentTest()
  if (!test) throw new Error('afterThisTest() was called outside a test: use afterAll or afterEach there')
  ;((test[AFTER_TEST] ??= []) as Array<() => unknown>).push(cleanup)
}
