import { describe, expect, it } from '@jest/globals'
import { notifyAll, type Notifier } from '../../src/notify/channel.js'
import { createNotifiers } from '../../src/notify/index.js'

function notifier(name: string, calls: string[], fail = false): Notifier {
  return {
    name,
    async prompt() {
      calls.push(name)
      if (fail) throw new Error('HTTP 403')
    },
    async record() {}
  }
}

describe('notifyAll', () => {
  it('runs every channel in order and turns a failing channel into a warning', async () => {
    const calls: string[] = []
    const warnings: string[] = []
    const channels = [notifier('step log', calls), notifier('job summary', calls, true), notifier('pr comment', calls)]
    await notifyAll(channels, (n) => n.prompt({} as never), (w) => warnings.push(w))
    expect(calls).toEqual(['step log', 'job summary', 'pr comment'])
    expect(warnings).toEqual(['Could not update the job summary: HTTP 403'])
  })
})

describe('createNotifiers', () => {
  it('always uses the log, and the summary when asked', () => {
    expect(createNotifiers([]).map((n) => n.name)).toEqual(['step log'])
    expect(createNotifiers(['summary']).map((n) => n.name)).toEqual(['step log', 'job summary'])
  })
})
