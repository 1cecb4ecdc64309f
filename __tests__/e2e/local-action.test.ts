// GitHub's @github/local-action runs the action on a developer's machine: it imports an entry,
// calls its run(), then the post entry's run(), in its own process with @actions/core replaced by
// its own, and prints the outputs at the end. Run here as the README says, offline against the
// emulator: both steps run, the outputs table appears (nothing ended the process early), the post
// step revokes the token, and no secret reaches what it prints.
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { repositoryRoot } from '../harness/runner.js'
import { requiredInputs, startSsoBackend } from '../harness/sso-backend.js'
import { afterThisTest } from '../support/after-test.js'
import { tempDir } from '../support/temp.js'

const LOCAL_ACTION = join(repositoryRoot, 'node_modules', '.bin', 'local-action')

function runLocalAction(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(LOCAL_ACTION, args, {
    cwd: repositoryRoot,
    // Nothing from this machine but PATH (Node 24 first: local-action's own scripts run on it).
    env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // A missing local-action (no `npm ci`) fails at once, not at the test's timeout.
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('@github/local-action', () => {
  it('runs the main step and the post step against the emulator, and prints the outputs', async () => {
    const backend = await startSsoBackend({ interval: 0.5, approveAfter: 1 })
    afterThisTest(() => backend.close())
    const dir = tempDir('local-action')
    const runnerTemp = join(dir, 'temp')
    mkdirSync(runnerTemp)
    const envFile = join(dir, '.env')
    // The dotenv file the README shows: inputs as INPUT_<NAME>, the run's context, the endpoints.
    writeFileSync(
      envFile,
      [
        `AWS_ENDPOINT_URL_SSO_OIDC=${backend.env.AWS_ENDPOINT_URL_SSO_OIDC}`,
        `AWS_ENDPOINT_URL_SSO=${backend.env.AWS_ENDPOINT_URL_SSO}`,
        `AWS_ENDPOINT_URL_STS=${backend.env.AWS_ENDPOINT_URL_STS}`,
        `INPUT_START-URL=${requiredInputs['start-url']}`,
        `INPUT_REGION=${requiredInputs.region}`,
        'INPUT_ACCOUNT-ID=111122223333',
        'INPUT_ROLE-NAME=Deployer',
        'INPUT_CACHE-REGISTRATION=false',
        'INPUT_NOTIFY=none',
        'GITHUB_REPOSITORY=octo-org/app',
        'GITHUB_WORKFLOW=Deploy',
        'GITHUB_JOB=deploy',
        'GITHUB_RUN_ID=1',
        'GITHUB_RUN_ATTEMPT=1',
        'GITHUB_EVENT_NAME=workflow_dispatch',
        'GITHUB_ACTOR=alice',
        'GITHUB_SHA=0123456789abcdef0123456789abcdef01234567',
        'GITHUB_REF=refs/heads/main',
        'GITHUB_SERVER_URL=https://github.com',
        'GITHUB_API_URL=https://api.github.com',
        `RUNNER_TEMP=${runnerTemp}`
      ].join('\n') + '\n'
    )

    const run = await runLocalAction(['.', 'src/main.ts', envFile, '--post', 'src/post-run.ts'], dir)

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const main = run.stdout.indexOf('Running Action')
    const post = run.stdout.indexOf('Running Post Step')
    const outputs = run.stdout.indexOf('Action Outputs')
    expect(main).toBeGreaterThan(0)
    expect(post).toBeGreaterThan(main)
    expect(outputs).toBeGreaterThan(post)
    const table = run.stdout.slice(outputs)
    expect(table).toMatch(/'outcome' +│ 'approved'/)
    expect(table).toMatch(/'aws-account-id' +│ '111122223333'/)
    expect(run.stdout.slice(post, outputs)).toContain('The IAM Identity Center token is revoked (sso:Logout)')
    expect(backend.emulator.counts.Logout).toBe(1)
    for (const [label, secret] of Object.entries(backend.tap.secrets())) {
      expect({ label, leaked: run.stdout.includes(secret) }).toEqual({ label, leaked: false })
    }
  }, 120_000)
})
