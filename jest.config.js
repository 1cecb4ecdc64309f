// ESM + TypeScript through ts-jest; run with NODE_OPTIONS=--experimental-vm-modules (see package.json).
import { fileURLToPath } from 'node:url'

export default {
  // jest's node environment, which also runs afterThisTest() cleanups and appends the logs of the
  // processes a failing test ran (__tests__/support/environment.js). An absolute path, not
  // <rootDir>: Stryker's jest runner (npm run mutate) wraps the environment and resolves it as given.
  testEnvironment: fileURLToPath(new URL('./__tests__/support/environment.js', import.meta.url)),
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: ['TS151001'] } }]
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  clearMocks: true,
  // Drop the ::debug:: lines modules under test print (the file says why), remove tempDir()s.
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/quiet-debug.ts', '<rootDir>/__tests__/support/setup.ts'],
  // A test that hangs fails after a minute; the slow ones (e2e with real bounds, the fault matrix)
  // set their own, longer timeouts.
  testTimeout: 60000,
  // Three workers on two cores: most files wait on child processes (dist/ runs, the emulator,
  // loopback fakes) rather than compute, so a third file overlaps their waits; measured, the suite
  // took 216 s with two and 186 s with three on an idle 2-core machine. The fault matrix and the
  // tests that time an exit still hold the action to its real time bounds with room to spare.
  // Tests that mostly wait also run side by side within their file (it.concurrent, up to five);
  // jest runs a describe block's concurrent tests together and the blocks one after another:
  // tests meant to share the pool share a block.
  maxWorkers: 3,
  maxConcurrency: 5
}
