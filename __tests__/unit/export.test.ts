import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { exportCommentUrl, exportOutcome, exportRequestOutputs, exportToken, OUTPUT_NAMES } from '../../src/export/outputs.js'
import { isoUtc } from '../../src/time/format.js'
import { maskDeviceAuthorization, maskRegistration, maskTokenSet } from '../../src/model/secrets.js'
import type { TokenSet } from '../../src/oidc/types.js'
import { approvalRequest } from './notify-fixtures.js'
import { tempDir } from '../support/temp.js'
import { captureStdout } from '../support/capture.js'

const TOKEN: TokenSet = {
  accessToken: 'access-token-secret',
  tokenType: 'Bearer',
  expiresIn: 3600,
  expiresAt: Date.UTC(2026, 4, 1, 13, 0, 0, 123),
  refreshToken: 'refresh-token-secret',
  idToken: 'id-token-secret'
}

/** Reads a GITHUB_OUTPUT file written by @actions/core (`name<<delimiter` blocks). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  for (const m of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!
  return outputs
}

describe('outputs over the runner file protocol', () => {
  let dir: string
  let outputFile: string
  let saved: string | undefined
  /** Each stdout line with the output file's content at the moment it was written. */
  let stdout: Array<{ line: string; outputsThen: string }>

  beforeEach(() => {
    dir = tempDir('export-test')
    outputFile = join(dir, 'output')
    writeFileSync(outputFile, '')
    saved = process.env.GITHUB_OUTPUT
    process.env.GITHUB_OUTPUT = outputFile
    stdout = []
    // Each line with what GITHUB_OUTPUT held when it was written.
    captureStdout((chunk) => {
      const outputsThen = readFileSync(outputFile, 'utf8')
      for (const line of chunk.split('\n').filter(Boolean)) stdout.push({ line, outputsThen })
    })
  })
  afterEach(() => {
    jest.restoreAllMocks()
    if (saved === undefined) delete process.env.GITHUB_OUTPUT
    else process.env.GITHUB_OUTPUT = saved
    rmSync(dir, { recursive: true, force: true })
  })

  it('masks every token before the access token reaches an output', () => {
    exportToken(TOKEN)
    const masks = stdout.filter(({ line }) => line.startsWith('::add-mask::'))
    expect(masks.map(({ line }) => line)).toEqual([
      '::add-mask::access-token-secret',
      '::add-mask::refresh-token-secret',
      '::add-mask::id-token-secret'
    ])
    for (const mask of masks) expect(mask.outputsThen).toBe('')
    expect(parseOutputs(readFileSync(outputFile, 'utf8'))).toEqual({
      'access-token': 'access-token-secret',
      'expires-at': '2026-05-01T13:00:00Z'
    })
  })

  it('masks only the tokens that came', () => {
    const { refreshToken: _r, idToken: _i, ...bare } = TOKEN
    exportToken(bare)
    expect(stdout.map(({ line }) => line)).toEqual(['::add-mask::access-token-secret'])
  })

  it('sets the request outputs unmasked: the approver must be able to read them', () => {
    exportRequestOutputs(approvalRequest())
    exportOutcome('denied')
    expect(stdout).toEqual([])
    expect(parseOutputs(readFileSync(outputFile, 'utf8'))).toEqual({
      'user-code': 'WDJB-MJHT',
      'verification-uri': 'https://device.sso.us-east-1.amazonaws.com/',
      'verification-uri-complete': 'https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT',
      outcome: 'denied'
    })
  })

  it("sets the comment link as one sanitised line: it is the GitHub API's answer", () => {
    exportCommentUrl('https://github.com/o/r/pull/1#c\n::stop-commands::x\u202e')
    expect(parseOutputs(readFileSync(outputFile, 'utf8'))).toEqual({ 'comment-url': 'https://github.com/o/r/pull/1#c ::stop-commands::x' })
  })

  it('declares in action.yml exactly the outputs it sets', () => {
    const manifest = parse(readFileSync(join(process.cwd(), 'action.yml'), 'utf8')) as { outputs: Record<string, unknown> }
    expect(Object.keys(manifest.outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
  })
})

describe('masking as secrets arrive', () => {
  it('masks the client secret, not the client id', () => {
    const masked: string[] = []
    maskRegistration(
      { clientId: 'client-id', clientSecret: 'client-secret', clientIdIssuedAt: 0, clientSecretExpiresAt: 0, scopes: [], clientName: 'x' },
      (s) => masked.push(s)
    )
    expect(masked).toEqual(['client-secret'])
  })

  it('masks the device code, not the user code or the URLs', () => {
    const masked: string[] = []
    maskDeviceAuthorization(
      {
        deviceCode: 'device-code',
        userCode: 'WDJB-MJHT',
        verificationUri: 'https://x/',
        verificationUriComplete: 'https://x/?user_code=WDJB-MJHT',
        expiresIn: 600,
        interval: 5,
        startedAt: 0
      },
      (s) => masked.push(s)
    )
    expect(masked).toEqual(['device-code'])
  })

  it('masks every token of a set', () => {
    const masked: string[] = []
    maskTokenSet(TOKEN, (s) => masked.push(s))
    expect(masked).toEqual(['access-token-secret', 'refresh-token-secret', 'id-token-secret'])
  })
})

describe('isoUtc', () => {
  it('is ISO 8601 UTC to the second', () => {
    expect(isoUtc(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z')
  })
})
