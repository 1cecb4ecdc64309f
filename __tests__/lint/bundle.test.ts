// The bundle stays lean (issue 7) by public means only (issue 16): one copy of undici per entry,
// the libraries only some runs need (@actions/github, the QR code library) out of the main chunk,
// which Node parses and runs before the first AWS call, and @actions/cache out of the bundle
// altogether (the action speaks the cache protocol itself; the library only tests it). Checked on the
// committed dist/, which CI proves is what the sources build; the reading of dist/ itself is
// tested on a planted bundle so the check can fail.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { ABSENT_LIBRARIES, inspectBundle, LAZY_LIBRARIES, staleMarkers, UNDICI } from '../../bench/bundle.js'
import { repositoryRoot } from '../harness/runner.js'

const scratch = mkdtempSync(join(tmpdir(), 'bundle-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Library → how src/ imports it at run time: with import() (lazy) or a static import. */
function importsInSrc(): Map<string, Set<'dynamic' | 'static'>> {
  const found = new Map<string, Set<'dynamic' | 'static'>>()
  const files = readdirSync(join(repositoryRoot, 'src'), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts'))
  for (const file of files) {
    const text = readFileSync(join(repositoryRoot, 'src', file), 'utf8')
    for (const { library } of [...LAZY_LIBRARIES, ...ABSENT_LIBRARIES]) {
      const quoted = `['"]${library.replace(/[/.]/g, '\\$&')}['"]`
      // `import type` and `typeof import()` in types vanish from the bundle; they do not count.
      if (new RegExp(`^import\\s+(?!type\\b)[^'"]*?from\\s+${quoted}`, 'm').test(text))
        found.set(library, (found.get(library) ?? new Set()).add('static'))
      if (new RegExp(`(?<!typeof\\s)\\bimport\\(\\s*${quoted}\\s*\\)`).test(text))
        found.set(library, (found.get(library) ?? new Set()).add('dynamic'))
    }
  }
  return found
}

describe('dist/', () => {
  const report = inspectBundle(join(repositoryRoot, 'dist'))

  it('recognises each library by a string its installed code still contains', () => {
    expect(staleMarkers(join(repositoryRoot, 'node_modules'))).toEqual([])
  })

  it('holds exactly one copy of undici per entry (main step, post step)', () => {
    expect(report.undiciCopies['index.js']).toBe(1)
    for (const [entry, copies] of Object.entries(report.undiciCopies)) expect({ entry, copies }).toEqual({ entry, copies: 1 })
  })

  it('keeps @actions/github and the QR code library out of the main chunk', () => {
    expect(report.lazyLibraries.filter(({ inMainChunk }) => inMainChunk).map(({ library }) => library)).toEqual([])
  })

  it('holds no @actions/cache in any chunk, and src/ never imports it, not even with import()', () => {
    expect(report.absentLibraries).toEqual([{ library: '@actions/cache', chunks: [] }])
    expect(importsInSrc().get('@actions/cache')).toBeUndefined()
  })

  it('has the two entries only: the main step and the post step (no worker)', () => {
    const entries = report.chunks.map(({ file }) => file).filter((file) => file === 'index.js' || file.endsWith('/index.js'))
    expect(entries).toEqual(['index.js', 'post/index.js'])
  })

  it('is loaded by src/ only with import(), never a static import', () => {
    const imports = importsInSrc()
    const statics = LAZY_LIBRARIES.filter(({ library }) => imports.get(library)?.has('static')).map(({ library }) => library)
    expect(statics).toEqual([])
    // The QR code is on every prompt's path: its own chunk must be there, or the reading is wrong.
    expect(imports.get('uqr')).toEqual(new Set(['dynamic']))
    expect(report.lazyLibraries.find(({ library }) => library === 'uqr')?.chunks).toEqual([expect.stringMatching(/^\d+\.index\.js$/)])
  })
})

describe('reading a bundle', () => {
  function plantDist(name: string, files: Record<string, string>): string {
    const dir = join(scratch, name)
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true })
      writeFileSync(join(dir, file), text)
    }
    return dir
  }

  it('counts undici copies across chunks, finds a lazy library in the main chunk and a library that must be absent', () => {
    const qr = LAZY_LIBRARIES.find(({ library }) => library === 'uqr')!.marker
    const cache = ABSENT_LIBRARIES.find(({ library }) => library === '@actions/cache')!.marker
    const dir = plantDist('fat', {
      'index.js': `${UNDICI.marker} {}\nconst ${qr} = 1\n`,
      '12.index.js': `${UNDICI.marker} {}\nthrow new Error('${cache}')\n`,
      'post/index.js': `${UNDICI.marker} {}\n`,
      'licenses.txt': 'MIT\n'
    })
    const report = inspectBundle(dir)
    expect(report.undiciCopies).toEqual({ 'index.js': 2, 'post/index.js': 1 })
    expect(report.chunks.map(({ file }) => file)).toEqual(['index.js', '12.index.js', 'post/index.js'])
    expect(report.totalBytes).toBe(report.chunks.reduce((sum, { bytes }) => sum + bytes, 0) + 'MIT\n'.length)
    expect(report.lazyLibraries).toEqual([
      { library: '@actions/github', chunks: [], inMainChunk: false },
      { library: 'uqr', chunks: ['index.js'], inMainChunk: true }
    ])
    expect(report.absentLibraries).toEqual([{ library: '@actions/cache', chunks: ['12.index.js'] }])
  })

  it('fails clearly when there is no main chunk', () => {
    expect(() => inspectBundle(plantDist('empty', { 'licenses.txt': 'MIT\n' }))).toThrow(/index\.js does not exist: run `npm run bundle`/)
  })

  it('reports a marker its library no longer contains', () => {
    const modules = plantDist('node_modules', { 'undici/lib/dispatcher/agent.js': 'class Agent extends Base {}\n' })
    expect(staleMarkers(modules).map(({ library }) => library)).toEqual([
      'undici',
      ...LAZY_LIBRARIES.map(({ library }) => library),
      ...ABSENT_LIBRARIES.map(({ library }) => library)
    ])
  })
})
