// The release workflow publishes `.github/scripts/release-notes.sh VERSION` as the release notes.
// A wrong section, a heading or link definitions in the notes, or an empty release are what can go
// wrong; each is planted here. The repository's CHANGELOG.md must keep the shape the script reads.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from '@jest/globals'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const script = join(root, '.github', 'scripts', 'release-notes.sh')
const scratch = mkdtempSync(join(tmpdir(), 'release-notes-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const CHANGELOG = `# Changelog

Intro text.

## [Unreleased]

### Added

- Something not yet released.

## [1.10.0] - 2026-03-01

### Changed

- Ten.

## [1.1.0] - 2026-02-01

### Added

- Profiles for the AWS CLI.

### Fixed

- A fix.

## [1.0.0-rc.1] - 2026-01-15

- A release candidate.

## [1.0.0] - 2026-01-20


### Added

- The first release.

## [0.9.0] - 2026-01-01

[Unreleased]: https://github.com/o/r/compare/v1.10.0...HEAD
[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0
`

function notes(version: string, changelog = CHANGELOG): { status: number | null; stdout: string; stderr: string } {
  const file = join(scratch, `CHANGELOG-${Math.random().toString(36).slice(2)}.md`)
  writeFileSync(file, changelog)
  const run = spawnSync('bash', [script, version, file], { encoding: 'utf8' })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('release notes from CHANGELOG.md', () => {
  it("prints only that version's section, without its heading", () => {
    expect(notes('1.1.0')).toEqual({
      status: 0,
      stdout: '### Added\n\n- Profiles for the AWS CLI.\n\n### Fixed\n\n- A fix.\n',
      stderr: ''
    })
  })

  it('does not take a version for another that starts with the same text', () => {
    expect(notes('1.0.0').stdout).toBe('### Added\n\n- The first release.\n')
    expect(notes('1.1').status).toBe(1)
  })

  it('leaves out the link definitions that end the file', () => {
    const last = CHANGELOG.replace('## [0.9.0] - 2026-01-01\n', '')
    expect(notes('1.0.0', last).stdout).toBe('### Added\n\n- The first release.\n')
  })

  it('fails, naming the missing heading, when the version has no section or an empty one', () => {
    const missing = notes('2.0.0')
    expect(missing.status).toBe(1)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toContain("add a '## [2.0.0] - YYYY-MM-DD' section")
    expect(notes('0.9.0').status).toBe(1)
  })
})

describe("the repository's CHANGELOG.md", () => {
  it('keeps a Changelog: an Unreleased section the next release is cut from', () => {
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8')
    expect(changelog).toMatch(/^## \[Unreleased\]$/m)
    const unreleased = notes('Unreleased', changelog)
    expect(unreleased.status).toBe(0)
    expect(unreleased.stdout).toMatch(/^- /m)
  })
})
