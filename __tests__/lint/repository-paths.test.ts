// Every document names only files of this repository: a Markdown link, a repository path named in
// the text (`src/…`, `docs/…`, `__tests__/…`, …) or a `#heading` anchor that leads nowhere fails
// here, and so does a path of that form in a comment under src/, emulator/, scripts/ or bench/.
// Files that moved or were removed, and notes kept outside the repository, are what this catches.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { repositoryRoot } from '../harness/runner.js'

/** Top-level folders whose paths a document may name as repository paths. */
const ROOTS = ['src', 'docs', '__tests__', 'emulator', 'scripts', 'bench', '.github', '.ci', 'dist']
const NAMED_PATH = new RegExp(`(?<![\\w./-])((?:${ROOTS.map((root) => root.replace('.', '\\.')).join('|')})/[\\w./@+-]*[\\w/])`, 'g')
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'reports', 'coverage', '.stryker-tmp'])

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

/** The anchors a Markdown text's headings get, duplicates numbered as GitHub numbers them. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  for (const match of withoutFences(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = headingAnchor(match[1]!)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  return anchors
}

/** The text with fenced code blocks blanked (lines kept, so line numbers stay right). */
function withoutFences(markdown: string, keep: (language: string) => boolean = () => false): string {
  return markdown.replace(/^(\s*)(```+|~~~+)(\w*)[^\n]*\n[\s\S]*?^\s*\2[ \t]*$/gm, (block, _indent, _fence, language: string) =>
    keep(language) ? block : block.replace(/[^\n]/g, '')
  )
}

export interface Repository {
  exists(path: string): boolean
  read(path: string): string
}

/**
 * Where `file` (a path from the repository's root) names something the repository lacks, as
 * "file:line: what". Markdown: links and anchors, and named paths outside YAML examples (those are
 * workflows of the reader's repository). Code: named paths in the text, a `.js` import name
 * standing for its `.ts` source.
 */
export function brokenReferences(file: string, text: string, repository: Repository): string[] {
  const markdown = file.endsWith('.md')
  const scanned = markdown ? withoutFences(text, (language) => !/^ya?ml$/.test(language)) : text
  const problems: string[] = []
  scanned.split('\n').forEach((line, index) => {
    const where = `${file}:${index + 1}`
    for (const match of line.matchAll(NAMED_PATH)) {
      const path = match[1]!.replace(/\.+$/, '')
      if (/[<>*…]/.test(path)) continue
      if (!repository.exists(path) && !(path.endsWith('.js') && repository.exists(path.replace(/\.js$/, '.ts')))) {
        problems.push(`${where}: names ${path}, which is not in the repository`)
      }
    }
    if (!markdown) return
    for (const match of line.matchAll(/\]\(([^)\s]*?)(?:#([^)\s]*))?(?:\s+"[^"]*")?\)/g)) {
      const [, target = '', anchor] = match
      if (/^[a-z][\w+.-]*:/i.test(target)) continue
      const path = target === '' ? file : normalize(join(dirname(file), decodeURI(target)))
      if (target !== '' && !repository.exists(path)) {
        problems.push(`${where}: links to ${target}, which is not in the repository`)
      } else if (
        anchor !== undefined &&
        path.endsWith('.md') &&
        !anchorsOf(target === '' ? text : repository.read(path)).has(decodeURI(anchor))
      ) {
        problems.push(`${where}: links to #${anchor}, which is no heading of ${path}`)
      }
    }
  })
  return problems
}

function filesUnder(folder: string, wanted: (name: string) => boolean): string[] {
  const found: string[] = []
  for (const entry of readdirSync(join(repositoryRoot, folder), { withFileTypes: true })) {
    const path = folder === '' ? entry.name : `${folder}/${entry.name}`
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) found.push(...filesUnder(path, wanted))
    } else if (wanted(entry.name)) {
      found.push(path)
    }
  }
  return found
}

const onDisk: Repository = {
  exists: (path) => !relative(repositoryRoot, join(repositoryRoot, path)).startsWith('..') && existsSync(join(repositoryRoot, path)),
  read: (path) => readFileSync(join(repositoryRoot, path), 'utf8')
}

