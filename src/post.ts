// The action's post step (runs.post): runs after the job's steps, even when one failed or the
// run was cancelled. It revokes the token and removes what the action wrote; see cleanup/.
import { runCleanup } from './cleanup/index.js'

await runCleanup()
