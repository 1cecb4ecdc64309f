// The emulator as scripts and CI run it: `npx tsx emulator/cli.ts`, one JSON line on stdout,
// the request log on stderr, a clean exit on SIGTERM/SIGINT, exit 2 on a bad flag.
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { USAGE } from '../../emulator/cli-options.js'
import { DEFAULT_DIRECTORY, EMULATOR_DEFAULTS } from '../../emulator/server.js'
import { FAULT_KINDS } from '../../emulator/faults.js'
import { tempDir } from '../support/temp.js'
import { createToken, registerAndStart } from './requests.js'

const ROOT = new URL('../../', import.meta.url).pathname

interface Running {
  child: ChildProcessWithoutNullStreams
  line: Record<string, unknown>
  /** Signals the emulator itself (the pid from its JSON line): npx and tsx pass its exit code up. */
  signal: (signal: NodeJS.Signals) => void
  stderr: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function run(args: string[]): { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exit: Running['exit'] } {
  const child = spawn('npx', ['tsx', 'emulator/cli.ts', ...args], { cwd: ROOT, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal }))
  )
  return { child, stdout: () => stdout, stderr: () => stderr, exit }
}

/**
 * Emulator pids still running, stopped after the tests even when one fails midway. (The tests run
 * concurrently, each an emulator of its own on port 0; jest runs no afterEach for those.)
 */
const live = new Set<number>()
afterAll(() => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  live.clear()
})

async function launch(args: string[]): Promise<Running> {
  const running = run(args)
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: running.child.stdout })
    lines.once('line', resolve)
    void running.exit.then(({ code }) => reject(new Error(`emulator exited with ${code} before listening: ${running.stderr()}`)))
  })
  const line = JSON.parse(firstLine) as Record<string, unknown>
  const pid = line.pid as number
  live.add(pid)
  void running.exit.then(() => live.delete(pid))
  return { child: running.child, line, signal: (signal) => process.kill(pid, signal), stderr: running.stderr, exit: running.exit }
}

