// One sticky PR comment per gate, edited in place through the request's life and across re-runs.
// A comment is ours only if it starts with our marker for this gate AND was written by the token's
// own identity: anyone can paste the marker into a comment of their own (with their own device
// code, to phish an approver), so a marker alone never makes a comment editable.
import { createHash } from 'node:crypto'
import { createGitHubClient, type GitHubClientOptions, type GitHubRest } from '../github/rest-client.js'
import { DEFAULT_RETRY_POLICY, failureFacts, isRateLimited, isTransient, retryDelayMs, type FailureFacts } from '../github/retry.js'
import { MAX_COMMENT_LENGTH } from './comment-body.js'
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
   * The login the token acts as, when known in advance (a GitHub App installation token:
   * `<app-slug>[bot]`). Otherwise `GET /user` tells, and a token it refuses (GITHUB_TOKEN) acts
   * as `github-actions[bot]`.
   */
  authorLogin?: string
}

export type StickyCommentOptions = Omit<GitHubClientOptions, 'token' | 'apiUrl'>

/** The author of comments made with the workflow's GITHUB_TOKEN (also on GHES). */
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]'
const PERMISSION = 'pull-requests: write'

/** What identifies a gate across runs and re-runs: the same gate edits the same comment. */
export interface GateParts {
  workflow: string
  job: string
  startUrl: string
  accountId?: string
  roleName?: string
}

/** A stable 16-hex-digit id for a gate; it goes into the hidden marker. */
export function gateId(parts: GateParts): string {
  const key = JSON.stringify([
    parts.workflow,
    parts.job,
    parts.startUrl.trim().replace(/\/+$/, ''),
    parts.accountId ?? '',
    parts.roleName ?? ''
  ])
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

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

/** Only comments whose author is this login are ever edited. */
function isSameLogin(a: string, b: string): boolean {
  // GitHub logins are case-insensitive; nothing else is normalised (a user named `foo` is not the
  // app `foo[bot]`).
  return a.toLowerCase() === b.toLowerCase()
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
    /** The login the token acts as: the only author whose comments are edited. */
    readonly identity: string,
    private readonly options: StickyCommentOptions,
    private existing: CommentRef | undefined
  ) {}

  /**
   * Finds this gate's comment (the oldest that carries the marker and was written by the token's
   * identity), reading every page until it is found. No comment yet is not an error: `upsert`
   * then creates one.
   */
  static async find(target: CommentTarget, gate: string, options: StickyCommentOptions = {}): Promise<StickyComment> {
    const github = await createGitHubClient({ ...options, token: target.token, apiUrl: target.apiUrl })
    const identity = target.authorLogin ?? (await authenticatedLogin(github))
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
    if (full.length > MAX_COMMENT_LENGTH) {
      throw new RangeError(`PR comment body is ${full.length} characters; GitHub accepts at most ${MAX_COMMENT_LENGTH}`)
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
      const { data } = await this.github.rest.issues.updateComment({ owner: this.target.owner, repo: this.target.repo, comment_id: id, body })
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
    for (let attempt = 1; ; attempt++) {
      try {
        const { data } = await this.github.rest.issues.createComment({
          owner: this.target.owner,
          repo: this.target.repo,
          issue_number: this.target.issueNumber,
          body
        })
        return { id: data.id, url: data.html_url }
      } catch (error) {
        const facts = failureFacts(error)
        const delay = retryDelayMs(facts, attempt, policy, now())
        if (delay === undefined) throw commentError('create', error, facts)
        this.options.debug?.(`GitHub POST issue comment: ${facts.status ?? 'no response'}; checking for it, then retrying in ${delay} ms`)
        await sleep(delay)
        const stored = await this.findOwn()
        if (stored) {
          const updated = await this.update(stored.id, body)
          if (updated) return updated
        }
      }
    }
  }

  private async findOwn(): Promise<CommentRef | undefined> {
    const marker = commentMarker(this.gateId)
    let found: CommentRef | undefined
    try {
      await this.github.paginate(
        this.github.rest.issues.listComments,
        { owner: this.target.owner, repo: this.target.repo, issue_number: this.target.issueNumber, per_page: 100 },
        (response, done) => {
          // The marker must open the body: text from the run (a job name, say) quoted further down
          // in some other gate's comment cannot make that comment ours.
          const own = response.data.find(
            (comment) => comment.body?.startsWith(marker) === true && comment.user !== null && isSameLogin(comment.user.login, this.identity)
          )
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

/** The token's login; `github-actions[bot]` for a token that may not ask (an installation token). */
async function authenticatedLogin(github: GitHubRest): Promise<string> {
  try {
    const { data } = await github.rest.users.getAuthenticated()
    return data.login
  } catch (error) {
    const facts = failureFacts(error)
    // GITHUB_TOKEN answers 403 "Resource not accessible by integration"; its comments are
    // github-actions[bot]'s. A rate-limited 403 is not that answer.
    if (facts.status === 403 && !isRateLimited(facts)) return GITHUB_ACTIONS_BOT
    throw commentError('read', error, facts)
  }
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
  if (isTransient(facts)) {
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
  // eslint-disable-next-line no-control-regex
  const line = sanitize(data.message)
  return line.length > 120 ? `${line.slice(0, 119)}…` : line
}
