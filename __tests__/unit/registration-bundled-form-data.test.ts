// The Azure Storage SDK inside @actions/cache reads the global FormData on every request; in Node
// that read loads Node's own copy of undici (about 15 MiB). Checked in a fresh Node process, since
// this one has long since loaded whatever jest needed.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { FormData as UndiciFormData } from 'undici'
import { useBundledFormData } from '../../src/registration/bundled-form-data.js'
import { repositoryRoot } from '../harness/runner.js'

/** Runs `body` as an ES module in a fresh Node (with tsx, to import src/), returning what it prints as JSON. */
function inFreshNode(body: string): unknown {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 30_000
  })
  if (result.status !== 0) throw new Error(`node exited with ${result.status}: ${result.stderr}`)
  return JSON.parse(result.stdout) as unknown
}

const NODE_UNDICI = 'NativeModule internal/deps/undici/undici'

describe('useBundledFormData', () => {
  it("lets the SDK's `typeof FormData` and `instanceof FormData` run without loading Node's own undici", () => {
    const loaded = inFreshNode(`
      const { useBundledFormData } = await import(${JSON.stringify(join(repositoryRoot, 'src/registration/bundled-form-data.ts'))})
      const loaded = () => process.moduleLoadList.includes(${JSON.stringify(NODE_UNDICI)})
      const before = loaded()
      useBundledFormData()
      const check = typeof FormData !== 'undefined' && Buffer.from('archive') instanceof FormData
      console.log(JSON.stringify({ before, check, after: loaded() }))
    `)
    expect(loaded).toEqual({ before: false, check: false, after: false })
  })

  it("is what it stands in for: without it, the SDK's check loads Node's own undici", () => {
    const loaded = inFreshNode(`
      const check = typeof FormData !== 'undefined'
      console.log(JSON.stringify({ check, after: process.moduleLoadList.includes(${JSON.stringify(NODE_UNDICI)}) }))
    `)
    expect(loaded).toEqual({ check: true, after: true })
  })

  it("makes the global undici's FormData, a working one", () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'FormData')!
    try {
      useBundledFormData()
      expect(globalThis.FormData).toBe(UndiciFormData)
      const form = new globalThis.FormData()
      form.append('a', 'b')
      expect([...form.entries()]).toEqual([['a', 'b']])
    } finally {
      Object.defineProperty(globalThis, 'FormData', original)
    }
  })
})
