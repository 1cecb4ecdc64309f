// Runs a JavaScript action exactly as the GitHub runner does, so end-to-end tests exercise the
// real file protocol instead of mocks of @actions/core:
// - `node <entry>` from action.yml (`runs.main`, `runs.pre`, `runs.post`) with the step's cwd at
//   GITHUB_WORKSPACE and nothing inherited from the host but PATH;
// - INPUT_<NAME> for every input, action.yml defaults applied and `${{ github.* }}` evaluated
//   (the runner does this; core.getInput does not);
// - fresh GITHUB_OUTPUT/ENV/PATH/STATE/STEP_SUMMARY files per step under
//   RUNNER_TEMP/_runner_file_commands, parsed after exit as the runner parses them;
// - a job that carries exported variables, PATH additions, masks and the action's saved state
//   (as STATE_<name>) from one step to the next, the post step included.
// A hard timeout kills a step that hangs and fails with what it printed last.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path'
import { evaluateDefault, inputEnvName, readActionYml, repositoryRoot, type ActionManifest } from './action-manifest.js'
import { parseKeyValueFile, parsePathFile, parseWorkflowCommands, type WorkflowCommand } from './file-commands.js'
import { buildGitHubContext, githubEnvironment, githubExpressionValues, type ContextOptions, type GitHubContext } from './github-context.js'
import { stepLogRecorder } from '../support/step-logs.js'

export { readActionYml, repositoryRoot, inputEnvName } from './action-manifest.js'
export type { ActionManifest, ActionInput, ActionOutput } from './action-manifest.js'
export { runUrl } from './github-context.js'
export type { GitHubContext, EventSpec } from './github-context.js'
export type { WorkflowCommand } from './file-commands.js'

/** Input values as a workflow's `with:` gives them; `undefined` means "not given" (the default applies). */
export type Inputs = Record<string, string | number | boolean | undefined>

/** Environment additions; `undefined` removes a variable. */
export type EnvOverrides = Record<string, string | undefined>

export interface JobOptions extends ContextOptions {
  /** The value of `${{ github.token }}`; default: a fresh `ghs_…` token. */
  githubToken?: string
  /** Sets RUNNER_DEBUG=1, as re-running with debug logging does. */
  debug?: boolean
  /** Variables for every step of the job (a workflow's `env:`), e.g. the AWS endpoint overrides. */
  env?: EnvOverrides
}

export type StreamListener = (text: string, child: ChildProcess, soFar: string) => void | Promise<void>

export interface StepOptions {
  /** The directory holding action.yml (or the action.yml path); default: this repository. */
  action?: string
  /** `main`, `pre`, `post` (from action.yml `runs`), or a script path relative to the action. */
  entry?: 'main' | 'pre' | 'post' | (string & {})
  inputs?: Inputs
  /** The step's `env:`; wins over everything else the harness sets. */
  env?: EnvOverrides
  /** STATE_<name> values; default for pre/post: the state of `mainStep`. */
  state?: Record<string, string>
  /**
   * For a pre or post step: the main step it belongs to (the runner gives a post step the
   * inputs and saved state of its own step). Default: the latest main step of the same action
   * in this job.
   */
  mainStep?: ActionRun
  /** The runner only warns on inputs action.yml does not declare; the harness throws unless allowed. */
  allowUnknownInputs?: boolean
  /**
   * Node options before the script, e.g. ['--import', 'tsx'] to run sources while debugging.
   * The runner passes none: end-to-end tests leave this empty.
   */
  execArgv?: string[]
  /**
   * Arguments after the script. The runner passes none, and no workflow can add one: the action
   * takes them only from a harness, to shorten a bound for a test (src/index.ts).
   */
  args?: string[]
  /** Kill the step and fail after this long; default 30 s. */
  timeoutMs?: number
  onStdout?: StreamListener
  onStderr?: StreamListener
}

export interface RunActionOptions extends StepOptions, JobOptions {
  /** Run as a step of this job; default: a fresh job built from the JobOptions. */
  job?: ActionJob
}

export interface StepFiles {
  output: string
  env: string
  path: string
  state: string
  summary: string
}

