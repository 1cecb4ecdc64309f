// jest's node environment, plus two things when a test ends:
// - the cleanups it registered with afterThisTest() (after-test.ts) run, last first: jest runs no
//   afterEach for concurrent tests, and these do run for them;
// - when it failed, the logs of the processes it ran (recorded by step-logs.ts through the harness
//   and the cache driver) are appended to its failure, the last lines of each, so a failed
//   `expect(run.code).toBe(0)` shows what the step printed.
// Plain JavaScript: jest loads the environment before any transform applies.
import { TestEnvironment } from 'jest-environment-node'

const STEP_LOGS = Symbol.for('aws-sso-device-auth.step-logs')
const AFTER_TEST = Symbol.for('aws-sso-device-auth.after-test')
const MAX_STEPS = 6
const STDOUT_LINES = 40
const STDERR_LINES = 15

function tail(text, lines) {
  const kept = text.trimEnd().split('\n')
  if (kept.length === 1 && kept[0] === '') return '    (nothing)'
  const shown = kept.slice(-lines).map((line) => `    ${line}`)
  return (kept.length > lines ? [`    … ${kept.length - lines} earlier lines`, ...shown] : shown).join('\n')
}

export function formatStepLogs(logs) {
  const shown = logs.slice(-MAX_STEPS)
  const parts = shown.map((log, index) => {
    const ended = log.signal ? `signal ${log.signal}` : `exit ${log.code}`
    return (
      `[${logs.length - shown.length + index + 1}/${logs.length}] ${log.label} (${ended})\n` +
      `  stdout:\n${tail(log.stdout, STDOUT_LINES)}\n  stderr:\n${tail(log.stderr, STDERR_LINES)}`
    )
  })
  return `The processes this test ran, last lines of each (masks applied):\n${parts.join('\n')}`
}

export default class StepLogEnvironment extends TestEnvironment {
  async handleTestEvent(event, state) {
    await super.handleTestEvent?.(event, state)
    if (event.name !== 'test_done') return
    const cleanups = event.test[AFTER_TEST]
    if (Array.isArray(cleanups)) {
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup()
        } catch (error) {
          event.test.errors.push(error instanceof Error ? error : new Error(String(error)))
        }
      }
    }
    if (event.test.errors.length === 0) return
    const logs = event.test[STEP_LOGS]
    if (!Array.isArray(logs) || logs.length === 0) return
    const error = new Error(formatStepLogs(logs))
    // No stack: the frames would be this file's, not the test's.
    error.stack = error.message
    event.test.errors.push(error)
  }
}
