// Where a pull request's head lives, asked of GitHub (GET /repos/{owner}/{repo}/pulls/{number}):
// an issue_comment event names the pull request but not its head, and a workflow that checks
// out the pull request's code runs whatever that head holds. The answer is outside data like any
// other: it is believed only in GitHub's own shape, and anything else is a failure, so the caller
// (trust.ts) refuses rather than guesses.
import { createGitHubClient, type GitHubClientOptions } from './rest-client.js'
import { failureFacts, isRateLimited } from './retry.js'
import { isRecord, member, positiveInteger } from '../text/shape.js'

/** A repository as the pull request names it. */
export interface RepositoryFacts {
  id: number
  /** owner/name, as GitHub spells it. */
  fullName: string
  fork: boolean
}

export interface PullRequestRepositories {
  /** Null when the head repository (a fork) has been deleted. */
  head: RepositoryFacts | null
  base: RepositoryFacts
}

/** Why the head could not be learned: one clause, for the refusal's line. */
export class PullRequestLookupError extends Error {
  override readonly name = 'PullRequestLookupError'
}

export interface PullRequestQuery {
  owner: string
  repo: string
  number: number
}

/** owner/name as GitHub allows them; anything else in an answer is not believed. */
const FULL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/

export async function lookUpPullRequest(query: PullRequestQuery, client: GitHubClientOptions): Promise<PullRequestRepositories> {
  const github = await createGitHubClient(client)
  let data: unknown
  try {
    ;({ data } = await github.rest.pulls.get({ owner: query.owner, repo: query.repo, pull_number: query.number }))
  } catch (error) {
    const facts = failureFacts(error)
    const status = facts.status
    if (status === undefined) throw new PullRequestLookupError('GitHub could not be reached or did not answer, even after retries')
    throw new PullRequestLookupError(`GitHub answered ${status}${isRateLimited(facts) ? ' (rate limited)' : statusNote(status)}`)
  }
  return readPullRequest(data, query.number)
}

/** The repositories of a pull request answer, or a PullRequestLookupError naming what is wrong. */
export function readPullRequest(data: unknown, number: number): PullRequestRepositories {
  if (!isRecord(data)) throw new PullRequestLookupError('GitHub answered with something that is not a pull request')
  if (member(data, 'number') !== number) throw new PullRequestLookupError(`GitHub answered with another pull request than #${number}`)
  const head = member(data, 'head')
  const base = member(data, 'base')
  if (!isRecord(head) || !isRecord(base)) throw new PullRequestLookupError("GitHub's answer names no head and base")
  const headRepo = member(head, 'repo')
  const baseRepo = repositoryFacts(member(base, 'repo'))
  if (baseRepo === undefined) throw new PullRequestLookupError("GitHub's answer names no valid base repository")
  if (headRepo === null) return { head: null, base: baseRepo }
  const headFacts = repositoryFacts(headRepo)
  if (headFacts === undefined) throw new PullRequestLookupError("GitHub's answer names no valid head repository")
  return { head: headFacts, base: baseRepo }
}

function repositoryFacts(repo: unknown): RepositoryFacts | undefined {
  const id = positiveInteger(member(repo, 'id'))
  const fullName = member(repo, 'full_name')
  const fork = member(repo, 'fork')
  if (id === undefined || typeof fullName !== 'string' || !FULL_NAME.test(fullName) || typeof fork !== 'boolean') return undefined
  return { id, fullName, fork }
}

/** What the status means for this call, for the person who must mend it. */
function statusNote(status: number): string {
  if (status === 401) return ' (the token was rejected)'
  if (status === 403) return ' (the token may not read pull requests)'
  if (status === 404) return ' (no such pull request, or the token may not see it)'
  return ''
}
