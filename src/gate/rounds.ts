// The gate waits in rounds. A round is one device authorization: a code someone approves on
// AWS's page until it expires (AWS: about 10 minutes). When a code expires, or its approval is not
// accepted (gate/policy.ts), and the request's deadline (the `timeout` input) is still ahead, a
// new round starts with a new code; so `timeout` is the total wait, however short a code lives.
// With `required-approvals: N`, N rounds run side by side, one per approver still to come, each
// polled on its own; the request is approved once N different people are accepted, and ends at
// once when anyone denies.
// The loop knows nothing of AWS or the channels: it is given how to start, poll, judge and show a
// round, and returns how the request ended.
import type { PollResult } from '../poll.js'
import type { TokenSet } from '../oidc/types.js'

/** What came of one approval: accepted (it counts), or refused (its token revoked, a new round). */
export type Verdict<Approval, Refusal> = { accepted: Approval } | { refused: Refusal }

/** Why a round is being started: the first, after an expired code, a refused approval, or a rejected client. */
export type RoundCause = 'first' | 'expired' | 'refused' | 'start-over'

/** Everything the channels show at a moment: the codes waiting, who approved, the latest refusal. */
export interface Progress<Round, Approval, Refusal> {
  /** The rounds still waiting for an approver; the one just started first. */
  rounds: Round[]
  approvals: Approval[]
  refusal?: Refusal
}

export interface RoundsOptions<Round, Approval, Refusal> {
  /** How many different people must approve: as many rounds run at once. */
  required: number
  /** Rounds started earlier (a `phase: start` step's), still waiting; the rest are started here. */
  open?: Round[]
  /** Epoch ms: the request's deadline. No round starts after it, no poll runs past it. */
  deadline: number
  /** What the deadline is called when it ends the request: `timed-out` with a `timeout`, else `expired`. */
  endsAs: 'timed-out' | 'expired'
  /** A new device authorization. `previous` is the round it replaces. */
  start(cause: RoundCause, previous?: Round): Promise<Round>
  /** Polls one round until a decision, its code's expiry or the deadline (poll.ts). */
  poll(round: Round, signal: AbortSignal): Promise<PollResult>
  /**
   * The round's code expired when it should have (not early: AWS calling a code expired minutes
   * before its time would otherwise make the loop start round after round until the deadline).
   */
  expiredOnTime(round: Round, poll: PollResult): boolean
  /** A poll failed (it threw): whether a new round may succeed (AWS rejected the client, once). */
  startsOver(error: unknown, round: Round): boolean
  /** An approval arrived: who approved, and does it count? `approvals` are those accepted so far. */
  judge(round: Round, token: TokenSet, approvals: readonly Approval[]): Promise<Verdict<Approval, Refusal>>
  /** Every channel shows the request as it now stands. */
  show(progress: Progress<Round, Approval, Refusal>): Promise<void>
  signal: AbortSignal
  now?: () => number
}

export type RoundsEnd<Round, Approval> =
  | { outcome: 'approved'; approvals: Approval[]; round: Round }
  /** Not approved: the poll that ended it (denied, expired, timed out, cancelled), and who had approved by then. */
  | { outcome: 'unapproved'; poll: PollResult; round: Round; approvals: Approval[] }

/** Less than this before the deadline, a new code would expire unread: the request ends instead. */
export const MIN_ROUND_MS = 3_000

/** Starts `count` rounds one after the other (a `phase: start` step opens every round it needs). */
export async function openRounds<Round>(count: number, start: (cause: RoundCause) => Promise<Round>): Promise<Round[]> {
  const rounds: Round[] = []
  while (rounds.length < count) rounds.push(await start('first'))
  return rounds
}

type Polled<Round> = { round: Round; result: PollResult } | { round: Round; error: unknown }

export async function waitInRounds<Round, Approval, Refusal>(
  options: RoundsOptions<Round, Approval, Refusal>
): Promise<RoundsEnd<Round, Approval>> {
  const now = options.now ?? Date.now
  // Ends every poll still running once the request is decided (a denial, the last approval).
  const stop = new AbortController()
  const signal = AbortSignal.any([options.signal, stop.signal])
  const rounds = [...(options.open ?? [])]
  rounds.push(...(await openRounds(options.required - rounds.length, (cause) => options.start(cause))))
  const approvals: Approval[] = []
  const polling = new Map<Round, Promise<Polled<Round>>>()
  const pollRound = (round: Round): void => {
    polling.set(
      round,
      options.poll(round, signal).then(
        (result) => ({ round, result }),
        (error: unknown) => ({ round, error })
      )
    )
  }
  /** A new round in place of `previous`, shown first in every channel, then polled. */
  const renew = async (previous: Round, cause: RoundCause, refusal?: Refusal): Promise<void> => {
    const next = await options.start(cause, previous)
    rounds.splice(rounds.indexOf(previous), 1)
    rounds.unshift(next)
    await options.show({ rounds, approvals, ...(refusal === undefined ? {} : { refusal }) })
    pollRound(next)
  }
  const timeLeft = (): boolean => now() + MIN_ROUND_MS < options.deadline

  await options.show({ rounds, approvals })
  rounds.forEach(pollRound)
  try {
    for (;;) {
      const ended = await Promise.race(polling.values())
      polling.delete(ended.round)
      const { round } = ended
      if ('error' in ended) {
        if (!options.startsOver(ended.error, round)) throw ended.error
        await renew(round, 'start-over')
        continue
      }
      const poll = ended.result
      if (poll.outcome === 'approved' && poll.token) {
        const verdict = await options.judge(round, poll.token, approvals)
        if ('accepted' in verdict) {
          approvals.push(verdict.accepted)
          rounds.splice(rounds.indexOf(round), 1)
          if (rounds.length === 0) return { outcome: 'approved', approvals, round }
          await options.show({ rounds, approvals })
          continue
        }
        if (!timeLeft()) return { outcome: 'unapproved', poll: { ...poll, outcome: options.endsAs }, round, approvals }
        await renew(round, 'refused', verdict.refused)
        continue
      }
      if (poll.outcome === 'expired' && timeLeft() && options.expiredOnTime(round, poll)) {
        await renew(round, 'expired')
        continue
      }
      // A code that expired with no time left for another ends the request as its deadline says;
      // one AWS expired early ends it as expired.
      const outcome = poll.outcome === 'expired' && !timeLeft() ? options.endsAs : poll.outcome
      return { outcome: 'unapproved', poll: { ...poll, outcome }, round, approvals }
    }
  } finally {
    stop.abort()
    await Promise.allSettled(polling.values())
  }
}
