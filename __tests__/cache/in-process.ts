// restoreRegistration and saveRegistration in the test's own process: the same calls as the driver
// makes (operation.ts), with the log captured from stdout and read the same way, in milliseconds
// instead of a process start each. What makes that possible:
// - @actions/cache and the action read the runner's variables at call time, so each run sets them
//   (jest's copy of process.env) for its own fake and sandbox, and puts them back after;
// - os.homedir(), which the save's `~` and the registration file's path go through, reads the
//   real process environment: the sandbox's HOME is given to it by mocking `os` (support/home.ts),
//   which is why loadInProcessCache() must run before anything imports src/registration;
// - the shared HTTP dispatcher keeps the proxy settings it was made with: closed after each run.
// Runs are one at a time (one environment per process). A save whose request hangs is left running
// by its deadline, inside the library, and would outlive the test: those run in a driver process.
import { captureStdout, capture } from '../support/capture.js'
import { mockHomeDirectory } from '../support/home.js'
import { performOperation, type DriverRequest } from './operation.js'
import { readCacheLog, RUNNER_CACHE_VARIABLES, setEnv, snapshotEnv, type DriverRun, type Sandbox } from './support.js'

/** The variables a run sets; the values they had are put back after it. */
const RUN_VARIABLES = [...RUNNER_CACHE_VARIABLES, 'HOME']

export type InProcessRun = (request: DriverRequest, env: Record<string, string>, sandbox: Pick<Sandbox, 'home'>) => Promise<DriverRun>

/** Mocks os.homedir() and then loads the cache module; call at the top of a test file, before importing src/registration. */
export async function loadInProcessCache(): Promise<InProcessRun> {
  const home = mockHomeDirectory()
  const cache = await import('../../src/registration/cache.js')
  const { closeSharedDispatcher } = await import('../../src/http/dispatcher.js')
  let running = false
  return async (request, env, sandbox) => {
    if (running) throw new Error('in-process cache runs are one at a time (one process environment): await the previous one')
    running = true
    const restoreEnv = snapshotEnv(RUN_VARIABLES)
    setEnv(RUN_VARIABLES, env)
    home.set(sandbox.home)
    const started = performance.now()
    const stdout = captureStdout()
    const stderr = capture(process.stderr)
    try {
      const result = await performOperation(request, cache)
      return readCacheLog({ code: 0, stdout: stdout.text(), stderr: stderr.text(), wallMs: performance.now() - started, result })
    } finally {
      stdout.restore()
      stderr.restore()
      await closeSharedDispatcher()
      restoreEnv()
      running = false
    }
  }
}
