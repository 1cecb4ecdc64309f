// The post step as a list of independent tasks: each failure is one warning and the others still
// run; the post-step state file goes last; a comment that some step already finished is left alone.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { abandonedResult, finalizeComment } from '../../src/cleanup/finalize-comment.js'
import { runCleanup, runPostStep } from '../../src/cleanup/index.js'
import type { CleanupTask } from '../../src/cleanup/task.js'
import { removeFiles } from '../../src/cleanup/remove-files.js'
import { POST_TASKS } from '../../src/cleanup/tasks.js'
import { PostStepWriter, type CommentForPostStep, type PostStepState } from '../../src/model/post-step-state.js'
import { storeRequest } from '../../src/model/request.js'
import { commentMarker } from '../../src/notify/pr-comment.js'
import { DEFAULT_LOGIN, startGitHubApi } from '../fakes/github-api.js'
import { approvalRequest } from './notify-fixtures.js'
import { tempDir } from '../support/temp.js'

let dir: string
const saved = { RUNNER_TEMP: process.env.RUNNER_TEMP, STATE_post_step: process.env.STATE_post_step }
beforeEach(() => {
  dir = tempDir('cleanup-test')
  process.env.RUNNER_TEMP = dir
  delete process.env.STATE_post_step
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

function recordingLog() {
  const lines: string[] = []
  return {
    lines,
    info: (message: string) => void lines.push(`info: ${message}`),
    warning: (message: string) => void lines.push(`warning: ${message}`)
  }
}

function task(name: string, calls: string[], failure?: Error): CleanupTask {
  return {
    name,
    async run() {
      calls.push(name)
      if (failure) throw failure
    }
  }
}

describe('runCleanup', () => {
  it('runs every task in order; a failure is one warning and the next task runs', async () => {
    const calls: string[] = []
    const log = recordingLog()
    await runCleanup(
      [task('finalize the PR comment', calls, new Error('GitHub answered 502\nretry later')), task('remove the files', calls)],
      { files: [] },
      log
    )
    expect(calls).toEqual(['finalize the PR comment', 'remove the files'])
    expect(log.lines).toEqual(['warning: Post step: could not finalize the PR comment: GitHub answered 502 retry later'])
  })

  it('gives a task that does not finish its time, then goes on', async () => {
    const calls: string[] = []
    const log = recordingLog()
    const hung: CleanupTask = { name: 'finalize the PR comment', run: () => new Promise<void>(() => calls.push('hung')) }
    const started = Date.now()
    await runCleanup([hung, task('remove the files', calls)], { files: [] }, log, 200)
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(calls).toEqual(['hung', 'remove the files'])
    expect(log.lines).toEqual(['warning: Post step: could not finalize the PR comment: it did not finish within 0.2 s'])
  })

  it('finalizes the comment, then revokes the token before removing files: the order the tasks list promises', () => {
    // The revocation reads the token cache (a refreshed token) that the profile removal deletes.
    expect(POST_TASKS.map((each) => each.name)).toEqual([
      'finalize the PR comment',
      'revoke the IAM Identity Center token',
      'remove the AWS profiles and token cache this action wrote',
      'remove the files this action wrote'
    ])
  })
})

describe('runPostStep', () => {
  it('hands the main step’s post-step state to every task, then removes the post-step state file', async () => {
    const writer = new PostStepWriter((name, value) => (process.env[`STATE_${name}`] = value))
    writer.addFile(join(dir, 'some-file'))
    const seen: PostStepState[] = []
    const log = recordingLog()
    await runPostStep([{ name: 'look', run: async (postStep) => void seen.push(postStep) }], log)
    expect(seen).toEqual([{ files: [join(dir, 'some-file')] }])
    expect(existsSync(process.env.STATE_post_step!)).toBe(false)
    expect(log.lines).toEqual([])
  })

  it('with no post-step state, runs nothing', async () => {
    const calls: string[] = []
    await runPostStep([task('anything', calls)], recordingLog())
    expect(calls).toEqual([])
  })

  it('an unreadable post-step state is one warning, not a failed job', async () => {
    process.env.STATE_post_step = join(dir, 'post-step.json')
    writeFileSync(process.env.STATE_post_step, '{"files": [')
    const calls: string[] = []
    const log = recordingLog()
    await runPostStep([task('anything', calls)], log)
    expect(calls).toEqual([])
    expect(log.lines).toEqual([expect.stringMatching(/^warning: Post step: could not read what the main step handed over: /)])
  })
})

describe('removeFiles', () => {
  it('removes every listed file, missing ones included without complaint', async () => {
    const files = [join(dir, 'a'), join(dir, 'b'), join(dir, 'never-written')]
    for (const file of files.slice(0, 2)) writeFileSync(file, 'x')
    await removeFiles.run({ files })
    expect(files.filter((file) => existsSync(file))).toEqual([])
  })

  it('names what it could not remove, after trying the rest', async () => {
    const stuck = join(dir, 'a-directory')
    mkdirSync(join(stuck, 'inside'), { recursive: true })
    const other = join(dir, 'other')
    writeFileSync(other, 'x')
    await expect(removeFiles.run({ files: [stuck, other] })).rejects.toThrow(
      new RegExp(`^${stuck} \\(ERR_FS_EISDIR\\); delete them by hand on a self-hosted runner$`)
    )
    expect(existsSync(other)).toBe(false)
  })
})

describe('finalizeComment', () => {
  const comment = (overrides: Partial<CommentForPostStep> = {}): CommentForPostStep => ({
    owner: 'octo',
    repo: 'app',
    issueNumber: 7,
    // Nothing listens here: a test that reached GitHub would fail.
    apiUrl: 'http://127.0.0.1:9',
    gate: '0123456789abcdef',
    request: storeRequest(approvalRequest()),
    phase: 'all',
    recorded: false,
    ...overrides
  })

  it('leaves alone a comment the main step recorded, and a start step’s request a wait step finished', async () => {
    await expect(finalizeComment.run({ files: [] })).resolves.toBeUndefined()
    await expect(finalizeComment.run({ files: [], comment: comment({ recorded: true }) })).resolves.toBeUndefined()
    const finished = comment({ phase: 'start', pendingFile: join(dir, 'pending-gone.json') })
    await expect(finalizeComment.run({ files: [], comment: finished })).resolves.toBeUndefined()
  })

  it('says why it cannot finalize without a token', async () => {
    const saved = process.env['INPUT_GITHUB-TOKEN']
    delete process.env['INPUT_GITHUB-TOKEN']
    try {
      await expect(finalizeComment.run({ files: [], comment: comment() })).rejects.toThrow("input 'github-token' is empty")
    } finally {
      if (saved !== undefined) process.env['INPUT_GITHUB-TOKEN'] = saved
    }
  })

  it("names the comment's link (the GitHub API's answer) through the sanitiser", async () => {
    const api = await startGitHubApi({ repository: 'octo/app', htmlUrl: () => 'https://github.com/x\n::stop-commands::x\u202e' })
    const savedToken = process.env['INPUT_GITHUB-TOKEN']
    const writes: string[] = []
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true))
    try {
      process.env['INPUT_GITHUB-TOKEN'] = api.token
      api.seedComment({ issue: 7, body: `${commentMarker('0123456789abcdef')}\npending`, author: DEFAULT_LOGIN })
      await finalizeComment.run({ files: [], comment: comment({ apiUrl: api.url }) })
    } finally {
      spy.mockRestore()
      if (savedToken === undefined) delete process.env['INPUT_GITHUB-TOKEN']
      else process.env['INPUT_GITHUB-TOKEN'] = savedToken
      await api.close()
    }
    const lines = writes.join('').split('\n')
    expect(lines).toContain('Marked the PR comment cancelled: https://github.com/x ::stop-commands::x')
    expect(lines.some((line) => line.startsWith('::stop-commands'))).toBe(false)
  })

  it('an abandoned request: cancelled when its step was stopped, failed when no wait step came', () => {
    const at = new Date(0)
    expect(abandonedResult({ phase: 'all' }, at)).toEqual({
      outcome: 'cancelled',
      at,
      message: 'The step was stopped while waiting for approval (cancelled, timed out or killed). Re-run the job to ask again.'
    })
    expect(abandonedResult({ phase: 'wait' }, at).outcome).toBe('cancelled')
    expect(abandonedResult({ phase: 'start' }, at)).toEqual({
      outcome: 'error',
      at,
      message:
        'The job ended before a phase: wait step waited for this request, so nobody will use an approval: do not approve the code. Re-run the job to ask again.'
    })
  })
})
