// Scratch directories for tests: each a fresh mkdtemp under the system's temp directory, removed
// after the test file's last test (setup.ts), or earlier with removeTempDir(). A test that needs
// its own directory per test calls tempDir() in a beforeEach.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made = new Set<string>()

/** A new empty directory named `<prefix>-XXXXXX`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  made.add(dir)
  return dir
}

/** Removes one directory made by tempDir() (or any path), with everything in it. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  made.delete(dir)
}

/** Removes every directory tempDir() made in this test file. */
export function removeTempDirs(): void {
  for (const dir of [...made]) removeTempDir(dir)
}
