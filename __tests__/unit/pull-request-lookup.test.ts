// The pull request lookup through the real @actions/github (Octokit) against the loopback GitHub
// fake: what each answer becomes, and that a failure is one clause that names no token.
import { afterEach, describe, expect, it } from '@jest/globals'
import { lookUpPullRequest, PullRequestLookupError } from '../../src/github/pull-request.js'
import { REPOSITORY_ID, startGitHubApi, type FakeGitHubApi, type FakeGitHubApiOptions } from '../fakes/github-api.js'

const apis: FakeGitHubApi[] = []
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.close()))
})

async function lookUp(options: FakeGitHubApiOptions, number = 7, token?: string): Promise<{ api: FakeGitHubApi; result: unknown }> {
  const api = await startGitHubApi({ repository: 'octo-org/app', ...options })
  apis.push(api)
  const result = await lookUpPullRequest(
    { owner: 'octo-org', repo: 'app', number },
    { token: token ?? api.token, apiUrl: api.url, retry: { baseDelayMs: 1 }, sleep: async () => {} }
  ).catch((error: unknown) => error)
  return { api, result }
}

describe('lookUpPullRequest', () => {
  it('a pull request from a branch of the repository: head and base are the same repository', async () => {
    const { api, result } = await lookUp({ pullRequests: { 7: { head: 'octo-org/app' } } })
    expect(result).toEqual({
      head: { id: REPOSITORY_ID, fullName: 'octo-org/app', fork: false },
      base: { id: REPOSITORY_ID, fullName: 'octo-org/app', fork: false }
    })
    expect(api.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /repos/octo-org/app/pulls/7 200'])
    expect(api.requests[0]!.authorized).toBe(true)
  })

  it('a pull request from a fork: the fork, with its own id', async () => {
    const { result } = await lookUp({ pullRequests: { 7: { head: 'mallory/app' } } })
    expect(result).toMatchObject({ head: { fullName: 'mallory/app', fork: true }, base: { id: REPOSITORY_ID } })
    expect((result as { head: { id: number } }).head.id).not.toBe(REPOSITORY_ID)
  })

  it.each<[string, FakeGitHubApiOptions, string | undefined, string]>([
    ['no such pull request', {}, undefined, 'GitHub answered 404 (no such pull request, or the token may not see it)'],
    [
      'a rejected token',
      { pullRequests: { 7: { head: 'octo-org/app' } } },
      'ghs_notTheTokenAtAll0000',
      'GitHub answered 401 (the token was rejected)'
    ],
    [
      'a hostile answer',
      { pullRequests: { 7: { answer: { number: 7, head: { repo: { id: 1, full_name: '::stop-commands::x', fork: false } }, base: {} } } } },
      undefined,
      "GitHub's answer names no valid base repository"
    ]
  ])('%s: one clause saying so', async (_name, options, token, message) => {
    const { result } = await lookUp(options, 7, token)
    expect(result).toBeInstanceOf(PullRequestLookupError)
    expect((result as Error).message).toBe(message)
  })

  it('a 403 that is a permission problem is not retried; a 502 is, then reported', async () => {
    const api = await startGitHubApi({ repository: 'octo-org/app', pullRequests: { 7: { head: 'octo-org/app' } } })
    apis.push(api)
    api.setFault({ route: 'pull', status: 403, message: 'Resource not accessible by integration' })
    const client = { token: api.token, apiUrl: api.url, retry: { baseDelayMs: 1 }, sleep: async () => {} }
    await expect(lookUpPullRequest({ owner: 'octo-org', repo: 'app', number: 7 }, client)).rejects.toThrow(
      'GitHub answered 403 (the token may not read pull requests)'
    )
    api.setFault({ route: 'pull', status: 502, count: 3 })
    await expect(lookUpPullRequest({ owner: 'octo-org', repo: 'app', number: 7 }, client)).rejects.toThrow('GitHub answered 502')
    expect(api.requests.map((r) => r.status)).toEqual([403, 502, 502, 502])
  })
})