describe('documents name only what the repository holds', () => {
  const documents = filesUnder('', (name) => name.endsWith('.md'))
  const code = ['src', 'emulator', 'scripts', 'bench'].flatMap((folder) => filesUnder(folder, (name) => /\.(ts|js|mjs|sh)$/.test(name)))

  it('reads the README, the docs and the code (the scan is not empty)', () => {
    expect(documents).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'docs/architecture.md']))
    expect(code).toEqual(expect.arrayContaining(['src/main.ts', 'emulator/server.ts']))
  })

  it('every Markdown link, anchor and named path exists', () => {
    expect(documents.flatMap((file) => brokenReferences(file, onDisk.read(file), onDisk))).toEqual([])
  })

  it('every path a comment under src/, emulator/, scripts/ or bench/ names exists', () => {
    expect(code.flatMap((file) => brokenReferences(file, onDisk.read(file), onDisk))).toEqual([])
  })
})

// The checks above pass on a clean repository whatever they do; planted text shows each can fail.
describe('finding broken references', () => {
  const files: Record<string, string> = {
    'README.md':
      '# Tool\n\n## Wait in a small job, deploy in many: the hand-off\n\n## Debug with `@github/local-action`\n\n## Usage\n\n## Usage\n',
    'docs/guide.md': '# Guide\n',
    'src/main.ts': ''
  }
  const planted: Repository = {
    exists: (path) => path in files || Object.keys(files).some((file) => file.startsWith(`${path}/`)),
    read: (path) => files[path]!
  }
  const check = (file: string, text: string) => brokenReferences(file, text, planted)

  it('makes anchors as GitHub does', () => {
    expect([...anchorsOf(files['README.md']!)]).toEqual([
      'tool',
      'wait-in-a-small-job-deploy-in-many-the-hand-off',
      'debug-with-githublocal-action',
      'usage',
      'usage-1'
    ])
  })

  it('reports a missing link target, a missing anchor and a named path that is not there, with the line', () => {
    const text = [
      'See [the guide](docs/guide.md) and [the plan](PLAN.md).',
      'Read [hand-off](README.md#wait-in-a-small-job-deploy-in-many-the-hand-off) and [gone](README.md#quick-start).',
      'In [this file](#notes) and [nowhere](#nowhere).',
      'The flow is in `src/main.ts`, the rest in `src/flow.ts` and docs/missing.md.',
      '## Notes'
    ].join('\n')
    expect(check('CONTRIBUTING.md', text)).toEqual([
      'CONTRIBUTING.md:1: links to PLAN.md, which is not in the repository',
      'CONTRIBUTING.md:2: links to #quick-start, which is no heading of README.md',
      'CONTRIBUTING.md:3: links to #nowhere, which is no heading of CONTRIBUTING.md',
      'CONTRIBUTING.md:4: names src/flow.ts, which is not in the repository',
      'CONTRIBUTING.md:4: names docs/missing.md, which is not in the repository'
    ])
  })

  it('resolves a link from the file that holds it, and leaves web links and placeholders alone', () => {
    expect(check('docs/other.md', '[guide](guide.md) [up](../README.md#usage) [web](https://example.com/x.md) `src/<module>.ts`')).toEqual(
      []
    )
    expect(check('docs/other.md', '[guide](docs/guide.md)')).toEqual([
      'docs/other.md:1: links to docs/guide.md, which is not in the repository'
    ])
  })

  it('checks code blocks except YAML examples, and comments in code with .js standing for .ts', () => {
    expect(
      check('README.md', '```sh\nnpm test -- __tests__/gone\n```\n```yaml\n# .github/workflows/deploy.yml in octo-org/workflows\n```\n')
    ).toEqual(['README.md:2: names __tests__/gone, which is not in the repository'])
    expect(check('src/poll.ts', "// see src/main.js and src/gone.ts\nimport './main.js'\n")).toEqual([
      'src/poll.ts:1: names src/gone.ts, which is not in the repository'
    ])
  })
})
