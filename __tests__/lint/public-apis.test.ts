// The action uses other projects through their public interfaces only, and patches nothing at run
// time (issue 16): each of these broke, or could break, silently on a dependency update.
// - No import of a package's private files: a subpath of a package (`undici/lib/…`,
//   `@actions/cache/lib/…`) only when the package's `exports` declares it, and no tsconfig
//   `paths` mapping that puts another file in a package's place.
// - No V8 flags set at run time (`v8.setFlagsFromString`: undefined behaviour after start-up).
// - No assignment to a global (`globalThis.X = …`), to `process.emitWarning`, or to anything of
//   `process.stdout` / `process.stderr` (their `write` included), by `=` or by
//   Object.defineProperty / Object.assign / Reflect.set.
// Read with the TypeScript parser from every file under src/; planted files below prove each rule
// can fail.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import ts from 'typescript'
import { repositoryRoot } from '../harness/runner.js'

/** `@scope/name/sub/path` → ['@scope/name', './sub/path']; a relative, absolute or `node:` specifier → undefined. */
function packageSubpath(specifier: string): [string, string] | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined
  const parts = specifier.split('/')
  const nameLength = specifier.startsWith('@') ? 2 : 1
  return [parts.slice(0, nameLength).join('/'), ['.', ...parts.slice(nameLength)].join('/')]
}

/** Whether the installed package declares `subpath` in its `exports` (a package without `exports` declares only its name). */
function isExported(name: string, subpath: string): boolean {
  if (subpath === '.') return true
  const manifest = join(repositoryRoot, 'node_modules', name, 'package.json')
  if (!existsSync(manifest)) return false
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown }).exports
  if (typeof exports !== 'object' || exports === null) return false
  return Object.keys(exports).some((key) => key === subpath || (key.endsWith('/*') && subpath.startsWith(key.slice(0, -1))))
}

const PATCHED_ROOTS = ['globalThis', 'global']
const PATCHED_PROPERTIES = ['process.emitWarning', 'process.stdout', 'process.stderr']

/** `a.b.c`, `(a as T).b['c']` → 'a.b.c'; undefined for anything that is not such a chain. */
function chainOf(node: ts.Node): string | undefined {
  if (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isTypeAssertionExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isSatisfiesExpression(node)
  ) {
    return chainOf(node.expression)
  }
  if (ts.isIdentifier(node)) return node.text
  if (ts.isPropertyAccessExpression(node)) {
    const base = chainOf(node.expression)
    return base === undefined ? undefined : `${base}.${node.name.text}`
  }
  if (ts.isElementAccessExpression(node)) {
    const base = chainOf(node.expression)
    const key = ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : '*'
    return base === undefined ? undefined : `${base}.${key}`
  }
  return undefined
}

/** Whether writing to `chain` (or into it, for the defineProperty family) patches what must not be patched. */
function isPatched(chain: string | undefined, into: boolean): boolean {
  if (chain === undefined) return false
  const [root] = chain.split('.')
  if (PATCHED_ROOTS.includes(root!) && (into || chain.includes('.'))) return true
  return PATCHED_PROPERTIES.some((property) => chain === property || chain.startsWith(`${property}.`)) || (into && chain === 'process')
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.PlusEqualsToken
])
const DEFINERS = new Set(['Object.defineProperty', 'Object.defineProperties', 'Object.assign', 'Reflect.set', 'Reflect.defineProperty'])

