import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GateRecord } from '../../src/notify/channel.js'
import type { Outcome } from '../../src/model/request.js'
import { createSummaryNotifier, renderPendingSummary, renderSummary } from '../../src/notify/summary.js'
import { renderComment } from '../../src/notify/comment-body.js'
import { approvalRequest, NOW, runContext } from './notify-fixtures.js'
import { tempDir } from '../support/temp.js'

function approved(): GateRecord {
  const request = approvalRequest()
  return {
    subject: request,
    request,
    result: { outcome: 'approved', at: NOW, accessExpiresAt: new Date(NOW.getTime() + 3_600_000) }
  }
}

/** The table's rows as label → cell HTML. */
function rows(html: string): Map<string, string> {
  return new Map([...html.matchAll(/<tr><th align="left">(.*?)<\/th><td>(.*?)<\/td><\/tr>/g)].map((m) => [m[1]!, m[2]!]))
}

describe('the summary and the PR comment', () => {
  const title = (html: string): string | undefined => /^<h2>(.*)<\/h2>/.exec(html)?.[1]
  const commentTitle = (markdown: string): string | undefined => /^### (.*)\n/.exec(markdown)?.[1]

  it.each<Outcome>(['approved', 'denied', 'expired', 'timed-out', 'cancelled', 'error'])(
    'title a %s request in the same words',
    (outcome) => {
      const gate = approved()
      gate.result = { outcome, at: NOW }
      const summary = title(renderSummary(gate))
      expect(summary).toMatch(/AWS sign-in/)
      expect(commentTitle(renderComment(gate.request!, outcome, gate.result))).toBe(summary)
    }
  )

  it('title a pending request in the same words', () => {
    const request = approvalRequest()
    const summary = title(renderPendingSummary(request))
    expect(summary).toBe('🔐 AWS sign-in waiting for approval')
    expect(commentTitle(renderComment(request, 'pending'))).toBe(summary)
  })
})

describe('renderSummary', () => {
  it('records the outcome, when, the token expiry, the request and the run', () => {
    const html = renderSummary(approved())
    expect(html.startsWith('<h2>✅ AWS sign-in approved</h2>\n<table>')).toBe(true)
    const table = rows(html)
    expect(table.get('Outcome')).toBe('<code>approved</code>')
    expect(table.get('At')).toBe('2026-05-01 12:00:00 UTC')
    expect(table.get('Token expires')).toBe('2026-05-01 13:00:00 UTC')
    expect(table.get('User code')).toBe('<code>WDJB-MJHT</code>')
    expect(table.get('Code expires')).toBe('2026-05-01 12:10:00 UTC')
    expect(table.get('Start URL')).toBe('https://d-1234567890.awsapps.com/start')
    expect(table.get('Scopes')).toBe('sso:account:access')
    expect(table.get('Repository')).toBe('<a href="https://github.com/octo/app">octo/app</a>')
    expect(table.get('Run')).toBe(
      '<a href="https://github.com/octo/app/actions/runs/1234/attempts/2">https://github.com/octo/app/actions/runs/1234/attempts/2</a> (attempt 2)'
    )
    expect(table.get('Actor')).toBe('alice')
    expect(table.get('Commit')).toBe('0123456789ab')
  })

  it.each<[Outcome, string]>([
    ['denied', '⛔ AWS sign-in denied'],
    ['expired', '⌛ AWS sign-in expired'],
    ['timed-out', '⌛ AWS sign-in timed out'],
    ['cancelled', '🚫 AWS sign-in cancelled'],
    ['error', '❌ AWS sign-in failed']
  ])('heads a %s gate with what happened and says what to do', (outcome, heading) => {
    const gate = approved()
    gate.result = { outcome, at: NOW, message: 'What happened. What to do.' }
    const html = renderSummary(gate)
    expect(html).toContain(`<h2>${heading}</h2>\n<p>What happened. What to do.</p>`)
    expect(rows(html).has('Token expires')).toBe(false)
  })

  it('records a gate that failed before any request (no code, no verification page)', () => {
    const html = renderSummary({
      subject: { context: runContext(), region: 'us-east-1' },
      result: { outcome: 'error', at: NOW, message: "Input 'start-url' is required." }
    })
    const table = rows(html)
    expect(table.has('User code')).toBe(false)
    expect(table.has('Start URL')).toBe(false)
    expect(table.get('Region')).toBe('us-east-1')
    expect(html).toContain('<p>Input &#39;start-url&#39; is required.</p>')
  })

  it('escapes every value: nothing from the run can add HTML or links', () => {
    const gate = approved()
    gate.subject = {
      ...gate.subject,
      clientName: '<img src=x onerror=alert(1)>',
      context: runContext({ workflow: '<script>alert(1)</script>', actor: 'a"b&c', runUrl: 'javascript:alert(1)' })
    }
    gate.result = { outcome: 'error', at: NOW, message: '<b>bold</b>' }
    const html = renderSummary(gate)
    expect(html).not.toMatch(/<(script|img|b)\b/)
    const table = rows(html)
    expect(table.get('Workflow')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(table.get('Actor')).toBe('a&quot;b&amp;c')
    expect(table.get('Run')).toBe('javascript:alert(1) (attempt 2)')
    expect(html).toContain('<p>&lt;b&gt;bold&lt;/b&gt;</p>')
  })
})

describe('summary links', () => {
  it('link to what the URL parser makes of the address: no line break, control or bidi character from GITHUB_SERVER_URL in an href', () => {
    const gate = approved()
    const serverUrl = 'https://github.example/\u202egnp\n\n![x](https://evil.example/t.png)@octocat\u0000'
    gate.subject = { ...gate.subject, context: runContext({ serverUrl, runUrl: `${serverUrl}/octo/app/actions/runs/1` }) }
    const html = renderSummary(gate)
    // eslint-disable-next-line no-control-regex -- the NUL is what the test looks for
    expect(html).not.toMatch(/[\u0000\u202e]/)
    expect(html.split('\n').every((line) => /^<\/?(h2|table|tr|p)\b/.test(line))).toBe(true)
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^https:\/\/[\x21-\x7e]*$/)
    expect(rows(html).get('Repository')).toContain(
      '<a href="https://github.example/%E2%80%AEgnp!%5Bx%5D%28https://evil.example/t.png%29@octocat'
    )
  })
})

