// The PR comment's text in every state, and the escaping that keeps text from the run (workflow
// and job names, refs, the actor, inputs) from turning into links, HTML or mentions.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { renderComment, type CommentState } from '../../src/notify/comment-body.js'
import { commentSize, MAX_COMMENT_SIZE } from '../../src/notify/comment-size.js'
import { commentMarker } from '../../src/notify/pr-comment.js'
import type { Outcome, RequestResult } from '../../src/model/request.js'
import { approvalRequest, USER_CODE, VERIFICATION_URI, VERIFICATION_URI_COMPLETE } from '../pr-comment/approval-request.js'

const OUTCOMES: Outcome[] = ['approved', 'denied', 'expired', 'timed-out', 'cancelled', 'error']
const AT = new Date('2025-06-01T14:03:07.000Z')

/** Removes CommonMark code spans (a run of n backticks up to the next run of exactly n). */
function withoutCodeSpans(markdown: string): string {
  let out = ''
  let i = 0
  while (i < markdown.length) {
    if (markdown[i] !== '`') {
      out += markdown[i++]
      continue
    }
    const run = /^`+/.exec(markdown.slice(i))![0]
    let search = i + run.length
    let close = -1
    while (search < markdown.length) {
      const next = markdown.indexOf('`', search)
      if (next < 0) break
      const candidate = /^`+/.exec(markdown.slice(next))![0]
      if (candidate.length === run.length) {
        close = next
        break
      }
      search = next + candidate.length
    }
    if (close < 0) {
      out += run
      i += run.length
    } else {
      i = close + run.length
    }
  }
  return out
}

function lineStartingWith(body: string, prefix: string): string {
  const line = body.split('\n').find((l) => l.startsWith(prefix))
  if (line === undefined) throw new Error(`no line starting with ${prefix}`)
  return line
}

describe('renderComment: pending', () => {
  const body = renderComment(approvalRequest(), 'pending')

  it('links the complete verification URL and shows the code in its own code span', () => {
    expect(body).toContain(`[Open the AWS verification page](${VERIFICATION_URI_COMPLETE})`)
    expect(body).toContain('on `device.sso.us-east-1.amazonaws.com`')
    expect(body).toContain(`**Code:** \`${USER_CODE}\``)
    // One link: the page the code is typed on is not offered beside the one that fills it in.
    expect(body).not.toContain(`(${VERIFICATION_URI})`)
  })

  it('gives the expiry as an absolute UTC time', () => {
    expect(body).toContain('The code expires at **2025-06-01 14:10:00 UTC**.')
    expect(body).not.toContain('stops waiting')
    const earlier = renderComment(approvalRequest({ deadline: new Date('2025-06-01T14:05:00Z') }), 'pending')
    expect(earlier).toContain('The job stops waiting at **2025-06-01 14:05:00 UTC**.')
  })

  it("shows the run's context", () => {
    expect(body).toContain('- Repository: `octo-org/octo-repo`')
    expect(body).toContain('- Workflow: `Deploy`, job `deploy`')
    expect(body).toContain(
      '- Run: [run 9876543210](https://github.com/octo-org/octo-repo/actions/runs/9876543210), started by `octocat` (event `pull_request`)'
    )
    expect(body).toContain(
      '- Ref: `refs/pull/7/merge` at commit [`0123456`](https://github.com/octo-org/octo-repo/commit/0123456789abcdef0123456789abcdef01234567)'
    )
    expect(body).toContain('- AWS access portal: `https://d-1234567890.awsapps.com/start` (region `us-east-1`)')
    expect(body).toContain('- AWS account and role: `123456789012` / `DeployRole`')
    expect(body).toContain('- Client name on the AWS page: `GitHub Actions octo-org/octo-repo`')
    const rerun = renderComment(approvalRequest({}, { runAttempt: '3' }), 'pending')
    expect(rerun).toContain('[run 9876543210, attempt 3](')
  })

  it('leaves out the account line when no role is requested', () => {
    const tokenOnly = renderComment(approvalRequest({ accountId: undefined, roleName: undefined }), 'pending')
    expect(tokenOnly).not.toContain('AWS account and role')
  })

  it('warns to approve only a run one started, and to compare the code with the log', () => {
    expect(body).toContain('> ⚠️ **Approve only if you started this run and expect it to use your AWS access.**')
    expect(body).toContain(
      '> Check that the code matches the one in the job log of [this run](https://github.com/octo-org/octo-repo/actions/runs/9876543210).'
    )
  })

  it('does not carry the marker (StickyComment adds it) and ends with a newline', () => {
    expect(body).not.toContain('aws-sso-device-auth:gate=')
    expect(body.endsWith('\n')).toBe(true)
    expect(body.startsWith('### 🔐 AWS sign-in waiting for approval\n')).toBe(true)
  })
})

