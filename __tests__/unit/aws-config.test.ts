// The AWS config file edits: the action's block goes in and comes out, and the user's bytes stay
// exactly what they were, whatever they are (line endings, a missing final line break, comments,
// text added after the block while the job ran).
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  appendBlock,
  blockTags,
  findSections,
  profileHeader,
  removeBlock,
  sectionIdentity,
  type IniSection
} from '../../src/export/aws-config.js'

const SECTIONS: IniSection[] = [
  {
    header: 'profile deploy',
    entries: [
      ['sso_session', 'run-1'],
      ['sso_account_id', '111111111111']
    ]
  },
  { header: 'sso-session run-1', entries: [['sso_start_url', 'https://d-1234567890.awsapps.com/start']] }
]

describe('appendBlock and removeBlock', () => {
  it('appends the sections between markers naming the tag, in the file’s line endings', () => {
    const { text, terminatedLastLine } = appendBlock('[default]\r\nregion = us-east-1\r\n', 'run-1', SECTIONS, 'written by a test')
    expect(terminatedLastLine).toBe(false)
    expect(text).toBe(
      '[default]\r\nregion = us-east-1\r\n' +
        '# >>> aws-sso-device-auth run-1: written by a test\r\n' +
        '[profile deploy]\r\nsso_session = run-1\r\nsso_account_id = 111111111111\r\n\r\n' +
        '[sso-session run-1]\r\nsso_start_url = https://d-1234567890.awsapps.com/start\r\n' +
        '# <<< aws-sso-device-auth run-1\r\n'
    )
    expect(blockTags(text)).toEqual(['run-1'])
  })

  it('ends an unterminated last line first, and takes that line break away again', () => {
    const user = '[default]\nregion = us-east-1'
    const appended = appendBlock(user, 'run-1', SECTIONS, 'note')
    expect(appended.terminatedLastLine).toBe(true)
    expect(appended.text.startsWith(`${user}\n# >>> `)).toBe(true)
    expect(removeBlock(appended.text, 'run-1', true)).toEqual({ text: user, outcome: 'removed' })
  })

  it('restores any file byte for byte', () => {
    const line = fc.stringMatching(/^[^\r\n]{0,40}$/)
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), (lines, eol, finalBreak) => {
        const user = lines.join(eol) + (finalBreak && lines.length > 0 ? eol : '')
        const appended = appendBlock(user, 'run-1', SECTIONS, 'note')
        expect(appended.text.startsWith(user)).toBe(true)
        expect(removeBlock(appended.text, 'run-1', appended.terminatedLastLine)).toEqual({ text: user, outcome: 'removed' })
      })
    )
  })

  it('keeps what the user added after the block while the job ran, and its line break', () => {
    const user = '[default]\nregion = us-east-1'
    const appended = appendBlock(user, 'run-1', SECTIONS, 'note')
    const later = `${appended.text}[profile added-later]\nregion = eu-west-1\n`
    expect(removeBlock(later, 'run-1', appended.terminatedLastLine).text).toBe(`${user}\n[profile added-later]\nregion = eu-west-1\n`)
  })

  it('removes keys a tool added inside the block with it', () => {
    const appended = appendBlock('', 'run-1', SECTIONS, 'note').text
    const edited = appended.replace('sso_session = run-1\n', 'sso_session = run-1\noutput = json\n')
    expect(removeBlock(edited, 'run-1', false)).toEqual({ text: '', outcome: 'removed' })
  })

  it('removes only the block with its own tag', () => {
    const two = appendBlock(appendBlock('# mine\n', 'run-1', SECTIONS, 'a').text, 'run-2', SECTIONS, 'b').text
    expect(blockTags(two)).toEqual(['run-1', 'run-2'])
    const { text } = removeBlock(two, 'run-1', false)
    expect(blockTags(text)).toEqual(['run-2'])
    expect(text.startsWith('# mine\n# >>> aws-sso-device-auth run-2: b\n')).toBe(true)
    expect(removeBlock(text, 'run-2', false).text).toBe('# mine\n')
  })

  it('touches nothing when the block is gone or its end marker is', () => {
    expect(removeBlock('[default]\n', 'run-1', false)).toEqual({ text: '[default]\n', outcome: 'absent' })
    const cut = appendBlock('[default]\n', 'run-1', SECTIONS, 'note').text.replace('# <<< aws-sso-device-auth run-1\n', '')
    expect(removeBlock(cut, 'run-1', false)).toEqual({ text: cut, outcome: 'unterminated' })
  })

  it('does not take a tag that merely starts the same for its own', () => {
    const text = appendBlock('', 'run-10', SECTIONS, 'note').text
    expect(removeBlock(text, 'run-1', false).outcome).toBe('absent')
  })
})

describe('sections', () => {
  it('names profiles as the AWS tools do', () => {
    expect(profileHeader('default')).toBe('default')
    expect(profileHeader('prod')).toBe('profile prod')
    expect(sectionIdentity('default')).toBe('profile:default')
    expect(sectionIdentity('profile default')).toBe('profile:default')
    expect(sectionIdentity('profile   prod ')).toBe('profile:prod')
    expect(sectionIdentity('profile "prod"')).toBe('profile:prod')
    expect(sectionIdentity('sso-session corp')).toBe('sso-session:corp')
    expect(sectionIdentity('preview')).toBe('preview')
  })

  it('finds every header, with the block it sits in', () => {
    const text =
      appendBlock('[default]\n# [not a header]\n[profile  mine]\nregion = x\n', 'run-1', SECTIONS, 'note').text + '[profile after]\n'
    expect(findSections(text)).toEqual([
      { header: 'default', identity: 'profile:default', line: 1 },
      { header: 'profile  mine', identity: 'profile:mine', line: 3 },
      { header: 'profile deploy', identity: 'profile:deploy', line: 6, block: 'run-1' },
      { header: 'sso-session run-1', identity: 'sso-session:run-1', line: 10, block: 'run-1' },
      { header: 'profile after', identity: 'profile:after', line: 13 }
    ])
  })
})
