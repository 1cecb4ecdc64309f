// The post-step state from the main step to the post step, and the pending request between two phases:
// private files under RUNNER_TEMP (directory 0700, files 0600), written atomically, found again by
// path (state) or by gate, and clear about what to do when they are missing.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { POST_STEP_STATE, PostStepWriter, readPostStepState } from '../../src/model/post-step-state.js'
import type { ClientRegistration, DeviceAuthorization } from '../../src/oidc/types.js'
import {
  AccessNotShownError,
  loadPendingRequest,
  NoPendingRequestError,
  pendingRequestPath,
  refuseAccessNotShown,
  removePendingRequest,
  savePendingRequest
} from '../../src/model/pending.js'
import { storeRequest } from '../../src/model/request.js'
import { approvalRequest } from './notify-fixtures.js'
import { tempDir } from '../support/temp.js'

let runnerTemp: string
const savedRunnerTemp = process.env.RUNNER_TEMP
beforeEach(() => {
  runnerTemp = tempDir('post-step-state-test')
  process.env.RUNNER_TEMP = runnerTemp
})
afterEach(() => {
  rmSync(runnerTemp, { recursive: true, force: true })
  if (savedRunnerTemp === undefined) delete process.env.RUNNER_TEMP
  else process.env.RUNNER_TEMP = savedRunnerTemp
})

const privateDirectory = () => join(runnerTemp, 'aws-sso-device-auth')
const mode = (path: string) => statSync(path).mode & 0o777

describe('PostStepWriter', () => {
  it('writes nothing until there is something to hand over, then saves the path once', () => {
    const saved: Array<[string, string]> = []
    const writer = new PostStepWriter((name, value) => saved.push([name, value]))
    expect(saved).toEqual([])

    writer.addFile('/tmp/one')
    writer.addFile('/tmp/two')
    writer.addFile('/tmp/one')
    expect(saved).toHaveLength(1)
    const [[name, path]] = saved as [[string, string]]
    expect(name).toBe(POST_STEP_STATE)
    expect(path.startsWith(`${privateDirectory()}/post-step-`)).toBe(true)
    expect(mode(path)).toBe(0o600)
    expect(mode(privateDirectory())).toBe(0o700)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ files: ['/tmp/one', '/tmp/two'] })
    // Rewritten in place: no partial files left beside it.
    expect(readdirSync(privateDirectory())).toEqual([path.slice(privateDirectory().length + 1)])
  })

  it('is read back by the post step from the state', () => {
    const state: Record<string, string> = {}
    const writer = new PostStepWriter((name, value) => (state[name] = value))
    writer.addFile('/tmp/pending.json')
    writer.update((postStep) => (postStep.files = [...postStep.files, '/tmp/other']))
    expect(readPostStepState((name) => state[name] ?? '')).toEqual({
      path: state.post_step,
      postStep: { files: ['/tmp/pending.json', '/tmp/other'] }
    })
  })

  it('reads no post-step state when none was saved or its file is gone', () => {
    expect(readPostStepState(() => '')).toBeUndefined()
    expect(readPostStepState(() => join(runnerTemp, 'gone.json'))).toBeUndefined()
  })

  it('reads a post-step state without a file list as one with none', () => {
    const path = join(runnerTemp, 'old.json')
    writeFileSync(path, '{"files":"not a list"}')
    expect(readPostStepState(() => path)?.postStep).toEqual({ files: [] })
  })
})

