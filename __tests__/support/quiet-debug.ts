// Every test file starts with this (jest.config.js, setupFilesAfterEnv). Modules under test call
// @actions/core's debug(), which always writes `::debug::…` to stdout (the runner, not the
// toolkit, decides whether to show it); in a test run those lines are hundreds of lines of noise
// between the results. They are dropped here; everything else reaches the terminal unchanged.
// A test that captures stdout spies on it itself and sees the debug lines as before.
import { beforeAll, jest } from '@jest/globals'

const DEBUG_COMMAND = '::debug::'

beforeAll(() => {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean
  jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) =>
    String(chunk).startsWith(DEBUG_COMMAND) ? true : write(chunk, ...rest)) as typeof process.stdout.write)
})
