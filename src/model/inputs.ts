// The shapes of parsed inputs that other parts act on (the channels, the export, the post-step state),
// so that none of them needs the input parsers (inputs.ts, role-inputs.ts) to name them.
import type { RoleTarget } from '../portal/types.js'

export type { RoleTarget } from '../portal/types.js'

/** Reads one input by its action.yml name; `core.getInput` semantics (trimmed, '' when unset). */
export type InputReader = (name: string) => string

/**
 * Channels besides the step log, which is always used. `pr-comment` means "on the run's pull
 * request": a run that belongs to none posts no comment, so the default can include it.
 */
export type NotifyChannel = 'summary' | 'pr-comment'

/**
 * `all`: one step that prompts, waits and exports. `start`: prompt, keep the request for a later
 * step and exit at once (so the job summary shows the prompt while the job goes on). `wait`: pick
 * that request up, wait and export.
 */
export type Phase = 'all' | 'start' | 'wait'

/** A role written to the AWS config file as `[profile <profile>]`. */
export interface ProfileTarget extends RoleTarget {
  profile: string
  /** Which input asked for it, for messages: `input 'profile'` or `input 'roles' line 2`. */
  source: string
}

/** The inputs that turn an approved token into AWS access (parsed by role-inputs.ts). */
export interface AwsAccessInputs {
  /** From `account-id` + `role-name`: the role whose credentials are exported as AWS_* variables. */
  role?: RoleTarget
  /** `profile` (for `role`) and each `roles` line, in that order; names are unique. */
  profiles: ProfileTarget[]
  /** AWS_REGION/AWS_DEFAULT_REGION with `role`, and `region` in each profile; default: `region`. */
  awsRegion: string
  outputCredentials: boolean
  /** sso:Logout in the post step. */
  revoke: boolean
  /** Opening a hand-off: `profile` without `account-id`/`role-name` picks the gate's profile of that name. */
  handoffProfile?: string
}
