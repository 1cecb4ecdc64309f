// A loopback fake of the slice of the GitHub API the action uses: who the token is (GET /user,
// GraphQL `viewer`), issue comments (list with Link-header pagination, create, update) and one
// pull request (GET /repos/{owner}/{repo}/pulls/{number}). It answers with GitHub's status codes,
// JSON error shapes and headers, so the real @actions/github (Octokit) can be pointed at it
// through GITHUB_API_URL, exactly as on GitHub Enterprise Server.
//
// Behaviours copied from GitHub on purpose, by kind of token (`kind`):
// - `github-token` (the job's GITHUB_TOKEN, an installation token of the github-actions app):
//   `GET /user` is 403 "Resource not accessible by integration"; GraphQL `viewer` answers the
//   bot (login without `[bot]`, as GraphQL shows bots, and its databaseId); comments are
//   authored by `github-actions[bot]`, id 41898282, type Bot.
// - `app` (a GitHub App's installation token): the same answers, for `<app-slug>[bot]`.
// - `pat` (a personal access token): `GET /user` is 200 with the user; GraphQL `viewer` too.
//   `graphql: 'off'` answers the GraphQL endpoint 404, as a server without it would, and
//   `graphql: 'error'` answers 200 with an `errors` list, as GitHub does for a query it refuses.
// - Listing is ascending by id, `per_page` defaults to 30 and is capped at 100, and the Link
//   header points at `/repositories/{id}/...` (not `/repos/{owner}/{repo}/...`), which a client
//   must follow as given.
// - A read-only token (fork PRs, missing `pull-requests: write`) gets 403 on every write.
// - Bodies over 65,536 characters are a 422 "Validation Failed".
// Deliberate simplification: updating someone else's comment is a 403 here (the brief's rule);
// on GitHub a token with write access to the repository may edit any comment, which is exactly why
// the client must check the author itself and why tests assert on the request log, not on this 403.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const MAX_COMMENT_LENGTH = 65_536
export const DEFAULT_TOKEN = 'ghs_fakeInstallationToken0123456789'
export const DEFAULT_LOGIN = 'github-actions[bot]'
/** github-actions[bot]'s user id on github.com. */
export const GITHUB_ACTIONS_BOT_ID = 41898282
export const REPOSITORY_ID = 1296269

export type TokenKind = 'github-token' | 'app' | 'pat'

/** The token's writer when the options name none, by kind. */
const DEFAULT_WRITERS: Record<TokenKind, { login: string; id: number }> = {
  'github-token': { login: DEFAULT_LOGIN, id: GITHUB_ACTIONS_BOT_ID },
  app: { login: 'deploy-gate[bot]', id: 149_130_343 },
  pat: { login: 'octo-deployer', id: 5_832_310 }
}

/**
 * A pull request as GET /repos/{owner}/{repo}/pulls/{number} shows it: its head in `head` (owner/name,
 * or null for a deleted fork), its base the fake's repository. `answer` replaces the whole body,
 * for hostile or malformed answers.
 */
export type FakePullRequest = { head: string | null } | { answer: unknown }

export interface FakeUser {
  login: string
  id: number
  type: 'User' | 'Bot'
}

export interface FakeComment {
  id: number
  issue: number
  body: string
  author: FakeUser
  createdAt: string
  updatedAt: string
}

export type FakeRoute = 'user' | 'graphql' | 'pull' | 'list' | 'create' | 'update'

export interface RecordedRequest {
  method: string
  /** Path without the query string. */
  path: string
  query: Record<string, string>
  /** The route the request matched; undefined for a 404 on an unknown path. */
  route?: FakeRoute
  status: number
  /** Whether the Authorization header carried the expected token. */
  authorized: boolean
}

