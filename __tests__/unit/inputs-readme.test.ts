// The README's inputs and outputs tables are the contract users read: they must say exactly what
// action.yml says (names, required, defaults, descriptions), and action.yml only what the code reads.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { OUTPUT_NAMES } from '../../src/export/outputs.js'

interface Manifest {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

const root = process.cwd()
const manifest = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as Manifest
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** The rows of the first table after `## heading`, as arrays of trimmed cells. */
function tableAfter(heading: string): string[][] {
  const section = readme.split(new RegExp(`^## ${heading}$`, 'm'))[1]
  if (section === undefined) throw new Error(`README has no "## ${heading}" section`)
  const lines = section.split('\n').filter((line) => line.startsWith('|'))
  const table: string[][] = []
  for (const line of lines.slice(2)) {
    if (!line.startsWith('| `')) break
    table.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim())
    )
  }
  return table
}

const code = (text: string) => /^`(.*)`$/.exec(text)?.[1] ?? text

describe('README tables equal action.yml', () => {
  it('inputs: same names, required, defaults and descriptions, in the same order', () => {
    const rows = tableAfter('Inputs').map(([name, required, defaultValue, description]) => ({
      name: code(name!),
      required: required === 'yes',
      // An empty cell: no default at all; `—`: an empty default (the input may be left out).
      default: defaultValue === '' ? undefined : defaultValue === '—' ? '' : code(defaultValue!),
      description
    }))
    const declared = Object.entries(manifest.inputs).map(([name, input]) => ({
      name,
      required: input.required === true,
      default: input.default,
      description: input.description.trim()
    }))
    expect(rows).toEqual(declared)
  })

  it('outputs: same names and descriptions, in the same order', () => {
    const rows = tableAfter('Outputs').map(([name, description]) => ({ name: code(name!), description }))
    const declared = Object.entries(manifest.outputs).map(([name, output]) => ({ name, description: output.description.trim() }))
    expect(rows).toEqual(declared)
  })

  it('every input and output has a description', () => {
    for (const entry of [...Object.values(manifest.inputs), ...Object.values(manifest.outputs)]) {
      expect(entry.description.trim().length).toBeGreaterThan(10)
    }
  })

  it('action.yml declares exactly the inputs the code reads', () => {
    const read: string[] = []
    // inputs.ts and the modules it delegates to read every input through `read('name')`.
    for (const file of ['inputs.ts', 'role-inputs.ts']) {
      const source = readFileSync(join(root, 'src', file), 'utf8')
      for (const m of source.matchAll(/read\('([a-z-]+)'\)/g)) read.push(m[1]!)
    }
    expect(read.sort()).toEqual(Object.keys(manifest.inputs).sort())
    expect(Object.keys(manifest.outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
  })

  it('"Try it and test it" is exactly the two commands, right after the Quick start', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1])
    expect(headings.slice(0, 2)).toEqual(['Quick start', 'Try it and test it'])
    const tryIt = readme.split(/^## Try it and test it$/m)[1]!.split(/^## /m)[0]!
    const block = /```sh\n([\s\S]*?)```/.exec(tryIt)?.[1]
    expect(block).toBe('npm ci && npm run demo\nnpm test\n')
  })

  it('the Quick start is a workflow that uses the action, with its permissions', () => {
    const quickStart = readme.split(/^## Quick start$/m)[1]!.split(/^## /m)[0]!
    const workflow = /```yaml\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? ''
    expect(workflow).toMatch(/^permissions:\n {2}contents: read$/m)
    expect(workflow).toMatch(/^ +uses: <owner>\/aws-sso-device-auth@v1$/m)
  })
})
