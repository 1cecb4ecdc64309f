// The request the README's example PR comment shows: the test that compares the README with the
// renderer uses it, and `npx tsx __tests__/lint/readme-examples.ts` prints the block to paste.
import { renderComment } from '../../src/notify/comment-body.js'
import type { ApprovalRequest } from '../../src/model/request.js'

export const EXAMPLE_REQUEST: ApprovalRequest = {
  userCode: 'WDJB-MJHT',
  // What AWS answers today: one opaque link per request, the same in both fields (docs/protocol.md §1).
  verificationUri: 'https://us-east-1.signin.aws/platform/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3AExAmPlE',
  verificationUriComplete:
    'https://us-east-1.signin.aws/platform/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3AExAmPlE',
  expiresAt: new Date('2026-05-01T12:10:00Z'),
  deadline: new Date('2026-05-01T12:10:00Z'),
  startUrl: 'https://d-1234567890.awsapps.com/start',
  region: 'us-east-1',
  clientName: 'GitHub Actions octo-org/app',
  scopes: ['sso:account:access'],
  context: {
    repository: 'octo-org/app',
    workflow: 'Deploy preview',
    job: 'deploy',
    runId: '1234567890',
    runAttempt: '1',
    runUrl: 'https://github.com/octo-org/app/actions/runs/1234567890',
    actor: 'alice',
    eventName: 'pull_request',
    ref: 'refs/pull/42/merge',
    sha: '8f14e45fceea167a5a36dedd4bea2543a9c1b4f0',
    serverUrl: 'https://github.com',
    pullRequest: 42
  }
}

/** The example as the README quotes it: every line of the pending comment behind "> ". */
export function quotedExampleComment(): string {
  return renderComment(EXAMPLE_REQUEST, 'pending')
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n')
}

if (process.argv[1]?.endsWith('readme-examples.ts')) console.log(quotedExampleComment())
