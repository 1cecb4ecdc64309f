// Load (issue 6, item 7) at the numbers: 50 bundled gates at once against one emulator,
// and 200 device flows polling it at once. Figures for docs/reliability.md come from
// `npm run bench:load`, never from timed assertions; the bounds here only catch a collapse.
import { describe, expect, it } from '@jest/globals'
import { runConcurrentGates, runConcurrentPollers } from './load.js'

const GATES = Number(process.env.LOAD_GATES ?? 50)
const POLLERS = Number(process.env.LOAD_POLLERS ?? 200)

describe('load against one emulator', () => {
  it(`${GATES} concurrent gates all end approved, each with a token of its own`, async () => {
    const figures = await runConcurrentGates(GATES)
    expect(figures.failures).toEqual([])
    expect(figures).toMatchObject({ approved: GATES, distinctTokens: GATES, validTokens: GATES, unexpectedAnswers: 0, leaks: [] })
  }, 180_000)

  it(`holds ${POLLERS} concurrent pollers without an error`, async () => {
    const figures = await runConcurrentPollers(POLLERS)
    expect(figures.failures).toEqual([])
    expect(figures).toMatchObject({ approved: POLLERS, distinctTokens: POLLERS, slowDowns: 0, transientErrors: 0, unexpectedAnswers: 0 })
    // Every flow polled at least once and got its token.
    expect(figures.polls).toBeGreaterThanOrEqual(POLLERS)
  }, 120_000)
})
