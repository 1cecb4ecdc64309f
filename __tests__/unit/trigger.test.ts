// What started the run, as the approver reads it: who wrote the comment, pushed, reviewed or
// re-ran; nothing from the payload believed outside GitHub's shapes.
import { describe, expect, it } from '@jest/globals'
import { describeTrigger, type TriggerFacts } from '../../src/trigger.js'
import { looksLikeCommand } from '../../src/text/sanitize.js'

function facts(eventName: string, payload: unknown, extra: Partial<TriggerFacts> = {}): TriggerFacts {
  return { eventName, actor: 'alice', triggeringActor: 'alice', ref: 'refs/heads/main', payload, ...extra }
}

const sender = { login: 'alice', id: 1 }

describe('describeTrigger', () => {
  it.each<[string, TriggerFacts, string]>([
    [
      'a comment on a PR names its author',
      facts('issue_comment', { issue: { number: 7, pull_request: { url: 'u' } }, comment: { user: { login: 'bob' } }, sender }),
      'a comment on PR #7 by bob'
    ],
    [
      'a comment on an issue says issue',
      facts('issue_comment', { issue: { number: 9 }, comment: { user: { login: 'bob' } }, sender }),
      'a comment on issue #9 by bob'
    ],
    [
      'a pull request event names its action',
      facts('pull_request', { action: 'ready_for_review', pull_request: { number: 3 }, sender }),
      'PR #3 (ready for review) by alice'
    ],
    [
      'pull_request_target alike',
      facts('pull_request_target', { action: 'opened', pull_request: { number: 3 }, sender: { login: 'mallory' } }),
      'PR #3 (opened) by mallory'
    ],
    [
      'a review names the reviewer',
      facts('pull_request_review', { pull_request: { number: 5 }, review: { user: { login: 'carol' } }, sender }),
      'a review of PR #5 by carol'
    ],
    [
      'a review comment',
      facts('pull_request_review_comment', { pull_request: { number: 5 }, comment: { user: { login: 'carol' } } }),
      'a review comment on PR #5 by carol'
    ],
    ['a push names the branch', facts('push', { sender }, { ref: 'refs/heads/release/2.1' }), 'a push to release/2.1 by alice'],
    ['a tag push', facts('push', { sender }, { ref: 'refs/tags/v1.2.3' }), 'a push to v1.2.3 by alice'],
    ['a manual run', facts('workflow_dispatch', { sender }), 'a manual run by alice'],
    ['the schedule has no person', facts('schedule', { schedule: '0 * * * *' }), 'the schedule'],
    [
      'workflow_run names the run that ended',
      facts('workflow_run', { workflow_run: { name: 'Build' }, sender }),
      'the end of the workflow run "Build" by alice'
    ],
    ['another event by name', facts('merge_group', { sender }), 'a merge group event by alice'],
    ['without a sender, the actor', facts('workflow_dispatch', {}), 'a manual run by alice'],
    [
      'a re-run by someone else says so',
      facts('push', { sender }, { triggeringActor: 'dave' }),
      'a push to main by alice; this attempt started by dave'
    ]
  ])('%s', (_name, input, expected) => {
    expect(describeTrigger(input)).toBe(expected)
  })

  it('believes no login outside GitHub’s shape, and no event name of another shape', () => {
    const hostile = 'eve\n::stop-commands::x'
    expect(
      describeTrigger(
        facts(
          'issue_comment',
          { issue: { number: 7, pull_request: {} }, comment: { user: { login: hostile } }, sender: { login: 'x y' } },
          { actor: hostile, triggeringActor: hostile }
        )
      )
    ).toBe('a comment on PR #7')
    expect(describeTrigger(facts('push', { sender }, { triggeringActor: '::add-mask::z' }))).toBe('a push to main by alice')
    expect(describeTrigger(facts('pull_request', { pull_request: { number: '3' }, action: 'opened\n##[x]', sender }))).toBe(
      'a pull request event by alice'
    )
    expect(describeTrigger(facts('Weird\nEvent', { sender }))).toBeUndefined()
    expect(describeTrigger(facts('issue_comment', null))).toBe('a comment by alice')
  })

  it('sanitises the names it shows: a branch or workflow name cannot become a workflow command', () => {
    const pushed = describeTrigger(facts('push', { sender }, { ref: 'refs/heads/x\n::stop-commands::t\u202e' }))
    const ran = describeTrigger(facts('workflow_run', { workflow_run: { name: `::warning::${'w'.repeat(500)}` } }))
    for (const text of [pushed, ran]) {
      expect(text).toBeDefined()
      expect(text).not.toMatch(/[\n\r\u202e]/)
      expect(text!.split(' ').some((word) => looksLikeCommand(word))).toBe(false)
    }
    expect(ran!.length).toBeLessThan(160)
  })
})
