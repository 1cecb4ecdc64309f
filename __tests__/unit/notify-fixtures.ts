// One approval request and its context, shared by the notify tests.
import type { ApprovalRequest, RunContext } from '../../src/model/request.js'

export const NOW = new Date(Date.UTC(2026, 4, 1, 12, 0, 0))

export function runContext(overrides: Partial<RunContext> = {}): RunContext {
  return {
    repository: 'octo/app',
    workflow: 'Deploy',
    job: 'deploy',
    runId: '1234',
    runAttempt: '2',
    runUrl: 'https://github.com/octo/app/actions/runs/1234/attempts/2',
    actor: 'alice',
    eventName: 'push',
    ref: 'refs/heads/main',
    sha: '0123456789abcdef0123456789abcdef01234567',
    serverUrl: 'https://github.com',
    ...overrides
  }
}

export function approvalRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const expiresAt = new Date(NOW.getTime() + 10 * 60_000)
  return {
    userCode: 'WDJB-MJHT',
    verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
    verificationUriComplete: 'https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT',
    expiresAt,
    deadline: expiresAt,
    startUrl: 'https://d-1234567890.awsapps.com/start',
    region: 'us-east-1',
    clientName: 'GitHub Actions octo/app',
    scopes: ['sso:account:access'],
    context: runContext(),
    ...overrides
  }
}
