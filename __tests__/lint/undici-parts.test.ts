// The bundle's undici is src/http/undici-parts.ts (src/tsconfig.json maps the name there). A
// package that imported from undici a name that file does not export would get `undefined` at run
// time, and ncc says nothing about it. So every import of undici in the packages the action ships
// (package.json "dependencies", and theirs) is read here and held against what the file exports.
import { createServer, type Server } from 'node:http'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as undici from 'undici'
import * as parts from '../../src/http/undici-parts.js'
import { repositoryRoot } from '../harness/runner.js'

interface UndiciImport {
  file: string
  /** The names imported; undefined when the form cannot be read (namespace, default, require). */
  names: string[] | undefined
}

/** The directory of each package that `dependencies` reach from `root`, as Node resolves them. */
function shippedPackages(root: string): string[] {
  const seen = new Set<string>()
  const visit = (packageDir: string): void => {
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const dir = resolvePackage(packageDir, name)
      if (dir === undefined || seen.has(dir)) continue
      seen.add(dir)
      visit(dir)
    }
  }
  visit(root)
  return [...seen]
}

function resolvePackage(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/** Every import of undici (the package itself, not a file inside it) in a package's code. */
function undiciImports(packageDir: string): UndiciImport[] {
  const found: UndiciImport[] = []
  const files = readdirSync(packageDir, { recursive: true })
    .map(String)
    .filter((file) => /\.(c|m)?js$/.test(file) && !file.split('/').includes('node_modules'))
  for (const file of files) {
    const text = readFileSync(join(packageDir, file), 'utf8')
    if (!/['"]undici['"]/.test(text)) continue
    const where = join(packageDir, file)
    const pattern = /import\s+([^'";]*?)\s+from\s+['"]undici['"]|(?:(?:const|let|var)\s+([\w$]+)\s*=\s*)?(?:require|import)\(\s*['"]undici['"]\s*\)/g
    for (const match of text.matchAll(pattern)) {
      const [, clause, binding] = match
      found.push({ file: where, names: clause !== undefined ? namedImports(clause) : binding !== undefined ? propertiesRead(text, binding) : undefined })
    }
  }
  return found
}

/** `{ A, B as C }` → ['A', 'B']; any other clause (default, namespace) cannot be read. */
function namedImports(clause: string): string[] | undefined {
  const named = /^\{([^}]*)\}$/.exec(clause.trim())
  if (named === null) return undefined
  return named[1]
    .split(',')
    .map((name) => name.trim().split(/\s+as\s+/)[0])
    .filter((name) => name !== '' && !name.startsWith('type '))
}

/**
 * `const undici_1 = require('undici')` (TypeScript's CommonJS output): the properties read from
 * the binding. A binding also used in any other way (passed on, indexed) cannot be read.
 */
function propertiesRead(text: string, binding: string): string[] | undefined {
  const name = binding.replace(/\$/g, '\\$')
  const uses = [...text.matchAll(new RegExp(`(?<![\\w$.])${name}(?![\\w$])(\\.([\\w$]+))?`, 'g'))]
  const properties = uses.filter((use) => use[2] !== undefined).map((use) => use[2])
  // Every use but the declaration itself must read a property.
  if (properties.length !== uses.length - 1) return undefined
  return [...new Set(properties)]
}

describe('the undici the bundle uses', () => {
  const imports = shippedPackages(repositoryRoot)
    .filter((dir) => !dir.endsWith(join('node_modules', 'undici')))
    .flatMap(undiciImports)

  it('finds the imports it reads: @actions/http-client (ProxyAgent) and @actions/github (fetch)', () => {
    const names = new Set(imports.flatMap(({ names }) => names ?? []))
    expect(names).toEqual(new Set(['ProxyAgent', 'fetch']))
  })

  it('exports every name a shipped package imports from undici, each in a form that can be read', () => {
    const unreadable = imports.filter(({ names }) => names === undefined).map(({ file }) => file)
    expect(unreadable).toEqual([])
    const missing = imports.flatMap(({ file, names }) => (names ?? []).filter((name) => !(name in parts)).map((name) => `${name} (${file})`))
    expect(missing).toEqual([])
  })

  it("gives undici's own classes, with the request API undici's index puts on every dispatcher", () => {
    expect(parts.Agent).toBe(undici.Agent)
    expect(parts.ProxyAgent).toBe(undici.ProxyAgent)
    expect(parts.EnvHttpProxyAgent).toBe(undici.EnvHttpProxyAgent)
    expect(parts.Dispatcher).toBe(undici.Dispatcher)
    expect(typeof parts.Dispatcher.prototype.request).toBe('function')
  })

  describe('fetch, loaded on its first call', () => {
    let server: Server
    let origin: string
    beforeAll(async () => {
      server = createServer((request, response) => response.end(`${request.method} ${request.url}`))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    it("answers as undici's fetch does, through the dispatcher it is given", async () => {
      const dispatcher = new parts.Agent()
      try {
        const response = await parts.fetch(`${origin}/path?q=1`, { method: 'POST', dispatcher })
        expect(response.status).toBe(200)
        expect(await response.text()).toBe('POST /path?q=1')
      } finally {
        await dispatcher.close()
      }
    })
  })
})

describe('reading imports of undici', () => {
  it('reads named imports and reports forms it cannot read', () => {
    const dir = join(repositoryRoot, '__tests__', 'fixtures', 'undici-importers')
    const found = undiciImports(dir).map(({ file, names }) => ({ file: file.slice(dir.length + 1), names }))
    expect(found.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: 'dynamic.js', names: undefined },
      { file: 'named.mjs', names: ['Agent', 'request'] },
      { file: 'namespace.js', names: undefined },
      { file: 'required.cjs', names: undefined },
      { file: 'typescript-cjs.js', names: ['ProxyAgent', 'fetch'] }
    ])
  })
})