/** Everything a finished step left behind, as the runner would see it. */
export interface ActionRun {
  /** Exit code; null when killed by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** GITHUB_OUTPUT (plus legacy `::set-output` commands, which the file overrides). */
  outputs: Record<string, string>
  /** Variables exported through GITHUB_ENV. */
  env: Record<string, string>
  /** Directories added through GITHUB_PATH, in the order written. */
  path: string[]
  /** GITHUB_STATE (plus legacy `::save-state`): what the post step will receive. */
  state: Record<string, string>
  /** GITHUB_STEP_SUMMARY content. */
  summary: string
  durationMs: number
  /** The job directory (home/, temp/, workspace/); removed by job.dispose(). */
  dir: string
  files: StepFiles
  /** Workflow commands found on stdout, in order. */
  commands: WorkflowCommand[]
  /** Values registered with `::add-mask::` in this step. */
  masks: string[]
  /** Messages of `::error::` commands (core.error, core.setFailed). */
  errors: string[]
  /** Messages of `::warning::` commands. */
  warnings: string[]
  /** The inputs as given (the `with:`), before defaults. */
  inputs: Inputs
  /** The INPUT_* variables the step received. */
  inputEnv: Record<string, string>
  /** The directory of the action that ran. */
  actionDir: string
  /** The script that ran. */
  entryPath: string
  context: GitHubContext
  job: ActionJob
}

export interface WaitOptions {
  /** Default: the step's hard timeout. */
  timeoutMs?: number
}

/** A step in progress. */
export interface RunningAction {
  readonly child: ChildProcess
  readonly job: ActionJob
  /** performance.now() just before the process was spawned: where a time-to-prompt starts. */
  readonly startedAt: number
  /** Everything printed so far. */
  readonly stdout: string
  readonly stderr: string
  /** Resolves with the first match of the pattern in stdout (so far or later). */
  waitForStdout(pattern: string | RegExp, options?: WaitOptions): Promise<RegExpMatchArray>
  /** Sends a signal to the action's process (not its group). */
  signal(signal: NodeJS.Signals): void
  /** Cancels as the runner does: SIGINT, SIGTERM after 7.5 s, then kills the process tree after 2.5 s more. */
  cancel(options?: { sigtermAfterMs?: number; killAfterMs?: number }): Promise<ActionRun>
  /** Settles when the step exits; rejects on the hard timeout or a listener's error. */
  readonly result: Promise<ActionRun>
}

export class HarnessTimeoutError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HarnessTimeoutError'
  }
}

const defaultTimeoutMs = 30_000
const runnerSigtermAfterMs = 7_500
const runnerKillAfterMs = 2_500

/** A job on a hosted runner: its directories, context and what steps pass to later steps. */
export class ActionJob {
  readonly dir: string
  readonly home: string
  readonly runnerTemp: string
  readonly toolCache: string
  readonly workspace: string
  readonly eventPath: string
  readonly context: GitHubContext
  readonly payload: Record<string, unknown>
  readonly githubToken: string
  readonly debug: boolean
  readonly env: EnvOverrides
  /** Variables exported through GITHUB_ENV by earlier steps. */
  readonly exportedEnv: Record<string, string> = {}
  /** Every value masked so far in the job (masks outlive the step that registered them). */
  readonly masks: string[] = []
  private readonly prependPath: string[] = []
  private readonly latestMainStep = new Map<string, ActionRun>()
  private stepCount = 0

  constructor(options: JobOptions = {}) {
    const { context, payload } = buildGitHubContext(options)
    this.context = context
    this.payload = payload
    this.githubToken = options.githubToken ?? `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`
    this.debug = options.debug ?? false
    this.env = options.env ?? {}
    this.dir = mkdtempSync(join(tmpdir(), 'aws-sso-device-auth-job-'))
    this.home = join(this.dir, 'home')
    this.runnerTemp = join(this.dir, 'work', '_temp')
    this.toolCache = join(this.dir, 'hostedtoolcache')
    this.workspace = join(this.dir, 'work', context.repository.split('/')[1], context.repository.split('/')[1])
    this.eventPath = join(this.runnerTemp, '_github_workflow', 'event.json')
    for (const directory of [this.home, this.runnerTemp, this.toolCache, this.workspace, dirname(this.eventPath)]) {
      mkdirSync(directory, { recursive: true })
    }
    writeFileSync(this.eventPath, JSON.stringify(this.payload, null, 2))
  }

  /** The PATH entries added by earlier steps, most recent first (as the runner composes PATH). */
  get addedPath(): string[] {
    return [...this.prependPath].reverse()
  }

  /** Starts a step; see RunningAction. */
  start(options: StepOptions = {}): RunningAction {
    return startStep(this, options)
  }

