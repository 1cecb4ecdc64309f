// A loopback GitHub API for one test (closed after it), and the PR comment target that points at
// it: what the sticky-comment tests and the failure-warning tests both start from.
import { startGitHubApi, type FakeGitHubApi, type FakeGitHubApiOptions } from '../fakes/github-api.js'
import { afterThisTest } from '../support/after-test.js'
import type { CommentTarget } from '../../src/notify/pr-comment.js'

export async function fakeApi(options: FakeGitHubApiOptions = {}): Promise<FakeGitHubApi> {
  const api = await startGitHubApi(options)
  afterThisTest(() => api.close())
  return api
}

export function commentTargetOf(api: FakeGitHubApi, issueNumber: number, overrides: Partial<CommentTarget> = {}): CommentTarget {
  return { token: api.token, owner: 'octo-org', repo: 'octo-repo', issueNumber, apiUrl: api.url, ...overrides }
}
