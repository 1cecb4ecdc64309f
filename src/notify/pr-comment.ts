// One sticky PR comment per gate, edited in place through the request's life and across re-runs.
// A comment is ours only if it starts with our marker for this gate AND was written by the token's
// own identity: anyone can paste the marker into a comment of their own (with their own device
// code, to phish an approver), so a marker alone never makes a comment editable.
import { withRetry } from '../retry.js'
import { createGitHubClient, type GitHubClientOptions, type GitHubRest } from '../github/rest-client.js'
import {
  DEFAULT_RETRY_POLICY,
  failureFacts,
  isRateLimited,
  isRetryableGitHubFailure,
  retryDelayMs,
  type FailureFacts
} from '../github/retry.js'
import { commentAuthor, IdentityLookupError, learnTokenIdentity, type TokenIdentity } from '../github/identity.js'
import { commentSize, MAX_COMMENT_SIZE } from './comment-size.js'
import { sanitize } from '../text/sanitize.js'

/** Where the comment goes and with which token. */
export interface CommentTarget {
  token: string
  owner: string
  repo: string
  /** The pull request (or issue) number. */
  issueNumber: number
  /** GITHUB_API_URL; read from the environment when absent. */
  apiUrl?: string
  /**
   * Whose token it is, as the main step learned it (the post-step state): the post step's fallback when
   * GitHub does not say again. Never a guess: a login alone is not enough.
   */
  knownIdentity?: { id: number; login: string }
}

export type StickyCommentOptions = Omit<GitHubClientOptions, 'token' | 'apiUrl'>

const PERMISSION = 'pull-requests: write'

/** The hidden first line of every comment for `gate`. */
export function commentMarker(gate: string): string {
  return `<!-- aws-sso-device-auth:gate=${gate} -->`
}

/** Why a PR comment could not be read or written. The message is the one warning to show. */
export type CommentFailureReason = 'permission' | 'credentials' | 'unavailable' | 'rejected'

export class PrCommentError extends Error {
  override readonly name: string = 'PrCommentError'
  constructor(
    readonly reason: CommentFailureReason,
    message: string,
    /** The HTTP status, when GitHub answered. */
    readonly status?: number
  ) {
    super(message)
  }
}

/** 403/404: a read-only token (fork PRs) or a job without `pull-requests: write`. */
export class CommentPermissionError extends PrCommentError {
  override readonly name = 'CommentPermissionError'
  constructor(action: string, status: number, githubMessage: string | undefined) {
    super(
      'permission',
      `Could not ${action} the PR comment: GitHub answered ${status}${githubMessage ? ` (${githubMessage})` : ''}. ` +
        `Give the job \`permissions: ${PERMISSION}\`; pull requests from forks only get a read-only token. ` +
        'The approval request is in the step log.',
      status
    )
  }
}

interface CommentRef {
  id: number
  url: string
}

export class StickyComment {
  private constructor(
    private readonly github: GitHubRest,
    private readonly target: CommentTarget,
    readonly gateId: string,
    /** Whose token it is: the only author whose comments are edited. Undefined: nobody's are. */
    private knownIdentity: TokenIdentity | undefined,
    private readonly options: StickyCommentOptions,
    private existing: CommentRef | undefined
  ) {}

  get identity(): Readonly<TokenIdentity> | undefined {
    return this.knownIdentity
  }

  /**
   * Finds this gate's comment (the oldest that carries the marker and was written by the token's
   * identity), reading every page until it is found. No comment yet is not an error: `upsert`
   * then creates one.
   */
  static async find(target: CommentTarget, gate: string, options: StickyCommentOptions = {}): Promise<StickyComment> {
    const github = await createGitHubClient({ ...options, token: target.token, apiUrl: target.apiUrl })
    const identity = await tokenIdentity(github, target, options.debug ?? (() => {}))
    const sticky = new StickyComment(github, target, gate, identity, options, undefined)
    sticky.existing = await sticky.findOwn()
    return sticky
  }

  /** The comment's id and web URL once it exists. */
  get comment(): Readonly<CommentRef> | undefined {
    return this.existing
  }

  /** Edits our comment, or creates it. `body` is the rendered comment; the marker is added here. */
  async upsert(body: string): Promise<{ id: number; url: string }> {
    const full = `${commentMarker(this.gateId)}\n${body}`
    // The renderer shortens every body to fit; this is the last guard, before anything is sent.
    if (commentSize(full) > MAX_COMMENT_SIZE) {
      throw new RangeError(`PR comment body is ${commentSize(full)} bytes; the limit kept is ${MAX_COMMENT_SIZE}`)
    }
    if (this.existing) {
      const updated = await this.update(this.existing.id, full)
      if (updated) return (this.existing = updated)
      // Deleted since it was found (someone removed it): a new one takes its place.
    }
    return (this.existing = await this.create(full))
  }

  /** Undefined when the comment no longer exists. */
  private async update(id: number, body: string): Promise<CommentRef | undefined> {
    try {
      const { data } = await this.github.rest.issues.updateComment({
        owner: this.target.owner,
        repo: this.target.repo,
        comment_id: id,
        body
      })
      return { id: data.id, url: data.html_url }
    } catch (error) {
      const facts = failureFacts(error)
      if (facts.status === 404) return undefined
      throw commentError('update', error, facts)
    }
  }

