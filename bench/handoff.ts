// The hand-off bench: the bundled action (dist/) run as the runner runs it (the test harness's
// createJob), against the emulator, through the action's public interface (inputs, GITHUB_OUTPUT,
// GITHUB_ENV) and the emulator's approval control. A person is stood in for by approving a known
// delay after the prompt shows.
//   gate in the deploy job: one step with account-id/role-name that waits and exports;
//   gate in a small job: a step with roles + handoff-key that waits and seals, then, in a fresh
//   job of the same run, a step that opens the hand-off.
import { createJob } from '../__tests__/harness/runner.js'
import { actionEntry, requiredInputs, startSsoBackend, waitForPrompt, type SsoBackend } from '../__tests__/harness/sso-backend.js'
import type { HandoffMeasured } from './handoff-cost.js'
import { summarize } from './stats.js'

const KEY = 'YmVuY2gtaGFuZG9mZi1rZXktMDEyMzQ1Njc4OWFiY2RlZg'
const ROLE = { 'account-id': '111111111111', 'role-name': 'Deploy' }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface HandoffBenchOptions {
  runs: number
  approverDelaySeconds: number
  /** Deploy jobs the figures are scaled to (each would need its own approval without the hand-off). */
  matrix: number
}

export async function measureHandoff(options: HandoffBenchOptions, progress: (text: string) => void): Promise<HandoffMeasured> {
  const backend = await startSsoBackend({ interval: 1 })
  const samples = {
    gateInDeployJobStepMs: [] as number[],
    gateJobStepMs: [] as number[],
    openStepMs: [] as number[],
    approvalToCredentialsInDeployJobMs: [] as number[],
    approvalToHandoffMs: [] as number[],
    approvalToCredentialsViaHandoffMs: [] as number[]
  }
  try {
    for (let round = 1; round <= options.runs; round++) {
      progress(`hand-off, round ${round}/${options.runs}`)
      const inDeploy = await gateStep(backend, { ...ROLE }, options.approverDelaySeconds)
      if (!inDeploy.run.env.AWS_ACCESS_KEY_ID) throw new Error('the gate in the deploy job exported no credentials')
      samples.gateInDeployJobStepMs.push(inDeploy.run.durationMs)
      samples.approvalToCredentialsInDeployJobMs.push(inDeploy.exitedAt - inDeploy.approvedAt)

      const gate = await gateStep(backend, { ...ROLE, 'handoff-key': KEY }, options.approverDelaySeconds)
      const handoff = gate.run.outputs.handoff
      if (!handoff) throw new Error('the gate job set no handoff output')
      samples.gateJobStepMs.push(gate.run.durationMs)
      samples.approvalToHandoffMs.push(gate.exitedAt - gate.approvedAt)
      // Another job of the same run: fresh runner directories, no endpoint to call.
      const deploy = createJob({ context: { ...gate.job.context } })
      try {
        const opened = await deploy.run({ ...actionEntry(), inputs: { handoff, 'handoff-key': KEY } })
        if (opened.code !== 0 || !opened.env.AWS_ACCESS_KEY_ID) throw new Error(`the opening step failed: ${opened.errors.join(' ')}`)
        samples.openStepMs.push(opened.durationMs)
        samples.approvalToCredentialsViaHandoffMs.push(Date.now() - gate.approvedAt)
      } finally {
        deploy.dispose()
        gate.job.dispose()
        inDeploy.job.dispose()
      }
    }
  } finally {
    await backend.close()
  }
  return {
    settings: { ...options },
    gateInDeployJobStepMs: summarize(samples.gateInDeployJobStepMs),
    gateJobStepMs: summarize(samples.gateJobStepMs),
    openStepMs: summarize(samples.openStepMs),
    approvalToCredentialsInDeployJobMs: summarize(samples.approvalToCredentialsInDeployJobMs),
    approvalToHandoffMs: summarize(samples.approvalToHandoffMs),
    approvalToCredentialsViaHandoffMs: summarize(samples.approvalToCredentialsViaHandoffMs)
  }
}

/** One gate step, approved `delaySeconds` after its prompt shows. */
async function gateStep(backend: SsoBackend, inputs: Record<string, string>, delaySeconds: number) {
  const job = createJob({ env: backend.env })
  const step = job.start({ ...actionEntry(), inputs: { ...requiredInputs, notify: 'summary', 'cache-registration': 'false', ...inputs } })
  const { userCode } = await waitForPrompt(step, backend.emulator)
  await sleep(delaySeconds * 1000)
  const approvedAt = Date.now()
  backend.emulator.approve(userCode)
  const run = await step.result
  const exitedAt = Date.now()
  if (run.code !== 0) throw new Error(`the gate step failed: ${run.errors.join(' ')}`)
  return { job, run, approvedAt, exitedAt }
}
