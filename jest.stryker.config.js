// Jest as Stryker runs it (stryker.config.json): the suites that run src/ in-process. The
// end-to-end, reliability, interop, bench and lint suites run the bundle in dist/ as a child
// process, so a mutant of src/ cannot change what they see; they only cost time.
//
// MUTATE_TESTS (comma-separated globs under the repository root) narrows the run further to a
// module's own suites: a module everything imports (src/text/sanitize.ts) is otherwise tested by
// most of the unit suites for every mutant. The score is then a lower bound.
import base from './jest.config.js'

const only =
  process.env.MUTATE_TESTS?.split(',')
    .map((glob) => glob.trim())
    .filter(Boolean) ?? []

export default {
  ...base,
  ...(only.length > 0 ? { testMatch: only.map((glob) => `<rootDir>/${glob}`) } : {}),
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '<rootDir>/__tests__/(e2e|reliability|interop|bench|lint)/',
    '<rootDir>/__tests__/harness/runner\\.test\\.ts$'
  ]
}
