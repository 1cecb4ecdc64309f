// Interoperability: the AWS SDK for JavaScript reads what the action wrote, on its own. The bundled
// action runs against the emulator and writes a profile; then `fromSSO({ profile })` from
// @aws-sdk/credential-provider-sso, with HOME at the job's home and AWS_ENDPOINT_URL_SSO(_OIDC) at
// the emulator, finds the sso-session, reads the token cache, refreshes the token when it is
// nearly expired (the refresh grant, with the registration the action cached), and gets role
// credentials from the portal. The post step then revokes the refreshed token too.
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fromSSO } from '@aws-sdk/credential-provider-sso'
import { createJob } from '../harness/runner.js'
import { actionEntry, approveWhenPrompted, postEntry, requiredInputs, startSsoBackend } from '../harness/sso-backend.js'

/** What each test started, undone after it, last first. */
const started: Array<() => unknown> = []
const savedEnv = { ...process.env }
/** Puts this process's environment back as it was (process.env itself must stay the same object). */
function restoreEnvironment(): void {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
}
afterEach(async () => {
  restoreEnvironment()
  for (const undo of started.splice(0).reverse()) await undo()
})

/** Runs the action with `roles` and approves it; returns the job and the main step's run. */
async function actionWroteProfiles(tokenTtl: number, roles: string) {
  const backend = await startSsoBackend({ interval: 0.5, tokenTtl })
  started.push(() => backend.close())
  const job = createJob({ env: backend.env })
  started.push(() => job.dispose())
  const step = job.start({ ...actionEntry(), inputs: { ...requiredInputs, roles } })
  const run = await approveWhenPrompted(step, backend.emulator)
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  return { backend, job, run }
}

/** The SDK's view of the world: the job's home, the emulator's endpoints, nothing else AWS. */
function useJobEnvironment(home: string, endpoint: string): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name]
  process.env.HOME = home
  process.env.AWS_ENDPOINT_URL_SSO = endpoint
  process.env.AWS_ENDPOINT_URL_SSO_OIDC = endpoint
}

function tokenCache(home: string): { file: string; entry: Record<string, string> } {
  const dir = join(home, '.aws', 'sso', 'cache')
  const [name] = readdirSync(dir)
  const file = join(dir, name!)
  return { file, entry: JSON.parse(readFileSync(file, 'utf8')) as Record<string, string> }
}

describe('@aws-sdk/credential-provider-sso reads the profiles the action wrote', () => {
  it('gets role credentials for each profile with the cached token, without a refresh', async () => {
    const gate = await actionWroteProfiles(3600, '111111111111:Deploy=deploy\n111111111111:ReadOnly=audit')
    const { emulator } = gate.backend
    useJobEnvironment(gate.job.home, emulator.endpoint)
    const before = { ...emulator.counts }

    const deploy = await fromSSO({ profile: 'deploy' })()
    const audit = await fromSSO({ profile: 'audit' })()
    for (const credentials of [deploy, audit]) {
      expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
      expect(credentials.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/)
      expect(credentials.sessionToken!.length).toBeGreaterThan(500)
      expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now() + 3500_000)
    }
    expect(deploy.accessKeyId).not.toBe(audit.accessKeyId)
    expect(emulator.counts.GetRoleCredentials - before.GetRoleCredentials).toBe(2)
    expect(emulator.counts.CreateToken).toBe(before.CreateToken)
  })

  it('refreshes a nearly expired token through the refresh grant, and the post step revokes both tokens', async () => {
    // Two minutes left: inside the SDK's five-minute refresh window.
    const gate = await actionWroteProfiles(120, '111111111111:Deploy=deploy')
    const { emulator } = gate.backend
    const written = tokenCache(gate.job.home)
    const original = written.entry.accessToken!
    useJobEnvironment(gate.job.home, emulator.endpoint)
    const before = { ...emulator.counts }

    const credentials = await fromSSO({ profile: 'deploy' })()
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(emulator.counts.CreateToken - before.CreateToken).toBe(1)

    // The SDK rewrote the same cache file with the new token and kept the action's fields.
    const refreshed = tokenCache(gate.job.home)
    expect(refreshed.file).toBe(written.file)
    expect(refreshed.entry.accessToken).not.toBe(original)
    expect(refreshed.entry.refreshToken).not.toBe(written.entry.refreshToken)
    expect(refreshed.entry).toMatchObject({ startUrl: written.entry.startUrl, clientId: written.entry.clientId, region: 'us-east-1' })
    // The action's mark too (src/export/marks.ts): a later run on this runner still knows the file.
    expect(refreshed.entry.awsSsoDeviceAuth).toEqual(written.entry.awsSsoDeviceAuth)
    expect(written.entry.awsSsoDeviceAuth).toEqual(expect.objectContaining({ session: expect.any(String) }))
    expect(Date.parse(refreshed.entry.expiresAt!)).toBeGreaterThan(Date.parse(written.entry.expiresAt!))
    expect(emulator.isAccessTokenValid(refreshed.entry.accessToken!)).toBe(true)
    expect(emulator.isAccessTokenValid(original)).toBe(true)

    restoreEnvironment()
    const post = await gate.job.run({ ...postEntry(), mainStep: gate.run })
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
    expect(emulator.counts.Logout).toBe(2)
    expect(emulator.isAccessTokenValid(original)).toBe(false)
    expect(emulator.isAccessTokenValid(refreshed.entry.accessToken!)).toBe(false)
    // The refreshed token was masked before the post step could print anything about it.
    expect(post.masks).toContain(refreshed.entry.accessToken)
  })
})