describe('renderComment: outcomes', () => {
  const request = approvalRequest()

  it.each(OUTCOMES)('%s removes the code and every verification link', (outcome) => {
    const body = renderComment(request, outcome, { outcome, at: AT })
    expect(body).not.toContain(USER_CODE)
    expect(body).not.toContain('device.sso.us-east-1.amazonaws.com')
    expect(body).not.toContain('Open the AWS verification page')
    // The context stays, so the record says which run it was.
    expect(body).toContain('- Repository: `octo-org/octo-repo`')
  })

  const expected: Record<Outcome, { title: string; happened: string; todo: string }> = {
    approved: {
      title: '### ✅ AWS sign-in approved',
      happened:
        "Approved at **2025-06-01 14:03:07 UTC**. The job goes on with the approver's AWS access until **2025-06-01 22:03:07 UTC**.",
      todo: 'there is nothing left to do'
    },
    denied: {
      title: '### ⛔ AWS sign-in denied',
      happened: 'Denied at **2025-06-01 14:03:07 UTC** at the AWS verification page. The job got no AWS access and failed.',
      todo: 'If that was a mistake, re-run the job to get a new code and approve it.'
    },
    expired: {
      title: '### ⌛ AWS sign-in expired',
      happened: 'The code expired at **2025-06-01 14:03:07 UTC** before anyone approved it.',
      todo: 'Re-run the job to get a new code, and approve it before it expires.'
    },
    'timed-out': {
      title: '### ⌛ AWS sign-in timed out',
      happened: 'The job stopped waiting at **2025-06-01 14:03:07 UTC** before anyone approved it.',
      todo: 'Re-run the job and approve sooner, or raise the `timeout` input.'
    },
    cancelled: {
      title: '### 🚫 AWS sign-in cancelled',
      happened: 'The run was cancelled at **2025-06-01 14:03:07 UTC** while waiting for approval.',
      todo: 'The old code is no longer waited for: do not approve it.'
    },
    error: {
      title: '### ❌ AWS sign-in failed',
      happened: 'The sign-in failed at **2025-06-01 14:03:07 UTC**. The job got no AWS access.',
      todo: 'See [the job log](https://github.com/octo-org/octo-repo/actions/runs/9876543210) for what went wrong, then re-run the job.'
    }
  }

  it.each(OUTCOMES)('%s says what happened and what to do', (outcome) => {
    const result: RequestResult = {
      outcome,
      at: AT,
      ...(outcome === 'approved' ? { accessExpiresAt: new Date('2025-06-01T22:03:07Z') } : {})
    }
    const body = renderComment(request, outcome, result)
    expect(body.startsWith(`${expected[outcome].title}\n`)).toBe(true)
    expect(body).toContain(expected[outcome].happened)
    expect(body).toContain(expected[outcome].todo)
  })

  it("uses the result's message, escaped, as what happened and what to do", () => {
    const message = "CreateToken failed: InvalidRequestException. Check 'start-url' <b>now</b>."
    const body = renderComment(request, 'error', { outcome: 'error', at: AT, message })
    expect(body).toContain("CreateToken failed\\: InvalidRequestException\\. Check 'start\\-url' \\<b\\>now\\</b\\>\\.")
    expect(body).not.toContain('See [the job log]')
  })

  it('falls back to the times it knows when the result has none', () => {
    expect(renderComment(request, 'expired')).toContain('The code expired at **2025-06-01 14:10:00 UTC**')
    const limited = approvalRequest({ deadline: new Date('2025-06-01T14:05:00Z') })
    expect(renderComment(limited, 'timed-out')).toContain('The job stopped waiting at **2025-06-01 14:05:00 UTC**')
    expect(renderComment(request, 'denied')).toContain('Denied at the AWS verification page.')
  })
})

