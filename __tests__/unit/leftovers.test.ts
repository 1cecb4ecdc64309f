// What a killed job of this action left in HOME on a self-hosted runner: removed at the start of
// the next main step when it carries this runner's mark and no post-step state of this job holds it;
// everything else (the user's sections and token files, another runner's, this job's) untouched.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { leftoversLine, removeLeftovers, type LeftoverScope } from '../../src/cleanup/leftovers.js'
import { appendBlock } from '../../src/export/aws-config.js'
import { blockRunnerNote, runnerLabel, TOKEN_CACHE_MARK } from '../../src/export/marks.js'
import { tokenCacheDirectory, tokenCacheFile } from '../../src/export/token-cache.js'
import { tempDir } from '../support/temp.js'

const RUNNER = runnerLabel({ RUNNER_NAME: 'build box 1' })
const OTHER = runnerLabel({ RUNNER_NAME: 'build box 2' })
const USER_CONFIG = '# mine\n[default]\nregion = eu-west-1\n\n[profile corp]\nsso_session = corp\n'

let home: string
let configFile: string
beforeEach(() => {
  home = tempDir('leftovers-test')
  configFile = join(home, '.aws', 'config')
  mkdirSync(tokenCacheDirectory(home), { recursive: true })
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

function block(text: string, session: string, runner: string): string {
  const sections = [
    { header: `profile p-${session}`, entries: [['sso_session', session]] as const },
    { header: `sso-session ${session}`, entries: [['sso_region', 'us-east-1']] as const }
  ]
  return appendBlock(text, session, sections, `written by a test; its post step removes this block ${blockRunnerNote(runner)}`).text
}

function cacheFile(session: string, mark?: { session: string; runner: string }): string {
  const file = tokenCacheFile(home, session)
  writeFileSync(
    file,
    JSON.stringify({
      startUrl: 's',
      region: 'us-east-1',
      accessToken: `token-of-${session}`,
      expiresAt: '2030-01-01T00:00:00Z',
      ...(mark ? { [TOKEN_CACHE_MARK]: mark } : {})
    })
  )
  return file
}

function scope(claimed: Partial<LeftoverScope['claimed']> = {}): LeftoverScope {
  return { home, configFile, runner: RUNNER, claimed: { sessions: new Set(), files: new Set(), ...claimed } }
}

describe('removeLeftovers', () => {
  it('removes this runner’s marked blocks and token caches, and nothing else', () => {
    let text = USER_CONFIG
    text = block(text, 'aws-sso-device-auth-1-dead0001', RUNNER)
    text = block(text, 'aws-sso-device-auth-2-a11ve002', OTHER)
    text = block(text, 'aws-sso-device-auth-3-dead0003', RUNNER)
    writeFileSync(configFile, text)
    // The first block's cache lost its mark (botocore rewrites the file when it refreshes).
    const unmarkedOfBlock = cacheFile('aws-sso-device-auth-1-dead0001')
    const markedOfBlock = cacheFile('aws-sso-device-auth-3-dead0003', { session: 'aws-sso-device-auth-3-dead0003', runner: RUNNER })
    // A cache whose block is gone already.
    const orphan = cacheFile('aws-sso-device-auth-4-dead0004', { session: 'aws-sso-device-auth-4-dead0004', runner: RUNNER })
    const othersBlock = cacheFile('aws-sso-device-auth-2-a11ve002', { session: 'aws-sso-device-auth-2-a11ve002', runner: OTHER })
    const users = cacheFile('my-own-sso')
    const usersText = readFileSync(users, 'utf8')

    const removed = removeLeftovers(scope())
    expect(removed.problems).toEqual([])
    expect(removed.blocks).toEqual(['aws-sso-device-auth-1-dead0001', 'aws-sso-device-auth-3-dead0003'])
    expect(removed.cacheFiles.sort()).toEqual([unmarkedOfBlock, markedOfBlock, orphan].sort())
    for (const file of [unmarkedOfBlock, markedOfBlock, orphan]) expect(existsSync(file)).toBe(false)
    // The user's text byte for byte, the other runner's block and cache as they were.
    expect(readFileSync(configFile, 'utf8')).toBe(block(USER_CONFIG, 'aws-sso-device-auth-2-a11ve002', OTHER))
    expect(existsSync(othersBlock)).toBe(true)
    expect(readFileSync(users, 'utf8')).toBe(usersText)
  })

  it('spares what a post-step state of this job holds: an earlier step’s profiles are still in use', () => {
    writeFileSync(configFile, block(USER_CONFIG, 'aws-sso-device-auth-5-live0005', RUNNER))
    const live = cacheFile('aws-sso-device-auth-5-live0005', { session: 'aws-sso-device-auth-5-live0005', runner: RUNNER })
    const before = readFileSync(configFile, 'utf8')
    const removed = removeLeftovers(scope({ sessions: new Set(['aws-sso-device-auth-5-live0005']), files: new Set([live]) }))
    expect(removed).toEqual({ blocks: [], cacheFiles: [], sessions: [], problems: [] })
    expect(readFileSync(configFile, 'utf8')).toBe(before)
    expect(existsSync(live)).toBe(true)
  })

  it('leaves a block without its end line, saying what to do, and still removes the rest', () => {
    const unterminated = block(USER_CONFIG, 'aws-sso-device-auth-6-dead0006', RUNNER).replace(/# <<< aws-sso-device-auth \S+\n$/, '')
    writeFileSync(configFile, unterminated)
    const orphan = cacheFile('aws-sso-device-auth-7-dead0007', { session: 'aws-sso-device-auth-7-dead0007', runner: RUNNER })
    const removed = removeLeftovers(scope())
    expect(removed.problems).toEqual([
      `The AWS config file ${configFile} has a block "# >>> aws-sso-device-auth aws-sso-device-auth-6-dead0006" without its end line "# <<< aws-sso-device-auth aws-sso-device-auth-6-dead0006"; remove that block by hand.`
    ])
    expect(readFileSync(configFile, 'utf8')).toBe(unterminated)
    expect(removed.cacheFiles).toEqual([orphan])
  })

  it('ignores what only looks like a leftover: a link, a file too large, a forged mark of another shape, a user block without a runner', () => {
    writeFileSync(
      configFile,
      `${USER_CONFIG}# >>> aws-sso-device-auth mine: a block the user copied\n[profile x]\n# <<< aws-sso-device-auth mine\n`
    )
    const target = join(home, 'precious.json')
    writeFileSync(target, JSON.stringify({ [TOKEN_CACHE_MARK]: { session: 's', runner: RUNNER } }))
    symlinkSync(target, tokenCacheFile(home, 'linked'))
    writeFileSync(
      tokenCacheFile(home, 'huge'),
      JSON.stringify({ [TOKEN_CACHE_MARK]: { session: 's', runner: RUNNER }, pad: 'x'.repeat(70_000) })
    )
    writeFileSync(tokenCacheFile(home, 'odd'), JSON.stringify({ [TOKEN_CACHE_MARK]: { session: 'a b\n', runner: RUNNER } }))
    writeFileSync(join(tokenCacheDirectory(home), 'notes.json'), JSON.stringify({ [TOKEN_CACHE_MARK]: { session: 's', runner: RUNNER } }))
    expect(removeLeftovers(scope())).toEqual({ blocks: [], cacheFiles: [], sessions: [], problems: [] })
    expect(existsSync(target)).toBe(true)
  })

  it('keeps the sessions of the removed token caches, to end them; only whole, well-formed ones', () => {
    const session = (name: string, fields: Record<string, unknown>): string => {
      const file = tokenCacheFile(home, name)
      writeFileSync(
        file,
        JSON.stringify({
          startUrl: 's',
          region: 'eu-west-1',
          accessToken: `token-of-${name}`,
          expiresAt: '2030-01-01T00:00:00Z',
          ...fields,
          [TOKEN_CACHE_MARK]: { session: name, runner: RUNNER }
        })
      )
      return file
    }
    const whole = session('whole', {
      refreshToken: 'refresh-of-whole',
      clientId: 'client-1',
      clientSecret: 'secret-1',
      registrationExpiresAt: '2030-02-01T00:00:00Z'
    })
    const noClient = session('no-client', { clientId: 'client-2' })
    session('bad-region', { region: 'eu-west-1\n::stop-commands::x' })
    session('bad-token', { accessToken: 'two words' })
    const removed = removeLeftovers(scope())
    expect(removed.cacheFiles).toHaveLength(4)
    expect(removed.sessions.sort((a, b) => a.file.localeCompare(b.file))).toEqual(
      [
        {
          file: whole,
          region: 'eu-west-1',
          accessToken: 'token-of-whole',
          expiresAt: Date.parse('2030-01-01T00:00:00Z'),
          refreshToken: 'refresh-of-whole',
          client: { clientId: 'client-1', clientSecret: 'secret-1', registrationExpiresAt: Date.parse('2030-02-01T00:00:00Z') }
        },
        { file: noClient, region: 'eu-west-1', accessToken: 'token-of-no-client', expiresAt: Date.parse('2030-01-01T00:00:00Z') }
      ].sort((a, b) => a.file.localeCompare(b.file))
    )
  })

  it('has nothing to do without a config file or a cache directory', () => {
    rmSync(join(home, '.aws'), { recursive: true })
    expect(removeLeftovers(scope())).toEqual({ blocks: [], cacheFiles: [], sessions: [], problems: [] })
  })
})

describe('leftoversLine', () => {
  it('says what went and how many, in one line; nothing when nothing went', () => {
    expect(leftoversLine({ blocks: ['a', 'b'], cacheFiles: ['/h/1.json'], sessions: [], problems: [] }, '/h/.aws/config')).toBe(
      'Removed what an earlier run of this action on this runner left behind (its post step never ran): 2 AWS config blocks (sso-session a, b) from /h/.aws/config and 1 SSO token cache file (/h/1.json).'
    )
    expect(leftoversLine({ blocks: [], cacheFiles: [], sessions: [], problems: ['x'] }, '/c')).toBeUndefined()
  })
})

describe('runnerLabel', () => {
  it('is one word per runner name, apart for names that read alike, and local off a runner', () => {
    expect(runnerLabel({ RUNNER_NAME: 'build box 1' })).toMatch(/^build-box-1-[0-9a-f]{8}$/)
    expect(runnerLabel({ RUNNER_NAME: 'build-box-1' })).not.toBe(runnerLabel({ RUNNER_NAME: 'build box 1' }))
    expect(runnerLabel({})).toBe('local')
  })
})
