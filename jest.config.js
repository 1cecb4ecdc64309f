// ESM + TypeScript through ts-jest; run with NODE_OPTIONS=--experimental-vm-modules (see package.json).
export default {
  // jest's node environment, which also appends the logs of the processes a failing test ran.
  testEnvironment: '<rootDir>/__tests__/support/environment.js',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: ['TS151001'] } }]
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  clearMocks: true,
  // Drops the ::debug:: lines modules under test print (the file says why).
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/quiet-debug.ts', '<rootDir>/__tests__/support/setup.ts'],
  testTimeout: 60000,
  // e2e tests spawn processes and servers; two cores here, so keep workers modest.
  maxWorkers: 2
}
