// Which GitHub failures are retried, and after how long: pure rules, then a refused connection
// through the real client.
import { describe, expect, it } from '@jest/globals'
import { createServer } from 'node:net'
import { failureFacts, isRetryableGitHubFailure, retryDelayMs, serverRequestedDelayMs, type FailureFacts } from '../../src/github/retry.js'
import { PrCommentError, StickyComment } from '../../src/notify/pr-comment.js'

// The jitter pinned to the top of its range.
const POLICY = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000, random: () => 0.999_999 }
const NOW = Date.parse('2025-06-01T14:00:00Z')
const facts = (status: number | undefined, headers: Record<string, string> = {}): FailureFacts =>
  status === undefined ? { headers } : { status, headers }

describe('retry rules', () => {
  it('retries no answer, 5xx, 429 and rate-limit 403s; nothing else', () => {
    for (const transient of [
      facts(undefined),
      facts(500),
      facts(502),
      facts(503),
      facts(504),
      facts(429),
      facts(403, { 'retry-after': '1' }),
      facts(403, { 'x-ratelimit-remaining': '0' })
    ]) {
      expect(isRetryableGitHubFailure(transient)).toBe(true)
    }
    for (const final of [
      facts(400),
      facts(401),
      facts(403),
      facts(404),
      facts(410),
      facts(422),
      facts(403, { 'x-ratelimit-remaining': '12' })
    ]) {
      expect(isRetryableGitHubFailure(final)).toBe(false)
      expect(retryDelayMs(final, 1, POLICY, NOW)).toBeUndefined()
    }
  })

  it('waits a random part of a doubling ceiling (full jitter) and stops after the last attempt', () => {
    expect([1, 2, 3].map((attempt) => retryDelayMs(facts(502), attempt, POLICY, NOW))).toEqual([999, 1999, undefined])
    expect([1, 2].map((attempt) => retryDelayMs(facts(502), attempt, { ...POLICY, random: () => 0.25 }, NOW))).toEqual([250, 500])
  })

  it('reads Retry-After as seconds or as an HTTP date, and the rate-limit reset', () => {
    expect(serverRequestedDelayMs(facts(429, { 'retry-after': '7' }), NOW)).toBe(7000)
    expect(serverRequestedDelayMs(facts(503, { 'retry-after': new Date(NOW + 4000).toUTCString() }), NOW)).toBe(4000)
    expect(serverRequestedDelayMs(facts(503, { 'retry-after': new Date(NOW - 4000).toUTCString() }), NOW)).toBe(0)
    expect(serverRequestedDelayMs(facts(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 9) }), NOW)).toBe(
      9000
    )
    expect(retryDelayMs(facts(429, { 'retry-after': '11' }), 1, POLICY, NOW)).toBeUndefined()
  })

  it("reads Octokit's error shape: a response means a status, none means no answer", () => {
    expect(failureFacts({ status: 502, response: { status: 502, headers: { 'Retry-After': '3' } } })).toEqual({
      status: 502,
      headers: { 'retry-after': '3' }
    })
    // Octokit reports a connection failure as status 500 with no response.
    expect(failureFacts({ status: 500, message: 'connect ECONNREFUSED' })).toEqual({ headers: {} })
    expect(failureFacts('boom')).toEqual({ headers: {} })
  })
})

describe('a GitHub API that cannot be reached', () => {
  it('is retried, then reported as unavailable', async () => {
    // A port that was just free: nothing listens there any more.
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    await new Promise<void>((resolve) => server.close(() => resolve()))

    const sleeps: number[] = []
    const error = await StickyComment.find(
      { token: 'ghs_x', owner: 'o', repo: 'r', issueNumber: 1, apiUrl: `http://127.0.0.1:${port}` },
      '0123456789abcdef',
      { retry: { baseDelayMs: 8, random: () => 0.5 }, sleep: async (ms) => void sleeps.push(ms) }
    ).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(PrCommentError)
    expect((error as PrCommentError).reason).toBe('unavailable')
    expect((error as PrCommentError).message).toBe(
      'Could not read the PR comment: GitHub could not be reached or did not answer, even after retries. The approval request is in the step log.'
    )
    expect(sleeps).toEqual([4, 8])
  })
})
