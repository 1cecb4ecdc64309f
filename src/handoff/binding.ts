// What a hand-off is bound to, read from the runner's environment: the repository and the
// workflow run. These variables are set by the runner, but a step before this one can change them
// for the steps after it (GITHUB_ENV), so they are read as outside input: exactly the shapes GitHub
// gives them, or the step stops with one line. A binding is never guessed: a missing run id would
// bind every run at once.
import { UserFacingError } from '../errors.js'
import type { HandoffBinding } from '../model/handoff.js'

/** The environment cannot name this run: neither sealing nor opening can go on. */
export class HandoffBindingError extends UserFacingError {
  override readonly name = 'HandoffBindingError'
}

// GitHub's owner (39 characters) and repository (100) names: letters, digits, - _ and .
const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[\w.-]{1,100}$/
const NUMERIC_ID = /^[1-9]\d{0,19}$/

export function handoffBinding(env: NodeJS.ProcessEnv = process.env): HandoffBinding {
  const repository = env.GITHUB_REPOSITORY ?? ''
  const runId = env.GITHUB_RUN_ID ?? ''
  const repositoryId = env.GITHUB_REPOSITORY_ID ?? ''
  const refuse = (variable: string, shape: string): never => {
    throw new HandoffBindingError(
      `The hand-off needs ${variable} as the runner sets it (${shape}), and it is missing or not of that shape; run the action on a GitHub Actions runner and leave ${variable} alone.`
    )
  }
  if (!REPOSITORY.test(repository)) refuse('GITHUB_REPOSITORY', 'owner/repo')
  if (!NUMERIC_ID.test(runId)) refuse('GITHUB_RUN_ID', 'a number')
  if (repositoryId !== '' && !NUMERIC_ID.test(repositoryId)) refuse('GITHUB_REPOSITORY_ID', 'a number')
  return { repository, runId, ...(repositoryId === '' ? {} : { repositoryId }) }
}
