// The cache version must equal what @actions/cache computes, or no entry it saved is ever found.
// The library's own function is loaded here from its file (the package exports only its entry
// point; the action never imports it at run time). __tests__/cache proves the same end to end.
import { describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { cacheVersion, compressionMethodOfThisRunner, type CompressionMethod } from '../../src/registration/cache-version.js'
import { REGISTRATION_CACHE_PATH } from '../../src/registration/key.js'
import { repositoryRoot } from '../harness/action-manifest.js'
import { tempDir } from '../support/temp.js'

const libraryUtils = (await import(pathToFileURL(join(repositoryRoot, 'node_modules/@actions/cache/lib/internal/cacheUtils.js')).href)) as {
  getCacheVersion(paths: string[], method?: string, crossOs?: boolean): string
}

describe('cacheVersion', () => {
  it.each<CompressionMethod>(['zstd', 'zstd-without-long', 'gzip'])("equals the library's getCacheVersion for %s", (method) => {
    expect(cacheVersion([REGISTRATION_CACHE_PATH], method, process.platform)).toBe(
      libraryUtils.getCacheVersion([REGISTRATION_CACHE_PATH], method)
    )
  })

  it('is the sha256 of the paths, the method, windows-only on Windows, and the salt 1.0, joined by |', async () => {
    const { createHash } = await import('node:crypto')
    const sha = (text: string): string => createHash('sha256').update(text).digest('hex')
    expect(cacheVersion(['~/a', '~/b'], 'gzip', 'linux')).toBe(sha('~/a|~/b|gzip|1.0'))
    expect(cacheVersion(['~/a'], 'zstd-without-long', 'win32')).toBe(sha('~/a|zstd-without-long|windows-only|1.0'))
    expect(cacheVersion(['~/a'], 'zstd', 'darwin')).toBe(sha('~/a|zstd|1.0'))
  })
})

describe('compressionMethodOfThisRunner', () => {
  it('is zstd-without-long with an executable zstd on PATH and gzip without, as the library decides', () => {
    const root = tempDir('zstd-on-path')
    try {
      const withZstd = join(root, 'with')
      const notExecutable = join(root, 'not-executable')
      mkdirSync(withZstd)
      mkdirSync(notExecutable)
      writeFileSync(join(withZstd, 'zstd'), '#!/bin/sh\necho v1.5.5\n')
      chmodSync(join(withZstd, 'zstd'), 0o755)
      writeFileSync(join(notExecutable, 'zstd'), '')
      chmodSync(join(notExecutable, 'zstd'), 0o644)

      expect(compressionMethodOfThisRunner({ PATH: `${root}:${withZstd}` }, 'linux')).toBe('zstd-without-long')
      expect(compressionMethodOfThisRunner({ PATH: notExecutable }, 'linux')).toBe('gzip')
      expect(compressionMethodOfThisRunner({ PATH: '' }, 'linux')).toBe('gzip')
      expect(compressionMethodOfThisRunner({}, 'linux')).toBe('gzip')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
