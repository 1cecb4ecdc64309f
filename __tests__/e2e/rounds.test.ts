// The gate waits in rounds (gate/rounds.ts): when a code expires before `timeout`, a new device
// authorization starts and its code is shown in every channel (the log prints it once, the PR
// comment is edited in place), until `timeout`, which is the total wait. In two phases, the
// start step's `expires-at` is the request's deadline and the wait step renews the code, keeping
// the pending-request file current.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { prGatePerTest, type PrGate } from '../harness/pr-gate.js'
import type { ActionRun, RunningAction } from '../harness/runner.js'
import { expectNoSecretLeaks } from '../harness/secrets.js'
import { MIN_ROUND_MS } from '../../src/gate/rounds.js'

const prGate = prGatePerTest()

function expectSafe(run: ActionRun, pr: PrGate): void {
  expectNoSecretLeaks(run, pr.secrets(), { maskedOutputs: ['access-token'], texts: pr.commentTexts(), scanState: true })
}

/** The next code the log shows that is not one of `seen`: the prompt's code line. */
async function nextCode(step: RunningAction, seen: readonly string[], timeoutMs = 15_000): Promise<string> {
  const exclude = seen.map((code) => `(?!${code}\\b)`).join('')
  const match = await step.waitForStdout(new RegExp(`^ {9}${exclude}([A-Z]{4}-[A-Z]{4})$`, 'm'), { timeoutMs })
  return match[1]!
}

function occurrences(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))?.length ?? 0
}

describe('rounds: a new code when one expires, until the timeout', () => {
  it.concurrent('phase all: the expired code is replaced in the log and the same PR comment, and the new one is approved', async () => {
    const pr = await prGate({ emulator: { expiresIn: 2 } })
    const step = pr.start({ timeout: '40' })
    const first = await nextCode(step, [])
    const second = await nextCode(step, [first])
    // The comment is the same one, edited: it shows the new code, no longer the old one.
    const comment = await pr.waitForComment((c) => c.body.includes(second))
    expect(comment.body).not.toContain(first)
    expect(comment.body).toContain('When this code expires, a new one is shown here; the job waits until')
    pr.backend.emulator.approve(second)
    const run = await step.result

    expect(run.code).toBe(0)
    expect(run.outputs.outcome).toBe('approved')
    expect(run.outputs['user-code']).toBe(second)
    expect(pr.backend.emulator.counts.StartDeviceAuthorization).toBeGreaterThanOrEqual(2)
    expect(pr.backend.emulator.counts.RegisterClient).toBe(1)
    // Each code's prompt is printed once, with the line that says a new one follows until the deadline.
    expect(occurrences(run.stdout, new RegExp(`^ {9}${second}$`, 'm'))).toBe(1)
    expect(occurrences(run.stdout, new RegExp(`^ {9}${first}$`, 'm'))).toBe(1)
    expect(run.stdout).toContain(`The code ${first} expired unapproved; a new code follows (this job waits until`)
    expect(pr.comments()).toHaveLength(1)
    expect(pr.comments()[0]!.body).toContain('### ✅ AWS sign-in approved')
    expect(pr.comments()[0]!.body).not.toContain(second)
    expectSafe(run, pr)
  })

  // Alone: it times the whole wait.
  it('nobody approves: the request ends at timeout, after several codes, as timed-out', async () => {
    const pr = await prGate({ emulator: { expiresIn: 1 } })
    const began = Date.now()
    const run = await pr.start({ timeout: '5' }).result
    expect(run.code).toBe(1)
    expect(run.outputs.outcome).toBe('timed-out')
    // A new code is not started with less than MIN_ROUND_MS (3 s) left: it would expire unread.
    expect(Date.now() - began).toBeGreaterThanOrEqual(5_000 - MIN_ROUND_MS)
    expect(pr.backend.emulator.counts.StartDeviceAuthorization).toBeGreaterThanOrEqual(3)
    expect(run.errors).toEqual([
      "No approval arrived within the timeout of 5s (input 'timeout'). Re-run the job and approve sooner, or raise 'timeout'. " +
        "If the approver saw an error on the AWS page instead of the code, check that input 'region' (us-east-1) is the home region of your IAM Identity Center instance."
    ])
    expect(pr.comments()[0]!.body).toContain('### ⌛ AWS sign-in timed out')
    expectSafe(run, pr)
  })

  it.concurrent('without timeout the first code is the whole wait: it expires as before', async () => {
    const pr = await prGate({ emulator: { expiresIn: 1 } })
    const run = await pr.start({}).result
    expect(run.outputs.outcome).toBe('expired')
    expect(pr.backend.emulator.counts.StartDeviceAuthorization).toBe(1)
    expectSafe(run, pr)
  })

  it.concurrent("two phases: expires-at is the request's deadline; the wait step renews the start step's expired code", async () => {
    const pr = await prGate({ emulator: { expiresIn: 2 } })
    const before = Date.now()
    const start = await pr.start({ phase: 'start', timeout: '40' }).result
    expect(start.code).toBe(0)
    const first = start.outputs['user-code']!
    const deadline = Date.parse(start.outputs['expires-at']!)
    expect(deadline).toBeGreaterThanOrEqual(before + 39_000)
    expect(deadline).toBeLessThanOrEqual(Date.now() + 40_000)
    expect(start.summary).toContain('When this code expires, a new one is shown here; the job waits until')

    // The start step's code expires before the wait step polls it.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    const waiting = pr.start({ phase: 'wait' })
    const second = await nextCode(waiting, [first])
    const pendingDirectory = join(pr.job.runnerTemp, 'aws-sso-device-auth')
    const pendingFile = readdirSync(pendingDirectory).find((name) => name.startsWith('pending-'))!
    // The pending request carries the current code, not the start step's.
    expect(JSON.parse(readFileSync(join(pendingDirectory, pendingFile), 'utf8')).request.userCode).toBe(second)
    await pr.waitForComment((c) => c.body.includes(second))
    pr.backend.emulator.approve(second)
    const wait = await waiting.result
    expect(wait.code).toBe(0)
    expect(wait.outputs.outcome).toBe('approved')
    expect(pr.comments()).toHaveLength(1)
    expect(pr.comments()[0]!.body).toContain('### ✅ AWS sign-in approved')
    expectSafe(start, pr)
    expectSafe(wait, pr)
  })
})
