// One dependency direction in src/: entry → flow → domain → model and wire clients → http and
// utilities. Every import of every file (static, type-only, re-exports and dynamic import()) is
// read with the TypeScript compiler's own pre-processor and held to the table below: a module may
// import its own layer or a lower one, never a higher one, and no group of modules may import
// each other in a circle, neither file by file nor folder by folder. CONTRIBUTING.md
// ("Where code goes") explains the rule and maps the modules; this table is the one that counts,
// and that page's copy of it is checked against it here.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, posix, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import ts from 'typescript'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SRC = join(ROOT, 'src')

/**
 * The layers, highest first. A path names a file, or a folder when it ends with `/`; the longest
 * path that matches a file decides its layer, so `cleanup/index.ts` (the post flow) is in `flow`
 * while the tasks beside it are in `domain`. A file no path matches fails the test: a new module
 * takes its place here when it is written.
 */
export const LAYERS: ReadonlyArray<{ name: string; paths: readonly string[] }> = [
  { name: 'entry', paths: ['index.ts', 'post.ts', 'post-run.ts', 'exit.ts'] },
  { name: 'flow', paths: ['main.ts', 'flow/', 'cleanup/index.ts', 'cleanup/tasks.ts'] },
  {
    name: 'domain',
    paths: [
      'inputs.ts',
      'role-inputs.ts',
      'context.ts',
      'trigger.ts',
      'trust.ts',
      'cancellation.ts',
      'deadline.ts',
      'failure.ts',
      'poll.ts',
      'gate/',
      'registration/',
      'notify/',
      'export/',
      'handoff/',
      'cleanup/',
      'identity/'
    ]
  },
  { name: 'model and wire clients', paths: ['model/', 'oidc/', 'portal/', 'github/', 'sts/'] },
  { name: 'http and utilities', paths: ['http/', 'text/', 'time/', 'retry.ts', 'errors.ts', 'private-files.ts', 'defined.ts'] }
]

interface Edge {
  from: string
  to: string
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : []
  })
}

/** Every relative import of `file` (src-relative paths), resolved to the .ts file it names. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8')
  const { importedFiles } = ts.preProcessFile(text, true, true)
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts'))
}

export function layerOf(file: string): number | undefined {
  let best: { index: number; length: number } | undefined
  LAYERS.forEach(({ paths }, index) => {
    for (const path of paths) {
      const matches = path.endsWith('/') ? file.startsWith(path) : file === path
      if (matches && (best === undefined || path.length > best.length)) best = { index, length: path.length }
    }
  })
  return best?.index
}

/** The folder a file is in (`notify`), or the file itself at the top of src/ (`main.ts`). */
function unitOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : file
}

/** Each circle in the graph, as the nodes on it in order (Tarjan's strongly connected components). */
export function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>()
  for (const { from, to } of edges) {
    if (from === to) continue
    next.set(from, [...(next.get(from) ?? []), to])
    if (!next.has(to)) next.set(to, [])
  }
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (node: string): void => {
    index.set(node, index.size)
    low.set(node, index.get(node)!)
    stack.push(node)
    onStack.add(node)
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(node, Math.min(low.get(node)!, low.get(target)!))
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!))
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node)
  return found
}

const FILES = sourceFiles(SRC).sort()
const EDGES: Edge[] = FILES.flatMap((from) => importsOf(from).map((to) => ({ from, to })))

describe('the import direction in src/', () => {
  it('reads the imports (the test itself can see a violation)', () => {
    expect(EDGES.length).toBeGreaterThan(100)
    expect(EDGES).toContainEqual({ from: 'main.ts', to: 'model/request.ts' })
    // A dynamic import() counts like a static one.
    const dynamic = ts.preProcessFile("const m = await import('./late.js')\nimport type { T } from './types.js'", true, true)
    expect(dynamic.importedFiles.map(({ fileName }) => fileName)).toEqual(['./late.js', './types.js'])
    expect(
      cycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' }
      ])
    ).toEqual([['a', 'b', 'c']])
    expect(layerOf('cleanup/index.ts')).toBe(1)
    expect(layerOf('cleanup/revoke.ts')).toBe(2)
  })

  it('gives every file of src/ a layer', () => {
    expect(FILES.filter((file) => layerOf(file) === undefined)).toEqual([])
  })

  it('imports only files that exist', () => {
    expect(EDGES.filter(({ to }) => !FILES.includes(to))).toEqual([])
  })

  it('never imports a higher layer', () => {
    const against = EDGES.filter(({ from, to }) => (layerOf(to) ?? 0) < (layerOf(from) ?? 0)).map(
      ({ from, to }) => `${from} (${LAYERS[layerOf(from)!]!.name}) imports ${to} (${LAYERS[layerOf(to)!]!.name})`
    )
    expect(against).toEqual([])
  })

  it('has no circle of files', () => {
    expect(cycles(EDGES)).toEqual([])
  })

  it('has no circle of folders (notify, export, cleanup, …) or top-level modules', () => {
    expect(cycles(EDGES.map(({ from, to }) => ({ from: unitOf(from), to: unitOf(to) })))).toEqual([])
  })

  it('is the table CONTRIBUTING.md shows', () => {
    const page = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8')
    const start = page.indexOf('<!-- layers -->')
    const end = page.indexOf('<!-- /layers -->')
    expect(start).toBeGreaterThan(-1)
    const rows = page
      .slice(start, end)
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| layer') && !line.startsWith('| ---'))
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .map(([, name, paths]) => ({ name, paths: (paths ?? '').split(',').map((path) => path.trim().replace(/`/g, '')) }))
    expect(rows).toEqual(LAYERS.map(({ name, paths }) => ({ name, paths: [...paths] })))
  })
})
