// Whose token is `github-token`? Only comments that identity wrote may be edited, so it must be
// learned, not assumed. What GitHub answers, by kind of token:
// - a personal access token: GET /user is 200 with the user's login and id;
// - an installation token (the job's GITHUB_TOKEN, which is the github-actions app's, or a GitHub
//   App's from actions/create-github-app-token): GET /user is 403 "Resource not accessible by
//   integration", so a 403 cannot tell GITHUB_TOKEN (comments by `github-actions[bot]`) from an
//   App's token (comments by `<app-slug>[bot]`). GraphQL `viewer { login databaseId }` answers
//   for both; its `databaseId` is the `user.id` the REST API puts on the token's comments. Its
//   `login` may lack the `[bot]` suffix the REST API shows, so comments are matched by id only.
// Anything else (GraphQL switched off, an error, an answer of another shape) leaves the identity
// unknown, and the caller then edits nothing it did not create in this run.
import type { GitHubRest } from './rest-client.js'
import { failureFacts, isRateLimited, type FailureFacts } from './retry.js'
import { isGitHubLogin, member, positiveInteger } from '../text/shape.js'

/** Who writes with the token: the numeric user id (what comments are matched by) and the login. */
export interface TokenIdentity {
  id: number
  login: string
  /** How it was learned, for the debug line. */
  source: 'GET /user' | 'GraphQL viewer' | 'a comment it wrote' | 'the main step'
}

/** A failure of GET /user that is not "an installation token may not ask": 401, 5xx after retries. */
export class IdentityLookupError extends Error {
  override readonly name = 'IdentityLookupError'
  constructor(
    readonly failure: unknown,
    readonly facts: FailureFacts
  ) {
    super('GET /user failed')
  }
}

const VIEWER_QUERY = 'query { viewer { login databaseId } }'

/**
 * The token's identity, or undefined when GitHub does not say (with the reason in a debug line).
 * Throws IdentityLookupError when GitHub rejects the token or cannot be reached at all.
 */
export async function learnTokenIdentity(github: GitHubRest, debug: (line: string) => void = () => {}): Promise<TokenIdentity | undefined> {
  try {
    const { data } = await github.rest.users.getAuthenticated()
    const identity = asIdentity(data, 'GET /user')
    if (identity === undefined) debug('GitHub answered GET /user without a usable login and id.')
    return identity
  } catch (error) {
    const facts = failureFacts(error)
    // 403 without a rate limit is the installation token's answer; anything else is not.
    if (facts.status !== 403 || isRateLimited(facts)) throw new IdentityLookupError(error, facts)
  }
  try {
    const answer: unknown = await github.graphql(VIEWER_QUERY)
    const viewer = member(answer, 'viewer')
    const identity = asIdentity({ login: member(viewer, 'login'), id: member(viewer, 'databaseId') }, 'GraphQL viewer')
    if (identity === undefined) debug('GitHub answered the GraphQL viewer query without a usable login and databaseId.')
    return identity
  } catch (error) {
    debug(
      `GitHub refused GET /user (an installation token) and the GraphQL viewer query (${failureFacts(error).status ?? 'no HTTP status'}).`
    )
    return undefined
  }
}

/** The author of a comment GitHub just returned, as an identity; undefined when it has no valid id. */
export function commentAuthor(user: unknown, source: TokenIdentity['source']): TokenIdentity | undefined {
  return asIdentity(user, source)
}

function asIdentity(value: unknown, source: TokenIdentity['source']): TokenIdentity | undefined {
  const id = positiveInteger(member(value, 'id'))
  const login = member(value, 'login')
  if (id === undefined) return undefined
  if (!isGitHubLogin(login)) return undefined
  return { id, login, source }
}
