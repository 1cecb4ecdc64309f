// scripts/ascii-only.ts: the bundle's files are made pure ASCII, and a program must do exactly what
// it did before. Each case runs the original and the ASCII form and compares what they give.
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { asciiOnly, isAscii } from '../../scripts/ascii-only.js'

/** What a script's last expression gives, in a fresh context (module code here has no imports). */
function evaluate(source: string): unknown {
  return runInNewContext(source)
}

function expectSameProgram(source: string): string {
  const ascii = asciiOnly(source, 'case.js')
  expect(isAscii(ascii)).toBe(true)
  expect(evaluate(ascii)).toEqual(evaluate(source))
  return ascii
}

describe('asciiOnly', () => {
  it('returns an ASCII text unchanged', () => {
    const source = "const a = 'plain' // comment\na\n"
    expect(asciiOnly(source, 'case.js')).toBe(source)
  })

  it.each([
    ['a string', "'caf\u00e9 \u2014 \u2192'"],
    ['a template', '`caf\u00e9 ${1 + 1} \u2014`'],
    ['a regular expression', "/^[\u2014\u2013]$/.test('\u2013')"],
    ['a regular expression with the u flag, beyond U+FFFF', "/^.$/u.test('\u{1F600}') && /\u{1F600}/u.test('x\u{1F600}')"],
    ['a regular expression without the u flag, beyond U+FFFF', "/\u{1F600}/.test('\u{1F600}')"],
    ['a name', 'const caf\u00e9 = 2; caf\u00e9'],
    ['a name beyond U+FFFF', 'const \u{1D400} = 3; \u{1D400}'],
    ['a property name', '({ \u00e9t\u00e9: 4 }).\u00e9t\u00e9'],
    ['a comment', '/* \u2014 */ 5 // \u2192'],
    ['an identity escape in a string', "'\\\u00e9'"],
    ['an escaped backslash before the character', "'\\\\\u00e9'"],
    ['a string beyond U+FFFF', "'\u{1F600}'.length"]
  ])('keeps the meaning of a character in %s', (_place, source) => {
    expectSameProgram(source)
  })

  it('writes a name beyond U+FFFF in the only escape a name allows', () => {
    expect(expectSameProgram('const \u{1D400} = 3; \u{1D400}')).toBe('const \\u{1d400} = 3; \\u{1d400}')
  })

  it('refuses a tagged template, whose raw text an escape would change', () => {
    expect(() => asciiOnly('String.raw`\u00e9`', 'tagged.js')).toThrow(/^tagged\.js:1:12: a non-ASCII character in a tagged template/)
  })

  it('refuses a character outside any comment, string, template, regular expression or name', () => {
    // U+00A0 is white space to JavaScript: the program parses, but the character is nowhere known.
    expect(() => asciiOnly('const a =\u00a01', 'space.js')).toThrow(/^space\.js:1:10: a non-ASCII character outside any comment/)
  })

  it('refuses a text that does not parse', () => {
    expect(() => asciiOnly("const = '\u00e9'", 'broken.js')).toThrow(/does not parse as an ES module/)
  })

  it('keeps the value of any string, whatever characters and backslashes it holds', () => {
    const text = fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('\\', '\u00e9', '\u2028', '\u{1F600}', "'")), { maxLength: 12 })
    fc.assert(
      fc.property(text, (parts) => {
        const value = parts.join('')
        const source = `${JSON.stringify(value)} // ${value.replace(/[\n\r\u2028\u2029]/g, ' ')}`
        const ascii = asciiOnly(source, 'property.js')
        return isAscii(ascii) && evaluate(ascii) === value
      }),
      { numRuns: 300 }
    )
  })
})
