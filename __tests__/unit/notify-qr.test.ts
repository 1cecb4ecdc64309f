import { describe, expect, it } from '@jest/globals'
import { encode } from 'uqr'
import { renderQrCode } from '../../src/notify/qr.js'

// Half blocks: the top module is the upper half of a character, the bottom one the lower half.
// A light (white) module is drawn, a dark one is blank: the log's background is dark.
const LIGHT_HALVES: Record<string, [top: boolean, bottom: boolean]> = {
  '█': [true, true],
  '▀': [true, false],
  '▄': [false, true],
  ' ': [false, false]
}

/** The module matrix (true = dark) that the text shows. */
function modulesOf(text: string): boolean[][] {
  const matrix: boolean[][] = []
  for (const line of text.split('\n')) {
    const top: boolean[] = []
    const bottom: boolean[] = []
    for (const char of line) {
      const halves = LIGHT_HALVES[char]
      if (!halves) throw new Error(`unexpected character ${JSON.stringify(char)}`)
      top.push(!halves[0])
      bottom.push(!halves[1])
    }
    matrix.push(top, bottom)
  }
  return matrix
}

describe('renderQrCode', () => {
  const url = 'https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT'

  it('draws the QR code of the text, two modules per character, light modules as glyphs', async () => {
    const text = await renderQrCode(url)
    const expected = encode(url, { ecc: 'M', border: 2 }).data
    const shown = modulesOf(text).slice(0, expected.length) // an odd size leaves one padding row
    expect(shown).toEqual(expected)
  })

  it('surrounds the code with a light quiet zone two modules wide', async () => {
    const size = encode(url, { ecc: 'M', border: 2 }).size
    const modules = modulesOf(await renderQrCode(url)).slice(0, size)
    const ring = modules.flatMap((row, y) => (y < 2 || y >= size - 2 ? row : [...row.slice(0, 2), ...row.slice(-2)]))
    expect(ring.length).toBeGreaterThan(0)
    expect(ring.every((dark) => !dark)).toBe(true)
  })

  it('differs for a different code', async () => {
    expect(await renderQrCode(url)).not.toBe(await renderQrCode(url.replace('WDJB', 'XXXX')))
  })
})