export interface Fault {
  route: FakeRoute
  /** An HTTP status to answer with, or 'hang' to never answer (the client's timeout must fire). */
  status: number | 'hang'
  /** How many matching requests get the fault; then the route behaves normally again. */
  count?: number
  /** Seconds, sent as Retry-After. */
  retryAfter?: number
  /** Extra response headers (e.g. x-ratelimit-remaining: 0 for a primary rate limit). */
  headers?: Record<string, string>
  /** Perform the operation first, then answer with the fault: a response lost on the way back. */
  afterEffect?: boolean
  /** The JSON `message` of the error body. */
  message?: string
}

export interface FakeGitHubApiOptions {
  /** What kind of token `token` is, which decides what GET /user and GraphQL answer. Default github-token. */
  kind?: TokenKind
  /** The token's own identity (REST login): the author of every comment it creates. Default by kind. */
  login?: string
  /** Its user id. Default by kind. */
  userId?: number
  /** The GraphQL endpoint: 'on' (default), 'off' (404), 'error' (200 with an errors list). */
  graphql?: 'on' | 'off' | 'error'
  /** Pull requests by number; any other number is a 404. */
  pullRequests?: Record<number, FakePullRequest>
  /** Every write answers 403 "Resource not accessible by integration". */
  readOnly?: boolean
  /** The token the client must present; anything else is a 401 "Bad credentials". */
  token?: string
  /** The only repository that exists, as owner/name. */
  repository?: string
  /** Serve under a path prefix, as GitHub Enterprise Server does with '/api/v3'. */
  pathPrefix?: string
  /** The `html_url` answered for a comment, for tests of what a client does with it; default GitHub's link. */
  htmlUrl?: (comment: FakeComment) => string
}

export interface FakeGitHubApi {
  /** The API base URL to use as GITHUB_API_URL (includes the path prefix, no trailing slash). */
  url: string
  token: string
  /** The token's identity, as comments it creates are authored. */
  identity: FakeUser
  /** Every comment, by issue number, in creation order. Live: reflects later changes. */
  comments: ReadonlyMap<number, readonly FakeComment[]>
  /** The comments on one issue (an empty list when there are none). */
  commentsOn(issue: number): readonly FakeComment[]
  /** Every request received, in order. */
  requests: readonly RecordedRequest[]
  /** A comment by `author`: a login (the same login, the same account) or a user given in full. */
  /** Every comment body the client wrote (create and update), in order: states a later edit replaced included. */
  written: readonly string[]
  seedComment(comment: { issue: number; body: string; author: string | FakeUser }): FakeComment
  /** Deletes a comment, as a person might between two runs. */
  removeComment(id: number): void
  setFault(fault: Fault): void
  clearFaults(): void
  close(): Promise<void>
}

