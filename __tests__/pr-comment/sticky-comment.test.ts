// The sticky PR comment driven through the real @actions/github (Octokit) against the loopback
// GitHub REST fake: creation, editing in place across runs, pagination, forged markers, gates that
// must not collide, permission failures and retries.
import { describe, expect, it } from '@jest/globals'
import { DEFAULT_LOGIN, GITHUB_ACTIONS_BOT_ID, type FakeGitHubApi } from '../fakes/github-api.js'
import { commentTargetOf, fakeApi } from './fake-target.js'
import {
  CommentPermissionError,
  PrCommentError,
  StickyComment,
  commentMarker,
  type CommentTarget,
  type StickyCommentOptions
} from '../../src/notify/pr-comment.js'
import { gateId } from '../../src/model/gate.js'
import { renderComment } from '../../src/notify/comment-body.js'
import { approvalRequest, USER_CODE, VERIFICATION_URI_COMPLETE } from './approval-request.js'

const ISSUE = 7
const GATE = gateId({
  workflow: 'Deploy',
  job: 'deploy',
  startUrl: 'https://d-1234567890.awsapps.com/start',
  accountId: '123456789012',
  roleName: 'DeployRole'
})
const OTHER_GATE = gateId({
  workflow: 'Deploy',
  job: 'deploy',
  startUrl: 'https://d-1234567890.awsapps.com/start',
  accountId: '123456789012',
  roleName: 'ReadOnly'
})

function targetOf(api: FakeGitHubApi, overrides: Partial<CommentTarget> = {}): CommentTarget {
  return commentTargetOf(api, ISSUE, overrides)
}

/** Options with recorded, instant sleeps (the jitter pinned at half its range) and recorded debug lines. */
function recordingOptions(extra: StickyCommentOptions = {}): StickyCommentOptions & { sleeps: number[]; debugLines: string[] } {
  const sleeps: number[] = []
  const debugLines: string[] = []
  return {
    retry: { baseDelayMs: 10, random: () => 0.5 },
    sleep: async (ms: number) => void sleeps.push(ms),
    debug: (line: string) => void debugLines.push(line),
    ...extra,
    sleeps,
    debugLines
  }
}

function routes(api: FakeGitHubApi): string[] {
  return api.requests.map((request) => `${request.method} ${request.route ?? '?'} ${request.status}`)
}

