// A realistic approval request for rendering and comment tests. Every field can be overridden,
// and context fields separately, to inject hostile text where a workflow author or a branch name
// could put it.
import type { ApprovalRequest, RunContext } from '../../src/model/request.js'

export const USER_CODE = 'WDJB-MJHT'
export const VERIFICATION_URI = 'https://device.sso.us-east-1.amazonaws.com/'
export const VERIFICATION_URI_COMPLETE = `${VERIFICATION_URI}?user_code=${USER_CODE}`

export function approvalRequest(
  overrides: Partial<Omit<ApprovalRequest, 'context'>> = {},
  context: Partial<RunContext> = {}
): ApprovalRequest {
  return {
    userCode: USER_CODE,
    verificationUri: VERIFICATION_URI,
    verificationUriComplete: VERIFICATION_URI_COMPLETE,
    expiresAt: new Date('2025-06-01T14:10:00.000Z'),
    deadline: new Date('2025-06-01T14:10:00.000Z'),
    startUrl: 'https://d-1234567890.awsapps.com/start',
    region: 'us-east-1',
    clientName: 'GitHub Actions octo-org/octo-repo',
    accountId: '123456789012',
    roleName: 'DeployRole',
    ...overrides,
    context: {
      repository: 'octo-org/octo-repo',
      workflow: 'Deploy',
      job: 'deploy',
      runId: '9876543210',
      runAttempt: '1',
      runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/9876543210',
      actor: 'octocat',
      eventName: 'pull_request',
      ref: 'refs/pull/7/merge',
      sha: '0123456789abcdef0123456789abcdef01234567',
      serverUrl: 'https://github.com',
      pullRequest: 7,
      ...context
    }
  }
}
