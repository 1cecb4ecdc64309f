// A realistic `github` context for a harness job: the GITHUB_* variables the runner sets for
// every step and the event payload behind GITHUB_EVENT_PATH. Values look like github.com's
// (numeric ids, 40-hex shas, https URLs) so code that parses them meets what it meets in a run.
import { randomBytes, randomInt } from 'node:crypto'

export interface GitHubContext {
  /** owner/repo */
  repository: string
  repositoryId: string
  repositoryOwnerId: string
  workflow: string
  /** The workflow file inside the repository, e.g. `.github/workflows/deploy.yml`. */
  workflowPath: string
  job: string
  runId: string
  runNumber: string
  runAttempt: string
  actor: string
  actorId: string
  triggeringActor: string
  eventName: string
  ref: string
  sha: string
  /** Set for pull_request events (the PR's branch), else empty. */
  headRef: string
  /** Set for pull_request events (the target branch), else empty. */
  baseRef: string
  /** Always an https github.com-like URL: a loopback server URL switches @actions/cache to v1. */
  serverUrl: string
  /** Point this (never serverUrl) at a loopback fake of the REST API. */
  apiUrl: string
  graphqlUrl: string
  /** GITHUB_ACTION: the step id, `__owner_repo` for an unnamed `uses:` step. */
  action: string
  actionRepository: string
  actionRef: string
  /** The pull request number, when the event belongs to one. */
  pullRequest?: number
}

/** Which event triggered the run; the payload is built to match GitHub's shape. */
export type EventSpec =
  | { name: 'push' }
  | { name: 'workflow_dispatch'; inputs?: Record<string, string> }
  | {
      name: 'pull_request' | 'pull_request_target'
      number?: number
      /** The head branch lives in another repository (a fork). */
      fork?: boolean
      headRef?: string
      /** Who opened the pull request; default: the actor. */
      author?: string
    }
  /** Any other event, with the payload written as given. */
  | { name: string; payload: Record<string, unknown> }

export interface ContextOptions {
  context?: Partial<GitHubContext>
  event?: EventSpec
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex')

/** The run's link as GitHub shows it. */
export function runUrl(context: GitHubContext): string {
  return `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`
}

function repositoryPayload(context: GitHubContext, fullName = context.repository, fork = false) {
  const [owner, name] = fullName.split('/')
  return {
    id: Number(fullName === context.repository ? context.repositoryId : randomInt(1e8, 9e8)),
    name,
    full_name: fullName,
    private: false,
    fork,
    html_url: `${context.serverUrl}/${fullName}`,
    url: `${context.apiUrl}/repos/${fullName}`,
    default_branch: 'main',
    owner: { login: owner, id: Number(context.repositoryOwnerId), type: 'Organization' }
  }
}

function userPayload(login: string, id: string) {
  return { login, id: Number(id), type: 'User' }
}

/** Builds the context and the event payload for one job. */
export function buildGitHubContext(options: ContextOptions = {}): { context: GitHubContext; payload: Record<string, unknown> } {
  const event: EventSpec = options.event ?? { name: 'push' }
  const base: GitHubContext = {
    repository: 'octo-org/deploy-service',
    repositoryId: String(randomInt(1e8, 9e8)),
    repositoryOwnerId: String(randomInt(1e7, 9e7)),
    workflow: 'Deploy',
    workflowPath: '.github/workflows/deploy.yml',
    job: 'deploy',
    runId: String(randomInt(1e10, 2e10)),
    runNumber: String(randomInt(1, 2000)),
    runAttempt: '1',
    actor: 'octocat',
    actorId: String(randomInt(1e6, 9e7)),
    triggeringActor: 'octocat',
    eventName: event.name,
    ref: 'refs/heads/main',
    sha: hex(20),
    headRef: '',
    baseRef: '',
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    graphqlUrl: 'https://api.github.com/graphql',
    action: '__octo-org_aws-sso-device-auth',
    actionRepository: 'octo-org/aws-sso-device-auth',
    actionRef: 'v1'
  }
  if (event.name === 'pull_request' || event.name === 'pull_request_target') {
    const number = 'number' in event && typeof event.number === 'number' ? event.number : randomInt(1, 500)
    base.pullRequest = number
    base.headRef = ('headRef' in event && event.headRef) || 'feature/rotate-keys'
    base.baseRef = 'main'
    // pull_request runs the merge commit; pull_request_target runs the base branch.
    base.ref = event.name === 'pull_request' ? `refs/pull/${number}/merge` : 'refs/heads/main'
  }
  const context: GitHubContext = { ...base, ...options.context, eventName: event.name }
  if (options.context?.triggeringActor === undefined) context.triggeringActor = context.actor

  const repository = repositoryPayload(context)
  const sender = userPayload(context.actor, context.actorId)
  let payload: Record<string, unknown>
  if ('payload' in event) {
    payload = event.payload
  } else if (event.name === 'pull_request' || event.name === 'pull_request_target') {
    const fork = 'fork' in event && event.fork === true
    const author = ('author' in event && event.author) || context.actor
    const headRepository = fork ? `${author}/${context.repository.split('/')[1]}` : context.repository
    const number = context.pullRequest ?? 1
    payload = {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        state: 'open',
        title: 'Rotate deploy keys',
        html_url: `${context.serverUrl}/${context.repository}/pull/${number}`,
        url: `${context.apiUrl}/repos/${context.repository}/pulls/${number}`,
        user: userPayload(author, fork ? String(randomInt(1e6, 9e7)) : context.actorId),
        head: {
          label: `${headRepository.split('/')[0]}:${context.headRef}`,
          ref: context.headRef,
          sha: hex(20),
          repo: repositoryPayload(context, headRepository, fork)
        },
        base: {
          label: `${context.repository.split('/')[0]}:${context.baseRef}`,
          ref: context.baseRef,
          // pull_request_target checks out the base branch: GITHUB_SHA is its head commit.
          sha: event.name === 'pull_request_target' ? context.sha : hex(20),
          repo: repository
        }
      },
      repository,
      sender
    }
  } else if (event.name === 'workflow_dispatch') {
    payload = {
      inputs: 'inputs' in event ? (event.inputs ?? {}) : {},
      ref: context.ref,
      repository,
      sender,
      workflow: context.workflowPath
    }
  } else {
    payload = {
      ref: context.ref,
      before: hex(20),
      after: context.sha,
      created: false,
      deleted: false,
      forced: false,
      head_commit: { id: context.sha, message: 'Deploy', timestamp: new Date().toISOString() },
      pusher: { name: context.actor },
      repository,
      sender
    }
  }
  return { context, payload }
}

