// The PR comment as a notify channel, against the GitHub REST fake through the real Octokit:
// what it hands to the post step at each moment (so a kill at any point leaves the right thing to
// finalize), and one warning, then silence, for a token that may not comment.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { rmSync } from 'node:fs'
import { PostStepWriter, readPostStepState, type PostStepState } from '../../src/model/post-step-state.js'
import { gateId, gateOf } from '../../src/model/gate.js'
import { createPrCommentNotifier, type PrCommentChannelOptions } from '../../src/notify/pr-comment-channel.js'
import { commentMarker } from '../../src/notify/pr-comment.js'
import { restoreRequest, restoreResult, type RequestResult } from '../../src/model/request.js'
import { startGitHubApi, type FakeGitHubApi } from '../fakes/github-api.js'
import { approvalRequest } from './approval-request.js'
import { tempDir } from '../support/temp.js'

let api: FakeGitHubApi | undefined
let runnerTemp: string
const savedRunnerTemp = process.env.RUNNER_TEMP
beforeEach(() => {
  runnerTemp = tempDir('channel-test')
  process.env.RUNNER_TEMP = runnerTemp
})
afterEach(async () => {
  await api?.close()
  api = undefined
  rmSync(runnerTemp, { recursive: true, force: true })
  if (savedRunnerTemp === undefined) delete process.env.RUNNER_TEMP
  else process.env.RUNNER_TEMP = savedRunnerTemp
})

async function channel(options: { readOnly?: boolean; writeWithinMs?: number; signal?: AbortSignal } = {}) {
  api = await startGitHubApi({ readOnly: options.readOnly ?? false })
  const state: Record<string, string> = {}
  const warnings: string[] = []
  const posted: string[] = []
  const settings: PrCommentChannelOptions = {
    target: { token: api.token, owner: 'octo-org', repo: 'octo-repo', issueNumber: 7, apiUrl: api.url },
    postStep: new PostStepWriter((name, value) => (state[name] = value)),
    phase: 'all',
    warn: (message) => warnings.push(message),
    onPosted: (url) => posted.push(url),
    sticky: { retry: { attempts: 1 } },
    ...(options.writeWithinMs === undefined ? {} : { writeWithinMs: () => options.writeWithinMs! }),
    ...(options.signal ? { signal: options.signal } : {})
  }
  const handedOver = (): PostStepState | undefined => readPostStepState((name) => state[name] ?? '')?.postStep
  return { api, notifier: createPrCommentNotifier(settings), warnings, posted, handedOver }
}

const REQUEST = approvalRequest()
const DENIED: RequestResult = { outcome: 'denied', at: new Date('2025-06-01T14:03:07Z'), message: 'Denied. Re-run the job.' }