describe('renderComment: text from the run cannot inject markup', () => {
  const hostile = {
    workflow: 'Deploy <img src=x onerror=alert(1)> @octo-org/admins',
    job: 'deploy\n- Approved: yes [click](https://evil.example)',
    actor: 'mallory`<script>',
    ref: 'refs/heads/**bold**_[x](https://evil.example)_www.evil.example',
    eventName: 'pull_request #1',
    repository: 'octo-org/octo-repo'
  }
  const body = renderComment(
    approvalRequest({ clientName: '<a href="https://evil.example">AWS</a>', startUrl: 'https://evil.example/start?x=<y>' }, hostile),
    'pending'
  )
  const outside = withoutCodeSpans(body)

  it('keeps every run value inside code spans', () => {
    expect(withoutCodeSpans(lineStartingWith(body, '- Workflow: '))).toBe('- Workflow: , job ')
    expect(withoutCodeSpans(lineStartingWith(body, '- Ref: '))).toMatch(
      /^- Ref: {2}at commit \[\]\(https:\/\/github\.com\/octo-org\/octo-repo\/commit\/[0-9a-f]{40}\)$/
    )
    expect(withoutCodeSpans(lineStartingWith(body, '- Client name on the AWS page: '))).toBe('- Client name on the AWS page: ')
    expect(lineStartingWith(body, '- Run: ')).toContain('started by ``mallory`<script>`` (event `pull_request #1`)')
  })

  it('leaves no HTML, foreign link, mention or line break outside code spans', () => {
    expect(outside).not.toMatch(/<(?!sub>|\/sub>)/)
    expect(outside).not.toContain('evil.example')
    expect(outside).not.toContain('@octo-org')
    expect(outside).not.toContain('#1')
    expect(body).not.toContain('\n- Approved: yes')
  })

  it('removes characters that make text read as something else', () => {
    const spoofed = renderComment(
      approvalRequest({}, { ref: 'refs/heads/main\u202e\u200bgnp.exe', workflow: 'A\u0000B\u2066C' }),
      'pending'
    )
    expect(spoofed).toContain('`refs/heads/maingnp.exe`')
    expect(spoofed).toContain('`A BC`')
    // eslint-disable-next-line no-control-regex -- the NUL is what the test looks for
    expect(spoofed).not.toMatch(/[\u0000\u200b\u202e\u2066]/)
  })

  it('links only http(s) URLs and encodes characters that would end a link', () => {
    const body = renderComment(
      approvalRequest(
        { verificationUriComplete: 'javascript:alert(document.cookie)' },
        { runUrl: 'https://github.com/o/r/actions/runs/1)](https://evil.example' }
      ),
      'pending'
    )
    expect(body).not.toContain('](javascript:')
    expect(body).toContain('Open the AWS verification page (`javascript:alert(document.cookie)`)')
    expect(body).toContain('[this run](https://github.com/o/r/actions/runs/1%29%5D%28https://evil.example)')
  })

  it('does not link a commit whose SHA is not hexadecimal', () => {
    const body = renderComment(approvalRequest({}, { sha: 'not-a-sha](https://evil.example)' }), 'pending')
    expect(lineStartingWith(body, '- Ref: ')).toMatch(/at commit `not-a-s`$/)
  })

  it('stays within GitHub’s limit with the marker, whatever the inputs hold (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 5000 }),
        fc.string({ maxLength: 5000 }),
        fc.constantFrom<CommentState>('pending', ...OUTCOMES),
        (text, message, state) => {
          const request = approvalRequest(
            {
              clientName: text,
              startUrl: text,
              userCode: text,
              accountId: text,
              roleName: text,
              verificationUriComplete: text,
              region: text
            },
            {
              workflow: text,
              job: text,
              ref: text,
              actor: text,
              eventName: text,
              repository: text,
              runId: text,
              runAttempt: text,
              sha: text
            }
          )
          const body = renderComment(request, state, { outcome: state === 'pending' ? 'error' : state, at: AT, message })
          expect(commentSize(`${commentMarker('0123456789abcdef')}\n${body}`)).toBeLessThanOrEqual(MAX_COMMENT_SIZE)
          // Whatever the text, the workflow line keeps its shape: the value never leaves its code span.
          expect(withoutCodeSpans(lineStartingWith(body, '- Workflow: '))).toBe('- Workflow: , job ')
        }
      ),
      { numRuns: 300 }
    )
  })

  it('stays far below the limit with 100,000-character fields', () => {
    const huge = 'x'.repeat(100_000)
    const body = renderComment(
      approvalRequest({ clientName: huge, startUrl: huge }, { workflow: huge, job: huge, ref: huge, actor: huge }),
      'error',
      { outcome: 'error', at: AT, message: huge }
    )
    expect(body.length).toBeLessThan(10_000)
  })
})

