// The rules action.yml must meet to run on GitHub and to be published on the Marketplace, and the
// README's promise that its inputs and outputs tables are action.yml's. Each rule is its own test so
// a failure names the rule. (`@action-validator/cli` 0.6.0 rejects `node24`, so it cannot do this.)
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { BRANDING_COLORS, BRANDING_ICONS } from './branding.js'
import { cellText, compareNames, nameInCell, normalizeDefault, tableUnderHeading, type MarkdownTable } from './markdown-tables.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

type Yaml = string | Yaml[] | { [key: string]: Yaml }
type Mapping = { [key: string]: Yaml }

function isMapping(value: Yaml | undefined): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * action.yml as the runner reads it: the failsafe schema keeps every scalar as its text, so
 * `default: true` stays the input "true" and `default: 1e3` stays "1e3".
 */
function readManifest(): Mapping {
  const path = join(root, 'action.yml')
  if (!existsSync(path)) throw new Error('action.yml does not exist at the repository root')
  const document = parse(readFileSync(path, 'utf8'), { schema: 'failsafe' }) as Yaml
  if (!isMapping(document)) throw new Error('action.yml is not a YAML mapping')
  return document
}

function section(manifest: Mapping, key: 'inputs' | 'outputs'): Record<string, Mapping> {
  const value = manifest[key] ?? {}
  if (!isMapping(value)) throw new Error(`action.yml: ${key} must be a mapping`)
  return Object.fromEntries(Object.entries(value).map(([name, spec]) => [name, isMapping(spec) ? spec : {}]))
}

function text(value: Yaml | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function undescribed(entries: Record<string, Mapping>): string[] {
  return Object.entries(entries)
    .filter(([, spec]) => (text(spec.description) ?? '').trim() === '')
    .map(([name]) => name)
}

function readme(): string {
  const path = join(root, 'README.md')
  if (!existsSync(path)) throw new Error('README.md does not exist at the repository root')
  return readFileSync(path, 'utf8')
}

function requireTable(markdown: string, heading: RegExp, what: string): MarkdownTable {
  const table = tableUnderHeading(markdown, heading)
  if (!table) throw new Error(`README.md has no table under a heading matching ${heading} (the ${what} table)`)
  return table
}

function columnIndex(table: MarkdownTable, header: RegExp, what: string): number {
  const index = table.header.findIndex((cell) => header.test(cellText(cell)))
  if (index < 0)
    throw new Error(
      `README.md line ${table.line}: the ${what} table has no column matching ${header}; columns: ${table.header.join(' | ')}`
    )
  return index
}

// Marketplace rules, from the release form and docs.github.com (metadata syntax, publishing).
const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/
/** The release form rejects longer ones: "Description must be less than 125 characters." */
const MAX_DESCRIPTION_LENGTH = 124
/**
 * GitHub publishes no limit for the name; this keeps it readable in the Actions tab and on the
 * Marketplace card. 50 is the length of a long name the Marketplace accepted
 * ("Backport merged pull requests to selected branches").
 */
const MAX_NAME_LENGTH = 50

describe('action.yml metadata', () => {
  it('has a one-line name fit for the Marketplace', () => {
    const name = text(readManifest().name) ?? ''
    expect(name.trim()).not.toBe('')
    expect(name).not.toMatch(/\n/)
    expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH)
  })

  it('has a description shorter than the Marketplace limit of 125 characters', () => {
    const description = (text(readManifest().description) ?? '').trim()
    expect(description).not.toBe('')
    expect(description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH)
  })

  it('describes every input and every output', () => {
    const manifest = readManifest()
    expect({ inputs: undescribed(section(manifest, 'inputs')), outputs: undescribed(section(manifest, 'outputs')) }).toEqual({
      inputs: [],
      outputs: []
    })
  })

  it('uses ids GitHub accepts for inputs and outputs', () => {
    const manifest = readManifest()
    const names = [...Object.keys(section(manifest, 'inputs')), ...Object.keys(section(manifest, 'outputs'))]
    expect(names.filter((name) => !ID_PATTERN.test(name))).toEqual([])
  })

  it('runs on node24', () => {
    const runs = readManifest().runs
    expect(isMapping(runs) ? text(runs.using) : undefined).toBe('node24')
  })

  it('points runs.main, and runs.post when declared, at bundles present in dist/', () => {
    const runs = readManifest().runs
    if (!isMapping(runs)) throw new Error('action.yml: runs must be a mapping')
    const entries = { main: text(runs.main), ...(runs.post === undefined ? {} : { post: text(runs.post) }) }
    expect(entries.main).toBeDefined()
    for (const [key, file] of Object.entries(entries)) {
      expect({ key, file, inDist: file?.startsWith('dist/'), exists: file !== undefined && existsSync(join(root, file)) }).toEqual({
        key,
        file,
        inDist: true,
        exists: true
      })
    }
  })

  it('declares the post step exactly when there is one (src/post.ts): revocation and cleanup depend on it', () => {
    const runs = readManifest().runs
    const hasPostSource = existsSync(join(root, 'src', 'post.ts'))
    expect({ hasPostSource, post: isMapping(runs) ? text(runs.post) : undefined }).toEqual({
      hasPostSource,
      post: hasPostSource ? 'dist/post/index.js' : undefined
    })
  })

  it('has Marketplace branding: a supported Feather icon and color', () => {
    const branding = readManifest().branding
    if (!isMapping(branding)) throw new Error('action.yml has no branding (icon and color) for the Marketplace')
    const icon = text(branding.icon) ?? ''
    const color = text(branding.color) ?? ''
    expect({ icon, supported: BRANDING_ICONS.has(icon) }).toEqual({ icon, supported: true })
    expect({ color, supported: BRANDING_COLORS.has(color) }).toEqual({ color, supported: true })
  })
})

