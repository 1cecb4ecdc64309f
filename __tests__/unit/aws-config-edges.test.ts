// The AWS config file edits at their edges: markers only count at the start of a line, a header
// only where the INI readers see one, a block that is the whole file or ends without a line break,
// and section names as the AWS tools compare them.
import { describe, expect, it } from '@jest/globals'
import {
  appendBlock,
  blockTags,
  findSections,
  markedBlocks,
  removeBlock,
  sectionIdentity,
  ssoSessionHeader,
  type IniSection
} from '../../src/export/aws-config.js'

const SECTIONS: IniSection[] = [{ header: 'profile deploy', entries: [['sso_session', 'run-1']] }]

describe('markers count only at the start of a line', () => {
  it('a marker quoted inside a line opens no block', () => {
    const text = '; see # >>> aws-sso-device-auth run-1: quoted\n[profile mine]\n'
    expect(blockTags(text)).toEqual([])
    expect(findSections(text)).toEqual([{ header: 'profile mine', identity: 'profile:mine', line: 2 }])
    // the user's own section has no block at all, not an empty one
    expect(Object.keys(findSections(text)[0]!)).toEqual(['header', 'identity', 'line'])
    expect(removeBlock(text, 'run-1', false)).toEqual({ text, outcome: 'absent' })
  })

  it('a marker whose tag a stray carriage return cuts short is not that tag', () => {
    const text = '# >>> aws-sso-device-auth run\r-1: note\n[profile x]\n# <<< aws-sso-device-auth run-1\n'
    expect(removeBlock(text, 'run-1', false)).toEqual({ text, outcome: 'absent' })
  })

  it('looks no further than the last line when no marker is there', () => {
    expect(removeBlock('[default]', 'run-1', false)).toEqual({ text: '[default]', outcome: 'absent' })
    const open = '# >>> aws-sso-device-auth run-1: note\n[profile x]'
    expect(removeBlock(open, 'run-1', false)).toEqual({ text: open, outcome: 'unterminated' })
  })

  it('an end marker quoted inside the block does not end it', () => {
    const block = appendBlock('', 'run-1', SECTIONS, 'note').text
    const quoted = block.replace('sso_session = run-1\n', 'sso_session = run-1\nnote = # <<< aws-sso-device-auth run-1\n[profile inside]\n')
    expect(findSections(quoted).map((section) => section.block)).toEqual(['run-1', 'run-1'])
    expect(removeBlock(quoted, 'run-1', false)).toEqual({ text: '', outcome: 'removed' })
  })

  it('an end marker of another tag does not end the block', () => {
    const block = appendBlock('', 'run-1', SECTIONS, 'note').text
    const other = block.replace('sso_session = run-1\n', 'sso_session = run-1\n# <<< aws-sso-device-auth run-2\n')
    expect(removeBlock(other, 'run-1', false)).toEqual({ text: '', outcome: 'removed' })
  })
})

describe('blocks at the edges of the file', () => {
  it('an empty file gets the block alone, with no line break before it', () => {
    const appended = appendBlock('', 'run-1', SECTIONS, 'note')
    expect(appended).toEqual({
      text: '# >>> aws-sso-device-auth run-1: note\n[profile deploy]\nsso_session = run-1\n# <<< aws-sso-device-auth run-1\n',
      terminatedLastLine: false
    })
  })

  it('a block whose end marker lost its line break is removed to the end', () => {
    const text = '[default]\n' + appendBlock('', 'run-1', SECTIONS, 'note').text.replace(/\n$/, '')
    expect(removeBlock(text, 'run-1', false)).toEqual({ text: '[default]\n', outcome: 'removed' })
  })

  it('a block that is the whole file leaves nothing, even when told a line break was added', () => {
    const text = appendBlock('', 'run-1', SECTIONS, 'note').text
    expect(removeBlock(text, 'run-1', true)).toEqual({ text: '', outcome: 'removed' })
  })

  it('takes the added line break away only while the block is last in the file', () => {
    const appended = appendBlock('[default]', 'run-1', SECTIONS, 'note')
    expect(removeBlock(`${appended.text}# a comment added later`, 'run-1', true).text).toBe('[default]\n# a comment added later')
  })

  it('takes exactly the line break before the block, whichever the block itself uses', () => {
    const text = '[a]\n# >>> aws-sso-device-auth run-1: note\r\n# <<< aws-sso-device-auth run-1\r\n'
    expect(removeBlock(text, 'run-1', true)).toEqual({ text: '[a]', outcome: 'removed' })
  })

  it('finds the block in a file with CRLF line endings', () => {
    const appended = appendBlock('[default]\r\nregion = us-east-1', 'run-1', SECTIONS, 'note')
    expect(appended.text).toBe(
      '[default]\r\nregion = us-east-1\r\n# >>> aws-sso-device-auth run-1: note\r\n[profile deploy]\r\nsso_session = run-1\r\n# <<< aws-sso-device-auth run-1\r\n'
    )
    expect(findSections(appended.text).map((section) => [section.header, section.block])).toEqual([
      ['default', undefined],
      ['profile deploy', 'run-1']
    ])
    expect(removeBlock(appended.text, 'run-1', true)).toEqual({ text: '[default]\r\nregion = us-east-1', outcome: 'removed' })
  })
})

describe('markedBlocks', () => {
  it('names the runner a block line names, and no runner when it names none', () => {
    const text = appendBlock(appendBlock('', 'run-1', SECTIONS, 'written (runner host-1.local)').text, 'run-2', SECTIONS, 'written').text
    expect(markedBlocks(text)).toEqual([{ tag: 'run-1', runner: 'host-1.local' }, { tag: 'run-2' }])
    expect(Object.keys(markedBlocks(text)[1]!)).toEqual(['tag'])
  })
})

describe('headers', () => {
  it('an indented header is a header; brackets inside a value are not', () => {
    expect(findSections('  [profile indented]\nregion = [not-a-header]\n')).toEqual([
      { header: 'profile indented', identity: 'profile:indented', line: 1 }
    ])
  })

  it('names an sso-session section', () => {
    expect(ssoSessionHeader('corp')).toBe('sso-session corp')
  })

  it('compares names as the AWS tools do: quotes of one kind around the name, spaces around it dropped', () => {
    expect(sectionIdentity(' default ')).toBe('profile:default')
    expect(sectionIdentity("profile 'prod'")).toBe('profile:prod')
    expect(sectionIdentity('profile " prod "')).toBe('profile:prod')
    expect(sectionIdentity(`profile "prod'`)).toBe(`profile:"prod'`)
    expect(sectionIdentity('services my-services')).toBe('services:my-services')
    expect(sectionIdentity('profileprod')).toBe('profileprod')
    expect(sectionIdentity('my profile prod')).toBe('my profile prod')
    expect(sectionIdentity('profile prod extra')).toBe('profile:prod extra')
    expect(sectionIdentity('profile  "prod"')).toBe('profile:prod')
    expect(sectionIdentity('profile "prod" extra')).toBe('profile:"prod" extra')
  })
})
