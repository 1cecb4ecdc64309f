// When the approver lacks a requested role, the step says which accounts and roles they do have,
// so the fix (another role name, or an assignment in IAM Identity Center) is one edit away.
import { UserFacingError } from '../errors.js'
import { AwsServiceError } from '../http/errors.js'
import type { RoleTarget } from './types.js'
import type { PageWrapper, SsoPortalClient } from './client.js'

/** A requested role and the input that asked for it (`input 'role-name'`, `input 'roles' line 2`). */
export interface RequestedRole extends RoleTarget {
  source: string
}

/** The approver cannot use a requested role. The message lists what they can use. */
export class MissingRoleError extends UserFacingError {
  override readonly name = 'MissingRoleError'
}

/** How many accounts the message lists (each costs a ListAccountRoles call). */
const MAX_ACCOUNTS_LISTED = 25

/** GetRoleCredentials answers 404 for a role not assigned; 403 ForbiddenException for a stale assignment. */
export function isNotAssigned(error: unknown): boolean {
  return error instanceof AwsServiceError && (error.code === 'ResourceNotFoundException' || error.code === 'ForbiddenException')
}

/** The roles the approver has in `accountId`; none when the account is not assigned at all. */
export async function rolesIn(portal: SsoPortalClient, accessToken: string, accountId: string, eachPage: PageWrapper): Promise<string[]> {
  try {
    return (await portal.listAllAccountRoles(accessToken, accountId, eachPage)).map((role) => role.roleName)
  } catch (error) {
    if (isNotAssigned(error)) return []
    throw error
  }
}

/**
 * The one line for roles the approver lacks: which, from which input, what they have instead
 * (ListAccounts and ListAccountRoles, every page), and what to do.
 */
export async function missingRoleError(
  missing: readonly RequestedRole[],
  portal: SsoPortalClient,
  accessToken: string,
  eachPage: PageWrapper
): Promise<MissingRoleError> {
  const lacks = missing.map((role) => `"${role.roleName}" in account ${role.accountId} (${role.source})`).join(', ')
  const inputs = [...new Set(missing.map((role) => (role.source.includes("'roles'") ? "'roles'" : "'account-id' and 'role-name'")))].join(
    ' or '
  )
  let have: string
  try {
    have = await describeAssignments(portal, accessToken, eachPage)
  } catch (error) {
    have = `Their accounts could not be listed (${error instanceof Error ? error.message : String(error)}).`
  }
  return new MissingRoleError(
    `The approver has no role ${lacks}. ${have} Set ${inputs} to a role they have, or ask an IAM Identity Center administrator to assign it to them.`
  )
}

/** "They have: 111111111111 (Sandbox): Deploy, ReadOnly; 222222222222 (Staging): Deploy." */
export async function describeAssignments(portal: SsoPortalClient, accessToken: string, eachPage: PageWrapper): Promise<string> {
  const accounts = await portal.listAllAccounts(accessToken, eachPage)
  if (accounts.length === 0) return 'They have no AWS account assigned.'
  const listed: string[] = []
  for (const account of accounts.slice(0, MAX_ACCOUNTS_LISTED)) {
    const roles = await rolesIn(portal, accessToken, account.accountId, eachPage)
    const name = account.accountName ? ` (${account.accountName})` : ''
    listed.push(`${account.accountId}${name}: ${roles.length > 0 ? roles.join(', ') : 'no roles'}`)
  }
  const more = accounts.length > MAX_ACCOUNTS_LISTED ? `; and ${accounts.length - MAX_ACCOUNTS_LISTED} more accounts` : ''
  return `They have: ${listed.join('; ')}${more}.`
}
