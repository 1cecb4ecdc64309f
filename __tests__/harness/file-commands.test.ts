// The runner's parsing rules for file commands and stdout commands, including the inputs it
// rejects: a harness more lenient than the runner would pass output the runner fails on.
import { describe, expect, it } from '@jest/globals'
import { FileCommandFormatError, parseKeyValueFile, parsePathFile, parseWorkflowCommands } from './file-commands.js'

describe('parseKeyValueFile', () => {
  it('reads name=value lines and heredoc blocks, the later entry winning', () => {
    const text = 'a=1\nb<<EOF\nline one\nline two\nEOF\n\na=2\nempty<<X\nX\n'
    expect(parseKeyValueFile(text)).toEqual({ a: '2', b: 'line one\nline two', empty: '' })
  })

  it('accepts CRLF line ends and keeps = inside heredoc names apart', () => {
    expect(parseKeyValueFile('k<<D\r\nv=1\r\nD\r\nx=y<<z\r\n')).toEqual({ k: 'v=1', x: 'y<<z' })
  })

  it('accepts a final delimiter without a newline, as the runner does', () => {
    expect(parseKeyValueFile('k<<EOF\nv\nEOF')).toEqual({ k: 'v' })
  })

  it('parses what @actions/core writes (ghadelimiter blocks)', () => {
    const text = 'token<<ghadelimiter_6f1c\nabc\nghadelimiter_6f1c\n'
    expect(parseKeyValueFile(text)).toEqual({ token: 'abc' })
  })

  it.each([
    ['=value\n', /name must not be empty/],
    ['name<<\n', /delimiter must not be empty/],
    ['name<<EOF\nvalue\n', /matching delimiter not found/],
    ['name<<EOF\nvalue', /EOF marker missing new line/],
    ['just text\n', /invalid format/]
  ])('rejects %j as the runner does', (text, problem) => {
    expect(() => parseKeyValueFile(text, 'GITHUB_OUTPUT')).toThrow(FileCommandFormatError)
    expect(() => parseKeyValueFile(text, 'GITHUB_OUTPUT')).toThrow(problem)
  })
})

describe('parsePathFile', () => {
  it('keeps non-empty lines in order', () => {
    expect(parsePathFile('/a\n\n/b\r\n')).toEqual(['/a', '/b'])
  })
})

describe('parseWorkflowCommands', () => {
  it('parses names, properties and data with their escapes', () => {
    const commands = parseWorkflowCommands('text\n  ::error file=a%3Ab.ts,line=3::bad%0Athing 100%25\n::add-mask::s3cret\n::unknown::x\n')
    expect(commands).toEqual([
      { name: 'error', properties: { file: 'a:b.ts', line: '3' }, data: 'bad\nthing 100%', line: 1, syntax: 'v2' },
      { name: 'add-mask', properties: {}, data: 's3cret', line: 2, syntax: 'v2' }
    ])
  })

  it('ignores commands between ::stop-commands::TOKEN and ::TOKEN::', () => {
    const commands = parseWorkflowCommands('::stop-commands::pause\n::add-mask::hidden\n::pause::\n::warning::after\n')
    expect(commands.map((c) => c.name)).toEqual(['stop-commands', 'warning'])
  })

  it('reads the legacy ##[name]data form anywhere in a line, names in any case', () => {
    const commands = parseWorkflowCommands('user code: ##[add-mask]abc\n::ADD-MASK::def\n##[unknown]x\n')
    expect(commands.map((c) => [c.name, c.data, c.syntax])).toEqual([
      ['add-mask', 'abc', 'legacy'],
      ['ADD-MASK', 'def', 'v2']
    ])
  })

  it('ends a line at a bare CR as the runner does, and trims non-ASCII white space', () => {
    const commands = parseWorkflowCommands('text\r::add-mask::a\n\u00a0\u2003::warning::b\n')
    expect(commands.map((c) => c.name)).toEqual(['add-mask', 'warning'])
  })

  it('resumes on a command named after the stop token, in either syntax', () => {
    const commands = parseWorkflowCommands('::stop-commands::tok\n::add-mask::hidden\n##[TOK]\n::add-mask::seen\n')
    expect(commands.map((c) => `${c.name}:${c.data}`)).toEqual(['stop-commands:tok', 'add-mask:seen'])
  })
})
