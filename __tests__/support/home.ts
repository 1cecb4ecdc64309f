// A HOME of the test's choosing for code that asks os.homedir(). In a jest worker, process.env is
// a copy the test may change, but os.homedir() reads the real process environment: setting
// process.env.HOME does not move it. So this mocks `os`/`node:os` for the modules the test file
// imports afterwards, with homedir() answering the directory last set. Call it before importing
// the code under test, with a dynamic import: `const home = mockHomeDirectory(); const m = await import(…)`.
// Everything else of `os` is the real module.
import { jest } from '@jest/globals'
import * as os from 'node:os'

export interface HomeDirectory {
  /** What os.homedir() answers from now on. */
  set(home: string): void
}

export function mockHomeDirectory(initial: string = os.homedir()): HomeDirectory {
  let current = initial
  const mocked = { ...os, homedir: () => current }
  const module = () => ({ ...mocked, default: mocked })
  jest.unstable_mockModule('node:os', module)
  jest.unstable_mockModule('os', module)
  return {
    set(home) {
      current = home
    }
  }
}