describe('StickyComment', () => {
  it('creates one comment, marked for the gate and authored by github-actions[bot]', async () => {
    const api = await fakeApi()
    const sticky = await StickyComment.find(targetOf(api), GATE)
    // GET /user refuses an installation token; GraphQL's viewer says which bot it is.
    expect(sticky.identity).toEqual({ id: GITHUB_ACTIONS_BOT_ID, login: 'github-actions', source: 'GraphQL viewer' })
    expect(sticky.comment).toBeUndefined()

    const body = renderComment(approvalRequest(), 'pending')
    const posted = await sticky.upsert(body)

    const stored = api.commentsOn(ISSUE)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.id).toBe(posted.id)
    expect(stored[0]!.author.login).toBe(DEFAULT_LOGIN)
    expect(stored[0]!.body).toBe(`${commentMarker(GATE)}\n${body}`)
    expect(posted.url).toBe(`${new URL(api.url).origin}/octo-org/octo-repo/pull/${ISSUE}#issuecomment-${posted.id}`)
    expect(sticky.comment).toEqual(posted)
    expect(routes(api)).toEqual(['GET user 403', 'POST graphql 200', 'GET list 200', 'POST create 201'])
    expect(api.requests.every((request) => request.authorized)).toBe(true)
    expect(api.requests.find((request) => request.route === 'list')!.query.per_page).toBe('100')
  })

  it('edits the same comment through its life and on a re-run', async () => {
    const api = await fakeApi()
    const request = approvalRequest()
    const first = await StickyComment.find(targetOf(api), GATE)
    const created = await first.upsert(renderComment(request, 'pending'))
    await first.upsert(renderComment(request, 'expired', { outcome: 'expired', at: request.expiresAt }))

    // A re-run is a new process: it finds the comment again, by marker and author.
    const rerun = await StickyComment.find(targetOf(api), GATE)
    expect(rerun.comment).toEqual(created)
    const pending = await rerun.upsert(renderComment(request, 'pending'))
    const approvedBody = renderComment(request, 'approved', { outcome: 'approved', at: new Date('2025-06-01T14:03:07Z') })
    const approved = await rerun.upsert(approvedBody)

    expect(pending.id).toBe(created.id)
    expect(approved).toEqual(created)
    const stored = api.commentsOn(ISSUE)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.body).toBe(`${commentMarker(GATE)}\n${approvedBody}`)
    expect(stored[0]!.body).not.toContain(USER_CODE)
    expect(stored[0]!.body).not.toContain(VERIFICATION_URI_COMPLETE)
    expect(api.requests.filter((r) => r.route === 'create')).toHaveLength(1)
    expect(api.requests.filter((r) => r.route === 'update').map((r) => r.path)).toEqual(
      Array(3).fill(`/repos/octo-org/octo-repo/issues/comments/${created.id}`)
    )
  })

  it('follows Link-header pagination to find its comment on page 2', async () => {
    const api = await fakeApi()
    for (let i = 0; i < 130; i++) api.seedComment({ issue: ISSUE, body: `review comment ${i}`, author: `reviewer${i % 5}` })
    const ours = api.seedComment({ issue: ISSUE, body: `${commentMarker(GATE)}\nold body`, author: DEFAULT_LOGIN })
    for (let i = 0; i < 100; i++) api.seedComment({ issue: ISSUE, body: `later comment ${i}`, author: 'reviewer9' })

    const sticky = await StickyComment.find(targetOf(api), GATE)
    expect(sticky.comment?.id).toBe(ours.id)
    await sticky.upsert('new body')

    const lists = api.requests.filter((r) => r.route === 'list')
    // Page 2 is fetched through the Link header's /repositories/{id}/… URL; page 3 is not needed.
    expect(lists.map((r) => [r.path.startsWith('/repos/') ? 'repos' : 'repositories', r.query.page ?? '1'])).toEqual([
      ['repos', '1'],
      ['repositories', '2']
    ])
    expect(api.commentsOn(ISSUE)).toHaveLength(231)
    expect(api.commentsOn(ISSUE).find((c) => c.id === ours.id)!.body).toBe(`${commentMarker(GATE)}\nnew body`)
    expect(routes(api)).not.toContain('POST create 201')
  })

  it('reads every page before concluding there is no comment yet', async () => {
    const api = await fakeApi()
    for (let i = 0; i < 250; i++) api.seedComment({ issue: ISSUE, body: `comment ${i}`, author: 'someone' })

    const sticky = await StickyComment.find(targetOf(api), GATE)
    expect(sticky.comment).toBeUndefined()
    await sticky.upsert('body')

    expect(api.requests.filter((r) => r.route === 'list').map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3'])
    expect(api.commentsOn(ISSUE)).toHaveLength(251)
  })

  it('never edits a comment with our marker written by someone else', async () => {
    const api = await fakeApi()
    const phishing = `${commentMarker(GATE)}\nApprove here: https://evil.example/device?user_code=EVIL-CODE`
    const forgedByUser = api.seedComment({ issue: ISSUE, body: phishing, author: 'mallory' })
    // A user whose login is the bot's without the suffix is still not the bot.
    const forgedLookalike = api.seedComment({ issue: ISSUE, body: phishing, author: 'github-actions' })

    const sticky = await StickyComment.find(targetOf(api), GATE)
    expect(sticky.comment).toBeUndefined()
    const posted = await sticky.upsert('the real request')

    expect(posted.id).not.toBe(forgedByUser.id)
    expect(posted.id).not.toBe(forgedLookalike.id)
    const stored = api.commentsOn(ISSUE)
    expect(stored).toHaveLength(3)
    expect(stored.find((c) => c.id === forgedByUser.id)!.body).toBe(phishing)
    expect(stored.find((c) => c.id === forgedLookalike.id)!.body).toBe(phishing)
    expect(stored.find((c) => c.id === posted.id)!.author.login).toBe(DEFAULT_LOGIN)
    // Not even attempted: on GitHub a token with write access could edit others' comments.
    expect(api.requests.filter((r) => r.route === 'update')).toHaveLength(0)
  })

  it('keeps gates apart: two gates on one PR get two comments', async () => {
    const api = await fakeApi()
    const a = await (await StickyComment.find(targetOf(api), GATE)).upsert('gate A pending')
    // Gate B's marker quoted inside gate A's comment (say, in a job name) must not make it B's.
    await (await StickyComment.find(targetOf(api), GATE)).upsert(`gate A mentions ${commentMarker(OTHER_GATE)}`)
    const b = await (await StickyComment.find(targetOf(api), OTHER_GATE)).upsert('gate B pending')
    await (await StickyComment.find(targetOf(api), OTHER_GATE)).upsert('gate B approved')

    expect(b.id).not.toBe(a.id)
    const stored = api.commentsOn(ISSUE)
    expect(stored.map((c) => c.body)).toEqual([
      `${commentMarker(GATE)}\ngate A mentions ${commentMarker(OTHER_GATE)}`,
      `${commentMarker(OTHER_GATE)}\ngate B approved`
    ])
  })

  it('derives gate ids from every part, stably', () => {
    const parts = { workflow: 'Deploy', job: 'deploy', startUrl: 'https://d-1234567890.awsapps.com/start' }
    const id = gateId(parts)
    expect(id).toMatch(/^[0-9a-f]{16}$/)
    expect(gateId({ ...parts })).toBe(id)
    expect(gateId({ ...parts, startUrl: 'https://d-1234567890.awsapps.com/start/' })).toBe(id)
    const variants = [
      { ...parts, workflow: 'Release' },
      { ...parts, job: 'deploy-prod' },
      { ...parts, startUrl: 'https://d-0000000000.awsapps.com/start' },
      { ...parts, accountId: '123456789012' },
      { ...parts, accountId: '123456789012', roleName: 'Admin' },
      { ...parts, roleName: 'Admin' },
      // Joined naively these would collide with each other.
      { ...parts, workflow: 'Deploy', job: 'deploy","x' },
      { ...parts, workflow: 'Deploy","deploy', job: 'x' }
    ]
    const ids = new Set([id, ...variants.map(gateId)])
    expect(ids.size).toBe(variants.length + 1)
  })

  it('a personal access token: GET /user says who it is, and comments are matched by its id', async () => {
    const api = await fakeApi({ kind: 'pat', login: 'Deploy-Bot', userId: 777 })
    // Same login in another case, another id: a renamed or look-alike account, not this token.
    const lookalike = api.seedComment({
      issue: ISSUE,
      body: `${commentMarker(GATE)}\nold`,
      author: { login: 'deploy-bot', id: 1, type: 'User' }
    })
    const ours = api.seedComment({
      issue: ISSUE,
      body: `${commentMarker(GATE)}\nold`,
      author: { login: 'Deploy-Bot', id: 777, type: 'User' }
    })

    const sticky = await StickyComment.find(targetOf(api), GATE)
    expect(sticky.identity).toEqual({ id: 777, login: 'Deploy-Bot', source: 'GET /user' })
    expect(sticky.comment?.id).toBe(ours.id)
    await sticky.upsert('new')
    expect(api.commentsOn(ISSUE).find((c) => c.id === lookalike.id)!.body).toBe(`${commentMarker(GATE)}\nold`)
    expect(routes(api)).toEqual(['GET user 200', 'GET list 200', 'PATCH update 200'])
  })

  it("a GitHub App's token: edits the app's comment, never github-actions[bot]'s with the same marker", async () => {
    const api = await fakeApi({ kind: 'app' })
    const planted = api.seedComment({
      issue: ISSUE,
      body: `${commentMarker(GATE)}\nApprove EVIL-CODE`,
      author: { login: DEFAULT_LOGIN, id: GITHUB_ACTIONS_BOT_ID, type: 'Bot' }
    })
    const ours = api.seedComment({ issue: ISSUE, body: `${commentMarker(GATE)}\nold`, author: api.identity })

    const sticky = await StickyComment.find(targetOf(api), GATE)
    expect(sticky.identity).toEqual({ id: api.identity.id, login: 'deploy-gate', source: 'GraphQL viewer' })
    expect(sticky.comment?.id).toBe(ours.id)
    await sticky.upsert('new')
    expect(api.commentsOn(ISSUE).find((c) => c.id === planted.id)!.body).toBe(`${commentMarker(GATE)}\nApprove EVIL-CODE`)
    expect(api.requests.filter((r) => r.route === 'update').map((r) => r.path)).toEqual([
      `/repos/octo-org/octo-repo/issues/comments/${ours.id}`
    ])
  })

  it.each(['off', 'error'] as const)(
    'GraphQL %s: whose token it is stays unknown, so no existing comment is edited; the new one teaches it',
    async (graphql) => {
      const api = await fakeApi({ kind: 'app', graphql })
      // Even the token's own old comment cannot be told from a look-alike: left alone too.
      const old = api.seedComment({ issue: ISSUE, body: `${commentMarker(GATE)}\nold`, author: api.identity })
      const planted = api.seedComment({ issue: ISSUE, body: `${commentMarker(GATE)}\nplanted`, author: 'other-app[bot]' })
      const options = recordingOptions()

      const sticky = await StickyComment.find(targetOf(api), GATE, options)
      expect(sticky.identity).toBeUndefined()
      expect(sticky.comment).toBeUndefined()
      expect(options.debugLines).toContain(
        'PR comment: could not learn whose token github-token is, so no existing comment is edited; a new comment is posted.'
      )
      const created = await sticky.upsert('pending')
      expect(sticky.identity).toEqual({ id: api.identity.id, login: api.identity.login, source: 'a comment it wrote' })
      const edited = await sticky.upsert('approved')

      expect(edited.id).toBe(created.id)
      expect(api.commentsOn(ISSUE).map((c) => [c.id, c.body])).toEqual([
        [old.id, `${commentMarker(GATE)}\nold`],
        [planted.id, `${commentMarker(GATE)}\nplanted`],
        [created.id, `${commentMarker(GATE)}\napproved`]
      ])
      expect(routes(api).filter((r) => r.startsWith('PATCH'))).toEqual(['PATCH update 200'])
    }
  )

  it('GraphQL off: the identity the main step handed over finds the comment; a malformed one is not believed', async () => {
    const api = await fakeApi({ kind: 'app', graphql: 'off' })
    const ours = api.seedComment({ issue: ISSUE, body: `${commentMarker(GATE)}\npending`, author: api.identity })
    api.seedComment({ issue: ISSUE, body: `${commentMarker(GATE)}\nplanted`, author: 'github-actions[bot]' })

    const known = await StickyComment.find(targetOf(api, { knownIdentity: { id: api.identity.id, login: api.identity.login } }), GATE)
    expect(known.identity?.source).toBe('the main step')
    expect(known.comment?.id).toBe(ours.id)

    for (const knownIdentity of [
      { id: -1, login: 'x' },
      { id: api.identity.id, login: 'evil\n::stop-commands::' },
      { id: '149130343', login: 'deploy-gate[bot]' }
    ]) {
      const sticky = await StickyComment.find(targetOf(api, { knownIdentity: knownIdentity as { id: number; login: string } }), GATE)
      expect(sticky.identity).toBeUndefined()
      expect(sticky.comment).toBeUndefined()
    }
  })

  it('creates a new comment when its comment was deleted since it was found', async () => {
    const api = await fakeApi()
    const first = await (await StickyComment.find(targetOf(api), GATE)).upsert('pending')
    const sticky = await StickyComment.find(targetOf(api), GATE)
    api.removeComment(first.id)

    const second = await sticky.upsert('approved')
    expect(second.id).not.toBe(first.id)
    expect(api.commentsOn(ISSUE).map((c) => c.body)).toEqual([`${commentMarker(GATE)}\napproved`])
  })

  it('works under a GHES-style /api/v3 base, from GITHUB_API_URL with a trailing slash', async () => {
    const api = await fakeApi({ pathPrefix: '/api/v3' })
    const saved = process.env.GITHUB_API_URL
    process.env.GITHUB_API_URL = `${api.url}/`
    try {
      const { apiUrl: _ignored, ...target } = targetOf(api)
      const created = await (await StickyComment.find(target, GATE)).upsert('pending')
      const again = await (await StickyComment.find(target, GATE)).upsert('approved')
      expect(again.id).toBe(created.id)
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL
      else process.env.GITHUB_API_URL = saved
    }
    // GraphQL lives at /api/graphql on GHES, beside /api/v3.
    expect(
      api.requests.every(
        (r) => r.path.startsWith(r.route === 'graphql' ? '/api/graphql' : '/api/v3/') && r.status < 400 === (r.route !== 'user')
      )
    ).toBe(true)
    expect(api.commentsOn(ISSUE)).toHaveLength(1)
  })

  it('refuses a body over the limit it keeps (UTF-8 bytes), before sending anything', async () => {
    const api = await fakeApi()
    const sticky = await StickyComment.find(targetOf(api), GATE)
    const sent = api.requests.length
    await expect(sticky.upsert('x'.repeat(65_536))).rejects.toThrow(RangeError)
    // 20,000 code points, but 80,000 bytes: over the strictest reading of GitHub's limit.
    await expect(sticky.upsert('🌈'.repeat(20_000))).rejects.toThrow(RangeError)
    expect(api.requests).toHaveLength(sent)
  })
})

