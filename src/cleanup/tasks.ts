// The post step's tasks, in the order they run. Each reads its own part of the post-step state
// (model/post-step-state.ts), does its own cleanup and throws when it cannot; none depends on another. A new
// cleanup (revoking the SSO token, say) is a new entry here, before `removeFiles`, so that the
// files it may need still exist when it runs.
import type { CleanupTask } from './task.js'
import { removeAwsProfiles } from './aws-files.js'
import { finalizeComment } from './finalize-comment.js'
import { removeFiles } from './remove-files.js'
import { revokeToken } from './revoke.js'

// The token goes before the files: revokeToken reads the token cache for a refreshed token.
export const POST_TASKS: readonly CleanupTask[] = [finalizeComment, revokeToken, removeAwsProfiles, removeFiles]
