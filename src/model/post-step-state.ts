// The main step's post-step state to the post step (runs.post), which the runner runs at the end of the
// job even after a failure, a cancellation or a killed main step.
//
// core.saveState carries one thing: the path of a mode-0600 JSON file under RUNNER_TEMP (see
// private-files.ts). State values reach the post step as STATE_* environment variables, which are
// no place for a secret; the file is. The main step rewrites the file (atomically) each time it
// has something new to hand over, so whenever it dies, the post step finds the latest version.
//
// Each field belongs to one feature and is read by one post task (src/cleanup/tasks.ts). To hand
// over something new, add an optional field here, set it from the main step with `update`, and
// add a task that reads it. Tasks must not depend on one another's fields.
import { randomUUID } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import * as core from '@actions/core'
import type { Phase } from './inputs.js'
import type { StoredRequest, StoredResult } from './request.js'
import { privateDirectory, readPrivateFile, writePrivateFile } from '../private-files.js'

/** The state name (STATE_post_step in the post step); its value is the post-step state file's path. */
export const POST_STEP_STATE = 'post_step'

export interface PostStepState {
  /** The PR comment showing a request, for the post step to finalize if the main step could not. */
  comment?: CommentForPostStep
  /** Files this action wrote that must not outlive the job; the post step removes them. */
  files: string[]
  /** The token to log out (sso:Logout), unless `revoke: false`. */
  revoke?: RevokeRecord
  /** `revoke: false`: the token is left valid on purpose, and the post step says until when. */
  notRevoked?: { expiresAt: number }
  /** The profiles and token cache written for the AWS tools, recorded before they are written. */
  awsFiles?: AwsFilesRecord
}

/** What the main step records for the post step to revoke the token (cleanup/revoke.ts). */
export interface RevokeRecord {
  /** The portal endpoint the token came for, resolved in the main step. */
  portalEndpoint: string
  accessToken: string
  /** Epoch ms. */
  expiresAt: number
  /** The token cache the action wrote for profiles: a tool that refreshed the token left the new one there. */
  tokenCacheFile?: string
  /**
   * When AWS issued a refresh token: it and the registration that can use it, so that a token
   * that has expired by the end of the job can still have its session ended (refresh.ts). In the
   * post-step state file, which only the runner's user can read, like the access token beside it.
   */
  refresh?: SessionClient & { refreshToken: string }
}

/** The registration a refresh token belongs to, as the main step hands it over. */
export interface SessionClient {
  /** The SSO OIDC endpoint the token came from, resolved in the main step. */
  oidcEndpoint: string
  clientId: string
  clientSecret: string
  /** Epoch ms: past it AWS refuses the client, and every refresh token issued to it. */
  registrationExpiresAt: number
}

/** What the main step records before it writes anything (export/aws-profiles.ts), for the post step to remove (cleanup/aws-files.ts). */
export interface AwsFilesRecord {
  /** Absolute path of the AWS config file. */
  configFile: string
  /** The tag of the action's block in it (the sso-session name, when it has one). */
  tag: string
  /** The profiles in the block, for the log. */
  profiles: string[]
  /** The file did not exist before: removed when nothing else is left in it. */
  createdConfigFile: boolean
  /** A line break was added at the end of the user's last line (removed with the block). */
  terminatedLastLine: boolean
  /** Absent for profiles that hold role credentials themselves (a hand-off): no token cache then. */
  tokenCacheFile?: string
  /** Directories the action created, deepest first: removed when empty. */
  createdDirectories: string[]
}

/** Enough to find the comment again and render its last state; the token comes from the inputs. */
export interface CommentForPostStep {
  owner: string
  repo: string
  issueNumber: number
  /** GITHUB_API_URL of the main step. */
  apiUrl: string
  /** The gate id in the comment's marker (model/gate.ts gateId). */
  gate: string
  /**
   * Whose token wrote the comment, as the main step learned it: the post step edits only that
   * author's comment, even when GitHub does not tell it again who the token is.
   */
  author?: { id: number; login: string }
  request: StoredRequest
  /** The step that wrote this post-step state: `start` leaves the request open for a `wait` step on purpose. */
  phase: Phase
  /** How the request ended, once this step knows: the post step writes it if the step could not. */
  result?: StoredResult
  /** Set once this step wrote the request's outcome into the comment: nothing left to finalize. */
  recorded: boolean
  /**
   * Two phases: the pending-request file. While it exists no step has finished the request; the
   * wait step removes it when it records the outcome, which tells the start step's post task
   * (which runs after the wait step's) that there is nothing left to do.
   */
  pendingFile?: string
}

/** What the PR comment channel may do with the post-step state: keep its own record, nothing else. */
export type CommentHandover = Pick<PostStepWriter, 'updateComment'>

/** Writes the post-step state file, creating it (and saving its path as state) on the first update. */
export class PostStepWriter {
  private readonly data: PostStepState = { files: [] }
  private path: string | undefined

  constructor(private readonly saveState: (name: string, value: string) => void = core.saveState) {}

  /** Applies `change` and rewrites the file. */
  update(change: (postStep: PostStepState) => void): void {
    change(this.data)
    const first = this.path === undefined
    this.path ??= join(privateDirectory(), `post-step-${randomUUID()}.json`)
    writePrivateFile(this.path, JSON.stringify(this.data))
    // Saved once the file exists: the post step never follows a path to nothing it could trust.
    if (first) this.saveState(POST_STEP_STATE, this.path)
  }

  /** Sets or changes the PR comment's record: the one part of the post-step state the PR comment channel writes. */
  updateComment(change: (comment: CommentForPostStep | undefined) => CommentForPostStep | undefined): void {
    this.update((postStep) => {
      const comment = change(postStep.comment)
      if (comment !== undefined) postStep.comment = comment
    })
  }

  /** Records a file the action wrote, for the post step to remove. */
  addFile(path: string): void {
    this.update((postStep) => {
      if (!postStep.files.includes(path)) postStep.files.push(path)
    })
  }
}

export interface ReadPostStepState {
  /** The post-step state file itself, removed last by the post step. */
  path: string
  postStep: PostStepState
}

/** The main step's post-step state, or undefined when it left none (or the file is already gone). */
export function readPostStepState(getState: (name: string) => string = core.getState): ReadPostStepState | undefined {
  const path = getState(POST_STEP_STATE)
  if (path === '') return undefined
  const text = readPrivateFile(path)
  if (text === undefined) return undefined
  const parsed = JSON.parse(text) as Partial<PostStepState>
  return {
    path,
    postStep: { ...parsed, files: Array.isArray(parsed.files) ? parsed.files.filter((file) => typeof file === 'string') : [] }
  }
}

/**
 * Every post-step state an earlier step of this job left (two gates in one job, a start step): what they
 * wrote is still in use until their post steps run. The directory is under RUNNER_TEMP, which the
 * runner empties at the start of each job, so whatever is there belongs to this job. A file that
 * does not read as a post-step state is skipped: it claims nothing.
 */
export function postStepStatesOfThisJob(): PostStepState[] {
  const directory = privateDirectory()
  return readdirSync(directory)
    .filter((name) => /^post-step-[0-9a-f-]{36}\.json$/.test(name))
    .flatMap((name) => {
      try {
        const parsed = JSON.parse(readPrivateFile(join(directory, name)) ?? 'null') as Partial<PostStepState> | null
        return parsed && typeof parsed === 'object' ? [{ files: [], ...parsed } as PostStepState] : []
      } catch {
        return []
      }
    })
}
