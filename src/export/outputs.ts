// The one place that sets the action's outputs, so what action.yml declares and what the code
// sets cannot drift apart unnoticed.
import * as core from '@actions/core'
import type { ApprovalRequest, Outcome, Receipt } from '../model/request.js'
import type { Approver } from '../model/approver.js'
import type { TokenSet } from '../oidc/types.js'
import type { RoleCredentials } from '../portal/types.js'
import { maskRoleCredentials, maskTokenSet } from '../model/secrets.js'
import { sanitize } from '../text/sanitize.js'
import { isoUtc } from '../time/format.js'

export const OUTPUT_NAMES = [
  'outcome',
  'access-token',
  'expires-at',
  'user-code',
  'verification-uri',
  'verification-uri-complete',
  'comment-url',
  'approver',
  'approver-arn',
  'receipt',
  'aws-account-id',
  'aws-expiration',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'handoff'
] as const
export type OutputName = (typeof OUTPUT_NAMES)[number]

function set(name: OutputName, value: string): void {
  core.setOutput(name, value)
}

/** Set as soon as the request starts, so they are there whatever the outcome. Not secret. */
export function exportRequestOutputs(request: ApprovalRequest): void {
  set('user-code', request.userCode)
  set('verification-uri', request.verificationUri)
  set('verification-uri-complete', request.verificationUriComplete)
}

/**
 * `phase: start`: when the request stops waiting (its deadline, not the first code's expiry: a code
 * that expires before it is replaced), so a later step knows how long it has.
 */
export function exportRequestDeadline(request: ApprovalRequest): void {
  set('expires-at', isoUtc(request.deadline.getTime()))
}

/** The PR comment that shows the request; returns the URL as written, fit for a log line. */
export function exportCommentUrl(url: string): string {
  // The GitHub API's answer: one line through the sanitiser, like everything else from outside.
  const shown = sanitize(url, { maxLength: 2048 })
  set('comment-url', shown)
  return shown
}

/** Masks every token in the set before the access token is written anywhere. */
export function exportToken(token: TokenSet): void {
  maskTokenSet(token)
  set('access-token', token.accessToken)
  set('expires-at', isoUtc(token.expiresAt))
}

/** Who approved (the first approver: the job acts as them) and the receipt of every approval. */
export function exportApprovers(first: Approver, receipt: Receipt): void {
  // From STS, through the sanitiser like every other answer from outside.
  set('approver', sanitize(first.userName, { maxLength: 128 }))
  set('approver-arn', sanitize(first.arn, { maxLength: 2048 }))
  set('receipt', JSON.stringify(receipt))
}

export function exportOutcome(outcome: Outcome): void {
  set('outcome', outcome)
}

/**
 * The role's account and expiry; the keys themselves only when asked (`output-credentials`):
 * the exported environment is how later steps should get them.
 */
export function exportRoleOutputs(accountId: string, credentials: RoleCredentials, withKeys: boolean): void {
  maskRoleCredentials(credentials)
  set('aws-account-id', accountId)
  set('aws-expiration', isoUtc(credentials.expiration))
  if (!withKeys) return
  set('aws-access-key-id', credentials.accessKeyId)
  set('aws-secret-access-key', credentials.secretAccessKey)
  set('aws-session-token', credentials.sessionToken)
}

/**
 * The sealed hand-off (handoff/seal.ts). Deliberately NOT masked: a masked value cannot be a job
 * output, and without the key it is not a secret.
 */
export function exportHandoff(sealed: string): void {
  set('handoff', sealed)
}
