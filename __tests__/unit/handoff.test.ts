// The hand-off from the main step to the post step, and the pending request between two phases:
// private files under RUNNER_TEMP (directory 0700, files 0600), written atomically, found again by
// path (state) or by gate, and clear about what to do when they are missing.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HANDOFF_STATE, HandoffWriter, readHandoff } from '../../src/handoff.js'
import type { ClientRegistration, DeviceAuthorization } from '../../src/oidc/types.js'
import { loadPendingRequest, NoPendingRequestError, pendingRequestPath, removePendingRequest, savePendingRequest } from '../../src/pending.js'
import { approvalRequest } from './notify-fixtures.js'

let runnerTemp: string
const savedRunnerTemp = process.env.RUNNER_TEMP
beforeEach(() => {
  runnerTemp = mkdtempSync(join(tmpdir(), 'handoff-test-'))
  process.env.RUNNER_TEMP = runnerTemp
})
afterEach(() => {
  rmSync(runnerTemp, { recursive: true, force: true })
  if (savedRunnerTemp === undefined) delete process.env.RUNNER_TEMP
  else process.env.RUNNER_TEMP = savedRunnerTemp
})

const privateDirectory = () => join(runnerTemp, 'aws-sso-device-auth')
const mode = (path: string) => statSync(path).mode & 0o777

describe('HandoffWriter', () => {
  it('writes nothing until there is something to hand over, then saves the path once', () => {
    const saved: Array<[string, string]> = []
    const writer = new HandoffWriter((name, value) => saved.push([name, value]))
    expect(saved).toEqual([])

    writer.addFile('/tmp/one')
    writer.addFile('/tmp/two')
    writer.addFile('/tmp/one')
    expect(saved).toHaveLength(1)
    const [[name, path]] = saved as [[string, string]]
    expect(name).toBe(HANDOFF_STATE)
    expect(path.startsWith(`${privateDirectory()}/handoff-`)).toBe(true)
    expect(mode(path)).toBe(0o600)
    expect(mode(privateDirectory())).toBe(0o700)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ files: ['/tmp/one', '/tmp/two'] })
    // Rewritten in place: no partial files left beside it.
    expect(readdirSync(privateDirectory())).toEqual([path.slice(privateDirectory().length + 1)])
  })

  it('is read back by the post step from the state', () => {
    const state: Record<string, string> = {}
    const writer = new HandoffWriter((name, value) => (state[name] = value))
    writer.addFile('/tmp/pending.json')
    writer.update((handoff) => (handoff.files = [...handoff.files, '/tmp/other']))
    expect(readHandoff((name) => state[name] ?? '')).toEqual({ path: state.handoff, handoff: { files: ['/tmp/pending.json', '/tmp/other'] } })
  })

  it('reads no hand-off when none was saved or its file is gone', () => {
    expect(readHandoff(() => '')).toBeUndefined()
    expect(readHandoff(() => join(runnerTemp, 'gone.json'))).toBeUndefined()
  })

  it('reads a hand-off without a file list as one with none', () => {
    const path = join(runnerTemp, 'old.json')
    writeFileSync(path, '{"files":"not a list"}')
    expect(readHandoff(() => path)?.handoff).toEqual({ files: [] })
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
    savePendingRequest(path, { registration, authorization, request, commentUrl: 'https://github.com/octo/app/pull/7#issuecomment-1' })
    expect(mode(path)).toBe(0o600)
    expect(loadPendingRequest(path)).toEqual({ registration, authorization, request, commentUrl: 'https://github.com/octo/app/pull/7#issuecomment-1' })
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
    writeFileSync(path, JSON.stringify({ version: 2 }))
    expect(() => loadPendingRequest(path)).toThrow(
      'phase: wait cannot read the pending request its start step left (unknown format): use the same version of this action for phase: start and phase: wait.'
    )
    writeFileSync(path, '{')
    expect(() => loadPendingRequest(path)).toThrow(NoPendingRequestError)
  })
})
