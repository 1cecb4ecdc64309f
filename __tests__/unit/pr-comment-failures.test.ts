// The sticky PR comment's failures, word for word: each is the one warning a user sees, so each
// says what GitHub did and what to do (against the loopback GitHub REST fake, in-process).
import { describe, expect, it } from '@jest/globals'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GITHUB_ACTIONS_BOT_ID, type FakeGitHubApi } from '../fakes/github-api.js'
import { commentTargetOf, fakeApi } from '../pr-comment/fake-target.js'
import { PrCommentError, StickyComment, commentMarker, type CommentTarget, type StickyCommentOptions } from '../../src/notify/pr-comment.js'
import { MAX_COMMENT_SIZE } from '../../src/notify/comment-size.js'

const ISSUE = 7
const GATE = 'gate-1'
const STEP_LOG = 'The approval request is in the step log.'

function targetOf(api: FakeGitHubApi, overrides: Partial<CommentTarget> = {}): CommentTarget {
  return commentTargetOf(api, ISSUE, overrides)
}

function quick(debugLines: string[] = []): StickyCommentOptions {
  return { retry: { baseDelayMs: 10, random: () => 0.5 }, sleep: async () => {}, debug: (line) => void debugLines.push(line) }
}

async function failure(promise: Promise<unknown>): Promise<PrCommentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(error instanceof PrCommentError)) throw new Error(`expected a PrCommentError, got ${String(error)}`)
  return error
}

describe('PR comment failures, as the warning reads', () => {
  it('a read-only token on create: the status, GitHub’s words and the permission to give', async () => {
    const api = await fakeApi({ readOnly: true })
    const error = await failure((await StickyComment.find(targetOf(api), GATE, quick())).upsert('pending'))
    expect(error).toMatchObject({ name: 'CommentPermissionError', reason: 'permission', status: 403 })
    expect(error.message).toBe(
      'Could not create the PR comment: GitHub answered 403 (Resource not accessible by integration). ' +
        'Give the job `permissions: pull-requests: write`; pull requests from forks only get a read-only token. ' +
        STEP_LOG
    )
  })

  it('a 404 on reading the comments is a permission problem too, named as a read', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'list', status: 404, message: 'Not Found' })
    const error = await failure(StickyComment.find(targetOf(api), GATE, quick()))
    expect(error).toMatchObject({ reason: 'permission', status: 404 })
    expect(error.message).toMatch(/^Could not read the PR comment: GitHub answered 404 \(Not Found\)\. Give the job/)
  })

  it('a rejected token: a credentials problem, pointing at the input', async () => {
    const api = await fakeApi()
    const error = await failure(StickyComment.find(targetOf(api, { token: 'ghs_wrongTokenValue123' }), GATE, quick()))
    expect(error).toMatchObject({ name: 'PrCommentError', reason: 'credentials', status: 401 })
    expect(error.message).toBe(
      `Could not read the PR comment: GitHub rejected the token (401 Bad credentials). Check the \`github-token\` input. ${STEP_LOG}`
    )
  })

  it('a GitHub that keeps failing: unavailable, with the status it kept answering', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 503, count: 10 })
    const error = await failure((await StickyComment.find(targetOf(api), GATE, quick())).upsert('pending'))
    expect(error).toMatchObject({ reason: 'unavailable', status: 503 })
    expect(error.message).toBe(`Could not create the PR comment: GitHub kept answering 503, even after retries. ${STEP_LOG}`)
  })

  it('a GitHub that cannot be reached: unavailable, without a status', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const target: CommentTarget = { token: 'ghs_x', owner: 'o', repo: 'r', issueNumber: ISSUE, apiUrl: `http://127.0.0.1:${port}` }
    const error = await failure(StickyComment.find(target, GATE, quick()))
    expect(error.reason).toBe('unavailable')
    expect(error.status).toBeUndefined()
    expect(error.message).toBe(
      `Could not read the PR comment: GitHub could not be reached or did not answer, even after retries. ${STEP_LOG}`
    )
  })

  it('any other refusal: rejected, with the status and GitHub’s words, and no retry', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 422, message: 'Validation Failed' })
    const error = await failure((await StickyComment.find(targetOf(api), GATE, quick())).upsert('pending'))
    expect(error).toMatchObject({ reason: 'rejected', status: 422 })
    expect(error.message).toBe(`Could not create the PR comment: GitHub answered 422 (Validation Failed). ${STEP_LOG}`)
    expect(api.requests.filter((request) => request.route === 'create')).toHaveLength(1)
  })

  it('GitHub’s words pass the sanitiser and are cut to one short line', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 422, message: `Validation\n::stop-commands::x ${'y'.repeat(200)}` })
    const error = await failure((await StickyComment.find(targetOf(api), GATE, quick())).upsert('pending'))
    const quoted = /answered 422 \((.*)\)\. The approval/.exec(error.message)?.[1]
    expect(quoted).toMatch(/^Validation ::stop-commands::x y+…$/)
    expect(quoted).toHaveLength(120)
  })
})

