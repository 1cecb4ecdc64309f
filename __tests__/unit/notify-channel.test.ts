import { describe, expect, it } from '@jest/globals'
import { notifyAll, type Notifier } from '../../src/notify/channel.js'
import { PostStepWriter } from '../../src/model/post-step-state.js'
import { commentTarget, createNotifiers } from '../../src/notify/index.js'
import { runContext } from './notify-fixtures.js'

function notifier(name: string, calls: string[], fail = false): Notifier {
  return {
    name,
    async prompt() {
      calls.push(name)
      if (fail) throw new Error('HTTP 403')
    },
    async record() {}
  }
}

describe('notifyAll', () => {
  it('runs every channel in order and turns a failing channel into a warning', async () => {
    const calls: string[] = []
    const warnings: string[] = []
    const channels = [notifier('step log', calls), notifier('job summary', calls, true), notifier('pr comment', calls)]
    await notifyAll(
      channels,
      (n) => n.prompt({} as never),
      (w) => warnings.push(w)
    )
    expect(calls).toEqual(['step log', 'job summary', 'pr comment'])
    expect(warnings).toEqual(['Could not update the job summary: HTTP 403'])
  })
})

describe('createNotifiers', () => {
  it('always uses the log, and the summary when asked', () => {
    expect(createNotifiers([]).map((n) => n.name)).toEqual(['step log'])
    expect(createNotifiers(['summary']).map((n) => n.name)).toEqual(['step log', 'job summary'])
  })

  it('adds the PR comment only where one can be posted, after the summary (local before network)', () => {
    expect(createNotifiers(['pr-comment', 'summary']).map((n) => n.name)).toEqual(['step log', 'job summary'])
    const prComment = {
      target: { token: 't', owner: 'octo', repo: 'app', issueNumber: 7, apiUrl: 'https://api.github.com' },
      postStep: new PostStepWriter(() => {}),
      phase: 'all' as const,
      warn: () => {},
      onPosted: () => {}
    }
    expect(createNotifiers(['pr-comment', 'summary'], { prComment }).map((n) => n.name)).toEqual(['step log', 'job summary', 'PR comment'])
    expect(createNotifiers(['summary'], { prComment }).map((n) => n.name)).toEqual(['step log', 'job summary'])
  })
})

describe('commentTarget', () => {
  it('is the run’s pull request in its repository, at GITHUB_API_URL', () => {
    expect(commentTarget(runContext({ pullRequest: 7 }), 'ghs_x', { GITHUB_API_URL: 'https://ghe.example/api/v3/' })).toEqual({
      target: { token: 'ghs_x', owner: 'octo', repo: 'app', issueNumber: 7, apiUrl: 'https://ghe.example/api/v3' }
    })
  })

  it('says why there is none: no pull request, no token', () => {
    expect(commentTarget(runContext(), 'ghs_x', {})).toEqual({ reason: 'this run belongs to no pull request' })
    expect(commentTarget(runContext({ pullRequest: 7 }), '', {})).toEqual({ reason: "input 'github-token' is empty" })
  })
})
