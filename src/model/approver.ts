// Who approved a request, as AWS names them: learned from the role session the approver's access
// opens (STS GetCallerIdentity), never from anything the run or GitHub says.
export interface Approver {
  /** The IAM Identity Center user name: the role session's name. */
  userName: string
  /** `arn:<partition>:sts::<account>:assumed-role/<role>/<user>`. */
  arn: string
  /** The account the identity was looked up through. */
  accountId: string
  /** When the approval was seen (the token arrived). */
  approvedAt: Date
  /** Request IDs of the AWS calls that established the identity (GetRoleCredentials, GetCallerIdentity), for CloudTrail. */
  requestIds: string[]
}