// Each test starts an emulator through npx and tsx (a second or two of start-up, mostly waiting),
// so they run side by side.
describe('emulator CLI', () => {
  it.concurrent('prints one JSON line once listening, serves, logs to stderr without secrets, and exits 0 on SIGTERM', async () => {
    const emulator = await launch(['--port', '0', '--interval', '0.2', '--approve-after', '0'])
    const endpoint = emulator.line.endpoint as string
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(emulator.line).toEqual({ endpoint, verificationUri: `${endpoint}/device`, pid: expect.any(Number) })

    const started = await registerAndStart(endpoint)
    await new Promise((resolve) => setTimeout(resolve, 250))
    const token = await createToken(endpoint, started)
    expect(token.status).toBe(200)

    emulator.signal('SIGTERM')
    const { code } = await emulator.exit
    expect(code).toBe(0)
    const log = emulator.stderr()
    expect(log).toMatch(/POST \/token CreateToken 200 \d+ms/)
    for (const secret of [started.clientSecret, started.deviceCode, token.json.accessToken as string, token.json.refreshToken as string]) {
      expect(log).not.toContain(secret)
    }
  })

  it.concurrent('exits 0 on SIGINT too', async () => {
    const emulator = await launch(['--port', '0'])
    emulator.signal('SIGINT')
    expect((await emulator.exit).code).toBe(0)
  })

  it.concurrent('applies --expires-in and --token-ttl and serves a --directory file', async () => {
    const dir = tempDir('emulator-cli')
    const file = join(dir, 'directory.json')
    writeFileSync(
      file,
      JSON.stringify([{ accountId: '222222222222', accountName: 'Prod', emailAddress: 'prod@example.com', roles: ['Admin'] }])
    )
    const emulator = await launch(['--port', '0', '--expires-in', '30', '--token-ttl', '120', '--directory', file, '--approve-after', '0'])
    const endpoint = emulator.line.endpoint as string
    const started = await registerAndStart(endpoint)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const token = await createToken(endpoint, started)
    expect(token.json.expiresIn).toBe(120)
    const accounts = await fetch(`${endpoint}/assignment/accounts`, {
      headers: { 'x-amz-sso_bearer_token': token.json.accessToken as string }
    })
    expect(await accounts.json()).toEqual({
      accountList: [{ accountId: '222222222222', accountName: 'Prod', emailAddress: 'prod@example.com' }]
    })
    emulator.signal('SIGTERM')
    expect((await emulator.exit).code).toBe(0)
  })

  it.concurrent('arms --fault in every form: short, inline JSON and a JSON file', async () => {
    const dir = tempDir('emulator-cli')
    const file = join(dir, 'faults.json')
    writeFileSync(
      file,
      JSON.stringify([{ operation: 'RegisterClient', kind: 'status', status: 400, errorType: 'InvalidRequestException' }])
    )
    const emulator = await launch([
      '--port',
      '0',
      '--fault',
      'RegisterClient:status:503:ServiceUnavailableException:2',
      '--fault',
      '{"operation":"RegisterClient","kind":"status","status":429,"retryAfter":1}',
      '--fault',
      file
    ])
    const endpoint = emulator.line.endpoint as string
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${endpoint}/client/register`, {
        method: 'POST',
        body: JSON.stringify({ clientName: 'x', clientType: 'public' })
      })
      statuses.push(response.status)
    }
    expect(statuses).toEqual([503, 503, 429, 400, 200])
    const state = (await (await fetch(`${endpoint}/__emulator/state`)).json()) as { counts: Record<string, number> }
    expect(state.counts.RegisterClient).toBe(5)
    emulator.signal('SIGTERM')
    expect((await emulator.exit).code).toBe(0)
    expect(emulator.stderr()).toMatch(/POST \/client\/register RegisterClient 503 ServiceUnavailableException fault=status \d+ms/)
  })

  it.concurrent.each([
    [['--port', 'eighty'], /^emulator: --port must be 0-65535, got "eighty"\n$/],
    [['--interval', 'soon'], /^emulator: --interval must be a positive number of seconds, e\.g\. 5 or 0\.5, got "soon"\n$/],
    [['--approve-after=-1'], /^emulator: --approve-after must be a non-negative number of seconds, e\.g\. 5 or 0\.5, got "-1"\n$/],
    [['--expires-in', '0'], /^emulator: --expires-in must be a positive number/],
    [
      ['--fault', 'CreateToken:explode'],
      /^emulator: --fault: fault\.kind must be one of .*; e\.g\. --fault 'CreateToken:status:500:InternalServerException:2'\n$/
    ],
    [['--fault', '{"operation":'], /^emulator: --fault: inline fault is not valid JSON/],
    [['--directory', '/nonexistent/directory.json'], /^emulator: --directory: cannot read \/nonexistent\/directory\.json: ENOENT\n$/]
  ])('rejects %j with one line and exit 2', async (args, message) => {
    const running = run(args)
    const { code } = await running.exit
    expect(code).toBe(2)
    expect(running.stderr()).toMatch(message)
    expect(running.stderr().trim().split('\n')).toHaveLength(1)
    expect(running.stdout()).toBe('')
  })

  it.concurrent.each([[['--bogus']], [['--bogus', '--port', '0']], [['stray']]])(
    'rejects %j: one line naming it, then the usage, exit 2 without listening',
    async (args) => {
      const running = run(args)
      expect((await running.exit).code).toBe(2)
      const [first, blank, ...usage] = running.stderr().split('\n')
      expect(first).toMatch(/^emulator: (Unknown option '--bogus'|Unexpected argument 'stray')/)
      expect(blank).toBe('')
      expect(usage.join('\n')).toBe(`${USAGE}\n`)
      expect(running.stdout()).toBe('')
    }
  )

  it.concurrent.each([['--help'], ['-h']])('%s prints the usage on stdout and exits 0 without listening', async (flag) => {
    const running = run([flag])
    expect((await running.exit).code).toBe(0)
    expect(running.stdout()).toBe(`${USAGE}\n`)
    expect(running.stderr()).toBe('')
  })

  it.concurrent('rejects a malformed directory file, naming the entry', async () => {
    const dir = tempDir('emulator-cli')
    const file = join(dir, 'directory.json')
    writeFileSync(file, JSON.stringify([{ accountId: '12', accountName: 'x', emailAddress: 'x@example.com', roles: [] }]))
    const running = run(['--directory', file])
    expect((await running.exit).code).toBe(2)
    expect(running.stderr()).toContain(`${file}[0].accountId: expected 12 digits`)
  })
})

// What `--help` must tell someone who never read the source: every flag with its meaning and
// default, the directory file's format and what it holds by default, every fault kind.
describe('emulator usage', () => {
  const lines = USAGE.split('\n')
  const flags = [
    'host',
    'port',
    'interval',
    'expires-in',
    'token-ttl',
    'registration-ttl',
    'approve-after',
    'directory',
    'verification-form',
    'fault'
  ]

  it.each(flags)('lists --%s with its meaning and, on the next line, its default', (flag) => {
    const at = lines.findIndex((line) => new RegExp(`^  --${flag} \\S+ +\\S`).test(line))
    expect(at).toBeGreaterThan(0)
    expect(lines[at + 1]).toMatch(/^ +default: \S/)
  })

  it('lists exactly the flags the parser takes, in order', () => {
    const listed = lines.flatMap((line) => /^ {2}(?:-\w, )?--([a-z-]+)/.exec(line)?.[1] ?? [])
    expect(listed).toEqual([...flags, 'help'])
  })

  it('states the defaults the emulator uses', () => {
    expect(USAGE).toContain(`default: ${EMULATOR_DEFAULTS.interval}\n`)
    expect(USAGE).toContain(`default: ${EMULATOR_DEFAULTS.expiresIn} `)
    expect(USAGE).toContain(`default: ${EMULATOR_DEFAULTS.tokenTtl}\n`)
    expect(USAGE).toContain(`default: ${EMULATOR_DEFAULTS.registrationTtl} `)
  })

  it('gives the directory format and every default account with its roles', () => {
    expect(USAGE).toContain('"accountId"')
    expect(USAGE).toContain('"roles"')
    for (const account of DEFAULT_DIRECTORY)
      expect(USAGE).toContain(`${account.accountId} (${account.accountName}, ${account.emailAddress}): ${account.roles.join(', ')}`)
  })

  it.each([...FAULT_KINDS])('explains the fault kind %s', (kind) => {
    expect(lines.some((line) => new RegExp(`^  ${kind} +\\S`).test(line))).toBe(true)
  })

  it('fits a terminal: no line over 100 characters', () => {
    expect(lines.filter((line) => line.length > 100)).toEqual([])
  })
})
