// The commonest mistakes, offline, through dist/ as the runner runs it: a start URL that is not an
// access portal (the emulator refuses it as AWS does), a regional portal of another region (the
// action refuses it before any call), and scopes without sso:account:access while asking for a
// role (the action warns; after approval the portal refuses the token as AWS does).
import { describe, expect, it } from '@jest/globals'
import { createJob, type Inputs } from '../harness/runner.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'
import { actionEntry, knownSecrets, otherWarnings, requiredInputs, startSsoBackend, waitForPrompt } from '../harness/sso-backend.js'
import { afterThisTest } from '../support/after-test.js'

async function runGate(inputs: Inputs) {
  const backend = await startSsoBackend({ interval: 0.5 })
  afterThisTest(() => backend.close())
  const job = createJob({ env: backend.env })
  afterThisTest(() => job.dispose())
  const step = job.start({ ...actionEntry(), inputs: { ...requiredInputs, ...inputs } })
  return { backend, job, step, emulator: backend.emulator }
}

describe('misconfigurations a user meets first', () => {
  it.concurrent(
    'a start URL that is not an access portal: AWS (the emulator) refuses it, and the one line says what to check',
    async () => {
      const gate = await runGate({ 'start-url': 'https://oidc.us-east-1.amazonaws.com/start' })
      const run = await gate.step.result
      expect(run.code).toBe(1)
      expect(run.outputs.outcome).toBe('error')
      expect(otherWarnings(run)).toEqual([
        expect.stringContaining("Input 'start-url' host oidc.us-east-1.amazonaws.com is not an AWS access portal host")
      ])
      expect(run.errors).toHaveLength(1)
      expect(run.errors[0]).toMatch(/InvalidRequestException/)
      expect(run.errors[0]).toContain(
        "Check that 'start-url' is your AWS access portal URL and 'region' is the region of that IAM Identity Center instance."
      )
      expect(gate.emulator.requests.find((request) => request.operation === 'StartDeviceAuthorization')).toMatchObject({
        status: 400,
        error: 'InvalidRequestException'
      })
      expect(gate.emulator.pending()).toEqual([])
      expectNoSecretLeaks(run, knownSecrets(gate.backend, gate.job))
    }
  )

  it.concurrent('a regional portal of another region: refused before any call, naming both regions and the fix', async () => {
    const gate = await runGate({ 'start-url': 'https://ssoins-111111h2222j33pp.eu-west-1.portal.amazonaws.com', region: 'us-east-1' })
    const run = await gate.step.result
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([
      "Input 'start-url' is the access portal of region eu-west-1, but input 'region' is us-east-1: set 'region' to eu-west-1 (the region of that portal's IAM Identity Center), or use the start URL of region us-east-1."
    ])
    expect(gate.emulator.requests).toEqual([])
  })

  it.concurrent('a role without sso:account:access in scopes: a warning first, then the portal refuses the approved token', async () => {
    const gate = await runGate({ scopes: 'codewhisperer:completions', 'account-id': '111111111111', 'role-name': 'Deploy' })
    const prompt = await waitForPrompt(gate.step, gate.emulator)
    gate.emulator.approve(prompt.userCode)
    const run = await gate.step.result
    expect(otherWarnings(run)).toContainEqual(
      expect.stringContaining(
        "Input 'scopes' (codewhisperer:completions) does not include sso:account:access, but role credentials are asked for"
      )
    )
    expect(run.code).toBe(1)
    expect(run.outputs.outcome).toBe('error')
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/GetRoleCredentials.*UnauthorizedException|UnauthorizedException.*GetRoleCredentials/)
    expect(run.errors[0]).toContain("if 'scopes' is set, it must include sso:account:access")
    expect(run.env.AWS_ACCESS_KEY_ID ?? '').toBe('')
    expectNoSecretLeaks(run, knownSecrets(gate.backend, gate.job), { maskedOutputs: ['access-token'] })
  })
})