describe('renderPendingSummary (phase: start)', () => {
  it('is the prompt: the link that fills in the code, the code, the expiry, who asks, the warning', () => {
    const html = renderPendingSummary(approvalRequest({ deadline: new Date(NOW.getTime() + 5 * 60_000) }))
    expect(
      html.startsWith(
        '<h2>🔐 AWS sign-in waiting for approval</h2>\n<p><strong><a href="https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT">Open the AWS verification page</a></strong>'
      )
    ).toBe(true)
    const table = rows(html)
    expect(table.get('User code')).toBe('<code>WDJB-MJHT</code>')
    expect(table.get('Verification page')).toBe(
      '<a href="https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT">https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT</a>'
    )
    expect(table.get('Code expires')).toBe('2026-05-01 12:10:00 UTC')
    expect(table.get('The job stops waiting')).toBe('2026-05-01 12:05:00 UTC')
    expect(table.get('Repository')).toBe('<a href="https://github.com/octo/app">octo/app</a>')
    expect(html).toContain('<strong>Approve only a request you expect.</strong>')
  })

  it('leaves out the stop time when the code’s expiry is the deadline, and escapes what the run controls', () => {
    const html = renderPendingSummary(approvalRequest({ userCode: '<b>X</b>', context: runContext({ job: '<img src=x>' }) }))
    expect(rows(html).has('The job stops waiting')).toBe(false)
    expect(html).not.toMatch(/<(img|b)\b/)
    expect(rows(html).get('Job')).toBe('&lt;img src=x&gt;')
  })
})

describe('the summary notifier', () => {
  // core.summary keeps the first GITHUB_STEP_SUMMARY it sees (one step per process): one file for
  // every test here, emptied before each.
  let dir: string
  let saved: string | undefined
  const file = () => process.env.GITHUB_STEP_SUMMARY!
  beforeAll(() => {
    dir = tempDir('summary-test')
    saved = process.env.GITHUB_STEP_SUMMARY
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary.md')
  })
  beforeEach(() => {
    writeFileSync(file(), '')
    core.summary.emptyBuffer()
  })
  afterAll(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY
    else process.env.GITHUB_STEP_SUMMARY = saved
    rmSync(dir, { recursive: true, force: true })
  })

  it('phase start: the prompt is the summary, replaced when a restart prompts again', async () => {
    const notifier = createSummaryNotifier({ showPrompt: true })
    await notifier.prompt(approvalRequest({ userCode: 'OLDC-ODE1' }))
    await notifier.prompt(approvalRequest())
    expect(readFileSync(file(), 'utf8')).toBe(`${renderPendingSummary(approvalRequest())}\n`)
  })

  it('writes nothing while waiting, and the record at the end to the step summary file', async () => {
    const notifier = createSummaryNotifier()
    const gate = approved()
    await notifier.prompt(gate.request!)
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe('')
    await notifier.record(gate)
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe(`${renderSummary(gate)}\n`)
  })
})
