// The rounds loop (gate/rounds.ts) with fake rounds: a new round when a code expires or an
// approval is refused, until the deadline; N rounds side by side for N approvers; a denial ends
// everything; a rejected client starts over once.
import { describe, expect, it } from '@jest/globals'
import { MIN_ROUND_MS, waitInRounds, type RoundCause, type RoundsOptions } from '../../src/gate/rounds.js'
import type { TokenSet } from '../../src/oidc/types.js'
import type { PollOutcome, PollResult } from '../../src/poll.js'

type Answer = { outcome: PollOutcome; afterMs?: number; user?: string } | { error: Error }

const result = (outcome: PollOutcome, user?: string): PollResult => ({
  outcome,
  polls: 1,
  slowDowns: 0,
  transientErrors: 0,
  ...(outcome === 'approved'
    ? { token: { accessToken: `token-of-${user}`, tokenType: 'Bearer', expiresIn: 60, expiresAt: 0 } as TokenSet }
    : {})
})

/** Round n answers answers[n]; every start, show and judge is recorded. */
function fake(answers: Answer[], overrides: Partial<RoundsOptions<number, string, string>> = {}) {
  let next = 0
  const starts: RoundCause[] = []
  const shown: Array<{ rounds: number[]; approvals: string[]; refusal?: string }> = []
  const judged: string[] = []
  const options: RoundsOptions<number, string, string> = {
    required: 1,
    deadline: Date.now() + 60_000,
    endsAs: 'timed-out',
    async start(cause) {
      starts.push(cause)
      return next++
    },
    async poll(round, signal) {
      const answer = answers[round] ?? { outcome: 'expired', afterMs: 60_000 }
      if ('error' in answer) throw answer.error
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, answer.afterMs ?? 0)
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
      })
      return signal.aborted ? result('cancelled') : result(answer.outcome, answer.user)
    },
    expiredOnTime: () => true,
    startsOver: (error) => error instanceof Error && error.message === 'invalid_client',
    async judge(_round, token, approvals) {
      const user = token.accessToken.replace('token-of-', '')
      judged.push(user)
      if (user.startsWith('mallory')) return { refused: `${user} may not` }
      if (approvals.includes(user)) return { refused: `${user} again` }
      return { accepted: user }
    },
    async show(progress) {
      shown.push({
        rounds: [...progress.rounds],
        approvals: [...progress.approvals],
        ...(progress.refusal ? { refusal: progress.refusal } : {})
      })
    },
    signal: new AbortController().signal,
    ...overrides
  }
  return { options, starts, shown, judged }
}

describe('waitInRounds', () => {
  it('an expired code gets a new round, shown first, and its approval ends the request', async () => {
    const { options, starts, shown } = fake([{ outcome: 'expired' }, { outcome: 'approved', user: 'alice' }])
    const end = await waitInRounds(options)
    expect(end).toMatchObject({ outcome: 'approved', approvals: ['alice'], round: 1 })
    expect(starts).toEqual(['first', 'expired'])
    expect(shown).toEqual([
      { rounds: [0], approvals: [] },
      { rounds: [1], approvals: [] }
    ])
  })

  it('a refused approval gets a new round that shows who tried; then an allowed one counts', async () => {
    const { options, starts, shown } = fake([
      { outcome: 'approved', user: 'mallory' },
      { outcome: 'approved', user: 'bob' }
    ])
    const end = await waitInRounds(options)
    expect(end).toMatchObject({ outcome: 'approved', approvals: ['bob'] })
    expect(starts).toEqual(['first', 'refused'])
    expect(shown[1]).toEqual({ rounds: [1], approvals: [], refusal: 'mallory may not' })
  })

  it('two approvers: two rounds side by side; the same person twice counts once', async () => {
    const { options, starts, shown } = fake(
      [
        { outcome: 'approved', user: 'alice', afterMs: 5 },
        { outcome: 'approved', user: 'alice', afterMs: 20 },
        { outcome: 'approved', user: 'bob', afterMs: 5 }
      ],
      { required: 2 }
    )
    const end = await waitInRounds(options)
    expect(end).toMatchObject({ outcome: 'approved', approvals: ['alice', 'bob'] })
    expect(starts).toEqual(['first', 'first', 'refused'])
    expect(shown[0]).toEqual({ rounds: [0, 1], approvals: [] })
    expect(shown[1]).toEqual({ rounds: [1], approvals: ['alice'] })
    expect(shown[2]).toEqual({ rounds: [2], approvals: ['alice'], refusal: 'alice again' })
  })

  it('a denial by the second approver ends the request, with the first approval to revoke, and stops the other polls', async () => {
    const { options } = fake(
      [
        { outcome: 'approved', user: 'alice', afterMs: 5 },
        { outcome: 'denied', afterMs: 20 },
        { outcome: 'approved', user: 'carol', afterMs: 10_000 }
      ],
      { required: 3 }
    )
    const began = Date.now()
    const end = await waitInRounds(options)
    expect(end).toMatchObject({ outcome: 'unapproved', poll: { outcome: 'denied' }, round: 1, approvals: ['alice'] })
    expect(Date.now() - began).toBeLessThan(5_000)
  })

  it('a code AWS calls expired before its time ends the request: no loop of new rounds', async () => {
    const { options, starts } = fake([{ outcome: 'expired' }], { expiredOnTime: () => false })
    await expect(waitInRounds(options)).resolves.toMatchObject({ outcome: 'unapproved', poll: { outcome: 'expired' } })
    expect(starts).toEqual(['first'])
  })

  it('no time left for another round: an expired code ends the request as the deadline says', async () => {
    const { options, starts } = fake([{ outcome: 'expired' }], { deadline: Date.now() + MIN_ROUND_MS - 500 })
    const end = await waitInRounds(options)
    expect(end).toMatchObject({ outcome: 'unapproved', poll: { outcome: 'timed-out' } })
    expect(starts).toEqual(['first'])
  })

  it('a rejected client starts over with a new round; any other failure ends the wait', async () => {
    const { options, starts } = fake([{ error: new Error('invalid_client') }, { outcome: 'approved', user: 'alice' }])
    await expect(waitInRounds(options)).resolves.toMatchObject({ outcome: 'approved' })
    expect(starts).toEqual(['first', 'start-over'])
    await expect(waitInRounds(fake([{ error: new Error('boom') }]).options)).rejects.toThrow('boom')
  })

  it('picks up open rounds (phase: wait) and starts only the missing ones', async () => {
    const { options, starts, shown } = fake(
      [
        { outcome: 'approved', user: 'alice' },
        { outcome: 'approved', user: 'bob', afterMs: 5 }
      ],
      {
        required: 2,
        open: [0]
      }
    )
    // The fake numbers its own starts from 0: the open round is 0, so the new one is 0 too; give it 1.
    options.start = async (cause) => (starts.push(cause), 1)
    await expect(waitInRounds(options)).resolves.toMatchObject({ outcome: 'approved', approvals: ['alice', 'bob'] })
    expect(starts).toEqual(['first'])
    expect(shown[0]!.rounds).toEqual([0, 1])
  })
})