  /** Runs a step to its end. */
  run(options: StepOptions = {}): Promise<ActionRun> {
    return this.start(options).result
  }

  /** Removes the job's directories. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** @internal: the runner's bookkeeping after a step. */
  recordStep(run: ActionRun, isMain: boolean): void {
    Object.assign(this.exportedEnv, run.env)
    for (const entry of run.path) {
      const existing = this.prependPath.indexOf(entry)
      if (existing >= 0) this.prependPath.splice(existing, 1)
      this.prependPath.push(entry)
    }
    this.masks.push(...run.masks)
    if (isMain) this.latestMainStep.set(run.actionDir, run)
  }

  /** @internal */
  mainStepOf(actionDir: string): ActionRun | undefined {
    return this.latestMainStep.get(actionDir)
  }

  /** @internal */
  nextStepNumber(): number {
    return ++this.stepCount
  }
}

/** Creates a job (directories, context, event file). Call dispose() when done. */
export function createJob(options: JobOptions = {}): ActionJob {
  return new ActionJob(options)
}

/** Runs one step of an action to its end; a fresh job unless `job` is given. */
export function runAction(options: RunActionOptions = {}): Promise<ActionRun> {
  return startAction(options).result
}

/** Starts one step of an action; a fresh job unless `job` is given. */
export function startAction(options: RunActionOptions = {}): RunningAction {
  const job = options.job ?? createJob(options)
  return startStep(job, options)
}

function resolveAction(action: string | undefined): { dir: string; manifest: ActionManifest } {
  const manifest = readActionYml(action ?? repositoryRoot)
  return { dir: dirname(manifest.path), manifest }
}

