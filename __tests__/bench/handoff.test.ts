// The hand-off bench's arithmetic (bench/handoff-cost.ts) on planted numbers: runner minutes for
// the gate in each deploy job against one gate job and a hand-off, and the table that prints them.
// The measurement itself runs in `npm run bench` (its smoke run is in bench.test.ts).
import { describe, expect, it } from '@jest/globals'
import { handoffCost, renderHandoffTable, type HandoffMeasured } from '../../bench/handoff-cost.js'
import { summarize } from '../../bench/stats.js'

const planted: HandoffMeasured = {
  settings: { runs: 3, approverDelaySeconds: 60, matrix: 4 },
  // 61 s a step: 60 s of it before the approval, 1 s after.
  gateInDeployJobStepMs: summarize([60_000, 61_000, 62_000]),
  gateJobStepMs: summarize([61_500, 61_500, 61_500]),
  openStepMs: summarize([300, 600, 900]),
  approvalToCredentialsInDeployJobMs: summarize([1_000, 1_000, 1_000]),
  approvalToHandoffMs: summarize([1_200, 1_200, 1_200]),
  approvalToCredentialsViaHandoffMs: summarize([1_700, 1_800, 1_900])
}

describe('handoffCost', () => {
  it('charges every deploy job the wait with the gate inside it, and none with a gate job', () => {
    expect(handoffCost(planted)).toEqual({
      // 4 × 61 s, and 4 × 0.6 s.
      deployRunnerMinutes: { gateInDeployJob: 4.067, gateInSmallJob: 0.04 },
      // 4 × (61 − 1) s waiting; none.
      deployRunnerMinutesWaiting: { gateInDeployJob: 4, gateInSmallJob: 0 },
      smallRunnerMinutes: 1.025,
      approvals: { gateInDeployJob: 4, gateInSmallJob: 1 },
      deployRunnerMinutesPerApprovalMinute: { gateInDeployJob: 4, gateInSmallJob: 0 }
    })
  })

  it('prints both columns, the medians with their ranges, and what it leaves out', () => {
    const table = renderHandoffTable(planted, handoffCost(planted))
    expect(table).toContain('Hand-off: waiting for a person (60 s approval, 4 deploy jobs, median of 3 runs)')
    expect(table).toMatch(/deploy-runner minutes in the action \(4 jobs\) +4\.067 +0\.040/)
    expect(table).toMatch(/approval → credentials in the consumer step +1000 ms \(1000–1000\) +1800 ms \(1700–1900\)/)
    expect(table).toContain('not measurable offline')
  })
})
