// The README's example PR comment is what the action posts, not a drawing of it: it is compared
// with the renderer's output for the example request, so a change to the comment shows up here.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { quotedExampleComment } from './readme-examples.js'

const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8')

describe('the README', () => {
  it('shows the pending PR comment exactly as the action renders it', () => {
    const block = /<!-- example-comment:start -->\n([\s\S]*?)\n<!-- example-comment:end -->/.exec(readme)?.[1]
    expect(block).toBe(quotedExampleComment())
  })

  it('shows screenshots that exist in docs/', () => {
    const images = [...readme.matchAll(/!\[[^\]]+\]\((docs\/[^)]+\.png)\)/g)].map((match) => match[1]!)
    expect(images.sort()).toEqual([
      'docs/emulator-approved.png',
      'docs/emulator-confirm.png',
      'docs/emulator-denied.png',
      'docs/emulator-enter-code.png'
    ])
    for (const image of images) {
      const bytes = readFileSync(join(process.cwd(), image))
      expect(existsSync(join(process.cwd(), image))).toBe(true)
      // A PNG, not a placeholder.
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
    }
  })
})
