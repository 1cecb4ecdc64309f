import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { setTimeout as sleep } from 'node:timers/promises'
import { demoteChunk, newLibraryOutput } from '../../src/registration/library-output.js'
import { saveCacheInWorker } from '../../src/registration/save-in-worker.js'

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

describe('saving in a worker whose output the action reads', () => {
  const stub = new URL('../fixtures/save-worker-stub.mjs', import.meta.url)
  let stdout: string[]

  beforeEach(() => {
    stdout = []
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (stdout.push(String(chunk)), true))
  })

  afterEach(() => {
    jest.restoreAllMocks()
  })

  /** Resolves once `count` chunks have reached this process's stdout. */
  async function written(count: number): Promise<void> {
    for (let waited = 0; stdout.length < count && waited < 5_000; waited += 10) await sleep(10)
  }

  it("answers with the worker's cache id; demotes what it writes, late writes included, and records it", async () => {
    const output = newLibraryOutput()

    const cacheId = await saveCacheInWorker(['path'], 'talks', output, stub)
    await written(6)

    expect(cacheId).toBe(42)
    // Everything written before the answer is recorded by the time it comes.
    expect(output.problems).toEqual(['library warning', 'late library error'])
    expect(stdout.join('').split('\n').sort()).toEqual(
      [
        '::debug::@actions/cache: library info',
        '::debug::@actions/cache warning: library warning',
        '::add-mask::signed-url-signature',
        '::debug::@actions/cache: library stderr',
        '::debug::@actions/cache: a line in two writes',
        '::debug::@actions/cache error: late library error',
        ''
      ].sort()
    )
    // The mask goes out before anything the library wrote after it on the same stream.
    expect(stdout.findIndex((chunk) => chunk.startsWith('::add-mask::'))).toBeLessThan(stdout.findIndex((chunk) => chunk.includes('a line in two')))
  })

  it("rejects with the worker's error, the library's warning recorded first", async () => {
    const output = newLibraryOutput()

    await expect(saveCacheInWorker(['path'], 'fails', output, stub)).rejects.toThrow(/^Cache service responded with 500$/)
    expect(output.problems).toEqual(['Failed to save: (500) Internal'])
    expect(stdout).toEqual(['::debug::@actions/cache warning: Failed to save: (500) Internal\n'])
  })

  it('rejects when the worker ends without an answer, or cannot start', async () => {
    await expect(saveCacheInWorker(['path'], 'exits', newLibraryOutput(), stub)).rejects.toThrow(/ended without an answer/)
    await expect(saveCacheInWorker(['path'], 'talks', newLibraryOutput(), new URL('../fixtures/no-such-worker.mjs', import.meta.url))).rejects.toThrow()
    expect(stdout).toEqual([])
  })
})
