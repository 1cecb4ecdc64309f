// Who is asking: the run's identity as the runner describes it in GITHUB_* variables and the
// event payload. Read directly rather than through @actions/github's context, which would pull
// Octokit into the bundle for a handful of environment variables.
import { readFileSync } from 'node:fs'
import type { RunContext } from './model/request.js'
import { describeTrigger } from './trigger.js'

/** The parts of the webhook payload the action reads; everything else is ignored. */
export interface EventPayload {
  pull_request?: {
    number?: unknown
    /** `repo` is null when the fork has been deleted. */
    head?: { repo?: { full_name?: unknown } | null }
    base?: { repo?: { full_name?: unknown } | null }
  }
  /** issue_comment events on a pull request carry the PR as an issue with a `pull_request` key. */
  issue?: { number?: unknown; pull_request?: unknown }
  /** workflow_run events: the triggering run, with its head_repository and repository. */
  workflow_run?: unknown
  repository?: unknown
}

/** `payload`: the event payload, when the caller has read it already (it is read once per step). */
export function readRunContext(
  env: NodeJS.ProcessEnv = process.env,
  payload: EventPayload | undefined = readEventPayload(env.GITHUB_EVENT_PATH?.trim() ?? '')
): RunContext {
  const get = (name: string): string => env[name]?.trim() ?? ''
  const serverUrl = (get('GITHUB_SERVER_URL') || 'https://github.com').replace(/\/+$/, '')
  const repository = get('GITHUB_REPOSITORY')
  const runId = get('GITHUB_RUN_ID')
  const runAttempt = get('GITHUB_RUN_ATTEMPT')
  const context: RunContext = {
    repository,
    workflow: get('GITHUB_WORKFLOW'),
    job: get('GITHUB_JOB'),
    runId,
    runAttempt,
    runUrl: runLink(serverUrl, repository, runId, runAttempt),
    actor: get('GITHUB_ACTOR'),
    eventName: get('GITHUB_EVENT_NAME'),
    ref: get('GITHUB_REF'),
    sha: get('GITHUB_SHA'),
    serverUrl
  }
  const pullRequest = pullRequestNumber(payload)
  if (pullRequest !== undefined) context.pullRequest = pullRequest
  const trigger = describeTrigger({
    eventName: context.eventName,
    actor: context.actor,
    triggeringActor: get('GITHUB_TRIGGERING_ACTOR'),
    ref: context.ref,
    payload
  })
  if (trigger !== undefined) context.trigger = trigger
  return context
}

/** The run page; a re-run's attempt has its own page, which is the one the approver should see. */
function runLink(serverUrl: string, repository: string, runId: string, runAttempt: string): string {
  if (!repository || !runId) return ''
  const attempt = Number(runAttempt)
  const base = `${serverUrl}/${repository}/actions/runs/${runId}`
  return Number.isInteger(attempt) && attempt > 1 ? `${base}/attempts/${attempt}` : base
}

/** The payload, or undefined when there is none or it is unreadable: context is best effort. */
export function readEventPayload(path: string): EventPayload | undefined {
  if (!path) return undefined
  try {
    const payload: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return typeof payload === 'object' && payload !== null ? (payload as EventPayload) : undefined
  } catch {
    return undefined
  }
}

function pullRequestNumber(payload: EventPayload | undefined): number | undefined {
  if (!payload) return undefined
  const candidates = [payload.pull_request?.number, payload.issue?.pull_request ? payload.issue.number : undefined]
  return candidates.find((n): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0)
}
