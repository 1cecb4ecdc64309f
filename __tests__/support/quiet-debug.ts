// Every test file starts with this (jest.config.js, setupFilesAfterEnv). Modules under test call
// @actions/core's debug(), which always writes `::debug::…` to stdout (the runner, not the
// toolkit, decides whether to show it); in a test run those lines are hundreds of lines of noise
// between the results. They are dropped here; everything else reaches the terminal unchanged.
//
// The filter is a plain function put in place of process.stdout.write for the file's tests, not a
// jest spy: `jest.restoreAllMocks()` in a test leaves it in place, and a test that captures stdout
// (capture.ts) spies on top of it and sees the debug lines as before.
import { afterAll, beforeAll } from '@jest/globals'

const DEBUG_COMMAND = '::debug::'

type Write = typeof process.stdout.write

/** The chunk without its `::debug::` lines (core writes one command per chunk; a chunk may hold several lines). */
export function withoutDebugLines(text: string): string {
  if (!text.includes(DEBUG_COMMAND)) return text
  return text
    .split(/(?<=\n)/)
    .filter((line) => !line.startsWith(DEBUG_COMMAND))
    .join('')
}

let original: Write | undefined

beforeAll(() => {
  const write = process.stdout.write
  original = write
  process.stdout.write = function (this: unknown, chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    const kept = withoutDebugLines(text)
    if (kept === '') {
      // Still honour a callback, as the stream would.
      const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined
      callback?.()
      return true
    }
    return (write as (...args: unknown[]) => boolean).call(process.stdout, kept === text ? chunk : kept, ...rest)
  } as Write
})

afterAll(() => {
  if (original) process.stdout.write = original
})
