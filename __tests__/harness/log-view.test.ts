// The log view must show what github.com shows: commands consumed, annotations rendered, masks
// applied from their registration on, whatever the chunking of the stream.
import { describe, expect, it } from '@jest/globals'
import { LogView, renderLog } from './log-view.js'

const stdout = [
  'before s3cret-value is masked',
  '::add-mask::s3cret-value',
  'after s3cret-value is masked',
  '::debug::token s3cret-value',
  '::group::Details',
  'inside',
  '::endgroup::',
  '::warning file=a.ts::careful',
  '::error::failed%0Asecond line s3cret-value',
  'partial'
].join('\n')

describe('LogView', () => {
  it('renders commands and masks as the runner does', () => {
    expect(renderLog(stdout).split('\n')).toEqual([
      'before s3cret-value is masked',
      'after *** is masked',
      '▸ Details',
      'inside',
      'Warning: careful',
      'Error: failed',
      'second line ***',
      'partial'
    ])
  })

  it('shows debug lines only with debug logging, and applies masks from earlier steps', () => {
    const log = renderLog('::debug::token s3cret-value\nold-secret here', { debug: true, masks: ['old-secret'] })
    expect(log).toBe('##[debug]token s3cret-value\n*** here')
  })

  it('gives the same lines however the stream is split', () => {
    const lines: string[] = []
    const view = new LogView({ write: (line) => lines.push(line) })
    for (let i = 0; i < stdout.length; i += 7) view.push(stdout.slice(i, i + 7))
    view.end()
    expect(lines.join('\n')).toBe(renderLog(stdout))
  })
})