  /**
   * POST is not idempotent: when its answer is lost (a 502 after GitHub stored the comment) a plain
   * retry would leave two comments. So before each new attempt, look again; if our comment now
   * exists, edit it instead.
   */
  private async create(body: string): Promise<CommentRef> {
    const policy = { ...DEFAULT_RETRY_POLICY, ...this.options.retry }
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
    const now = this.options.now ?? Date.now
    // Only the POST's own failures are retried; looking for the comment again fails as it is.
    let posting = false
    try {
      return await withRetry(
        async (attempt) => {
          if (attempt > 1) {
            posting = false
            // With the identity unknown nothing can be found, and a lost answer may leave a second
            // comment: a duplicate is the price of never editing a comment that may not be ours.
            const stored = await this.findOwn()
            const updated = stored && (await this.update(stored.id, body))
            if (updated) return updated
          }
          posting = true
          return await this.post(body)
        },
        {
          deadline: Number.POSITIVE_INFINITY,
          clock: { now, sleep: (ms) => sleep(ms) },
          delayBeforeRetry: (error, attempt, at) => (posting ? retryDelayMs(failureFacts(error), attempt, policy, at) : undefined),
          onRetry: ({ error, delayMs }) =>
            this.options.debug?.(
              `GitHub POST issue comment: ${failureFacts(error).status ?? 'no response'}; checking for it, then retrying in ${delayMs} ms`
            )
        }
      )
    } catch (error) {
      throw posting ? commentError('create', error, failureFacts(error)) : error
    }
  }

  /** One POST of a new comment. */
  private async post(body: string): Promise<CommentRef> {
    const { data } = await this.github.rest.issues.createComment({
      owner: this.target.owner,
      repo: this.target.repo,
      issue_number: this.target.issueNumber,
      body
    })
    // Unknown until now: the comment this token just wrote says who it is.
    if (this.knownIdentity === undefined) {
      this.knownIdentity = commentAuthor(data.user, 'a comment it wrote')
      if (this.knownIdentity)
        this.options.debug?.(
          `PR comment: the token writes as ${this.knownIdentity.login} (user id ${this.knownIdentity.id}), as its new comment shows.`
        )
    }
    return { id: data.id, url: data.html_url }
  }

  private async findOwn(): Promise<CommentRef | undefined> {
    const identity = this.knownIdentity
    // Nobody's comment can be shown to be ours: a new one is posted (see tokenIdentity's line).
    if (identity === undefined) return undefined
    const marker = commentMarker(this.gateId)
    let found: CommentRef | undefined
    try {
      await this.github.paginate(
        this.github.rest.issues.listComments,
        { owner: this.target.owner, repo: this.target.repo, issue_number: this.target.issueNumber, per_page: 100 },
        (response, done) => {
          // The marker must open the body: text from the run (a job name, say) quoted further down
          // in some other gate's comment cannot make that comment ours.
          // By user id, never by login: a login is matched case-insensitively, a bot's may be
          // shown with or without `[bot]`, and `github-actions[bot]` is also every other
          // GITHUB_TOKEN's author, not only this gate's.
          const own = response.data.find((comment) => comment.body?.startsWith(marker) === true && comment.user?.id === identity.id)
          if (own) {
            found = { id: own.id, url: own.html_url }
            done()
          }
          return []
        }
      )
    } catch (error) {
      throw commentError('read', error, failureFacts(error))
    }
    return found
  }
}

/**
 * Whose token it is: what GitHub says, else what the main step learned; undefined (said in a
 * debug line) when neither knows, and then no existing comment is edited.
 */
async function tokenIdentity(github: GitHubRest, target: CommentTarget, debug: (line: string) => void): Promise<TokenIdentity | undefined> {
  let learned: TokenIdentity | undefined
  try {
    learned = await learnTokenIdentity(github, debug)
  } catch (error) {
    if (error instanceof IdentityLookupError) throw commentError('read', error.failure, error.facts)
    throw error
  }
  const known = target.knownIdentity === undefined ? undefined : commentAuthor(target.knownIdentity, 'the main step')
  const identity = learned ?? known
  if (identity === undefined) {
    debug('PR comment: could not learn whose token github-token is, so no existing comment is edited; a new comment is posted.')
  } else {
    debug(
      `PR comment: the token writes as ${identity.login} (user id ${identity.id}, from ${identity.source}); only its comments are edited.`
    )
  }
  return identity
}

/** The one error a caller shows as a warning. Carries GitHub's short message, never a body or token. */
function commentError(action: 'read' | 'create' | 'update', error: unknown, facts: FailureFacts): PrCommentError {
  const githubMessage = shortGitHubMessage(error)
  const status = facts.status
  if (status !== undefined && (status === 403 || status === 404) && !isRateLimited(facts)) {
    return new CommentPermissionError(action, status, githubMessage)
  }
  if (status === 401) {
    return new PrCommentError(
      'credentials',
      `Could not ${action} the PR comment: GitHub rejected the token (401${githubMessage ? ` ${githubMessage}` : ''}). Check the \`github-token\` input. The approval request is in the step log.`,
      status
    )
  }
  if (isRetryableGitHubFailure(facts)) {
    const answer = status === undefined ? 'could not be reached or did not answer' : `kept answering ${status}`
    return new PrCommentError(
      'unavailable',
      `Could not ${action} the PR comment: GitHub ${answer}, even after retries. The approval request is in the step log.`,
      status
    )
  }
  return new PrCommentError(
    'rejected',
    `Could not ${action} the PR comment: GitHub answered ${status}${githubMessage ? ` (${githubMessage})` : ''}. The approval request is in the step log.`,
    status
  )
}

/** GitHub's `message` field (e.g. "Resource not accessible by integration"), one short line. */
function shortGitHubMessage(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error)) return undefined
  const data = (error.response as { data?: unknown } | undefined)?.data
  if (typeof data !== 'object' || data === null || !('message' in data) || typeof data.message !== 'string') return undefined
  return sanitize(data.message, { maxLength: 120 })
}