/** The GITHUB_* variables for the context (the file-command and path ones are added per step). */
export function githubEnvironment(context: GitHubContext): Record<string, string> {
  const refName = context.ref.replace(/^refs\/(heads|tags|pull)\//, '')
  const owner = context.repository.split('/')[0]
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_REPOSITORY: context.repository,
    GITHUB_REPOSITORY_ID: context.repositoryId,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_REPOSITORY_OWNER_ID: context.repositoryOwnerId,
    GITHUB_WORKFLOW: context.workflow,
    GITHUB_WORKFLOW_REF: `${context.repository}/${context.workflowPath}@${context.ref}`,
    GITHUB_WORKFLOW_SHA: context.sha,
    GITHUB_JOB: context.job,
    GITHUB_RUN_ID: context.runId,
    GITHUB_RUN_NUMBER: context.runNumber,
    GITHUB_RUN_ATTEMPT: context.runAttempt,
    GITHUB_ACTOR: context.actor,
    GITHUB_ACTOR_ID: context.actorId,
    GITHUB_TRIGGERING_ACTOR: context.triggeringActor,
    GITHUB_EVENT_NAME: context.eventName,
    GITHUB_REF: context.ref,
    GITHUB_REF_NAME: refName,
    GITHUB_REF_TYPE: context.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_HEAD_REF: context.headRef,
    GITHUB_BASE_REF: context.baseRef,
    GITHUB_SHA: context.sha,
    GITHUB_SERVER_URL: context.serverUrl,
    GITHUB_API_URL: context.apiUrl,
    GITHUB_GRAPHQL_URL: context.graphqlUrl,
    GITHUB_ACTION: context.action,
    GITHUB_ACTION_REPOSITORY: context.actionRepository,
    GITHUB_ACTION_REF: context.actionRef,
    GITHUB_RETENTION_DAYS: '90'
  }
}

/** The `github.*` values an action.yml default may reference (`${{ github.token }}` and the like). */
export function githubExpressionValues(context: GitHubContext, token: string, workspace: string): Record<string, string> {
  const env = githubEnvironment(context)
  const values: Record<string, string> = { 'github.token': token, 'github.workspace': workspace }
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('GITHUB_')) values[`github.${name.slice('GITHUB_'.length).toLowerCase()}`] = value
  }
  return values
}