function resolveEntry(actionDir: string, manifest: ActionManifest, entry: StepOptions['entry']): string {
  if (!/^node\d+$/.test(manifest.runs.using)) {
    throw new Error(`${manifest.path}: runs.using is ${manifest.runs.using}; the harness runs JavaScript actions only`)
  }
  const name = entry ?? 'main'
  const script = name === 'main' ? manifest.runs.main : name === 'pre' ? manifest.runs.pre : name === 'post' ? manifest.runs.post : name
  if (!script) throw new Error(`${manifest.path} declares no runs.${name}`)
  const path = isAbsolute(script) ? script : resolve(actionDir, script)
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist${path.includes(`${join('dist', '')}`) ? ': run `npm run bundle` first' : ''}`)
  }
  return path
}

/** INPUT_* for the step: given values, then action.yml defaults with `${{ }}` evaluated. */
function inputEnvironment(job: ActionJob, manifest: ActionManifest, given: Inputs, allowUnknown: boolean): Record<string, string> {
  const env: Record<string, string> = {}
  const declared = new Map(Object.keys(manifest.inputs).map((name) => [name.toLowerCase(), name]))
  const unknown = Object.keys(given).filter((name) => !declared.has(name.toLowerCase()) && given[name] !== undefined)
  if (unknown.length > 0 && !allowUnknown) {
    throw new Error(
      `Unexpected input(s) '${unknown.join("', '")}', valid inputs are ['${Object.keys(manifest.inputs).join("', '")}'] (${manifest.path})`
    )
  }
  const expressionValues = {
    ...githubExpressionValues(job.context, job.githubToken, job.workspace),
    'runner.temp': job.runnerTemp,
    'runner.tool_cache': job.toolCache,
    'runner.os': 'Linux',
    'runner.arch': 'X64',
    'runner.debug': job.debug ? '1' : ''
  }
  const givenByName = new Map(Object.entries(given).map(([name, value]) => [name.toLowerCase(), value]))
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    const value = givenByName.get(name.toLowerCase())
    if (value !== undefined) env[inputEnvName(name)] = String(value)
    else if (spec.default !== undefined) {
      env[inputEnvName(name)] = evaluateDefault(spec.default, expressionValues, `${manifest.path}: inputs.${name}.default`)
    }
  }
  for (const name of unknown) env[inputEnvName(name)] = String(given[name])
  return env
}

function createStepFiles(job: ActionJob): StepFiles {
  const directory = join(job.runnerTemp, '_runner_file_commands')
  mkdirSync(directory, { recursive: true })
  const file = (prefix: string): string => {
    const path = join(directory, `${prefix}_${randomUUID()}`)
    writeFileSync(path, '')
    return path
  }
  return {
    path: file('add_path'),
    env: file('set_env'),
    output: file('set_output'),
    state: file('save_state'),
    summary: file('step_summary')
  }
}

function applyOverrides(env: Record<string, string>, overrides: EnvOverrides): void {
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
}

/** The step's whole environment, built from nothing: the host contributes PATH only. */
function stepEnvironment(
  job: ActionJob,
  actionDir: string,
  files: StepFiles,
  inputEnv: Record<string, string>,
  state: Record<string, string>,
  stepEnv: EnvOverrides
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: [...job.addedPath, process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(delimiter),
    HOME: job.home,
    LANG: 'C.UTF-8',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1000000002',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: job.runnerTemp,
    RUNNER_TOOL_CACHE: job.toolCache,
    RUNNER_WORKSPACE: dirname(job.workspace),
    ...githubEnvironment(job.context),
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_EVENT_PATH: job.eventPath,
    GITHUB_ACTION_PATH: actionDir,
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary
  }
  if (job.debug) env.RUNNER_DEBUG = '1'
  Object.assign(env, job.exportedEnv)
  applyOverrides(env, job.env)
  applyOverrides(env, stepEnv)
  Object.assign(env, inputEnv)
  for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value
  return env
}

/** Masks the registered values and the add-mask lines themselves, so diagnostics never print a secret. */
function redact(text: string, masks: readonly string[]): string {
  let redacted = text.replace(/^(\s*::add-mask::).*$/gm, '$1<redacted>')
  for (const mask of [...masks].sort((a, b) => b.length - a.length)) {
    if (mask.length > 0) redacted = redacted.split(mask).join('***')
  }
  return redacted
}

function tail(text: string, masks: readonly string[], lines = 15): string {
  const kept = redact(text, masks).trimEnd().split('\n').slice(-lines)
  return kept.length === 1 && kept[0] === '' ? '(nothing)' : kept.map((line) => `    ${line}`).join('\n')
}

function masksIn(stdout: string): string[] {
  return parseWorkflowCommands(stdout)
    .filter((command) => command.name === 'add-mask' && command.data.trim() !== '')
    .flatMap((command) => {
      // The runner masks the whole value and each of its lines.
      const lines = command.data.split(/\r?\n/).filter((line) => line.trim() !== '')
      return lines.length > 1 ? [command.data, ...lines] : [command.data]
    })
}

function startStep(job: ActionJob, options: StepOptions): RunningAction {
  const { dir: actionDir, manifest } = resolveAction(options.action)
  const entryName = options.entry ?? 'main'
  const entryPath = resolveEntry(actionDir, manifest, entryName)
  const isMain = entryName === 'main'
  const mainStep = isMain ? undefined : (options.mainStep ?? job.mainStepOf(actionDir))
  const inputs = options.inputs ?? mainStep?.inputs ?? {}
  const inputEnv = inputEnvironment(job, manifest, inputs, options.allowUnknownInputs ?? false)
  const state = options.state ?? mainStep?.state ?? {}
  job.nextStepNumber()
  const files = createStepFiles(job)
  const env = stepEnvironment(job, actionDir, files, inputEnv, state, options.env ?? {})
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  const label = `${entryPath.startsWith(repositoryRoot) ? entryPath.slice(repositoryRoot.length + 1) : entryPath}`

  // A failing test shows this step's log (support/step-logs.ts).
  const recordLog = stepLogRecorder()
  const startedAt = performance.now()
  // Its own process group, so a hung step can be killed with everything it started.
  const child = spawn(process.execPath, [...(options.execArgv ?? []), entryPath, ...(options.args ?? [])], {
    cwd: job.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let stdout = ''
  let stderr = ''
  let exited = false
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      action()
    }, ms)
    timers.add(timer)
  }
  const killTree = (): void => {
    if (exited || child.pid === undefined) return
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }

  let failure: Error | undefined
  const fail = (error: Error): void => {
    failure ??= error
    killTree()
  }

  const waiters = new Set<() => void>()
  const notifyWaiters = (): void => {
    for (const waiter of [...waiters]) waiter()
  }

  const stepMasks = (): string[] => [...job.masks, ...masksIn(stdout)]
  const listen = (listener: StreamListener | undefined, text: string, soFar: string): void => {
    if (!listener) return
    try {
      Promise.resolve(listener(text, child, soFar)).catch((error: unknown) => fail(asError(error)))
    } catch (error) {
      fail(asError(error))
    }
  }
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (text: string) => {
    stdout += text
    listen(options.onStdout, text, stdout)
    notifyWaiters()
  })
  child.stderr.on('data', (text: string) => {
    stderr += text
    listen(options.onStderr, text, stderr)
  })

  later(timeoutMs, () =>
    fail(
      new HarnessTimeoutError(
        `${label} did not exit within ${timeoutMs} ms; the harness killed it.\n` +
          `  last stdout:\n${tail(stdout, stepMasks())}\n  last stderr:\n${tail(stderr, stepMasks())}`
      )
    )
  )

  const result = new Promise<ActionRun>((resolvePromise, reject) => {
    child.on('error', (error) => fail(error))
    child.on('close', (code, signal) => {
      exited = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      notifyWaiters()
      recordLog({ label, code, signal, stdout: redact(stdout, stepMasks()), stderr: redact(stderr, stepMasks()) })
      if (failure) return reject(failure)
      try {
        const commands = parseWorkflowCommands(stdout)
        const legacy = (name: string): Record<string, string> =>
          Object.fromEntries(commands.filter((c) => c.name === name && c.properties.name).map((c) => [c.properties.name, c.data]))
        const run: ActionRun = {
          code,
          signal,
          stdout,
          stderr,
          outputs: { ...legacy('set-output'), ...parseKeyValueFile(readFileSync(files.output, 'utf8'), 'GITHUB_OUTPUT') },
          env: parseKeyValueFile(readFileSync(files.env, 'utf8'), 'GITHUB_ENV'),
          path: parsePathFile(readFileSync(files.path, 'utf8')),
          state: { ...legacy('save-state'), ...parseKeyValueFile(readFileSync(files.state, 'utf8'), 'GITHUB_STATE') },
          summary: readFileSync(files.summary, 'utf8'),
          durationMs: performance.now() - startedAt,
          dir: job.dir,
          files,
          commands,
          masks: masksIn(stdout),
          errors: commands.filter((c) => c.name === 'error').map((c) => c.data),
          warnings: commands.filter((c) => c.name === 'warning').map((c) => c.data),
          inputs,
          inputEnv,
          actionDir,
          entryPath,
          context: job.context,
          job
        }
        job.recordStep(run, isMain)
        resolvePromise(run)
      } catch (error) {
        reject(asError(error))
      }
    })
  })
  // Callers often await a waitForStdout and only then the result: keep an early rejection from
  // being reported as unhandled while still delivering it to whoever awaits `result`.
  result.catch(() => undefined)

  const running: RunningAction = {
    child,
    job,
    startedAt,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    waitForStdout(pattern, waitOptions = {}) {
      const regex =
        typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern)) : new RegExp(pattern.source, pattern.flags.replace('g', ''))
      const waitMs = waitOptions.timeoutMs ?? timeoutMs
      return new Promise<RegExpMatchArray>((resolveWait, rejectWait) => {
        let timer: NodeJS.Timeout | undefined
        const settle = (outcome: () => void): void => {
          waiters.delete(check)
          if (timer) clearTimeout(timer)
          outcome()
        }
        const check = (): void => {
          const match = regex.exec(stdout)
          if (match) return settle(() => resolveWait(match))
          if (exited) {
            settle(() =>
              rejectWait(
                new Error(
                  `${label} exited (code ${child.exitCode}, signal ${child.signalCode}) before stdout matched ${regex}.\n` +
                    `  last stdout:\n${tail(stdout, stepMasks())}\n  last stderr:\n${tail(stderr, stepMasks())}`
                )
              )
            )
          }
        }
        timer = setTimeout(
          () =>
            settle(() =>
              rejectWait(
                new HarnessTimeoutError(
                  `${label}: stdout did not match ${regex} within ${waitMs} ms.\n  last stdout:\n${tail(stdout, stepMasks())}`
                )
              )
            ),
          waitMs
        )
        waiters.add(check)
        check()
      })
    },
    signal(signal) {
      if (!exited) child.kill(signal)
    },
    cancel(cancelOptions = {}) {
      if (!exited) {
        child.kill('SIGINT')
        later(cancelOptions.sigtermAfterMs ?? runnerSigtermAfterMs, () => {
          if (!exited) child.kill('SIGTERM')
          later(cancelOptions.killAfterMs ?? runnerKillAfterMs, killTree)
        })
      }
      return result
    },
    result
  }
  return running
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
