// What STS GetCallerIdentity says about the credentials that signed it, checked and taken apart.

/** The caller behind role credentials from IAM Identity Center: an assumed-role session. */
export interface CallerIdentity {
  /** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string
  /** `aws`, `aws-cn`, `aws-us-gov`, … */
  partition: string
  /** 12 digits: the account of the role. */
  account: string
  /** The role's name (for IAM Identity Center, `AWSReservedSSO_<PermissionSet>_<16 hex>`). */
  roleName: string
  /** The role session's name (for IAM Identity Center, the user name). */
  sessionName: string
  /** `<role id>:<session>`, as STS sends it. */
  userId: string
  /** The RequestId of the call, for CloudTrail. */
  requestId: string
}