describe('StickyComment failures', () => {
  it('turns a read-only token into one permission error naming pull-requests: write', async () => {
    const api = await fakeApi({ readOnly: true })
    const sticky = await StickyComment.find(targetOf(api), GATE)
    const error = await sticky.upsert('pending').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(CommentPermissionError)
    const permission = error as CommentPermissionError
    expect(permission.reason).toBe('permission')
    expect(permission.status).toBe(403)
    expect(permission.message).toContain('`permissions: pull-requests: write`')
    expect(permission.message).toContain('Resource not accessible by integration')
    expect(permission.message).not.toContain(api.token)
    expect(permission.message).not.toMatch(/\n/)
    // A permission problem is not retried.
    expect(api.requests.filter((r) => r.route === 'create')).toHaveLength(1)
    expect(api.commentsOn(ISSUE)).toHaveLength(0)
  })

  it('reports an edit refused by a now read-only token the same way', async () => {
    const writable = await fakeApi()
    await (await StickyComment.find(targetOf(writable), GATE)).upsert('pending')
    writable.setFault({ route: 'update', status: 403, message: 'Resource not accessible by integration' })
    const sticky = await StickyComment.find(targetOf(writable), GATE)
    await expect(sticky.upsert('approved')).rejects.toBeInstanceOf(CommentPermissionError)
  })

  it('reports a rejected token as a credentials problem without echoing it', async () => {
    const api = await fakeApi()
    const error = await StickyComment.find(targetOf(api, { token: 'ghs_wrongTokenValue123' }), GATE).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrCommentError)
    expect((error as PrCommentError).reason).toBe('credentials')
    expect((error as PrCommentError).message).toContain('github-token')
    expect((error as PrCommentError).message).not.toContain('ghs_wrongTokenValue123')
  })

  it('retries 5xx on reads and edits with growing waits', async () => {
    const api = await fakeApi()
    await (await StickyComment.find(targetOf(api), GATE)).upsert('pending')
    api.setFault({ route: 'list', status: 502, count: 2 })
    api.setFault({ route: 'update', status: 503, count: 1 })
    const options = recordingOptions()

    const sticky = await StickyComment.find(targetOf(api), GATE, options)
    await sticky.upsert('approved')

    expect(options.sleeps).toEqual([5, 10, 5])
    expect(api.commentsOn(ISSUE).map((c) => c.body)).toEqual([`${commentMarker(GATE)}\napproved`])
    expect(routes(api).slice(-5)).toEqual(['GET list 502', 'GET list 502', 'GET list 200', 'PATCH update 503', 'PATCH update 200'])
    for (const line of options.debugLines) {
      expect(line).not.toContain(api.token)
      expect(line).not.toContain('approved')
    }
  })

  it('retries the GraphQL viewer query (a read, though a POST) after a 502', async () => {
    const api = await fakeApi({ kind: 'app' })
    const ours = api.seedComment({ issue: ISSUE, body: `${commentMarker(GATE)}\nold`, author: api.identity })
    api.setFault({ route: 'graphql', status: 502 })
    const options = recordingOptions()
    const sticky = await StickyComment.find(targetOf(api), GATE, options)
    expect(sticky.identity?.id).toBe(api.identity.id)
    expect(sticky.comment?.id).toBe(ours.id)
    expect(routes(api)).toEqual(['GET user 403', 'POST graphql 502', 'POST graphql 200', 'GET list 200'])
    expect(options.sleeps).toEqual([5])
  })

  it('does not duplicate a comment whose creation answer was lost', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 502, afterEffect: true })
    const options = recordingOptions()

    const sticky = await StickyComment.find(targetOf(api), GATE, options)
    const posted = await sticky.upsert('pending')

    expect(api.commentsOn(ISSUE)).toHaveLength(1)
    expect(api.commentsOn(ISSUE)[0]!.id).toBe(posted.id)
    expect(routes(api)).toEqual(['GET user 403', 'POST graphql 200', 'GET list 200', 'POST create 502', 'GET list 200', 'PATCH update 200'])
  })

  it('retries a create that failed before storing anything', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 500 })
    const sticky = await StickyComment.find(targetOf(api), GATE, recordingOptions())
    await sticky.upsert('pending')
    expect(api.commentsOn(ISSUE)).toHaveLength(1)
    expect(routes(api).slice(3)).toEqual(['POST create 500', 'GET list 200', 'POST create 201'])
  })

  it('honours Retry-After on 429 and on a secondary-rate-limit 403', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'list', status: 429, retryAfter: 3 })
    api.setFault({ route: 'create', status: 403, retryAfter: 2, message: 'You have exceeded a secondary rate limit.' })
    const options = recordingOptions()

    await (await StickyComment.find(targetOf(api), GATE, options)).upsert('pending')
    expect(options.sleeps).toEqual([3000, 2000])
    expect(api.commentsOn(ISSUE)).toHaveLength(1)
  })

  it('waits for a primary rate limit reset when it is near, not when it is far', async () => {
    const now = Date.parse('2025-06-01T14:00:00Z')
    const reset = (seconds: number): Record<string, string> => ({
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(now / 1000 + seconds)
    })
    const api = await fakeApi()
    api.setFault({ route: 'list', status: 403, headers: reset(4) })
    const near = recordingOptions({ now: () => now })
    await StickyComment.find(targetOf(api), GATE, near)
    expect(near.sleeps).toEqual([4000])

    api.setFault({ route: 'list', status: 403, headers: reset(3600) })
    const far = recordingOptions({ now: () => now })
    const error = await StickyComment.find(targetOf(api), GATE, far).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrCommentError)
    expect((error as PrCommentError).reason).toBe('unavailable')
    expect(far.sleeps).toEqual([])
  })

  it('gives up after the bounded attempts with an unavailable error', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 503, count: 10 })
    const options = recordingOptions()
    const sticky = await StickyComment.find(targetOf(api), GATE, options)
    const error = await sticky.upsert('pending').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(PrCommentError)
    expect((error as PrCommentError).reason).toBe('unavailable')
    expect((error as PrCommentError).status).toBe(503)
    expect(api.requests.filter((r) => r.route === 'create')).toHaveLength(3)
    expect(options.sleeps).toEqual([5, 10])
  })

  it('abandons a request that never answers and tries again', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'list', status: 'hang' })
    const options = recordingOptions({ requestTimeoutMs: 300 })
    const started = Date.now()
    const sticky = await StickyComment.find(targetOf(api), GATE, options)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(sticky.comment).toBeUndefined()
    expect(api.requests.filter((r) => r.route === 'list')).toHaveLength(2)
    expect(options.sleeps).toEqual([5])
  })
})
