// Shared by the cache tests: a runner-like sandbox (HOME with the workspace three levels below it,
// as on hosted runners, and RUNNER_TEMP), a restore or save run in a process of its own (the
// driver) or in the test's own (in-process.ts), the log it printed read back as the runner reads
// it, and the archive of an entry opened for scanning.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { repositoryRoot } from '../harness/action-manifest.js'
import { parseWorkflowCommands, type WorkflowCommand } from '../harness/file-commands.js'
import { stepLogRecorder } from '../support/step-logs.js'
import { removeTempDir, tempDir } from '../support/temp.js'
import type { RegistrationCacheOptions } from '../../src/registration/cache.js'
import type { DriverRequest, DriverResult } from './operation.js'

/**
 * The runner's variables that @actions/cache and the action read, at call time: the service, the
 * cache mode, the workspace and temp directory, and the proxies (set by the fake for Azure's blob
 * host; cleared otherwise, so no proxy of the host's takes part).
 */
export const RUNNER_CACHE_VARIABLES = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_MODE',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  ...['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'].flatMap((name) => [name, name.toLowerCase()])
]

/** Clears `names` in process.env, then sets what `sources` give (later ones win). */
export function setEnv(names: readonly string[], ...sources: Array<Record<string, string>>): void {
  for (const name of names) delete process.env[name]
  for (const source of sources) Object.assign(process.env, source)
}

/** What puts `names` back in process.env as they are now. */
export function snapshotEnv(names: readonly string[]): () => void {
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]))
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

export interface Sandbox {
  root: string
  home: string
  workspace: string
  temp: string
  /** HOME, GITHUB_WORKSPACE and RUNNER_TEMP for this sandbox. */
  env: Record<string, string>
  dispose(): void
}

/** A runner-like layout: $HOME/work/<repo>/<repo> is the workspace, as on GitHub-hosted Linux runners. */
export function createSandbox(workspaceBelowHome: string[] = ['work', 'repo', 'repo']): Sandbox {
  const root = tempDir('registration-cache')
  const home = join(root, 'home')
  const workspace = join(home, ...workspaceBelowHome)
  const temp = join(root, 'temp')
  mkdirSync(workspace, { recursive: true })
  mkdirSync(temp, { recursive: true })
  return {
    root,
    home,
    workspace,
    temp,
    env: { HOME: home, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp },
    dispose: () => removeTempDir(root)
  }
}

export interface DriverRun {
  code: number | null
  stdout: string
  stderr: string
  commands: WorkflowCommand[]
  warnings: string[]
  errors: string[]
  debug: string[]
  /** Plain log lines (not workflow commands), without the RESULT line. */
  info: string[]
  masks: string[]
  result?: DriverResult
  /** Wall time of the whole run (a child process: start-up included). */
  wallMs: number
}

const driverPath = join(repositoryRoot, '__tests__', 'cache', 'driver.ts')
const tsxLoader = pathToFileURL(join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href

/**
 * Runs the driver as the runner runs a node action: nothing from the host but PATH (tar and zstd
 * live there), the given variables, cwd at the workspace. A child that outlives `killAfterMs` is killed.
 */
export function runDriver(request: DriverRequest, env: Record<string, string>, cwd: string, killAfterMs = 60_000): Promise<DriverRun> {
  const started = performance.now()
  const recordLog = stepLogRecorder()
  const child = spawn(process.execPath, ['--import', tsxLoader, driverPath, JSON.stringify(request)], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      const run = readCacheLog({ code, stdout, stderr, wallMs: performance.now() - started })
      recordLog({
        label: `cache driver: ${request.op}`,
        code,
        signal,
        stdout: redact(stdout, run.masks),
        stderr: redact(stderr, run.masks)
      })
      resolve(run)
    })
  })
}

/** A restore's or save's log read as the runner reads it; the result from its `RESULT` line, or given. */
export function readCacheLog(log: {
  code: number | null
  stdout: string
  stderr: string
  wallMs: number
  result?: DriverResult
}): DriverRun {
  const { stdout } = log
  const commands = parseWorkflowCommands(stdout)
  const resultLine = stdout.split('\n').find((line) => line.startsWith('RESULT '))
  const of = (name: string): string[] => commands.filter((command) => command.name === name).map((command) => command.data)
  return {
    code: log.code,
    stdout,
    stderr: log.stderr,
    commands,
    warnings: of('warning'),
    errors: of('error'),
    debug: of('debug'),
    masks: of('add-mask'),
    info: stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('::') && !line.startsWith('RESULT ')),
    result: log.result ?? (resultLine ? (JSON.parse(resultLine.slice('RESULT '.length)) as DriverResult) : undefined),
    wallMs: Math.round(log.wallMs)
  }
}

function redact(text: string, masks: readonly string[]): string {
  let redacted = text
  for (const mask of [...masks].sort((a, b) => b.length - a.length)) if (mask !== '') redacted = redacted.split(mask).join('***')
  return redacted
}

/** The tar inside an entry's archive (zstd when the zstd binary was found, gzip otherwise). */
export function openArchive(archive: Buffer): Buffer {
  const zstdMagic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])
  if (archive.subarray(0, 4).equals(zstdMagic)) return zstdDecompressSync(archive)
  if (archive[0] === 0x1f && archive[1] === 0x8b) return gunzipSync(archive)
  throw new Error('The archive is neither zstd nor gzip')
}

const ENTRY_START = '{"format"'

/** The stored document inside an entry's archive (the tar pads the file with NULs). */
export function entryDocument(archive: Buffer): string {
  const tar = openArchive(archive).toString('latin1')
  const at = tar.indexOf(ENTRY_START)
  if (at < 0) throw new Error('The archive holds no registration entry')
  return tar.slice(at, tar.indexOf('\0', at))
}

/**
 * Breaks the JSON inside an entry's archive while keeping the tar valid (tar does not checksum
 * contents), compressed as before (zstd: the zstd binary is on PATH here).
 */
export function corruptEntry(entry: { archive: Buffer }): void {
  const zstdMagic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])
  if (!entry.archive.subarray(0, 4).equals(zstdMagic)) throw new Error('expected a zstd archive (is zstd installed?)')
  const tar = openArchive(entry.archive)
  tar.write('#', tar.indexOf(ENTRY_START), 'latin1')
  entry.archive = zstdCompressSync(tar)
}

export function cacheOptions(overrides: Partial<RegistrationCacheOptions> = {}): RegistrationCacheOptions {
  return {
    startUrl: 'https://d-1234567890.awsapps.com/start',
    region: 'eu-west-1',
    scopes: ['sso:account:access'],
    clientName: 'GitHub Actions octo-org/octo-repo',
    ...overrides
  }
}

/**
 * Every file, directory and link under `root`, with its type, mode and content digest (a link:
 * its target), by path: two snapshots are equal only if nothing under `root` was created,
 * removed, replaced or changed.
 */
export function snapshotTree(root: string): Record<string, string> {
  const snapshot: Record<string, string> = {}
  const visit = (path: string): void => {
    const stat = lstatSync(path)
    const name = relative(root, path) || '.'
    const mode = (stat.mode & 0o7777).toString(8)
    if (stat.isSymbolicLink()) snapshot[name] = `link ${readlinkSync(path)}`
    else if (stat.isDirectory()) {
      snapshot[name] = `dir ${mode}`
      for (const child of readdirSync(path)) visit(join(path, child))
    } else if (stat.isFile()) snapshot[name] = `file ${mode} ${stat.nlink} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`
    else snapshot[name] = `other ${mode}`
  }
  visit(root)
  return snapshot
}
