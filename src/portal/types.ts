// The shapes the SSO portal returns (docs/protocol.md §4), normalised to what the action needs.

/** A role in an account: what GetRoleCredentials and the assignment lists name. */
export interface RoleTarget {
  /** 12 digits. */
  accountId: string
  /** The IAM Identity Center permission set, as the portal names the role. */
  roleName: string
}

/** Temporary AWS credentials for one role in one account (GetRoleCredentials). */
export interface RoleCredentials {
  /** Secret (masked like the others: it identifies the approver's session). */
  accessKeyId: string
  /** Secret. */
  secretAccessKey: string
  /** Secret. */
  sessionToken: string
  /** Epoch milliseconds: the portal sends milliseconds, unlike every time in the OIDC API. */
  expiration: number
  /** The GetRoleCredentials call's x-amzn-RequestId, for finding it in CloudTrail; absent when none of that shape came. */
  requestId?: string
}

/** An AWS account assigned to the signed-in user (ListAccounts). */
export interface AccountInfo {
  accountId: string
  /** Absent when the portal sends none. */
  accountName?: string
}

/** One role (permission set) the signed-in user has in an account (ListAccountRoles). */
export interface RoleInfo {
  accountId: string
  roleName: string
}

/** One page of a listing; `nextToken` is absent on the last page. */
export interface Page<T> {
  items: T[]
  nextToken?: string
}
