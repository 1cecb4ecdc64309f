import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readRunContext } from '../../src/context.js'
import { tempDir } from '../support/temp.js'

let dir: string
beforeAll(() => {
  dir = tempDir('context-test')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function eventFile(name: string, payload: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, typeof payload === 'string' ? payload : JSON.stringify(payload))
  return path
}

const RUNNER_ENV = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'octo/app',
  GITHUB_WORKFLOW: 'Deploy',
  GITHUB_JOB: 'deploy',
  GITHUB_RUN_ID: '1234',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_ACTOR: 'alice',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567'
}

describe('readRunContext', () => {
  it('reads the run from the GITHUB_* variables', () => {
    expect(readRunContext(RUNNER_ENV)).toEqual({
      repository: 'octo/app',
      workflow: 'Deploy',
      job: 'deploy',
      runId: '1234',
      runAttempt: '1',
      runUrl: 'https://github.com/octo/app/actions/runs/1234',
      actor: 'alice',
      eventName: 'push',
      ref: 'refs/heads/main',
      sha: '0123456789abcdef0123456789abcdef01234567',
      serverUrl: 'https://github.com',
      trigger: 'a push to main by alice'
    })
  })

  it('links a re-run to its own attempt, on the configured server', () => {
    const context = readRunContext({ ...RUNNER_ENV, GITHUB_RUN_ATTEMPT: '3', GITHUB_SERVER_URL: 'https://ghe.example.com/' })
    expect(context.runUrl).toBe('https://ghe.example.com/octo/app/actions/runs/1234/attempts/3')
    expect(context.serverUrl).toBe('https://ghe.example.com')
  })

  it('has no run link and github.com as the server outside a runner', () => {
    const context = readRunContext({})
    expect(context.runUrl).toBe('')
    expect(context.repository).toBe('')
    expect(context.serverUrl).toBe('https://github.com')
    expect(context.pullRequest).toBeUndefined()
  })

  it.each([
    ['pull_request', { number: 7, pull_request: { number: 7 } }, 7],
    ['pull_request_target', { pull_request: { number: 12 } }, 12],
    ['issue_comment on a PR', { issue: { number: 5, pull_request: { url: 'x' } } }, 5],
    ['issue_comment on an issue', { issue: { number: 5 } }, undefined],
    ['push', { ref: 'refs/heads/main' }, undefined],
    ['a non-numeric number', { pull_request: { number: '7' } }, undefined],
    ['a JSON array', [1, 2], undefined],
    ['a broken file', '{not json', undefined]
  ])('finds the pull request number of %s', (name, payload, expected) => {
    const context = readRunContext({ ...RUNNER_ENV, GITHUB_EVENT_PATH: eventFile(`${name}.json`, payload) })
    expect(context.pullRequest).toBe(expected)
  })

  it('ignores a missing event file', () => {
    expect(readRunContext({ ...RUNNER_ENV, GITHUB_EVENT_PATH: join(dir, 'missing.json') }).pullRequest).toBeUndefined()
  })
})
