// The shapes of parsed inputs that other parts act on (the channels, the post step, the portal
// checks), so that none of them needs the input parsers (inputs.ts, role-inputs.ts) to name them.

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

export interface RoleTarget {
  /** 12 digits. */
  accountId: string
  /** The IAM Identity Center permission set, as the portal names the role. */
  roleName: string
}

/** A role written to the AWS config file as `[profile <profile>]`. */
export interface ProfileTarget extends RoleTarget {
  profile: string
  /** Which input asked for it, for messages: `input 'profile'` or `input 'roles' line 2`. */
  source: string
}
