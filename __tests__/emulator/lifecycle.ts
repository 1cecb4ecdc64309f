// One emulator per test, closed after it (hung sockets included), for the emulator's own tests.
import { afterEach } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js'

/** Call at the top of a test file; the function it returns starts the test's emulator. */
export function emulatorPerTest(): (options?: EmulatorOptions) => Promise<Emulator> {
  let emulator: Emulator | undefined
  afterEach(async () => {
    const started = emulator
    emulator = undefined
    // close() is safe on an emulator a test already closed itself.
    await started?.close()
  })
  return async (options = {}) => (emulator = await startEmulator(options))
}