describe('README tables match action.yml', () => {
  it('lists exactly the inputs of action.yml, with the same defaults', () => {
    const inputs = section(readManifest(), 'inputs')
    const table = requireTable(readme(), /^inputs\b/i, 'inputs')
    const defaultColumn = columnIndex(table, /^default/i, 'inputs')
    const documented = new Map(table.rows.map((row) => [nameInCell(row[0] ?? ''), cellText(row[defaultColumn] ?? '')]))

    expect(compareNames(Object.keys(inputs), documented.keys())).toEqual({ undocumented: [], unknown: [] })
    const mismatched = Object.entries(inputs)
      .filter(([name]) => documented.has(name))
      .map(([name, spec]) => ({ name, actionYml: normalizeDefault(text(spec.default)), readme: normalizeDefault(documented.get(name)) }))
      .filter(({ actionYml, readme }) => actionYml !== readme)
    expect(mismatched).toEqual([])
  })

  it('lists exactly the outputs of action.yml', () => {
    const outputs = section(readManifest(), 'outputs')
    const table = requireTable(readme(), /^outputs\b/i, 'outputs')
    expect(
      compareNames(
        Object.keys(outputs),
        table.rows.map((row) => nameInCell(row[0] ?? ''))
      )
    ).toEqual({
      undocumented: [],
      unknown: []
    })
  })
})

// The table reading above decides whether the README check can fail, so it is tested on planted text.
describe('reading README tables', () => {
  const planted = [
    '# Action',
    '',
    '```yaml',
    '## Inputs',
    '```',
    '',
    '## Inputs',
    '',
    'Text before the table.',
    '',
    '| Input | Required | Default | Description |',
    '| :--- | :---: | --- | --- |',
    '| `start-url` (required) | yes | — | The portal URL. |',
    '| `notify` | no | `summary`<br>`pr-comment` | Where to prompt. |',
    '| **`github-token`** | no | `${{ github.token }}` | Token for comments. |',
    '| `scopes` | no | `sso:account:access` | Scopes, `a\\|b` style escapes too. |',
    '',
    '### Notes',
    '',
    '## Outputs',
    '',
    '| Output | Description |',
    '|---|---|',
    '| `outcome` | approved or not |'
  ].join('\n')

  it('finds the table under the heading, not a heading-like line in a code block', () => {
    const table = tableUnderHeading(planted, /^inputs\b/i)
    expect(table?.line).toBe(11)
    expect(table?.rows.map((row) => nameInCell(row[0]))).toEqual(['start-url', 'notify', 'github-token', 'scopes'])
    expect(table?.rows[3][3]).toBe('Scopes, `a|b` style escapes too.')
  })

  it('reads defaults the way a reader sees them', () => {
    const table = tableUnderHeading(planted, /^inputs\b/i)!
    const defaults = table.rows.map((row) => normalizeDefault(cellText(row[2])))
    expect(defaults).toEqual([undefined, 'summary,pr-comment', '${{ github.token }}', 'sso:account:access'])
    expect(normalizeDefault('summary\npr-comment\n')).toBe('summary,pr-comment')
    expect(normalizeDefault('true')).not.toBe(normalizeDefault('false'))
  })

  it('reports names missing from either side', () => {
    expect(compareNames(['start-url', 'region', 'notify'], ['start-url', 'notify', 'regoin'])).toEqual({
      undocumented: ['region'],
      unknown: ['regoin']
    })
  })

  it('finds no table when the heading is absent or its section has none', () => {
    expect(tableUnderHeading(planted, /^environment\b/i)).toBeUndefined()
    expect(tableUnderHeading('## Inputs\n\nNone yet.\n\n## Outputs\n\n| a | b |\n|---|---|\n', /^inputs\b/i)).toBeUndefined()
  })
})
