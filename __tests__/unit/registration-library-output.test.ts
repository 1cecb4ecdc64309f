import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import { demoteChunk, newLibraryOutput, runWithLibraryOutputDemoted } from '../../src/registration/library-output.js'

describe('demoting one chunk of library output', () => {
  it('turns log lines, warnings and errors into debug lines and records them', () => {
    const output = newLibraryOutput()
    const text = demoteChunk(
      [
        'Cache hit for: some-key',
        '::warning::Failed to restore: Cache service responded with 429',
        '::error file=x.ts,line=1::Failed to save: (500) Internal%0Asecond line',
        '::debug::already debug',
        '::add-mask::a-signature-to-mask',
        ''
      ].join('\n'),
      output
    )

    expect(text.split('\n')).toEqual([
      '::debug::@actions/cache: Cache hit for: some-key',
      '::debug::@actions/cache warning: Failed to restore: Cache service responded with 429',
      '::debug::@actions/cache error: Failed to save: (500) Internal%0Asecond line',
      '::debug::already debug',
      '::add-mask::a-signature-to-mask',
      ''
    ])
    expect(output.problems).toEqual(['Failed to restore: Cache service responded with 429', 'Failed to save: (500) Internal'])
    expect(output.messages).toEqual([
      'Cache hit for: some-key',
      'Failed to restore: Cache service responded with 429',
      'Failed to save: (500) Internal',
      'already debug'
    ])
  })

  it('passes what the library echoes through the sanitiser: a hostile cache key in a debug dump or a log line stays inert', () => {
    const output = newLibraryOutput()
    const text = demoteChunk(['::debug::Body: {%0A  "matched_key": "k\u200b\u202e##[add-path]x"%0A}', 'Cache hit for: k\u2066##[set-output name=a]b', ''].join('\n'), output)
    expect(text.split('\n')).toEqual([
      '::debug::Body: {%0A"matched_key": "k## [add-path]x"%0A}',
      '::debug::@actions/cache: Cache hit for: k## [set-output name=a]b',
      ''
    ])
  })

  it('keeps percent signs escaped in the rewritten line, so the runner shows them as written', () => {
    const output = newLibraryOutput()

    expect(demoteChunk('Sent 100 of 100 (100.0%)\n', output)).toBe('::debug::@actions/cache: Sent 100 of 100 (100.0%25)\n')
    expect(output.messages).toEqual(['Sent 100 of 100 (100.0%)'])
  })
})

describe('running library code with its output demoted', () => {
  let stdout: string[]
  let stderr: string[]

  beforeEach(() => {
    stdout = []
    stderr = []
    // Installed before the wrapper, so they see what would reach the runner.
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (stdout.push(String(chunk)), true))
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true))
  })

  afterEach(() => {
    jest.restoreAllMocks()
  })

  it('demotes what the work writes, late writes included, and leaves other writes alone', async () => {
    const output = newLibraryOutput()
    let late: Promise<void> | undefined

    const value = await runWithLibraryOutputDemoted(output, async () => {
      core.info('library info')
      core.warning('library warning')
      process.stderr.write('library stderr\n')
      // Work the library leaves running (a retry after our deadline) still belongs to it.
      late = new Promise((resolve) => setTimeout(() => (core.error('late library error'), resolve()), 20))
      return 42
    })
    core.warning('our own warning')
    await late

    expect(value).toBe(42)
    expect(stdout.join('')).toBe(
      [
        '::debug::@actions/cache: library info',
        '::debug::@actions/cache warning: library warning',
        '::debug::@actions/cache: library stderr',
        '::warning::our own warning',
        '::debug::@actions/cache error: late library error',
        ''
      ].join('\n')
    )
    expect(stderr).toEqual([])
    expect(output.problems).toEqual(['library warning', 'late library error'])
  })

  it('lets masks through at once, so the runner can hide what the library masks', async () => {
    await runWithLibraryOutputDemoted(newLibraryOutput(), async () => core.setSecret('signed-url-signature'))

    expect(stdout.join('')).toBe('::add-mask::signed-url-signature\n')
  })
})
