// A gate on a pull request, for end-to-end tests of the approver's side: the emulator behind its
// wire tap, the loopback GitHub REST fake (reached only through GITHUB_API_URL, as on GHES), and a
// job whose event is a pull request, whose `${{ github.token }}` is the fake's token and whose
// repository is the fake's. Everything the action posts lands in `api`, for assertions and for
// the leak scan.
import { performance } from 'node:perf_hooks'
import type { EmulatorOptions } from '../../emulator/server.js'
import { startGitHubApi, type FakeComment, type FakeGitHubApi, type FakeGitHubApiOptions } from '../fakes/github-api.js'
import {
  createJob,
  type ActionJob,
  type EventSpec,
  type GitHubContext,
  type Inputs,
  type RunningAction,
  type StepOptions
} from './runner.js'
import { actionEntry, knownSecrets, requiredInputs, startSsoBackend, type SsoBackend } from './sso-backend.js'
import { afterThisTest } from '../support/after-test.js'

export const REPOSITORY = 'octo-org/deploy-service'
export const PULL_REQUEST = 42

export interface PrGateOptions {
  emulator?: EmulatorOptions
  api?: FakeGitHubApiOptions
  /** Default: a pull_request from a branch of the repository itself. */
  event?: EventSpec
  /** RUNNER_DEBUG=1 for every job, so `core.debug` lines are captured. */
  debug?: boolean
}

export interface PrGate {
  backend: SsoBackend
  api: FakeGitHubApi
  job: ActionJob
  /** Starts the action's main step in `job` (or another job of the same repository). */
  start(inputs?: Inputs, options?: StepOptions & { job?: ActionJob }): RunningAction
  /** A new job for the same workflow, job and pull request: the run's next attempt. */
  rerun(): ActionJob
  /** The PR's comments, in order. */
  comments(): readonly FakeComment[]
  /** Resolves with the first comment on the PR that satisfies `predicate`. */
  waitForComment(predicate: (comment: FakeComment) => boolean, timeoutMs?: number): Promise<FakeComment>
  /** Every secret to scan for: those that crossed to AWS, the job's token. */
  secrets(): Record<string, string>
  /** Every comment body on the PR, by id, for the leak scan's `texts`. */
  commentTexts(): Record<string, string>
  close(): Promise<void>
}

export async function startPrGate(options: PrGateOptions = {}): Promise<PrGate> {
  const backend = await startSsoBackend({ interval: 0.5, ...options.emulator })
  const api = await startGitHubApi({ repository: REPOSITORY, ...options.api })
  const event = options.event ?? { name: 'pull_request', number: PULL_REQUEST }
  const jobs: ActionJob[] = []
  const newJob = (context: Partial<GitHubContext> = {}): ActionJob => {
    const job = createJob({
      githubToken: api.token,
      env: backend.env,
      event,
      debug: options.debug ?? false,
      context: { repository: REPOSITORY, apiUrl: api.url, ...context }
    })
    jobs.push(job)
    return job
  }
  const job = newJob()
  const comments = () => api.commentsOn(job.context.pullRequest ?? PULL_REQUEST)

  return {
    backend,
    api,
    job,
    start(inputs = {}, stepOptions = {}) {
      const { job: target = job, ...rest } = stepOptions
      return target.start({ ...actionEntry(), inputs: { ...requiredInputs, ...inputs }, ...rest })
    },
    rerun() {
      const { runId, sha, actorId, repositoryId, repositoryOwnerId } = job.context
      return newJob({ runId, sha, actorId, repositoryId, repositoryOwnerId, runAttempt: String(jobs.length + 1) })
    },
    comments,
    async waitForComment(predicate, timeoutMs = 15_000) {
      const until = performance.now() + timeoutMs
      for (;;) {
        const found = comments().find(predicate)
        if (found) return found
        if (performance.now() > until) {
          throw new Error(
            `No PR comment matched within ${timeoutMs} ms; comments: ${JSON.stringify(comments().map((c) => c.body.slice(0, 120)))}`
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    secrets() {
      return knownSecrets(backend, job)
    },
    commentTexts() {
      return Object.fromEntries(comments().map((comment) => [`comment ${comment.id}`, comment.body]))
    },
    async close() {
      await api.close()
      await backend.close()
      for (const each of jobs) each.dispose()
    }
  }
}

/**
 * For a test file: a function that starts a PrGate, each closed (servers, job directories) when
 * its test ends (afterThisTest: concurrent tests included).
 */
export function prGatePerTest(): (options?: PrGateOptions) => Promise<PrGate> {
  return async (options) => {
    const gate = await startPrGate(options)
    afterThisTest(() => gate.close())
    return gate
  }
}