/** What a file does that it must not, each as `file:line: what`. */
function offences(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const report = (node: ts.Node, what: string): void => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
    found.push(`${file}:${line + 1}: ${what}`)
  }
  const checkSpecifier = (node: ts.Node, specifier: string): void => {
    const target = packageSubpath(specifier)
    if (target !== undefined && !isExported(...target)) report(node, `imports ${specifier}, a file ${target[0]} does not export`)
  }
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      checkSpecifier(node, node.moduleSpecifier.text)
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      checkSpecifier(node, node.name.text)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      checkSpecifier(node, node.argument.literal.text)
    } else if (ts.isCallExpression(node)) {
      const callee = chainOf(node.expression)
      const [first] = node.arguments
      if (
        (node.expression.kind === ts.SyntaxKind.ImportKeyword || callee === 'require') &&
        first !== undefined &&
        ts.isStringLiteralLike(first)
      )
        checkSpecifier(node, first.text)
      if (callee !== undefined && /(^|\.)setFlagsFromString$/.test(callee)) report(node, 'sets V8 flags at run time')
      if (callee !== undefined && DEFINERS.has(callee) && first !== undefined && isPatched(chainOf(first), true))
        report(node, `patches ${chainOf(first)} with ${callee}`)
    } else if (ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind) && isPatched(chainOf(node.left), false)) {
      report(node, `assigns to ${chainOf(node.left)}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe('src/ uses public interfaces and patches nothing', () => {
  const files = readdirSync(join(repositoryRoot, 'src'), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts'))

  it('reads every source file', () => {
    expect(files.length).toBeGreaterThan(40)
    expect(files).toContain('index.ts')
  })

  it("imports no package's private files, sets no V8 flag, and assigns to no global nor process stream", () => {
    const found = files.flatMap((file) => offences(join('src', file), readFileSync(join(repositoryRoot, 'src', file), 'utf8')))
    expect(found).toEqual([])
  })

  it('maps no module name to another file (tsconfig paths)', () => {
    for (const config of ['tsconfig.json', 'src/tsconfig.json']) {
      const { config: parsed } = ts.readConfigFile(join(repositoryRoot, config), ts.sys.readFile)
      expect({ config, paths: (parsed as { compilerOptions?: { paths?: unknown } }).compilerOptions?.paths }).toEqual({
        config,
        paths: undefined
      })
    }
  })
})

describe('the reading can fail', () => {
  it.each([
    ["import Agent from 'undici/lib/dispatcher/agent.js'", 'imports undici/lib/dispatcher/agent.js'],
    ["export { x } from '@actions/cache/lib/internal/cacheUtils.js'", 'imports @actions/cache/lib/internal/cacheUtils.js'],
    ["const f = await import('undici/lib/web/fetch/index.js')", 'imports undici/lib/web/fetch/index.js'],
    ["declare module 'undici/lib/api/index.js' {}", 'imports undici/lib/api/index.js'],
    ["type T = typeof import('@actions/core/lib/command.js')", 'imports @actions/core/lib/command.js'],
    ["import { setFlagsFromString } from 'node:v8'\nsetFlagsFromString('--no-opt')", 'sets V8 flags at run time'],
    ["import v8 from 'node:v8'\nv8.setFlagsFromString('--max-lazy')", 'sets V8 flags at run time'],
    [';(globalThis as { FormData: unknown }).FormData = FormData', 'assigns to globalThis.FormData'],
    ["globalThis['fetch'] ??= f", 'assigns to globalThis.fetch'],
    ['process.emitWarning = () => undefined', 'assigns to process.emitWarning'],
    ['process.stdout.write = wrapped', 'assigns to process.stdout.write'],
    ['stderrWrapper = process.stderr.write = wrap(process.stderr.write)', 'assigns to process.stderr.write'],
    ["Object.defineProperty(globalThis, 'FormData', { value: F })", 'patches globalThis with Object.defineProperty'],
    ['Object.assign(process.stdout, { write })', 'patches process.stdout with Object.assign']
  ])('finds %j', (text, what) => {
    expect(offences('planted.ts', text)).toEqual([expect.stringContaining(what)])
  })

  it.each([
    "import * as core from '@actions/core'",
    "import { Agent, ProxyAgent, type Dispatcher } from 'undici'",
    "const { saveCache } = await import('@actions/cache')",
    "import { readFile } from 'node:fs/promises'\nimport { x } from './local.js'",
    "process.stdout.write('text')\nprocess.exitCode = 1\nconst globalThing = 1",
    'const options = { write: process.stdout.write }'
  ])('lets %j pass', (text) => {
    expect(offences('planted.ts', text)).toEqual([])
  })

  it('allows a subpath a package exports', () => {
    expect(isExported('@actions/core', '.')).toBe(true)
    expect(isExported('undici', './lib/dispatcher/agent.js')).toBe(false)
    // yaml declares ./util in its exports; a subpath like that is public.
    expect(isExported('yaml', './util')).toBe(true)
  })
})
