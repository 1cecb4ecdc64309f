// The leak detector must catch what it exists to catch: a secret planted in each captured
// channel, in the encodings the runner would also recognise, and a secret printed before its
// mask. Its reports must not reprint the secret.
import { afterAll, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { createJob, repositoryRoot, type ActionJob, type ActionRun } from './runner.js'
import { expectMaskedBeforeUse, expectNoSecretLeaks, findSecretLeaks, secretForms } from './secrets.js'

const probe = join(repositoryRoot, '__tests__', 'fixtures', 'probe-action')
const secret = 'probe-Secret/Value+With=Signs_0123'
const jobs: ActionJob[] = []
afterAll(() => jobs.forEach((job) => job.dispose()))

async function probeRun(leak: string): Promise<ActionRun> {
  const job = createJob()
  jobs.push(job)
  const run = await job.run({ action: probe, inputs: { secret, leak } })
  expect(run.code).toBe(0)
  return run
}

function failureOf(check: () => void): string {
  try {
    check()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the check to fail')
}

describe('expectNoSecretLeaks', () => {
  it('passes a clean run: the add-mask line and the masked output are allowed', async () => {
    const run = await probeRun('')
    expect(run.stdout).toContain(`::add-mask::${secret}`)
    expect(() => expectNoSecretLeaks(run, { secret }, { maskedOutputs: ['secret-output'] })).not.toThrow()
  })

  it('flags a secret in an output that is not declared masked', async () => {
    const run = await probeRun('')
    expect(findSecretLeaks(run, { secret })).toEqual([
      expect.objectContaining({ secret: 'secret', form: 'raw', where: "output 'secret-output'" })
    ])
  })

  it.each([
    ['stdout', 'raw', /^stdout line \d+$/],
    ['stderr', 'raw', /^stderr line 1$/],
    ['summary-base64', 'base64', /^summary line \d+$/],
    ['env', 'raw', /^GITHUB_ENV 'LEAKED'$/],
    ['output-url', 'url', /^output 'leaky'$/]
  ])('catches a secret planted in %s (as %s) and says where without printing it', async (leak, form, where) => {
    const run = await probeRun(leak)
    const leaks = findSecretLeaks(run, { secret }, { maskedOutputs: ['secret-output'] })
    expect(leaks).toHaveLength(1)
    expect(leaks[0].form).toBe(form)
    expect(leaks[0].where).toMatch(where)
    const message = failureOf(() => expectNoSecretLeaks(run, { secret }, { maskedOutputs: ['secret-output'] }))
    expect(message).toContain(leaks[0].where)
    expect(message).toContain('prob… (34 chars)')
    for (const { value } of secretForms(secret)) expect(message).not.toContain(value)
  })

  it('scans extra texts, and state only when asked', async () => {
    const run = await probeRun('')
    const texts = { 'pr comment': `Approve at https://x/?c=${encodeURIComponent(secret)}` }
    expect(findSecretLeaks(run, [secret], { maskedOutputs: ['secret-output'], texts })).toEqual([
      expect.objectContaining({ secret: 'secret #1', form: 'url', where: "text 'pr comment' line 1" })
    ])
    const withState = { ...run, state: { token: secret } }
    expect(findSecretLeaks(withState, [secret], { maskedOutputs: ['secret-output'] })).toEqual([])
    expect(findSecretLeaks(withState, [secret], { maskedOutputs: ['secret-output'], scanState: true })[0].where).toBe(
      "GITHUB_STATE 'token'"
    )
  })

  it('allows named exported variables to carry a secret', () => {
    const run = { stdout: '', stderr: '', summary: '', outputs: {}, env: { AWS_SECRET_ACCESS_KEY: secret }, path: [], state: {} }
    expect(findSecretLeaks(run, { secret })).toHaveLength(1)
    expect(findSecretLeaks(run, { secret }, { exportedEnv: ['AWS_SECRET_ACCESS_KEY'] })).toEqual([])
  })

  it('refuses to scan for a missing or empty secret, which would pass vacuously', async () => {
    const run = await probeRun('')
    expect(() => expectNoSecretLeaks(run, { accessToken: undefined })).toThrow(/accessToken' is empty or missing/)
    expect(() => expectNoSecretLeaks(run, {})).toThrow(/No secrets given/)
    expect(() => expectNoSecretLeaks(run, ['abc'])).toThrow(/shorter than 6/)
  })
})

describe('secretForms', () => {
  it('finds base64 of the secret at every byte offset inside a longer encoded string', () => {
    const forms = secretForms(secret)
      .filter((form) => form.form === 'base64')
      .map((form) => form.value)
    for (const prefix of ['', 'a', 'ab', 'abc', 'Bearer ']) {
      for (const suffix of ['', 'z', 'zz']) {
        const encoded = Buffer.from(`${prefix}${secret}${suffix}`).toString('base64')
        expect(forms.some((form) => encoded.includes(form))).toBe(true)
      }
    }
  })

  it('includes the URL, JSON and HTML escapes that differ from the raw value', () => {
    const forms = secretForms('a"b<c>d&e/f+g h')
    expect(forms.map((f) => f.form)).toEqual(expect.arrayContaining(['raw', 'url', 'form-url', 'json', 'html']))
    expect(forms.find((f) => f.form === 'html')?.value).toBe('a&quot;b&lt;c&gt;d&amp;e/f+g h')
  })
})

describe('expectMaskedBeforeUse', () => {
  it('passes when the mask comes first', async () => {
    const run = await probeRun('stdout')
    expect(() => expectMaskedBeforeUse(run, secret)).not.toThrow()
  })

  it('fails when the secret is printed before its mask, naming the line', async () => {
    const run = await probeRun('before-mask')
    const message = failureOf(() => expectMaskedBeforeUse(run.stdout, secret, 'clientSecret'))
    expect(message).toMatch(/clientSecret \[prob… \(34 chars\)\] appears on stdout line 1 \(as raw\) before it is masked on line 2/)
    expect(message).toContain('connecting with «clientSecret»')
    expect(message).not.toContain(secret)
  })

  it('fails when the secret is never masked', () => {
    expect(() => expectMaskedBeforeUse('hello\n', secret)).toThrow(/is never masked/)
  })
})
