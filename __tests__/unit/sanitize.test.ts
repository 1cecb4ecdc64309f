import fc from 'fast-check'
import { looksLikeCommand, safeLogText, sanitize } from '../../src/text/sanitize.js'
import { parseWorkflowCommands } from '../harness/file-commands.js'

/** Characters an attacker reaches for: line breaks of every kind, controls, bidi, zero-width. */
const HOSTILE = [
  '\n',
  '\r',
  '\r\n',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u0000',
  '\u001b[2K',
  '\u007f',
  '\u009b',
  '\u202e',
  '\u2066',
  '\u200b',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\ud800',
  '\ue000',
  '::',
  '::stop-commands::x',
  '::add-mask::',
  '##[',
  '##[add-mask]',
  '##[stop-commands]t',
  ' ',
  '\u00a0',
  '\u3000',
  '%0A',
  'a'
]
const hostileString = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string(), fc.string({ unit: 'binary' })), { maxLength: 12 })
  .map((parts) => parts.join(''))

describe('sanitize', () => {
  it('keeps ordinary text as it is', () => {
    expect(sanitize('ABCD-EFGH')).toBe('ABCD-EFGH')
    expect(sanitize('https://[::1]:8080/device?user_code=AB')).toBe('https://[::1]:8080/device?user_code=AB')
  })

  it.each([
    ['x\n::stop-commands::t', 'x ::stop-commands::t'],
    ['::add-mask::x', "'::add-mask::x"],
    ['  \u00a0::warning::x', "'::warning::x"],
    ['code ##[add-mask]x', 'code ## [add-mask]x'],
    ['ref\u202egnp.exe', 'refgnp.exe'],
    ['zero\u200bwidth', 'zerowidth'],
    [':\u200b:add-mask::x', "'::add-mask::x"],
    ['#\u2060#[add-mask]x', '## [add-mask]x'],
    ['a\r\nb\u2028c\u0085d', 'a b c d'],
    ['\u001b[31mred', '[31mred']
  ])('makes %j safe: %j', (input, expected) => {
    expect(sanitize(input)).toBe(expected)
  })

  it('cuts long values with an ellipsis, and keeps one of exactly the maximum length', () => {
    expect(sanitize('x'.repeat(50), { maxLength: 10 })).toBe(`${'x'.repeat(9)}\u2026`)
    expect(sanitize('x'.repeat(11), { maxLength: 10 })).toBe(`${'x'.repeat(9)}\u2026`)
    expect(sanitize('x'.repeat(10), { maxLength: 10 })).toBe('x'.repeat(10))
    expect(sanitize('y'.repeat(1000))).toBe('y'.repeat(1000))
    expect(sanitize('y'.repeat(1001))).toBe(`${'y'.repeat(999)}\u2026`)
  })

  it('folds every run of white space into one space', () => {
    expect(sanitize('a  \t\u00a0 b\u3000\u3000c')).toBe('a b c')
  })

  it('never yields a line the runner reads as a command, nor a line break, control, bidi or zero-width character', () => {
    fc.assert(
      fc.property(hostileString, fc.string({ maxLength: 3 }), (value, prefix) => {
        const text = sanitize(value)
        expect(text).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u)
        // Printed alone, or at the start of a line after some white space.
        for (const line of [text, ` ${text}`, `${prefix.replace(/[^ ]/g, ' ')}${text}`]) {
          expect(parseWorkflowCommands(line)).toEqual([])
          expect(looksLikeCommand(line)).toBe(false)
        }
      }),
      { numRuns: 1000 }
    )
  })
})

describe('safeLogText', () => {
  it('marks every line that would be a command, and leaves others alone', () => {
    fc.assert(
      fc.property(fc.array(hostileString, { maxLength: 6 }), (lines) => {
        const text = safeLogText(lines.join('\n'))
        expect(parseWorkflowCommands(text)).toEqual([])
      }),
      { numRuns: 500 }
    )
    expect(safeLogText('plain\n  ::add-mask::x')).toBe("plain\n  '::add-mask::x")
  })
})

describe('sanitize of values that are not strings', () => {
  it.each<[unknown, string]>([
    [42, '42'],
    [undefined, 'undefined'],
    [null, 'null'],
    [new Error('bad\nthing'), 'Error: bad thing'],
    [{ toString: () => '::add-mask::x' }, "'::add-mask::x"]
  ])('prints %p as its text, sanitised: %j', (value, expected) => {
    expect(sanitize(value)).toBe(expected)
  })
})

describe('safeLogText, line by line', () => {
  it('breaks the legacy prefix anywhere in a line with a space, keeping the rest as it was', () => {
    expect(safeLogText('code ##[add-mask]x\nok ##[')).toBe('code ## [add-mask]x\nok ## [')
  })
})

describe('looksLikeCommand', () => {
  it.each<[string, boolean]>([
    ['::add-mask::x', true],
    [' \t\u00a0::warning::x', true],
    ['\u0085::stop-commands::t', true],
    ['text ##[add-mask]x', true],
    ['##[group]', true],
    ['a ::add-mask::x', false],
    [': :x', false],
    ['## [add-mask]x', false],
    ['', false]
  ])('%j: %p', (line, expected) => {
    expect(looksLikeCommand(line)).toBe(expected)
  })
})
