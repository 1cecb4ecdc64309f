// Writing the profiles and token cache, and removing them: the file names and shapes the AWS tools
// expect, the record the post step gets before anything is written, refusal of a user's section,
// replacement of a leftover of the action, and a cleanup that warns instead of failing.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { removeAwsFiles } from '../../src/cleanup/aws-files.js'
import type { CleanupLog } from '../../src/cleanup/task.js'
import type { AwsFilesRecord } from '../../src/model/post-step-state.js'
import { awsConfigFile, ProfileConflictError, sessionNameFor, writeAwsProfiles, type ProfileSetup } from '../../src/export/aws-profiles.js'
import { tokenCacheEntry, tokenCacheFile } from '../../src/export/token-cache.js'
import type { ClientRegistration, TokenSet } from '../../src/oidc/types.js'
import { tempDir } from '../support/temp.js'

const TOKEN: TokenSet = {
  accessToken: 'access-token-secret',
  tokenType: 'Bearer',
  expiresIn: 3600,
  expiresAt: Date.UTC(2030, 0, 1, 13, 0, 0, 456),
  refreshToken: 'refresh-token-secret'
}
const REGISTRATION: ClientRegistration = {
  clientId: 'client-id',
  clientSecret: 'client-secret',
  clientIdIssuedAt: 1_900_000_000,
  clientSecretExpiresAt: Date.UTC(2030, 5, 1) / 1000,
  scopes: ['sso:account:access'],
  clientName: 'GitHub Actions octo/app'
}