describe('renderComment: a request too long for one comment', () => {
  /** `count` profiles with long names, and role names of two-byte characters: bytes, not characters, decide. */
  const manyProfiles = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      profile: `profile-${i}-${'p'.repeat(50)}`,
      accountId: String(100000000000 + i),
      roleName: `Rôle${i}-${'é'.repeat(100)}`
    }))
  const STATES: CommentState[] = ['pending', ...OUTCOMES]

  it.each(STATES)('%s: shortened to fit, keeping the code, the link, the warning and who is asking', (state) => {
    const request = approvalRequest({ profiles: manyProfiles(2000) })
    const body = renderComment(
      request,
      state,
      state === 'pending' ? undefined : { outcome: state, at: AT, message: 'One line of what to do.' }
    )

    expect(commentSize(`${commentMarker('0123456789abcdef')}\n${body}`)).toBeLessThanOrEqual(MAX_COMMENT_SIZE)
    // Not cut far below the limit either: the list is filled up to it.
    expect(commentSize(body)).toBeGreaterThan(MAX_COMMENT_SIZE - 1000)
    const listed = body.split('\n').filter((line) => line.startsWith('- AWS profile ')).length
    expect(listed).toBeGreaterThan(50)
    expect(listed).toBeLessThan(2000)
    expect(body).toContain(
      `- **…and ${2000 - listed} more AWS profiles, not listed here** (too long for one comment): [the job log](https://github.com/octo-org/octo-repo/actions/runs/9876543210) lists every role asked for.`
    )
    expect(body).toContain("This comment was shortened to fit GitHub's limit")
    // The profiles listed are the first ones, in order.
    expect(body).toContain('`profile-0-')
    expect(body).not.toContain(`\`profile-${listed}-`)
    expect(body).toContain('- Repository: `octo-org/octo-repo`')
    expect(body).toContain('- AWS account and role: `123456789012` / `DeployRole`')
    expect(body.endsWith('This comment is updated in place as the request changes.</sub>\n')).toBe(true)
    if (state === 'pending') {
      expect(body).toContain(`**Code:** \`${USER_CODE}\``)
      expect(body).toContain(`](${VERIFICATION_URI_COMPLETE})`)
      expect(body).toContain('Approve only if you started this run')
    }
  })

  it('one byte over: the list goes, because the line saying so is longer than a profile line kept', () => {
    const request = approvalRequest({ profiles: manyProfiles(2) })
    const whole = renderComment(request, 'pending')
    const budget = commentSize(whole) - 1
    const body = renderComment(request, 'pending', undefined, budget)
    expect(commentSize(body)).toBeLessThanOrEqual(budget)
    expect(body).not.toContain('- AWS profile ')
    expect(body).toContain('- **…and 2 more AWS profiles, not listed here**')
  })

  it('a request that fits is not touched', () => {
    const body = renderComment(approvalRequest({ profiles: manyProfiles(20) }), 'pending')
    expect(body.split('\n').filter((line) => line.startsWith('- AWS profile '))).toHaveLength(20)
    expect(body).not.toContain('shortened')
    expect(body).not.toContain('more AWS profile')
  })
})
