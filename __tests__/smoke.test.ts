import { describe, expect, it } from '@jest/globals'

describe('toolchain', () => {
  it('runs tests on Node 24', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24)
  })
})
