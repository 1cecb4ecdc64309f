// src/v8-flags.ts changes V8 flags before the bundle's modules run. A flag change invalidates V8's
// code cache for Node's built-in modules, so each built-in the bundle loads after it would be
// compiled from source: the file loads them all first. This holds its list to what the bundle
// requires (ncc hoists every built-in any chunk uses into the entry chunk, as an external).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { repositoryRoot } from '../harness/runner.js'

/** The built-ins a bundle entry requires, without the `node:` prefix. */
function builtinsRequired(bundleText: string): Set<string> {
  const names = [...bundleText.matchAll(/__WEBPACK_EXTERNAL_createRequire\(import\.meta\.url\)\("([^"]+)"\)/g)].map((match) => match[1].replace(/^node:/, ''))
  return new Set(names)
}

function builtinsPreloaded(): Set<string> {
  const text = readFileSync(join(repositoryRoot, 'src', 'v8-flags.ts'), 'utf8')
  // Every import of the file, side effect only or not, is loaded before its body runs.
  return new Set([...text.matchAll(/^import (?:.* from )?'node:([^']+)'$/gm)].map((match) => match[1]))
}

describe('src/v8-flags.ts', () => {
  const preloaded = builtinsPreloaded()

  it.each(['index.js', 'post/index.js'])('loads every built-in dist/%s requires before it changes a flag', (entry) => {
    const required = builtinsRequired(readFileSync(join(repositoryRoot, 'dist', entry), 'utf8'))
    expect(required.size).toBeGreaterThan(10)
    expect([...required].filter((name) => !preloaded.has(name)).sort()).toEqual([])
  })

  it('reads the externals ncc writes', () => {
    const text = 'const a = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");\nmodule.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");'
    expect(builtinsRequired(text)).toEqual(new Set(['net', 'tty']))
  })

  it('sets the flags after its imports, so the imports load first', () => {
    const text = readFileSync(join(repositoryRoot, 'src', 'v8-flags.ts'), 'utf8')
    const lastImport = Math.max(...[...text.matchAll(/^import .*$/gm)].map((match) => match.index))
    const firstFlag = text.indexOf('setFlagsFromString(')
    expect(firstFlag).toBeGreaterThan(lastImport)
  })
})