describe('the pending request', () => {
  const registration: ClientRegistration = {
    clientId: 'client-id',
    clientSecret: 'client-secret-value',
    clientIdIssuedAt: 1_700_000_000,
    clientSecretExpiresAt: 1_900_000_000,
    scopes: ['sso:account:access'],
    clientName: 'GitHub Actions octo/app'
  }
  const authorization: DeviceAuthorization = {
    deviceCode: 'device-code-value',
    userCode: 'WDJB-MJHT',
    verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
    verificationUriComplete: 'https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT',
    expiresIn: 600,
    interval: 5,
    startedAt: 1_777_636_800_000
  }

  it('round-trips through a 0600 file named after the gate, times included', () => {
    const path = pendingRequestPath('0123456789abcdef')
    expect(path).toBe(join(privateDirectory(), 'pending-0123456789abcdef.json'))
    const request = approvalRequest({ deadline: new Date(Date.UTC(2026, 4, 1, 12, 5)) })
    savePendingRequest(path, {
      rounds: [{ registration, authorization }],
      request,
      commentUrl: 'https://github.com/octo/app/pull/7#issuecomment-1'
    })
    expect(mode(path)).toBe(0o600)
    expect(loadPendingRequest(path)).toEqual({
      rounds: [{ registration, authorization }],
      request,
      commentUrl: 'https://github.com/octo/app/pull/7#issuecomment-1'
    })
    removePendingRequest(path)
    expect(readdirSync(privateDirectory())).toEqual([])
  })

  it('missing: one line that says to add a start step', () => {
    const error = (() => {
      try {
        loadPendingRequest(pendingRequestPath('0123456789abcdef'))
      } catch (caught) {
        return caught
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(NoPendingRequestError)
    expect((error as Error).message).toBe(
      'phase: wait found no pending request for this gate: add a step with phase: start and the same inputs before it in this job, or use phase: all.'
    )
  })

  it('unreadable (another version, a damaged file): says so in one line', () => {
    const path = pendingRequestPath('0123456789abcdef')
    writeFileSync(path, JSON.stringify({ version: 1 }))
    expect(() => loadPendingRequest(path)).toThrow(
      'phase: wait cannot read the pending request its start step left (unknown format): use the same version of this action for phase: start and phase: wait.'
    )
    writeFileSync(path, '{')
    expect(() => loadPendingRequest(path)).toThrow(NoPendingRequestError)
  })

  it('keeps the access the approver was shown: account-id, role-name, every profile', () => {
    const path = pendingRequestPath('0123456789abcdef')
    const access = {
      accountId: '111122223333',
      roleName: 'Deployer',
      profiles: [
        { profile: 'prod', accountId: '111122223333', roleName: 'Deployer' },
        { profile: 'staging', accountId: '444455556666', roleName: 'ReadOnly' }
      ]
    }
    savePendingRequest(path, { rounds: [{ registration, authorization }], request: approvalRequest(access) })
    expect(loadPendingRequest(path).request).toMatchObject(access)
  })

  type PendingJson = {
    rounds: Array<{ registration: Record<string, unknown>; authorization: Record<string, unknown> | null }>
    request: Record<string, unknown>
  }

  // The file is on disk between two steps: whatever it holds, a wrong type is one clear error,
  // never access that passes the wait step's check because it reads as "nothing was shown".
  it.each([
    ['registration without a valid clientSecret', (file: PendingJson) => (file.rounds[0]!.registration.clientSecret = 7)],
    ['authorization without a valid interval', (file: PendingJson) => (file.rounds[0]!.authorization!.interval = '5')],
    ['no authorization', (file: PendingJson) => (file.rounds[0]!.authorization = null)],
    ['no device authorization', (file: PendingJson) => (file.rounds = [])],
    ['approvals that are not a list', (file: PendingJson) => (file.request.approvals = 'alice')],
    ['a required number of approvals that is not 1 to 5', (file: PendingJson) => (file.request.requiredApprovals = 9)],
    ['an account-id and role-name that are not a role', (file: PendingJson) => (file.request.accountId = 111122223333)],
    ['an account-id and role-name that are not a role', (file: PendingJson) => delete file.request.roleName],
    ['profiles that are not a list', (file: PendingJson) => (file.request.profiles = { profile: 'prod' })],
    [
      'a profile that is not a profile name and a role',
      (file: PendingJson) => (file.request.profiles = [{ profile: 'prod', accountId: '1', roleName: 'Deployer' }])
    ],
    ['a profile that is not a profile name and a role', (file: PendingJson) => (file.request.profiles = [null])],
    ['scopes that are not a list of text', (file: PendingJson) => (file.request.scopes = 'sso:account:access')]
  ])('a file with %s: one line saying so', (problem, damage) => {
    const path = pendingRequestPath('0123456789abcdef')
    const request = approvalRequest({
      accountId: '111122223333',
      roleName: 'Deployer',
      profiles: [{ profile: 'prod', accountId: '111122223333', roleName: 'Deployer' }]
    })
    const file: PendingJson & { version: number } = {
      version: 2,
      rounds: [{ registration: { ...registration }, authorization: { ...authorization } }],
      request: { ...storeRequest(request) }
    }
    damage(file)
    writeFileSync(path, JSON.stringify(file))
    expect(() => loadPendingRequest(path)).toThrow(NoPendingRequestError)
    expect(() => loadPendingRequest(path)).toThrow(
      new RegExp(`^phase: wait cannot read the pending request its start step left \\([a-z ]*${problem}\\)`)
    )
  })
})

describe('refuseAccessNotShown', () => {
  const shown = {
    accountId: '111122223333',
    roleName: 'Deployer',
    profiles: [
      { profile: 'prod', accountId: '111122223333', roleName: 'Deployer' },
      { profile: 'staging', accountId: '444455556666', roleName: 'ReadOnly' }
    ]
  }
  const fix = 'give both steps the same account-id/role-name/roles/profile inputs.'

  it('lets through the same access, and less of it (every role exported was shown)', () => {
    expect(() => refuseAccessNotShown(shown, shown)).not.toThrow()
    expect(() => refuseAccessNotShown(shown, { ...shown, profiles: [shown.profiles[1]!] })).not.toThrow()
    expect(() => refuseAccessNotShown(shown, {})).not.toThrow()
  })

  it('refuses another account or role for account-id and role-name, naming it', () => {
    for (const asked of [
      { ...shown, accountId: '999988887777' },
      { ...shown, roleName: 'Admin' }
    ]) {
      expect(() => refuseAccessNotShown(shown, asked)).toThrow(AccessNotShownError)
      expect(() => refuseAccessNotShown(shown, asked)).toThrow(
        `The wait step asks for role ${asked.roleName} in ${asked.accountId} (inputs 'account-id' and 'role-name'), which its start step did not show the approver (it showed role Deployer in 111122223333, profile "prod" with role Deployer in 111122223333, profile "staging" with role ReadOnly in 444455556666); ${fix}`
      )
    }
    expect(() => refuseAccessNotShown({ profiles: shown.profiles }, { accountId: '111122223333', roleName: 'Deployer' })).toThrow(
      AccessNotShownError
    )
  })

  it('refuses a profile not shown, or shown with another role', () => {
    const extra = { profile: 'admin', accountId: '111122223333', roleName: 'Admin' }
    expect(() => refuseAccessNotShown(shown, { ...shown, profiles: [...shown.profiles, extra] })).toThrow(
      `The wait step asks for profile "admin" with role Admin in 111122223333, which its start step did not show the approver (it showed role Deployer in 111122223333, profile "prod" with role Deployer in 111122223333, profile "staging" with role ReadOnly in 444455556666); ${fix}`
    )
    expect(() => refuseAccessNotShown(shown, { profiles: [{ profile: 'staging', accountId: '444455556666', roleName: 'Admin' }] })).toThrow(
      AccessNotShownError
    )
    expect(() =>
      refuseAccessNotShown(shown, { profiles: [{ profile: 'staging', accountId: '111122223333', roleName: 'ReadOnly' }] })
    ).toThrow(AccessNotShownError)
    expect(() => refuseAccessNotShown({ accountId: '111122223333', roleName: 'Deployer' }, { profiles: [shown.profiles[0]!] })).toThrow(
      AccessNotShownError
    )
  })
})