export async function startGitHubApi(options: FakeGitHubApiOptions = {}): Promise<FakeGitHubApi> {
  const token = options.token ?? DEFAULT_TOKEN
  const repository = options.repository ?? 'octo-org/octo-repo'
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '')
  const kind = options.kind ?? 'github-token'
  const writer = DEFAULT_WRITERS[kind]
  const identity = userFor(options.login ?? writer.login, options.userId ?? writer.id)

  const comments = new Map<number, FakeComment[]>()
  const requests: RecordedRequest[] = []
  const written: string[] = []
  let faults: Array<Fault & { remaining: number }> = []
  let nextCommentId = 1_000_001
  let origin = ''
  const hanging = new Set<ServerResponse>()

  // A login names one account, whatever its case: the same login always has the same id.
  const users = new Map<string, FakeUser>([
    [identity.login.toLowerCase(), identity],
    [DEFAULT_LOGIN, userFor(DEFAULT_LOGIN, GITHUB_ACTIONS_BOT_ID)]
  ])
  function userNamed(login: string): FakeUser {
    const known = users.get(login.toLowerCase())
    if (known) return known
    const user = userFor(login, 5_000_000 + users.size)
    users.set(login.toLowerCase(), user)
    return user
  }

  function addComment(issue: number, body: string, author: FakeUser): FakeComment {
    const now = new Date().toISOString()
    const comment: FakeComment = { id: nextCommentId++, issue, body, author, createdAt: now, updatedAt: now }
    const list = comments.get(issue) ?? []
    list.push(comment)
    comments.set(issue, list)
    return comment
  }

  function findComment(id: number): FakeComment | undefined {
    for (const list of comments.values()) {
      const found = list.find((comment) => comment.id === id)
      if (found) return found
    }
    return undefined
  }

  function toJson(comment: FakeComment): Record<string, unknown> {
    const [owner, repo] = repository.split('/')
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${origin}${prefix}/repos/${repository}/issues/comments/${comment.id}`,
      html_url: options.htmlUrl?.(comment) ?? `${origin}/${owner}/${repo}/pull/${comment.issue}#issuecomment-${comment.id}`,
      issue_url: `${origin}${prefix}/repos/${repository}/issues/${comment.issue}`,
      body: comment.body,
      user: { login: comment.author.login, id: comment.author.id, type: comment.author.type },
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: comment.author.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR'
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'Server Error')
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', origin)
    const method = req.method ?? 'GET'
    const query = Object.fromEntries(parsed.searchParams)
    const authorized = isAuthorized(req.headers.authorization, token)
    const body = await readBody(req)
    const record: RecordedRequest = { method, path: parsed.pathname, query, status: 0, authorized }
    requests.push(record)
    const reply = (status: number): number => (record.status = status)

    const match = matchRoute(method, parsed.pathname, prefix, repository)
    if (match === undefined) return void sendError(res, reply(404), 'Not Found')
    record.route = match.route
    if (!authorized) return void sendError(res, reply(401), 'Bad credentials')

    const fault = takeFault(match.route)
    if (fault && !fault.afterEffect) return answerFault(res, fault, reply)

    const respond = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
      if (fault) return answerFault(res, fault, reply)
      reply(status)
      sendJson(res, status, json, headers)
    }
    const fail = (status: number, message: string, extra: Record<string, unknown> = {}): void => {
      reply(status)
      sendError(res, status, message, extra)
    }

    switch (match.route) {
      case 'user':
        if (kind !== 'pat') return fail(403, 'Resource not accessible by integration')
        return respond(200, { login: identity.login, id: identity.id, node_id: `U_${identity.id}`, type: identity.type, site_admin: false })

      case 'graphql': {
        if (options.graphql === 'off') return fail(404, 'Not Found')
        const query = queryField(body)
        if (options.graphql === 'error' || query === undefined || !/\bviewer\s*\{/.test(query)) {
          return respond(200, {
            errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration', path: ['viewer'] }],
            data: null
          })
        }
        // GraphQL names a bot without the `[bot]` the REST API shows.
        const login = identity.type === 'Bot' ? identity.login.replace(/\[bot\]$/, '') : identity.login
        return respond(200, { data: { viewer: { login, databaseId: identity.id } } })
      }

      case 'pull': {
        const pull = options.pullRequests?.[match.number]
        if (pull === undefined) return fail(404, 'Not Found')
        return respond(200, 'answer' in pull ? pull.answer : pullRequestJson(match.number, pull.head))
      }

      case 'list': {
        const perPage = clamp(integer(query.per_page) ?? 30, 1, 100)
        const page = Math.max(1, integer(query.page) ?? 1)
        const all = comments.get(match.issue) ?? []
        const slice = all.slice((page - 1) * perPage, page * perPage)
        const link = linkHeader(
          `${origin}${prefix}/repositories/${REPOSITORY_ID}/issues/${match.issue}/comments`,
          perPage,
          page,
          all.length
        )
        return respond(200, slice.map(toJson), link ? { link } : {})
      }

      case 'create': {
        if (options.readOnly) return fail(403, 'Resource not accessible by integration')
        const text = bodyField(body)
        if (text === undefined) return fail(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
        if (codePoints(text) > MAX_COMMENT_LENGTH) return fail(422, 'Validation Failed', tooLong())
        written.push(text)
        return respond(201, toJson(addComment(match.issue, text, identity)), {
          location: `${origin}${prefix}/repos/${repository}/issues/comments/${nextCommentId - 1}`
        })
      }

      case 'update': {
        if (options.readOnly) return fail(403, 'Resource not accessible by integration')
        const comment = findComment(match.commentId)
        if (comment === undefined) return fail(404, 'Not Found')
        if (comment.author.id !== identity.id) {
          return fail(403, 'Resource not accessible by integration')
        }
        const text = bodyField(body)
        if (text === undefined) return fail(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
        if (codePoints(text) > MAX_COMMENT_LENGTH) return fail(422, 'Validation Failed', tooLong())
        written.push(text)
        comment.body = text
        comment.updatedAt = new Date().toISOString()
        return respond(200, toJson(comment))
      }
    }
  }

  function repositoryJson(fullName: string): Record<string, unknown> {
    const own = fullName.toLowerCase() === repository.toLowerCase()
    const [owner, name] = fullName.split('/')
    return {
      id: own ? REPOSITORY_ID : 9_000_000 + ((fullName.length * 7919) % 1_000_000),
      node_id: 'R_kgDO',
      name,
      full_name: fullName,
      private: false,
      fork: !own,
      owner: { login: owner, id: own ? 9_919 : 8_118, type: own ? 'Organization' : 'User' },
      html_url: `${origin}/${fullName}`
    }
  }

  function pullRequestJson(number: number, head: string | null): Record<string, unknown> {
    return {
      url: `${origin}${prefix}/repos/${repository}/pulls/${number}`,
      id: 1_000_000_000 + number,
      number,
      state: 'open',
      title: 'Rotate deploy keys',
      user: { login: head?.split('/')[0] ?? 'ghost', id: 583_231, type: 'User' },
      head: {
        label: `${head?.split('/')[0] ?? 'unknown'}:feature`,
        ref: 'feature',
        sha: 'a'.repeat(40),
        repo: head === null ? null : repositoryJson(head)
      },
      base: { label: `${repository.split('/')[0]}:main`, ref: 'main', sha: 'b'.repeat(40), repo: repositoryJson(repository) }
    }
  }

  function takeFault(route: FakeRoute): Fault | undefined {
    const fault = faults.find((candidate) => candidate.route === route && candidate.remaining > 0)
    if (fault === undefined) return undefined
    fault.remaining -= 1
    faults = faults.filter((candidate) => candidate.remaining > 0)
    return fault
  }

  function answerFault(res: ServerResponse, fault: Fault, reply: (status: number) => number): void {
    if (fault.status === 'hang') {
      reply(0)
      hanging.add(res)
      res.on('close', () => hanging.delete(res))
      return
    }
    const headers: Record<string, string> = { ...fault.headers }
    if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
    sendError(res, reply(fault.status), fault.message ?? defaultMessage(fault.status), {}, headers)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`

  return {
    url: `${origin}${prefix}`,
    token,
    identity,
    comments,
    commentsOn: (issue) => comments.get(issue) ?? [],
    requests,
    written,
    seedComment({ issue, body, author }) {
      return addComment(issue, body, typeof author === 'string' ? userNamed(author) : author)
    },
    removeComment(id) {
      for (const [issue, list] of comments)
        comments.set(
          issue,
          list.filter((comment) => comment.id !== id)
        )
    },
    setFault(fault) {
      faults.push({ ...fault, remaining: fault.count ?? 1 })
    },
    clearFaults() {
      faults = []
    },
    async close() {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

type RouteMatch =
  | { route: 'user' | 'graphql' }
  | { route: 'pull'; number: number }
  | { route: 'list' | 'create'; issue: number }
  | { route: 'update'; commentId: number }

function matchRoute(method: string, path: string, prefix: string, repository: string): RouteMatch | undefined {
  // GitHub Enterprise Server serves GraphQL at /api/graphql beside the REST API's /api/v3.
  if (prefix.endsWith('/api/v3') && path === `${prefix.slice(0, -'/v3'.length)}/graphql` && method === 'POST') return { route: 'graphql' }
  if (!path.startsWith(`${prefix}/`)) return undefined
  const rest = path.slice(prefix.length)
  if (rest === '/user' && method === 'GET') return { route: 'user' }
  if (rest === '/graphql' && method === 'POST') return { route: 'graphql' }
  const pull = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(rest)
  if (pull && `${pull[1]}/${pull[2]}`.toLowerCase() === repository.toLowerCase() && method === 'GET')
    return { route: 'pull', number: Number(pull[3]) }

  // Both spellings GitHub uses for a repository: by name, and by id in Link headers.
  const comments = /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))\/issues\/(\d+)\/comments$/.exec(rest)
  if (comments && sameRepository(comments, repository)) {
    const issue = Number(comments[4])
    if (method === 'GET') return { route: 'list', issue }
    if (method === 'POST') return { route: 'create', issue }
    return undefined
  }
  const comment = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(rest)
  if (comment && `${comment[1]}/${comment[2]}`.toLowerCase() === repository.toLowerCase() && method === 'PATCH') {
    return { route: 'update', commentId: Number(comment[3]) }
  }
  return undefined
}

function sameRepository(match: RegExpExecArray, repository: string): boolean {
  if (match[3] !== undefined) return Number(match[3]) === REPOSITORY_ID
  return `${match[1]}/${match[2]}`.toLowerCase() === repository.toLowerCase()
}

/** GitHub's Link header: next and last while more pages exist, prev and first after page 1. */
function linkHeader(base: string, perPage: number, page: number, total: number): string | undefined {
  const last = Math.max(1, Math.ceil(total / perPage))
  const at = (n: number): string => `<${base}?per_page=${perPage}&page=${n}>`
  const parts: string[] = []
  if (page > 1) parts.push(`${at(page - 1)}; rel="prev"`)
  if (page < last) parts.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`)
  if (page > 1) parts.push(`${at(1)}; rel="first"`)
  return parts.length ? parts.join(', ') : undefined
}

/** Octokit sends `token <t>` (or `bearer <t>` for JWT-shaped tokens); GitHub accepts both. */
function isAuthorized(header: string | undefined, token: string): boolean {
  if (header === undefined) return false
  const match = /^(?:token|bearer)\s+(.+)$/i.exec(header.trim())
  return match !== null && match[1] === token
}

function userFor(login: string, id: number): FakeUser {
  return { login, id, type: login.toLowerCase().endsWith('[bot]') ? 'Bot' : 'User' }
}

function bodyField(raw: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(raw)
    if (typeof parsed === 'object' && parsed !== null && 'body' in parsed && typeof parsed.body === 'string') {
      return parsed.body
    }
  } catch {
    // Falls through: GitHub answers a body it cannot parse the same way as a missing field.
  }
  return undefined
}

function queryField(raw: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(raw)
    if (typeof parsed === 'object' && parsed !== null && 'query' in parsed && typeof parsed.query === 'string') return parsed.query
  } catch {
    // A body that is not JSON has no query.
  }
  return undefined
}

function tooLong(): Record<string, unknown> {
  return {
    errors: [
      { resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)` }
    ]
  }
}

function defaultMessage(status: number): string {
  if (status === 429) return 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
  if (status === 403) return 'API rate limit exceeded for installation.'
  if (status === 502) return 'Server Error'
  if (status === 503) return 'Service Unavailable'
  return 'Server Error'
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {}
): void {
  sendJson(res, status, { message, ...extra, documentation_url: 'https://docs.github.com/rest', status: String(status) }, headers)
}

function sendJson(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(json)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'x-github-media-type': 'github.v3; format=json',
    ...headers
  })
  res.end(payload)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** GitHub counts a comment's characters as code points (its servers are Ruby). */
function codePoints(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