describe('the PR comment channel', () => {
  it('hands the pending comment to the post step, then the outcome, then that it is recorded', async () => {
    const { api, notifier, posted, handedOver } = await channel()
    expect(handedOver()).toBeUndefined()

    await notifier.prompt(REQUEST)
    const [comment] = api.commentsOn(7)
    expect(comment!.body.startsWith(commentMarker(gateOf(REQUEST)))).toBe(true)
    expect(posted).toEqual([expect.stringContaining(`#issuecomment-${comment!.id}`)])
    const pending = handedOver()!.comment!
    expect(pending).toMatchObject({
      owner: 'octo-org',
      repo: 'octo-repo',
      issueNumber: 7,
      apiUrl: api.url,
      gate: gateOf(REQUEST),
      phase: 'all',
      recorded: false
    })
    expect(pending.result).toBeUndefined()
    expect(restoreRequest(pending.request)).toEqual(REQUEST)

    await notifier.record({ subject: REQUEST, request: REQUEST, result: DENIED })
    const recorded = handedOver()!.comment!
    expect(recorded.recorded).toBe(true)
    expect(restoreResult(recorded.result!)).toEqual(DENIED)
    expect(api.commentsOn(7)[0]!.body).toContain('### ⛔ AWS sign-in denied')
    expect(posted).toHaveLength(2)
  })

  it('gives up a write GitHub does not answer within its limit: one warning, nothing more tried', async () => {
    const { api, notifier, warnings, handedOver } = await channel({ writeWithinMs: 300 })
    api.setFault({ route: 'create', status: 'hang' })
    const started = Date.now()
    await notifier.prompt(REQUEST)
    expect(Date.now() - started).toBeLessThan(1_500)
    await notifier.record({ subject: REQUEST, request: REQUEST, result: DENIED })
    expect(warnings).toEqual([
      'Could not update the PR comment: GitHub did not answer within 0.3 s. The approval request is in the step log.'
    ])
    expect(api.requests.filter((request) => request.route === 'create')).toHaveLength(1)
    expect(api.commentsOn(7)).toEqual([])
    expect(handedOver()).toBeUndefined()
  })

  it('gives up the pending comment at once when the run is cancelled, silently, and still records the outcome', async () => {
    const cancellation = new AbortController()
    const { api, notifier, warnings } = await channel({ writeWithinMs: 10_000, signal: cancellation.signal })
    api.setFault({ route: 'create', status: 'hang' })
    const prompting = notifier.prompt(REQUEST)
    while (!api.requests.some((request) => request.route === 'create')) await new Promise((resolve) => setTimeout(resolve, 10))
    const cancelledAt = Date.now()
    cancellation.abort(new Error('cancelled by SIGINT'))
    await prompting
    expect(Date.now() - cancelledAt).toBeLessThan(500)
    expect(warnings).toEqual([])
    api.clearFaults()
    await notifier.record({ subject: REQUEST, request: REQUEST, result: { outcome: 'cancelled', at: new Date('2025-06-01T14:03:07Z') } })
    expect(api.commentsOn(7).map((comment) => comment.body)).toEqual([expect.stringContaining('cancelled')])
  })

  it('keeps the outcome for the post step when GitHub fails the edit', async () => {
    const { api, notifier, warnings, handedOver } = await channel()
    await notifier.prompt(REQUEST)
    api.setFault({ route: 'update', status: 502, count: 5 })
    await notifier.record({ subject: REQUEST, request: REQUEST, result: DENIED })
    expect(warnings).toEqual([expect.stringContaining('Could not update the PR comment: GitHub kept answering 502')])
    expect(handedOver()!.comment).toMatchObject({ recorded: false, result: { outcome: 'denied' } })
  })

  it('a read-only token: one warning naming the permission, then nothing more is tried or handed over', async () => {
    const { api, notifier, warnings, posted, handedOver } = await channel({ readOnly: true })
    await notifier.prompt(REQUEST)
    await notifier.record({ subject: REQUEST, request: REQUEST, result: DENIED })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^Could not create the PR comment: GitHub answered 403 \(Resource not accessible by integration\)\. Give the job `permissions: pull-requests: write`/
    )
    expect(api.requests.map((r) => r.route)).toEqual(['user', 'graphql', 'list', 'create'])
    expect(posted).toEqual([])
    expect(handedOver()).toBeUndefined()
  })

  it('records nothing for a gate that failed before any request', async () => {
    const { api, notifier, handedOver } = await channel()
    await notifier.record({ subject: REQUEST, result: DENIED })
    expect(api.requests).toEqual([])
    expect(handedOver()).toBeUndefined()
  })
})

describe('gateOf', () => {
  it('is the gate of the workflow, job, start URL, account and role', () => {
    expect(gateOf(REQUEST)).toBe(
      gateId({
        workflow: 'Deploy',
        job: 'deploy',
        startUrl: 'https://d-1234567890.awsapps.com/start',
        accountId: '123456789012',
        roleName: 'DeployRole'
      })
    )
    expect(gateOf({ ...REQUEST, roleName: 'ReadOnly' })).not.toBe(gateOf(REQUEST))
    expect(gateOf({ ...REQUEST, context: { ...REQUEST.context, runAttempt: '2', runId: '1' } })).toBe(gateOf(REQUEST))
  })
})

describe('gateOf: one comment per gate, the account included', () => {
  it('gives the same role in two accounts two gates, and the same request one', () => {
    const prod = approvalRequest({ accountId: '111122223333', roleName: 'Deployer' })
    const staging = approvalRequest({ accountId: '444455556666', roleName: 'Deployer' })
    expect(gateOf(prod)).not.toBe(gateOf(staging))
    expect(gateOf(prod)).toBe(gateOf(approvalRequest({ accountId: '111122223333', roleName: 'Deployer' })))
    expect(gateOf(prod)).not.toBe(gateOf(approvalRequest({ accountId: '111122223333', roleName: 'Reader' })))
  })
})