describe('PR comment failures without GitHub’s words', () => {
  it('say the status alone', async () => {
    const readOnly = await fakeApi()
    readOnly.setFault({ route: 'create', status: 403, message: '' })
    expect((await failure((await StickyComment.find(targetOf(readOnly), GATE, quick())).upsert('pending'))).message).toMatch(
      /^Could not create the PR comment: GitHub answered 403\. Give the job/
    )

    const refusing = await fakeApi()
    refusing.setFault({ route: 'create', status: 422, message: '' })
    expect((await failure((await StickyComment.find(targetOf(refusing), GATE, quick())).upsert('pending'))).message).toBe(
      `Could not create the PR comment: GitHub answered 422. ${STEP_LOG}`
    )

    const rejecting = await fakeApi()
    rejecting.setFault({ route: 'user', status: 401, message: '' })
    expect((await failure(StickyComment.find(targetOf(rejecting), GATE, quick()))).message).toBe(
      `Could not read the PR comment: GitHub rejected the token (401). Check the \`github-token\` input. ${STEP_LOG}`
    )
  })
})

describe('PR comment debug lines', () => {
  it('say whose token it is, and how a lost create is retried', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 502, afterEffect: true })
    const lines: string[] = []
    const sticky = await StickyComment.find(targetOf(api), GATE, quick(lines))
    await sticky.upsert('pending')
    expect(lines).toContain(
      `PR comment: the token writes as github-actions (user id ${GITHUB_ACTIONS_BOT_ID}, from GraphQL viewer); only its comments are edited.`
    )
    expect(lines).toContain('GitHub POST issue comment: 502; checking for it, then retrying in 5 ms')
    expect(api.commentsOn(ISSUE).map((comment) => comment.body)).toEqual([`${commentMarker(GATE)}\npending`])
  })
})

describe('PR comment: what is sent and when', () => {
  it('sends a body of exactly the limit it keeps, and refuses one byte more, saying both sizes', async () => {
    const api = await fakeApi()
    const sticky = await StickyComment.find(targetOf(api), GATE, quick())
    const room = MAX_COMMENT_SIZE - `${commentMarker(GATE)}\n`.length
    await expect(sticky.upsert('x'.repeat(room))).resolves.toMatchObject({ id: expect.any(Number) })
    await expect(sticky.upsert('x'.repeat(room + 1))).rejects.toThrow(
      new RangeError(`PR comment body is ${MAX_COMMENT_SIZE + 1} bytes; the limit kept is ${MAX_COMMENT_SIZE}`)
    )
  })

  it('waits between attempts on real time when no sleep is given', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 500 })
    const sticky = await StickyComment.find(targetOf(api), GATE, { retry: { baseDelayMs: 200, random: () => 0.5 } })
    const started = Date.now()
    await sticky.upsert('pending')
    expect(Date.now() - started).toBeGreaterThanOrEqual(90)
    expect(api.commentsOn(ISSUE)).toHaveLength(1)
  })

  it('a lookup that fails between two POSTs is reported as the read it was, not retried as a POST', async () => {
    const api = await fakeApi()
    const sticky = await StickyComment.find(targetOf(api), GATE, quick())
    api.setFault({ route: 'create', status: 502, afterEffect: true })
    api.setFault({ route: 'list', status: 404, message: 'Not Found' })
    const error = await failure(sticky.upsert('pending'))
    expect(error.message).toMatch(/^Could not read the PR comment: GitHub answered 404/)
    expect(api.requests.filter((request) => request.route === 'create')).toHaveLength(1)
  })

  it('a POST with no answer is retried, said as "no response", and works without a debug sink', async () => {
    const api = await fakeApi()
    api.setFault({ route: 'create', status: 'hang' })
    const lines: string[] = []
    const sticky = await StickyComment.find(targetOf(api), GATE, { ...quick(lines), requestTimeoutMs: 300 })
    await sticky.upsert('pending')
    expect(lines).toContain('GitHub POST issue comment: no response; checking for it, then retrying in 5 ms')

    const silent = await fakeApi()
    silent.setFault({ route: 'create', status: 502 })
    const { debug: _none, ...withoutDebug } = quick()
    await expect((await StickyComment.find(targetOf(silent), GATE, withoutDebug)).upsert('pending')).resolves.toMatchObject({
      id: expect.any(Number)
    })
  })

  it('learns whose token it is from the comment it wrote when nothing else says, and then edits that comment', async () => {
    const api = await fakeApi({ graphql: 'off' })
    const lines: string[] = []
    const sticky = await StickyComment.find(targetOf(api), GATE, quick(lines))
    expect(sticky.identity).toBeUndefined()
    expect(lines).toContain(
      'PR comment: could not learn whose token github-token is, so no existing comment is edited; a new comment is posted.'
    )
    const first = await sticky.upsert('pending')
    expect(sticky.identity).toMatchObject({ id: GITHUB_ACTIONS_BOT_ID })
    expect(lines.at(-1)).toMatch(
      new RegExp(`^PR comment: the token writes as \\S+ \\(user id ${GITHUB_ACTIONS_BOT_ID}\\), as its new comment shows\\.$`)
    )
    expect((await sticky.upsert('approved')).id).toBe(first.id)

    const { debug: _none, ...withoutDebug } = quick()
    const silent = await StickyComment.find(targetOf(api), 'gate-2', withoutDebug)
    await expect(silent.upsert('pending')).resolves.toMatchObject({ id: expect.any(Number) })
  })

  it('says nothing of not knowing the token when it knows, and learns nothing more from its comment', async () => {
    const api = await fakeApi()
    const lines: string[] = []
    await (await StickyComment.find(targetOf(api), GATE, quick(lines))).upsert('pending')
    expect(lines.filter((line) => line.includes('could not learn') || line.includes('as its new comment shows'))).toEqual([])
  })
})
