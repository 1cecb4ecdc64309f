// What started this run, in the words an approver checks it by: "a comment on PR #7 by alice",
// "a push to main by bob", "a re-run by carol". The event name alone ("issue_comment") does not say
// who wrote the comment that asks for production access, nor that a re-run was started by someone
// other than the run's actor; an approver should not have to open the payload to find out.
//
// Everything here comes from the event payload and the runner's variables, which the person who
// triggered the run partly controls (a branch name, a workflow name): logins and numbers are
// believed only in GitHub's shapes, names pass the sanitiser and are cut short. What cannot be
// read is left out rather than guessed.
import { isGitHubLogin, isRecord, member, positiveInteger } from './text/shape.js'
import { sanitize } from './text/sanitize.js'

export interface TriggerFacts {
  eventName: string
  /** GITHUB_ACTOR: whose run it is. */
  actor: string
  /** GITHUB_TRIGGERING_ACTOR: who started this attempt (a re-run's is the person who re-ran it). */
  triggeringActor: string
  /** GITHUB_REF */
  ref: string
  payload: unknown
}

/** One phrase, or undefined when the event is not one the action knows how to name. */
export function describeTrigger(facts: TriggerFacts): string | undefined {
  const phrase = eventPhrase(facts)
  if (phrase === undefined) return undefined
  const rerunBy = isGitHubLogin(facts.triggeringActor) && facts.triggeringActor !== facts.actor ? facts.triggeringActor : undefined
  return rerunBy === undefined ? phrase : `${phrase}; this attempt started by ${rerunBy}`
}

function eventPhrase({ eventName, actor, ref, payload }: TriggerFacts): string | undefined {
  const sender = loginOf(member(payload, 'sender')) ?? (isGitHubLogin(actor) ? actor : undefined)
  const by = (login: string | undefined): string => (login === undefined ? '' : ` by ${login}`)
  const pullRequest = positiveInteger(member(member(payload, 'pull_request'), 'number'))
  switch (eventName) {
    case 'issue_comment': {
      const issue = member(payload, 'issue')
      const number = positiveInteger(member(issue, 'number'))
      const author = loginOf(member(member(payload, 'comment'), 'user')) ?? sender
      if (number === undefined) return `a comment${by(author)}`
      return `a comment on ${isRecord(member(issue, 'pull_request')) ? 'PR' : 'issue'} #${number}${by(author)}`
    }
    case 'pull_request':
    case 'pull_request_target': {
      const action = member(payload, 'action')
      const what = typeof action === 'string' && /^[a-z_]{1,40}$/.test(action) ? ` (${action.replace(/_/g, ' ')})` : ''
      return pullRequest === undefined ? `a pull request event${by(sender)}` : `PR #${pullRequest}${what}${by(sender)}`
    }
    case 'pull_request_review': {
      const reviewer = loginOf(member(member(payload, 'review'), 'user')) ?? sender
      return pullRequest === undefined ? `a review${by(reviewer)}` : `a review of PR #${pullRequest}${by(reviewer)}`
    }
    case 'pull_request_review_comment': {
      const author = loginOf(member(member(payload, 'comment'), 'user')) ?? sender
      return pullRequest === undefined ? `a review comment${by(author)}` : `a review comment on PR #${pullRequest}${by(author)}`
    }
    case 'push': {
      const branch = /^refs\/(?:heads|tags)\/(.+)$/.exec(ref)?.[1]
      const where = branch === undefined ? '' : ` to ${sanitize(branch, { maxLength: 100 })}`
      return `a push${where}${by(sender)}`
    }
    case 'workflow_dispatch':
      return `a manual run${by(sender)}`
    case 'repository_dispatch':
      return `a repository dispatch${by(sender)}`
    case 'schedule':
      return 'the schedule'
    case 'workflow_run': {
      const run = member(payload, 'workflow_run')
      const name = member(run, 'name')
      const shown = typeof name === 'string' && name.trim() ? ` "${sanitize(name, { maxLength: 100 })}"` : ''
      return `the end of the workflow run${shown}${by(sender)}`
    }
    default:
      return /^[a-z_]{1,60}$/.test(eventName) ? `a ${eventName.replace(/_/g, ' ')} event${by(sender)}` : undefined
  }
}

function loginOf(user: unknown): string | undefined {
  const login = member(user, 'login')
  return isGitHubLogin(login) ? login : undefined
}
