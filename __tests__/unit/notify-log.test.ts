import { describe, expect, it } from '@jest/globals'
import { createLogNotifier, renderApprovedLine, renderLogPrompt } from '../../src/notify/log.js'
import { approvalRequest, NOW, runContext } from './notify-fixtures.js'

describe('renderLogPrompt', () => {
  const text = renderLogPrompt(approvalRequest(), NOW)
  const lines = text.split('\n')

  it('shows one link (the one with the code, in this older form) and the code on a line of its own', () => {
    expect(lines).toContain('  1. Open https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT')
    expect(lines).toContain('         WDJB-MJHT')
    expect(text.match(/https:\/\/device\.sso\./g)).toHaveLength(1)
  })

  it('gives the expiry as an absolute UTC time and in minutes from now', () => {
    expect(text).toContain('The code expires at 2026-05-01 12:10:00 UTC (in 10 minutes).')
  })

  it('says when the job stops waiting only when the timeout ends it before the code expires', () => {
    expect(text).not.toContain('stops waiting')
    const early = renderLogPrompt(approvalRequest({ deadline: new Date(NOW.getTime() + 5 * 60_000) }), NOW)
    expect(early).toContain("This job stops waiting at 2026-05-01 12:05:00 UTC (in 5 minutes; input 'timeout').")
  })

  it.each([
    ['Repository', 'octo/app'],
    ['Workflow', 'Deploy'],
    ['Job', 'deploy'],
    ['Run', 'https://github.com/octo/app/actions/runs/1234/attempts/2 (attempt 2)'],
    ['Actor', 'alice'],
    ['Event', 'push'],
    ['Ref', 'refs/heads/main'],
    ['Commit', '0123456789ab'],
    ['Start URL', 'https://d-1234567890.awsapps.com/start'],
    ['Region', 'us-east-1'],
    ['Client name', 'GitHub Actions octo/app'],
    ['Scopes', 'sso:account:access']
  ])('shows the %s', (label, value) => {
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ${label} +${value.replace(/[.()/?]/g, '\\$&')}$`)))
  })

  it('shows the pull request, account and role only when there are some', () => {
    expect(text).not.toMatch(/Pull request|Account|Role /)
    const withAll = renderLogPrompt(
      approvalRequest({ context: runContext({ pullRequest: 42 }), accountId: '111122223333', roleName: 'Deployer' }),
      NOW
    )
    expect(withAll).toMatch(/^ {2}Pull request +#42$/m)
    expect(withAll).toMatch(/^ {2}Account +111122223333$/m)
    expect(withAll).toMatch(/^ {2}Role +Deployer$/m)
  })

  it('warns to approve only an expected request and to check the code', () => {
    expect(text).toMatch(/WARNING: approve only a request you expect\. Check that the AWS page shows the code WDJB-MJHT/)
  })

  it('says "unknown" for context the runner did not give', () => {
    const bare = renderLogPrompt(approvalRequest({ context: runContext({ workflow: '', runUrl: '', runId: '' }) }), NOW)
    expect(bare).toMatch(/^ {2}Workflow +\(unknown\)$/m)
    expect(bare).toMatch(/^ {2}Run +\(unknown\)$/m)
  })

  it('cannot be made to start a workflow command by a value with a line break', () => {
    const hostile = renderLogPrompt(
      approvalRequest({ context: runContext({ workflow: 'x\n::set-env name=A::b', ref: 'r\r\n::add-mask::WDJB-MJHT' }) }),
      NOW
    )
    for (const line of hostile.split('\n')) expect(line.startsWith('::')).toBe(false)
    expect(hostile).toContain('x ::set-env name=A::b')
  })
})

describe('renderApprovedLine', () => {
  it('says when it was approved and when the token expires', () => {
    expect(renderApprovedLine({ outcome: 'approved', at: NOW, accessExpiresAt: new Date(NOW.getTime() + 8 * 3_600_000) })).toBe(
      'Approved at 2026-05-01 12:00:00 UTC. The token expires at 2026-05-01 20:00:00 UTC (in 8 hours).'
    )
  })
})

describe('the log notifier', () => {
  function capture(qr: (text: string) => Promise<string>) {
    const written: string[] = []
    const notifier = createLogNotifier({ write: (text) => written.push(text), now: () => NOW, qr })
    return { written, notifier }
  }

  it('prints the prompt, then the QR code of the link that fills in the code', async () => {
    const asked: string[] = []
    const { written, notifier } = capture(async (text) => {
      asked.push(text)
      return '<qr>'
    })
    await notifier.prompt(approvalRequest())
    expect(written).toHaveLength(2)
    expect(written[0]).toBe(renderLogPrompt(approvalRequest(), NOW))
    expect(written[1]).toBe('Scan to open the link that fills in the code:\n<qr>')
    expect(asked).toEqual(['https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT'])
  })

  it('points the QR code at the verification page when AWS gave no complete link', async () => {
    const asked: string[] = []
    const { notifier } = capture(async (text) => {
      asked.push(text)
      return '<qr>'
    })
    await notifier.prompt(approvalRequest({ verificationUriComplete: '' }))
    expect(asked).toEqual(['https://device.sso.us-east-1.amazonaws.com/'])
  })

  it('still shows the prompt when the QR code fails', async () => {
    const { written, notifier } = capture(async () => {
      throw new Error('data too long')
    })
    await notifier.prompt(approvalRequest())
    expect(written[0]).toContain('WDJB-MJHT')
    expect(written[1]).toBe('(No QR code: data too long)')
  })

  it('records only an approval (failures are the step error)', async () => {
    const { written, notifier } = capture(async () => '')
    const subject = { context: runContext() }
    await notifier.record({ subject, result: { outcome: 'denied', at: NOW, message: 'denied' } })
    expect(written).toEqual([])
    await notifier.record({ subject, result: { outcome: 'approved', at: NOW } })
    expect(written).toEqual(['Approved at 2026-05-01 12:00:00 UTC.'])
  })
})
