// The arithmetic of the hand-off bench (bench/handoff.ts), on planted numbers in
// __tests__/bench/handoff.test.ts: what waiting for a person costs in runner minutes when the gate
// runs inside each deploy job, against one gate in a small job that hands off to the deploy jobs.
import type { Summary } from './stats.js'

export interface HandoffMeasured {
  settings: { runs: number; approverDelaySeconds: number; matrix: number }
  /** The gate inside the deploy job: the deploy step from start to exit, approval wait included. */
  gateInDeployJobStepMs: Summary
  /** The gate in its own job: that step from start to exit. */
  gateJobStepMs: Summary
  /** The deploy job's opening step (handoff): start to exit. */
  openStepMs: Summary
  /** Approval (the emulator approves) → the gate step exits with AWS_* written: the gate in the deploy job. */
  approvalToCredentialsInDeployJobMs: Summary
  /** Approval → the gate job's step exits with the handoff output. */
  approvalToHandoffMs: Summary
  /** Approval → the opening step exits with AWS_* written (gate exit + opening; the job scheduling between them is GitHub's and not included). */
  approvalToCredentialsViaHandoffMs: Summary
}

export interface HandoffCost {
  /** Runner minutes the deploy jobs spend in the action, for `matrix` deploy jobs and one approval wait of the measured length. */
  deployRunnerMinutes: { gateInDeployJob: number; gateInSmallJob: number }
  /** Of those, minutes spent waiting for the person: every deploy job waits in the first case, none in the second. */
  deployRunnerMinutesWaiting: { gateInDeployJob: number; gateInSmallJob: number }
  /** Minutes on the small runner that waits instead (the gate job's step). */
  smallRunnerMinutes: number
  /** Approvals a person gives: one per deploy job, or one in all. */
  approvals: { gateInDeployJob: number; gateInSmallJob: number }
  /** Deploy-runner minutes per minute the person takes to approve. */
  deployRunnerMinutesPerApprovalMinute: { gateInDeployJob: number; gateInSmallJob: number }
}

const minutes = (ms: number): number => Math.round((ms / 60_000) * 1000) / 1000

export function handoffCost(measured: HandoffMeasured): HandoffCost {
  const { matrix } = measured.settings
  const gateStep = measured.gateInDeployJobStepMs.median
  const openStep = measured.openStepMs.median
  // The part of the gate step that is not the person: what the same step costs with no wait.
  const waitingMs = Math.max(0, gateStep - measured.approvalToCredentialsInDeployJobMs.median)
  return {
    deployRunnerMinutes: { gateInDeployJob: minutes(matrix * gateStep), gateInSmallJob: minutes(matrix * openStep) },
    deployRunnerMinutesWaiting: { gateInDeployJob: minutes(matrix * waitingMs), gateInSmallJob: 0 },
    smallRunnerMinutes: minutes(measured.gateJobStepMs.median),
    approvals: { gateInDeployJob: matrix, gateInSmallJob: 1 },
    deployRunnerMinutesPerApprovalMinute: { gateInDeployJob: matrix, gateInSmallJob: 0 }
  }
}

const ms = (summary: Summary): string => `${Math.round(summary.median)} ms (${Math.round(summary.min)}–${Math.round(summary.max)})`

export function renderHandoffTable(measured: HandoffMeasured, cost: HandoffCost): string {
  const { matrix, approverDelaySeconds, runs } = measured.settings
  const rows: Array<[string, string, string]> = [
    ['', 'gate in the deploy job', 'gate in a small job + hand-off'],
    ['approvals a person gives', String(cost.approvals.gateInDeployJob), String(cost.approvals.gateInSmallJob)],
    [
      `deploy-runner minutes in the action (${matrix} jobs)`,
      cost.deployRunnerMinutes.gateInDeployJob.toFixed(3),
      cost.deployRunnerMinutes.gateInSmallJob.toFixed(3)
    ],
    [
      '  of which waiting for the person',
      cost.deployRunnerMinutesWaiting.gateInDeployJob.toFixed(3),
      cost.deployRunnerMinutesWaiting.gateInSmallJob.toFixed(3)
    ],
    ['small-runner minutes (the gate job)', '0', cost.smallRunnerMinutes.toFixed(3)],
    [
      'deploy-runner minutes per minute of approval',
      String(cost.deployRunnerMinutesPerApprovalMinute.gateInDeployJob),
      String(cost.deployRunnerMinutesPerApprovalMinute.gateInSmallJob)
    ],
    ['the action step, deploy job', ms(measured.gateInDeployJobStepMs), ms(measured.openStepMs)],
    [
      'approval → credentials in the consumer step',
      ms(measured.approvalToCredentialsInDeployJobMs),
      ms(measured.approvalToCredentialsViaHandoffMs)
    ],
    ['  of which approval → handoff output', '—', ms(measured.approvalToHandoffMs)]
  ]
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)))
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd()
  )
  return [
    `Hand-off: waiting for a person (${approverDelaySeconds} s approval, ${matrix} deploy jobs, median of ${runs} runs)`,
    ...lines,
    'GitHub schedules a needs: job after the gate job ends (not measurable offline; not included).'
  ].join('\n')
}
