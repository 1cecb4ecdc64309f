// The post step's cleanup (DESIGN.md step 8): revoke the token, then remove the files the action
// wrote for the AWS tools. Each task runs on its own record from the main step and reports
// through warnings, so one task's failure neither stops the others nor fails the job.
import * as core from '@actions/core'
import { closeSharedDispatcher } from '../http/dispatcher.js'
import { readHandoff, removeHandoff, type Handoff } from '../handoff.js'
import { cachedToken, removeAwsFiles } from './aws-files.js'
import { coreLog, type CleanupLog } from './log.js'
import { revokeTokens, type HeldToken } from './revoke.js'

export async function runCleanup(log: CleanupLog = coreLog): Promise<void> {
  let found: ReturnType<typeof readHandoff>
  try {
    found = readHandoff()
  } catch (error) {
    log.warning(`Could not read what the main step left for cleanup: ${error instanceof Error ? error.message : String(error)}. Nothing was revoked or removed.`)
    return
  }
  if (!found) {
    log.info('Nothing to clean up: the main step obtained no token and wrote no files.')
    return
  }
  try {
    await cleanUp(found.handoff, log)
  } finally {
    removeHandoff(found.file)
    await closeSharedDispatcher()
  }
}

/** Runs every task the hand-off names; each catches its own failures. */
export async function cleanUp(handoff: Handoff, log: CleanupLog): Promise<void> {
  if (handoff.revoke) {
    await revokeTokens({ portalEndpoint: handoff.revoke.portalEndpoint, tokens: heldTokens(handoff) }, log).catch((error: unknown) =>
      log.warning(`Revocation failed: ${error instanceof Error ? error.message : String(error)}.`)
    )
  }
  if (handoff.awsFiles) {
    try {
      removeAwsFiles(handoff.awsFiles, log)
    } catch (error) {
      log.warning(`Removing the AWS profiles failed: ${error instanceof Error ? error.message : String(error)}.`)
    }
  }
}

/** The token the action received, and the one in its token cache if a tool refreshed it since. */
function heldTokens(handoff: Handoff): HeldToken[] {
  const tokens: HeldToken[] = []
  if (handoff.revoke) tokens.push({ accessToken: handoff.revoke.accessToken, expiresAt: handoff.revoke.expiresAt })
  const refreshed = handoff.awsFiles ? cachedToken(handoff.awsFiles.tokenCacheFile) : undefined
  if (refreshed && refreshed.accessToken !== handoff.revoke?.accessToken) {
    // Issued to a tool, never seen by the runner: mask it before anything could print it.
    core.setSecret(refreshed.accessToken)
    tokens.push(refreshed)
  }
  return tokens
}
