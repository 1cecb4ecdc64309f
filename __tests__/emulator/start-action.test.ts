// The start-emulator composite action (.github/actions/start-emulator) as another repository's
// workflow runs it: its start.sh with the runner's variables, from a working directory that holds
// none of this repository's files, finding the emulator through GITHUB_ACTION_PATH alone. Then the
// bundled action runs against it with what the step exported, as the README's offline example does.
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseKeyValueFile } from '../harness/file-commands.js'
import { actionEntry, requiredInputs } from '../harness/sso-backend.js'
import { createJob, repositoryRoot } from '../harness/runner.js'
import { afterThisTest } from '../support/after-test.js'
import { tempDir } from '../support/temp.js'
import { registerAndStart } from './requests.js'

const ACTION_DIR = join(repositoryRoot, '.github', 'actions', 'start-emulator')

interface Started {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  env: Record<string, string>
}

/** Runs start.sh as the composite step does, with the inputs as its env block passes them. */
async function startEmulatorStep(inputs: { args?: string; port?: string; exportEnv?: string }, actionDir = ACTION_DIR): Promise<Started> {
  const dir = tempDir('start-emulator')
  const caller = join(dir, 'caller-checkout')
  mkdirSync(caller)
  const outputFile = join(dir, 'output')
  const envFile = join(dir, 'env')
  writeFileSync(outputFile, '')
  writeFileSync(envFile, '')
  const child = spawn('bash', [join(actionDir, 'start.sh')], {
    cwd: caller,
    env: {
      // Node 24 (this test's) first, as actions/setup-node would put it.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: dir,
      GITHUB_ACTION_PATH: actionDir,
      RUNNER_TEMP: join(dir, 'temp'),
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: envFile,
      EMULATOR_ARGS: inputs.args ?? '',
      EMULATOR_PORT: inputs.port ?? '0',
      EMULATOR_EXPORT_ENV: inputs.exportEnv ?? 'true'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // 'close', not 'exit': the output may still be in the pipes when the process exits.
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const outputs = parseKeyValueFile(readFileSync(outputFile, 'utf8'))
  if (outputs.pid) {
    const pid = Number(outputs.pid)
    afterThisTest(() => {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // Already gone.
      }
    })
  }
  return { code, stdout, stderr, outputs, env: parseKeyValueFile(readFileSync(envFile, 'utf8')) }
}

describe('the start-emulator action', () => {
  it.concurrent('starts the emulator from its own directory, outputs its URLs and exports the endpoints', async () => {
    const step = await startEmulatorStep({ args: '--interval 0.5' })
    expect(step.code).toBe(0)
    const endpoint = step.outputs.endpoint!
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(step.outputs).toEqual({
      endpoint,
      'verification-uri': `${endpoint}/device`,
      pid: expect.stringMatching(/^\d+$/),
      log: expect.any(String)
    })
    expect(step.env).toEqual({ AWS_ENDPOINT_URL_SSO_OIDC: endpoint, AWS_ENDPOINT_URL_SSO: endpoint, AWS_ENDPOINT_URL_STS: endpoint })
    expect(step.stdout).toContain(`Emulator listening at ${endpoint}`)
    // It serves, and its request log is where the output says.
    const started = await registerAndStart(endpoint)
    expect(started.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/)
    // The emulator logs a request after it has answered it: the line may land a moment later.
    expect(await logOnceItHas(step.outputs.log!, /POST \/device_authorization StartDeviceAuthorization 200/)).toMatch(
      /POST \/device_authorization StartDeviceAuthorization 200/
    )
  })

  it.concurrent('export-env: false (any case) leaves the variables alone', async () => {
    const step = await startEmulatorStep({ exportEnv: 'False' })
    expect(step.code).toBe(0)
    expect(step.outputs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(step.env).toEqual({})
  })

  it.concurrent('a bad flag: one error annotation quoting the emulator, exit 1', async () => {
    const step = await startEmulatorStep({ args: '--interval soon' })
    expect(step.code).toBe(1)
    expect(step.stdout).toContain(
      '::error title=Start the emulator::the emulator exited before listening: emulator: --interval must be a positive number of seconds'
    )
    expect(step.outputs).toEqual({})
    expect(step.env).toEqual({})
  })

  it.concurrent('a bad port: one error annotation naming the input', async () => {
    const step = await startEmulatorStep({ port: 'eighty' })
    expect(step.code).toBe(1)
    expect(step.stdout).toBe('::error title=Start the emulator::input \'port\' must be a number, 0 for any free port; got "eighty"\n')
  })

  it.concurrent('copied without the emulator beside it: says where it looked', async () => {
    const elsewhere = join(tempDir('start-emulator-copy'), '.github', 'actions', 'start-emulator')
    cpSync(ACTION_DIR, elsewhere, { recursive: true })
    const step = await startEmulatorStep({}, elsewhere)
    expect(step.code).toBe(1)
    expect(step.stdout).toMatch(/^::error title=Start the emulator::the emulator's sources are not at .*\/emulator /)
  })

  it.concurrent("the README's offline example: the action, pointed at it, gets the Deployer role in 111122223333", async () => {
    const step = await startEmulatorStep({ args: '--interval 0.5 --approve-after 1' })
    expect(step.code).toBe(0)
    const job = createJob({ env: step.env })
    afterThisTest(() => job.dispose())
    const run = await job.run({
      ...actionEntry(),
      inputs: { ...requiredInputs, 'account-id': '111122223333', 'role-name': 'Deployer', 'cache-registration': false }
    })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.outcome).toBe('approved')
    expect(run.outputs['aws-account-id']).toBe('111122223333')
    expect(run.env.AWS_ACCESS_KEY_ID).toEqual(expect.any(String))
  })
})

/** The log file's text once it matches `line`, or as it is after 5 s (the assertion then shows it). */
async function logOnceItHas(file: string, line: RegExp): Promise<string> {
  const until = Date.now() + 5_000
  let text = readFileSync(file, 'utf8')
  while (!line.test(text) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    text = readFileSync(file, 'utf8')
  }
  return text
}
