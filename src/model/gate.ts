// A gate: one approval a workflow's job asks for, the same across runs and re-runs. Its id names
// the PR comment that shows it (the comment's hidden marker) and the pending request between two
// phases (model/pending.ts), so both are found again by the step that needs them.
import { definedFields } from '../defined.js'
import { createHash } from 'node:crypto'
import type { ApprovalRequest } from './request.js'

/** What identifies a gate across runs and re-runs: the same gate edits the same comment. */
export interface GateParts {
  workflow: string
  job: string
  startUrl: string
  accountId?: string
  roleName?: string
}

/** A stable 16-hex-digit id for a gate; it goes into the hidden marker. */
export function gateId(parts: GateParts): string {
  const key = JSON.stringify([
    parts.workflow,
    parts.job,
    parts.startUrl.trim().replace(/\/+$/, ''),
    parts.accountId ?? '',
    parts.roleName ?? ''
  ])
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

/**
 * The gate a request belongs to: one comment (and one pending request between two phases) per
 * workflow, job, start URL, account and role.
 */
export function gateOf(request: Pick<ApprovalRequest, 'context' | 'startUrl' | 'accountId' | 'roleName'>): string {
  return gateId({
    workflow: request.context.workflow,
    job: request.context.job,
    startUrl: request.startUrl,
    ...definedFields({ accountId: request.accountId, roleName: request.roleName })
  })
}
