// The harness's own tests, against a probe action that uses the real @actions/core: if these
// pass, an end-to-end test sees what the GitHub runner would see.
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createJob,
  HarnessTimeoutError,
  readActionYml,
  repositoryRoot,
  runAction,
  startAction,
  type ActionJob,
  type ActionRun
} from './runner.js'

const probe = join(repositoryRoot, '__tests__', 'fixtures', 'probe-action')
const jobs: ActionJob[] = []
const job = (options: Parameters<typeof createJob>[0] = {}): ActionJob => {
  const created = createJob(options)
  jobs.push(created)
  return created
}
afterAll(() => jobs.forEach((j) => j.dispose()))

const environmentOf = (run: ActionRun): Record<string, string> => JSON.parse(run.outputs.environment) as Record<string, string>

/** Running, as opposed to gone or a zombie waiting for a reaper (an orphan here may never be reaped). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : ''
  return stat === '' || !/^\d+ \(.*\) Z/.test(stat)
}

describe('readActionYml', () => {
  it('keeps every scalar as the exact text the runner sees', () => {
    const manifest = readActionYml(probe)
    expect(manifest.inputs.retries.default).toBe('1e3')
    expect(manifest.inputs.token.default).toBe('${{ github.token }}')
    expect(manifest.inputs.note.default).toBeUndefined()
    expect(manifest.runs).toMatchObject({ using: 'node24', main: 'main.mjs', post: 'post.mjs' })
    expect(Object.keys(manifest.outputs)).toContain('secret-output')
  })
})

describe('inputs', () => {
  it('applies action.yml defaults the test leaves out and evaluates ${{ github.token }}', async () => {
    const j = job({ githubToken: 'ghs_harnessTokenForTheDefaultsTest0001' })
    const run = await runAction({ action: probe, job: j, inputs: { greeting: 'hi' } })
    expect(run.code).toBe(0)
    expect(run.inputEnv).toEqual({
      INPUT_GREETING: 'hi',
      INPUT_TOKEN: 'ghs_harnessTokenForTheDefaultsTest0001',
      INPUT_RETRIES: '1e3',
      INPUT_LEAK: '',
      INPUT_MODE: 'normal',
      'INPUT_IGNORE-SIGINT': 'false'
    })
    const env = environmentOf(run)
    expect(env['INPUT_IGNORE-SIGINT']).toBe('false')
    expect(env.INPUT_NOTE).toBeUndefined()
    expect(run.outputs.greeting).toBe('hi')
  })

  it('passes an explicitly empty input as empty, not as the default', async () => {
    const run = await runAction({ action: probe, inputs: { greeting: '' } })
    jobs.push(run.job)
    expect(run.outputs.greeting).toBe('')
    expect(run.inputEnv.INPUT_GREETING).toBe('')
  })

  it('refuses inputs action.yml does not declare, unless allowed', async () => {
    expect(() => startAction({ action: probe, job: job(), inputs: { greting: 'typo' } })).toThrow(/Unexpected input\(s\) 'greting'/)
    const run = await runAction({ action: probe, job: job(), inputs: { greting: 'typo' }, allowUnknownInputs: true })
    expect(environmentOf(run).INPUT_GRETING).toBe('typo')
  })

  it('fails clearly when the entry script is missing', () => {
    expect(() => startAction({ action: probe, job: job(), entry: 'missing.mjs' })).toThrow(/missing\.mjs does not exist/)
  })
})

describe('environment', () => {
  const planted = {
    GITHUB_TOKEN: 'host-token',
    GITHUB_SERVER_URL: 'http://127.0.0.1:1',
    AWS_ACCESS_KEY_ID: 'AKIAHOSTKEY',
    AWS_ENDPOINT_URL_SSO_OIDC: 'http://127.0.0.1:2',
    INPUT_GREETING: 'from the host',
    RUNNER_DEBUG: '1',
    ACTIONS_RUNTIME_TOKEN: 'host-runtime',
    STATE_phase: 'host-state',
    HTTPS_PROXY: 'http://127.0.0.1:3'
  }
  beforeEach(() => {
    Object.assign(process.env, planted)
  })
  afterEach(() => Object.keys(planted).forEach((name) => delete process.env[name]))

  it('inherits nothing from the host but PATH, with its own HOME and a github.com context', async () => {
    const j = job()
    const run = await runAction({ action: probe, job: j })
    const env = environmentOf(run)
    for (const name of Object.keys(planted).filter((n) => n !== 'INPUT_GREETING' && n !== 'GITHUB_SERVER_URL')) {
      expect(env[name]).toBeUndefined()
    }
    expect(env.INPUT_GREETING).toBe('hello from the defaults')
    expect(env.PATH.endsWith(process.env.PATH ?? '')).toBe(true)
    expect(env.HOME).toBe(j.home)
    expect(env.HOME).not.toBe(process.env.HOME)
    expect(env.NODE_OPTIONS).toBeUndefined()
    expect(env).toMatchObject({
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_REPOSITORY: j.context.repository,
      GITHUB_RUN_ID: j.context.runId,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_WORKSPACE: j.workspace,
      RUNNER_TEMP: j.runnerTemp
    })
    expect(env.GITHUB_SHA).toMatch(/^[0-9a-f]{40}$/)
    expect(env.GITHUB_RUN_ID).toMatch(/^\d{11}$/)
    expect(env.GITHUB_OUTPUT.startsWith(join(j.runnerTemp, '_runner_file_commands', 'set_output_'))).toBe(true)
    expect(run.outputs.cwd).toBe(j.workspace)
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { after: string; repository: { full_name: string } }
    expect(event.after).toBe(j.context.sha)
    expect(event.repository.full_name).toBe(j.context.repository)
  })

  it('lets a job point GITHUB_API_URL at a fake, sets RUNNER_DEBUG on request, and lets step env win', async () => {
    const j = job({ context: { apiUrl: 'http://127.0.0.1:9/api' }, debug: true, env: { AWS_REGION: 'eu-west-1', SHARED: 'job' } })
    const run = await runAction({ action: probe, job: j, env: { SHARED: 'step', AWS_REGION: undefined } })
    const env = environmentOf(run)
    expect(env).toMatchObject({
      GITHUB_API_URL: 'http://127.0.0.1:9/api',
      GITHUB_SERVER_URL: 'https://github.com',
      RUNNER_DEBUG: '1',
      SHARED: 'step'
    })
    expect(env.AWS_REGION).toBeUndefined()
  })

  it('writes a pull_request payload from a fork when asked', async () => {
    const j = job({ event: { name: 'pull_request', number: 42, fork: true, author: 'outsider' } })
    const run = await runAction({ action: probe, job: j })
    const env = environmentOf(run)
    expect(env).toMatchObject({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_HEAD_REF: 'feature/rotate-keys',
      GITHUB_BASE_REF: 'main'
    })
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      number: number
      pull_request: { head: { repo: { full_name: string; fork: boolean } }; base: { repo: { full_name: string } }; user: { login: string } }
    }
    expect(event.number).toBe(42)
    expect(event.pull_request.head.repo).toMatchObject({ full_name: 'outsider/deploy-service', fork: true })
    expect(event.pull_request.base.repo.full_name).toBe(j.context.repository)
    expect(event.pull_request.user.login).toBe('outsider')
    expect(j.context.pullRequest).toBe(42)
  })
})

describe('file commands and the post step', () => {
  it('parses outputs, env, path, state, summary, masks and annotations as the runner does', async () => {
    const secret = 'probe-Secret/Value+With=Signs_0123'
    const run = await runAction({ action: probe, job: job(), inputs: { secret } })
    expect(run.code).toBe(0)
    expect(run.signal).toBeNull()
    expect(run.outputs).toMatchObject({ greeting: 'hello from the defaults', multiline: 'line one\nline two', 'secret-output': secret })
    expect(run.env).toEqual({ PROBE_EXPORTED: 'exported by main' })
    expect(run.path).toEqual([join(run.job.runnerTemp, 'probe-bin')])
    expect(run.state).toEqual({ phase: 'main-done', notes: 'first\nsecond' })
    expect(run.summary).toContain('<h1>Probe</h1>')
    expect(run.summary).toContain('greeting: hello from the defaults')
    expect(run.masks).toEqual([secret])
    expect(run.warnings).toEqual(['a probe warning'])
    expect(run.errors).toEqual([])
    expect(run.durationMs).toBeGreaterThan(0)
    expect(existsSync(run.files.output)).toBe(true)
  })

  it('hands the post step its state, the same inputs, exported variables and PATH additions', async () => {
    const j = job()
    const main = await j.run({ action: probe, inputs: { greeting: 'kept for post' } })
    const post = await j.run({ action: probe, entry: 'post' })
    expect(post.code).toBe(0)
    expect(post.outputs).toEqual({
      'state-phase': 'main-done',
      'state-notes': 'first\nsecond',
      'exported-seen': 'exported by main',
      'path-first': join(j.runnerTemp, 'probe-bin'),
      greeting: 'kept for post'
    })
    expect(post.files.state).not.toBe(main.files.state)
    expect(j.exportedEnv).toEqual({ PROBE_EXPORTED: 'exported by main' })
  })

  it('runs a post step with explicit state and no main step', async () => {
    const post = await runAction({ action: probe, job: job(), entry: 'post', state: { phase: 'given' } })
    expect(post.outputs['state-phase']).toBe('given')
    expect(post.outputs['exported-seen']).toBe('')
  })

  it('reports a failed step with its exit code and error annotation', async () => {
    const run = await runAction({ action: probe, job: job(), inputs: { mode: 'fail' } })
    expect(run.code).toBe(1)
    expect(run.errors).toEqual(['probe failed on purpose'])
  })
})

describe('streaming, signals and timeouts', () => {
  it('waits for a pattern on stdout, then cancels with SIGINT like the runner', async () => {
    const step = startAction({ action: probe, job: job(), inputs: { mode: 'wait-for-signal' } })
    await step.waitForStdout('waiting for a signal')
    const run = await step.cancel()
    expect(run.code).toBe(1)
    expect(run.outputs['stopped-by']).toBe('SIGINT')
    expect(run.errors).toEqual(['probe stopped by SIGINT'])
  })

  it('escalates to SIGTERM when SIGINT is ignored', async () => {
    const step = startAction({ action: probe, job: job(), inputs: { mode: 'wait-for-signal', 'ignore-sigint': true } })
    await step.waitForStdout(/waiting for a (\w+)/)
    const run = await step.cancel({ sigtermAfterMs: 200 })
    expect(run.stdout).toContain('ignoring SIGINT')
    expect(run.outputs['stopped-by']).toBe('SIGTERM')
  })

  it('lets a stdout listener act on the child as text streams in', async () => {
    const seen: string[] = []
    const run = await runAction({
      action: probe,
      job: job(),
      inputs: { mode: 'wait-for-signal' },
      onStdout: (text, child, soFar) => {
        seen.push(text)
        if (soFar.includes('waiting for a signal') && child.exitCode === null) child.kill('SIGINT')
      }
    })
    expect(seen.join('')).toBe(run.stdout)
    expect(run.outputs['stopped-by']).toBe('SIGINT')
  })

  it('fails the run when a listener throws, and kills the step', async () => {
    const step = startAction({
      action: probe,
      job: job(),
      inputs: { mode: 'wait-for-signal' },
      onStdout: (_text, _child, soFar) => {
        if (soFar.includes('waiting for a signal')) throw new Error('approval failed')
      }
    })
    await expect(step.result).rejects.toThrow('approval failed')
  })

  it('rejects a wait when the step exits without printing the pattern', async () => {
    const step = startAction({ action: probe, job: job() })
    await expect(step.waitForStdout('never printed')).rejects.toThrow(
      /exited \(code 0, signal null\) before stdout matched \/never printed\//
    )
    expect((await step.result).code).toBe(0)
  })

  it('kills a hung step and its children at the hard timeout and says so', async () => {
    const secret = 'hung-step-secret-value'
    const step = startAction({ action: probe, job: job(), inputs: { mode: 'hang', secret }, timeoutMs: 1500 })
    const [, pid] = await step.waitForStdout(/grandchild (\d+)/)
    const started = Date.now()
    const failure = await step.result.then(
      () => new Error('expected a timeout'),
      (error: unknown) => error as Error
    )
    expect(failure).toBeInstanceOf(HarnessTimeoutError)
    expect(failure.message).toMatch(/main\.mjs did not exit within 1500 ms; the harness killed it/)
    expect(failure.message).toContain('grandchild')
    expect(failure.message).not.toContain(secret)
    expect(Date.now() - started).toBeLessThan(5000)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(isAlive(Number(pid))).toBe(false)
  })
})