let home: string
beforeEach(() => {
  home = tempDir('aws-profiles-test')
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

/** Collects what a cleanup said. */
function recordingLog(): CleanupLog & { infos: string[]; warnings: string[] } {
  const infos: string[] = []
  const warnings: string[] = []
  return { infos, warnings, info: (message) => infos.push(message), warning: (message) => warnings.push(message) }
}

function setup(overrides: Partial<ProfileSetup> = {}): ProfileSetup & { records: AwsFilesRecord[]; warnings: string[] } {
  const records: AwsFilesRecord[] = []
  const warnings: string[] = []
  return {
    profiles: [{ accountId: '111111111111', roleName: 'Deploy', profile: 'deploy', source: "input 'profile'" }],
    sessionName: 'aws-sso-device-auth-42-0a0b0c0d',
    startUrl: 'https://d-1234567890.awsapps.com/start',
    ssoRegion: 'us-east-1',
    awsRegion: 'eu-west-1',
    scopes: ['sso:account:access', 'codecatalyst:read_write'],
    token: TOKEN,
    registration: REGISTRATION,
    configFile: join(home, '.aws', 'config'),
    home,
    note: 'written by a test',
    runner: 'runner-1-0a0b0c0d',
    beforeWrite: (record) => records.push(record),
    warn: (message) => warnings.push(message),
    records,
    warnings,
    ...overrides
  }
}

describe('the token cache entry', () => {
  it('is named by the SHA-1 of the session name (docs/protocol.md §5 example)', () => {
    expect(tokenCacheFile('/home/runner', 'my-sso')).toBe('/home/runner/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json')
  })

  it('has the eight fields in the CLI’s order, dates in UTC with Z and no fraction, then the action’s mark', () => {
    const mark = { session: 'aws-sso-device-auth-42-0a0b0c0d', runner: 'runner-1-0a0b0c0d' }
    expect(
      JSON.stringify(tokenCacheEntry({ startUrl: 'https://x.awsapps.com/start', region: 'us-east-1', mark }, TOKEN, REGISTRATION))
    ).toBe(
      '{"startUrl":"https://x.awsapps.com/start","region":"us-east-1","accessToken":"access-token-secret","expiresAt":"2030-01-01T13:00:00Z",' +
        '"clientId":"client-id","clientSecret":"client-secret","registrationExpiresAt":"2030-06-01T00:00:00Z","refreshToken":"refresh-token-secret",' +
        '"awsSsoDeviceAuth":{"session":"aws-sso-device-auth-42-0a0b0c0d","runner":"runner-1-0a0b0c0d"}}'
    )
    const { refreshToken: _, ...withoutRefresh } = TOKEN
    expect(tokenCacheEntry({ startUrl: 's', region: 'r', mark }, withoutRefresh, REGISTRATION)).not.toHaveProperty('refreshToken')
  })
})

describe('where the config file is', () => {
  it('follows AWS_CONFIG_FILE as the tools do, else ~/.aws/config', () => {
    expect(awsConfigFile({}, '/home/me')).toBe('/home/me/.aws/config')
    expect(awsConfigFile({ AWS_CONFIG_FILE: '  ' }, '/home/me')).toBe('/home/me/.aws/config')
    expect(awsConfigFile({ AWS_CONFIG_FILE: '~/ci/config' }, '/home/me')).toBe('/home/me/ci/config')
    expect(awsConfigFile({ AWS_CONFIG_FILE: 'ci/config' }, '/home/me', '/work/repo')).toBe('/work/repo/ci/config')
    expect(awsConfigFile({ AWS_CONFIG_FILE: '/etc/aws/config' }, '/home/me')).toBe('/etc/aws/config')
  })

  it('names sessions by run, safely', () => {
    expect(sessionNameFor('16590614274', 'ab12cd34')).toBe('aws-sso-device-auth-16590614274-ab12cd34')
    expect(sessionNameFor('', 'ab12cd34')).toBe('aws-sso-device-auth-local-ab12cd34')
    expect(sessionNameFor('1 2]3', 'ab12cd34')).toBe('aws-sso-device-auth-123-ab12cd34')
  })
})

describe('writeAwsProfiles', () => {
  it('tells the post step everything before it writes, then writes the cache (0600) and the sections', () => {
    const given = setup({
      beforeWrite: (record) => {
        // Nothing exists yet when the record is handed over.
        expect(existsSync(record.configFile)).toBe(false)
        expect(existsSync(record.tokenCacheFile!)).toBe(false)
        given.records.push(record)
      }
    })
    const record = writeAwsProfiles(given)
    expect(given.records).toEqual([record])
    expect(record).toEqual({
      configFile: join(home, '.aws', 'config'),
      tag: 'aws-sso-device-auth-42-0a0b0c0d',
      profiles: ['deploy'],
      createdConfigFile: true,
      terminatedLastLine: false,
      tokenCacheFile: tokenCacheFile(home, 'aws-sso-device-auth-42-0a0b0c0d'),
      createdDirectories: [join(home, '.aws', 'sso', 'cache'), join(home, '.aws', 'sso'), join(home, '.aws')]
    })
    expect(statSync(record.tokenCacheFile!).mode & 0o777).toBe(0o600)
    expect(statSync(record.configFile).mode & 0o777).toBe(0o600)
    expect(readFileSync(record.configFile, 'utf8')).toBe(
      '# >>> aws-sso-device-auth aws-sso-device-auth-42-0a0b0c0d: written by a test (runner runner-1-0a0b0c0d)\n' +
        '[profile deploy]\nsso_session = aws-sso-device-auth-42-0a0b0c0d\nsso_account_id = 111111111111\nsso_role_name = Deploy\nregion = eu-west-1\n\n' +
        '[sso-session aws-sso-device-auth-42-0a0b0c0d]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n' +
        'sso_registration_scopes = sso:account:access,codecatalyst:read_write\n' +
        '# <<< aws-sso-device-auth aws-sso-device-auth-42-0a0b0c0d\n'
    )
  })

  it('writes [default] for the profile named default', () => {
    const record = writeAwsProfiles(
      setup({ profiles: [{ accountId: '111111111111', roleName: 'Deploy', profile: 'default', source: "input 'roles' line 1" }] })
    )
    expect(readFileSync(record.configFile, 'utf8')).toMatch(/\n\[default\]\nsso_session = /)
  })

  it('refuses a section the user wrote, naming the line and the input to change, and writes nothing', () => {
    const given = setup({
      profiles: [{ accountId: '111111111111', roleName: 'Deploy', profile: 'default', source: "input 'roles' line 2" }]
    })
    mkdirSync(join(home, '.aws'))
    writeFileSync(given.configFile, '# mine\n[default]\nregion = us-west-2\n')
    let error: unknown
    try {
      writeAwsProfiles(given)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ProfileConflictError)
    expect((error as Error).message).toBe(
      `The AWS config file ${given.configFile} already has [default] (line 2), which this action did not write; choose another profile name in input 'roles' line 2, or remove that section from the file.`
    )
    expect(given.records).toEqual([])
    expect(readFileSync(given.configFile, 'utf8')).toBe('# mine\n[default]\nregion = us-west-2\n')
    expect(existsSync(join(home, '.aws', 'sso'))).toBe(false)
  })

  it('replaces a block an earlier run left with the same profile, and its token cache, with a warning', () => {
    const earlier = writeAwsProfiles(setup({ sessionName: 'aws-sso-device-auth-41-ffffffff' }))
    const other = writeAwsProfiles(
      setup({
        sessionName: 'aws-sso-device-auth-41-eeeeeeee',
        profiles: [{ accountId: '1'.repeat(12), roleName: 'X', profile: 'other', source: 's' }]
      })
    )
    const given = setup()
    const record = writeAwsProfiles(given)
    expect(given.warnings).toEqual([
      `Replaced the profiles an earlier run or step of this action left in ${given.configFile} (sso-session aws-sso-device-auth-41-ffffffff); they had the same names.`
    ])
    expect(existsSync(earlier.tokenCacheFile!)).toBe(false)
    // A leftover that does not clash is not this run's business.
    expect(existsSync(other.tokenCacheFile!)).toBe(true)
    const text = readFileSync(record.configFile, 'utf8')
    expect(text).not.toContain('aws-sso-device-auth-41-ffffffff')
    expect(text.match(/\[profile deploy\]/g)).toHaveLength(1)
    expect(record.createdConfigFile).toBe(false)
    expect(record.createdDirectories).toEqual([])
  })
})

describe('removeAwsFiles', () => {
  it('removes the block, the cache and the directories it created, saying so', () => {
    const record = writeAwsProfiles(setup())
    const log = recordingLog()
    removeAwsFiles(record, log)
    expect(existsSync(join(home, '.aws'))).toBe(false)
    expect(log.warnings).toEqual([])
    expect(log.infos).toEqual([
      `Removed the profile deploy and the sso-session aws-sso-device-auth-42-0a0b0c0d from ${record.configFile}.`,
      `Removed the SSO token cache ${record.tokenCacheFile}.`
    ])
  })

  it('keeps a created config file and directories that hold something else by now', () => {
    const record = writeAwsProfiles(setup())
    writeFileSync(record.configFile, `${readFileSync(record.configFile, 'utf8')}[profile later]\nregion = x\n`)
    writeFileSync(join(home, '.aws', 'sso', 'cache', 'someone-else.json'), '{}')
    const log = recordingLog()
    removeAwsFiles(record, log)
    expect(readFileSync(record.configFile, 'utf8')).toBe('[profile later]\nregion = x\n')
    expect(existsSync(record.tokenCacheFile!)).toBe(false)
    expect(existsSync(join(home, '.aws', 'sso', 'cache', 'someone-else.json'))).toBe(true)
    expect(log.warnings).toEqual([])
  })

  it('warns and leaves the file alone when the block lost its end line; says so when the block or file is gone', () => {
    const record = writeAwsProfiles(setup())
    const damaged = readFileSync(record.configFile, 'utf8').replace(/# <<< .*\n/, '')
    writeFileSync(record.configFile, damaged)
    const log = recordingLog()
    removeAwsFiles(record, log)
    expect(readFileSync(record.configFile, 'utf8')).toBe(damaged)
    expect(log.warnings).toEqual([
      `Did not remove the profile deploy and the sso-session ${record.tag} from ${record.configFile}: the line "# <<< aws-sso-device-auth ${record.tag}" that ends the action's block is gone. Remove the block by hand.`
    ])
    // The token cache goes regardless: it holds a token.
    expect(existsSync(record.tokenCacheFile!)).toBe(false)

    writeFileSync(record.configFile, '[default]\n')
    const again = recordingLog()
    removeAwsFiles(record, again)
    expect(again.infos[0]).toBe(
      `The AWS config file ${record.configFile} no longer holds the profile deploy and the sso-session ${record.tag}; nothing to remove.`
    )
    rmSync(record.configFile)
    const gone = recordingLog()
    removeAwsFiles(record, gone)
    expect(gone.infos[0]).toBe(`The AWS config file ${record.configFile} is gone already; no profile to remove.`)
    expect([...again.warnings, ...gone.warnings]).toEqual([])
  })
})
