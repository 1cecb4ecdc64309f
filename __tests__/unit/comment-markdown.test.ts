// The Markdown building blocks for untrusted text: what they produce is what GitHub shows.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { codeSpan, escapeText, link, plainLine, safeUrl } from '../../src/notify/markdown.js'
import { formatUtc as utcTime } from '../../src/time/format.js'

describe('codeSpan', () => {
  it('fences with more backticks than any run inside, padding when the text touches a backtick', () => {
    expect(codeSpan('main')).toBe('`main`')
    expect(codeSpan('a`b')).toBe('``a`b``')
    expect(codeSpan('`x``')).toBe('``` `x`` ```')
    expect(codeSpan('')).toBe('` `')
  })

  it('holds any text on one line (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const span = codeSpan(text, 1000)
        const fence = /^`+/.exec(span)![0]
        const inner = span.slice(fence.length, span.length - fence.length)
        expect(span.endsWith(fence)).toBe(true)
        expect(span).not.toMatch(/[\r\n]/)
        // No run inside is as long as the fence, so nothing closes the span early.
        expect((inner.match(/`+/g) ?? []).every((run) => run.length < fence.length)).toBe(true)
      })
    )
  })
})

describe('escapeText', () => {
  it('escapes markup and autolink triggers, and leaves plain punctuation readable', () => {
    expect(escapeText('see https://evil.example or www.evil.example')).toBe('see https\\://evil\\.example or www\\.evil\\.example')
    expect(escapeText("<b>*hi*</b> & [x](y) it's 50%, ok?")).toBe("\\<b\\>\\*hi\\*\\</b\\> \\& \\[x\\]\\(y\\) it's 50%, ok?")
  })

  it('renders back to the same one-line text: removing the escapes gives plainLine (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const escaped = escapeText(text, 1000)
        expect(escaped.replace(/\\(.)/g, '$1')).toBe(plainLine(text, 1000))
        // Every markup character is preceded by a backslash.
        expect(escaped.replace(/\\./g, '')).not.toMatch(/[\\`*_{}[\]()#+\-.!|<>~&:@]/)
      })
    )
  })
})

describe('plainLine', () => {
  it('collapses whitespace, strips control and bidi characters, and cuts long text with an ellipsis', () => {
    expect(plainLine(' a\n\tb \r\n c ')).toBe('a b c')
    expect(plainLine('x\u202ey\u200bz\u0007')).toBe('xyz')
    expect(plainLine('abcdef', 4)).toBe('abc…')
  })
})

describe('safeUrl and link', () => {
  it('accepts http(s) only, without credentials', () => {
    expect(safeUrl('https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH')).toBe(
      'https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH'
    )
    expect(safeUrl('http://127.0.0.1:8080/device')).toBe('http://127.0.0.1:8080/device')
    expect(safeUrl('javascript:alert(1)')).toBeUndefined()
    expect(safeUrl('data:text/html,<b>x</b>')).toBeUndefined()
    expect(safeUrl('https://user:pass@evil.example/')).toBeUndefined()
    expect(safeUrl('not a url')).toBeUndefined()
  })

  it('encodes what could end a Markdown link, but keeps an IPv6 host', () => {
    expect(safeUrl("https://x.example/a(b)c [d] <e> 'f' `g` |h|")).toBe(
      'https://x.example/a%28b%29c%20%5Bd%5D%20%3Ce%3E%20%27f%27%20%60g%60%20%7Ch%7C'
    )
    expect(safeUrl('http://[::1]:8080/device')).toBe('http://[::1]:8080/device')
  })

  it('renders an unsafe URL as text', () => {
    expect(link('page', 'https://aws.example/x')).toBe('[page](https://aws.example/x)')
    expect(link('page', 'javascript:alert(1)')).toBe('page (`javascript:alert(1)`)')
  })
})

describe('utcTime', () => {
  it('is absolute, to the second, in UTC', () => {
    expect(utcTime(new Date('2025-06-01T14:03:07.999+02:00'))).toBe('2025-06-01 12:03:07 UTC')
  })
})
