// The bench is measurement, not a test: it is not part of `npm test`. What is tested here is that
// it cannot rot: its arithmetic, its command line and its report on planted figures, and one
// short run of `npm run bench -- --runs 2 --quick` from start to results.json. No figure it
// measures is asserted (figures come from the bench, never from timed assertions); the protocol
// facts it records (polls within the interval, no slow_down, one registration) are.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { DEFAULT_OUT, DEFAULT_RUNS, HelpRequested, parseBenchOptions, UsageError } from '../../bench/options.js'
import { renderTable, summarizeCounts, withVerdicts, type BenchResults, type MeasuredResults } from '../../bench/report.js'
import { countBy, maxPollsAllowed, ratio, smallestGap, summarize, type Summary } from '../../bench/stats.js'
import { runTsxScript } from '../harness/run-script.js'
import { repositoryRoot } from '../harness/runner.js'

const scratch = mkdtempSync(join(tmpdir(), 'bench-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('statistics', () => {
  it('takes the median, minimum and maximum, whatever the order', () => {
    expect(summarize([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, runs: 3 })
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 })
    expect(summarize([7])).toEqual({ median: 7, min: 7, max: 7, runs: 1 })
  })

  it('refuses no values or a value that is not a number', () => {
    expect(() => summarize([])).toThrow(/no values/)
    expect(() => summarize([1, Number.NaN])).toThrow(/not a finite number/)
  })

  it('compares medians', () => {
    expect(ratio(summarize([90, 100, 110]), summarize([20, 25, 30]))).toBe(4)
    expect(() => ratio(summarize([1]), summarize([0]))).toThrow(/positive/)
  })

  it('allows one poll per interval of wait, plus the one that collects the token', () => {
    expect(maxPollsAllowed(2500, 1000)).toBe(3)
    expect(maxPollsAllowed(3000, 1000)).toBe(3)
    expect(maxPollsAllowed(3001, 1000)).toBe(4)
    expect(maxPollsAllowed(0, 5000)).toBe(1)
    expect(() => maxPollsAllowed(1000, 0)).toThrow(/positive/)
  })

  it('finds the smallest gap and counts names', () => {
    expect(smallestGap([0, 1000, 1900, 3000])).toBe(900)
    expect(smallestGap([5])).toBeUndefined()
    expect(countBy(['CreateToken', 'RegisterClient', 'CreateToken'])).toEqual({ CreateToken: 2, RegisterClient: 1 })
    expect(summarizeCounts([{ CreateToken: 3, RegisterClient: 1 }, { CreateToken: 2 }])).toEqual({
      CreateToken: { median: 2.5, min: 2, max: 3, runs: 2 },
      RegisterClient: { median: 0.5, min: 0, max: 1, runs: 2 }
    })
  })
})

describe('command line', () => {
  it('defaults to ten runs written to bench/results.json', () => {
    expect(parseBenchOptions([])).toEqual({ runs: DEFAULT_RUNS, quick: false, out: DEFAULT_OUT })
    expect(DEFAULT_RUNS).toBeGreaterThanOrEqual(10)
    expect(parseBenchOptions(['--runs', '25', '--out', '/tmp/r.json'])).toEqual({ runs: 25, quick: false, out: '/tmp/r.json' })
  })

  it('takes fewer than ten runs only with --quick', () => {
    expect(() => parseBenchOptions(['--runs', '2'])).toThrow(UsageError)
    expect(() => parseBenchOptions(['--runs', '2'])).toThrow(/add --quick/)
    expect(parseBenchOptions(['--runs', '2', '--quick'])).toEqual({ runs: 2, quick: true, out: DEFAULT_OUT })
  })

  it('rejects what it cannot use, with an example of what it can', () => {
    expect(() => parseBenchOptions(['--runs', 'many'])).toThrow(/--runs must be a whole number .* for example --runs 20; got 'many'/)
    expect(() => parseBenchOptions(['--runs', '0', '--quick'])).toThrow(UsageError)
    expect(() => parseBenchOptions(['--out', ' '])).toThrow(/--out must name a file/)
    expect(() => parseBenchOptions(['--fast'])).toThrow(UsageError)
    expect(() => parseBenchOptions(['--help'])).toThrow(HelpRequested)
  })
})

function planted(overrides: Partial<MeasuredResults> = {}): MeasuredResults {
  const s = (median: number, min = median, max = median): Summary => ({ median, min, max, runs: 10 })
  const requests = {
    aws: { RegisterClient: s(1), StartDeviceAuthorization: s(1), CreateToken: s(3) },
    cache: {},
    slowDowns: 0,
    smallestPollGapMs: s(1002, 1001, 1010)
  }
  const cachedRequests = {
    ...requests,
    aws: { StartDeviceAuthorization: s(1), CreateToken: s(3) },
    cache: { lookup: s(1), 'proxy tunnel': s(1), 'download GET': s(1) }
  }
  return {
    generatedAt: '2026-01-01T00:00:00.000Z',
    machine: { node: 'v24.0.0', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Test CPU', loadAverage: { start: 0.5, end: 0.7 } },
    settings: { runs: 10, quick: false, intervalSeconds: 1, approveAfterSeconds: 2.5, maxPollsAllowed: 3 },
    timeToPromptMs: { floor: s(25, 22, 40), action: s(80, 70, 120), actionCached: s(150, 140, 170), sdk: s(300, 280, 350) },
    approvalToExitMs: s(1020, 1010, 1100),
    requestsPerApproval: { action: requests, actionCached: cachedRequests, sdk: requests },
    resources: {
      floor: { peakRssMiB: s(44), cpuMs: s(30) },
      action: { peakRssMiB: s(75, 74, 79), cpuMs: s(150) },
      actionCached: { peakRssMiB: s(78, 77, 79.5), cpuMs: s(200) },
      sdk: { peakRssMiB: s(69), cpuMs: s(120) }
    },
    bundle: {
      totalBytes: 1_200_000,
      mainChunkBytes: 1_150_000,
      chunks: [
        { file: 'index.js', bytes: 1_150_000 },
        { file: '905.index.js', bytes: 27_000 }
      ],
      undiciCopies: { 'index.js': 1 },
      lazyLibraries: [{ library: 'uqr', chunks: ['905.index.js'], inMainChunk: false }],
      absentLibraries: [{ library: '@actions/cache', chunks: [] }]
    },
    ...overrides
  }
}

describe('report', () => {
  it('prints ratios against the floor and the SDK, and every target met', () => {
    const results = withVerdicts(planted())
    expect(results.ratios['prompt: action / floor']).toBeCloseTo(3.2)
    expect(results.ratios['prompt: action / sdk']).toBeCloseTo(80 / 300)
    expect(results.ratios['prompt: action cached / floor']).toBe(6)
    expect(results.targets.every((goal) => goal.met)).toBe(true)
    const table = renderTable(results)
    expect(table).toMatch(/action, cache off +80\.0 ms +\[70 … 120\] +3\.20× floor, 0\.27× SDK/)
    expect(table).toMatch(/action, cached registration +150 ms +\[140 … 170\] +6\.00× floor, 0\.50× SDK/)
    expect(table).toContain(
      'StartDeviceAuthorization 1, CreateToken 3, cache lookup 1, cache proxy tunnel 1, cache download GET 1, slow_down 0'
    )
    expect(table).toMatch(/action, cache off +1020 ms +\[1010 … 1100\] +interval \+ 20\.0 ms/)
    expect(table).toContain('RegisterClient 1, StartDeviceAuthorization 1, CreateToken 3, slow_down 0, smallest poll gap 1001 ms')
    expect(table).toContain('undici copies: 1 in index.js')
    expect(table).toMatch(/uqr +lazy: 905\.index\.js/)
    expect(table).not.toContain('MISS')
    expect(table).not.toContain('WARNING')
  })

  it('warns when the machine was busy while it measured', () => {
    const busy = planted({ machine: { ...planted().machine, loadAverage: { start: 1.0, end: 3.5 } } })
    expect(renderTable(withVerdicts(busy))).toContain('WARNING: the load average (3.5) exceeded the 2 CPUs')
  })

  it('marks each missed target', () => {
    const base = planted()
    const results: BenchResults = withVerdicts(
      planted({
        timeToPromptMs: { ...base.timeToPromptMs, action: { median: 320, min: 300, max: 400, runs: 10 } },
        approvalToExitMs: { median: 1400, min: 1300, max: 1500, runs: 10 },
        resources: {
          ...base.resources,
          action: { peakRssMiB: { median: 98, min: 96, max: 101, runs: 10 }, cpuMs: base.resources.action.cpuMs }
        }
      })
    )
    expect(results.targets.filter((goal) => !goal.met).map((goal) => goal.name)).toEqual([
      'time to prompt, cache off, over bare Node',
      'time to prompt, cache off, against the AWS SDK script',
      'approval to exit',
      'peak RSS, cache off'
    ])
    expect(renderTable(results)).toContain('MISS  peak RSS, cache off: 101 MiB (≤ 100 MiB)')
  })

  it('holds the cached registration to the memory and poll targets too', () => {
    const base = planted()
    const results = withVerdicts(
      planted({
        resources: {
          ...base.resources,
          actionCached: { peakRssMiB: { median: 105, min: 104, max: 106, runs: 10 }, cpuMs: base.resources.actionCached.cpuMs }
        },
        requestsPerApproval: { ...base.requestsPerApproval, actionCached: { ...base.requestsPerApproval.actionCached, slowDowns: 1 } }
      })
    )
    expect(results.targets.filter((goal) => !goal.met).map((goal) => [goal.name, goal.value])).toEqual([
      ['peak RSS, cached registration', 106],
      ['slow_down answers', 1]
    ])
  })
})

describe('npm run bench -- --runs 1 --quick', () => {
  it('is what package.json runs', () => {
    const scripts = (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    expect(scripts.bench).toBe('tsx bench/run.ts')
    // Measurement stays out of the test suite.
    expect(scripts.test).not.toContain('bench')
  })

  it('runs every scenario against the emulator and writes results.json', async () => {
    const out = join(scratch, 'results.json')
    const { code, stdout, stderr } = await runTsxScript(repositoryRoot, 'bench/run.ts', ['--runs', '1', '--quick', '--out', out], 150_000)
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' })

    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults
    expect(results.settings).toMatchObject({ runs: 1, quick: true, intervalSeconds: 1 })
    for (const figure of [
      results.timeToPromptMs.floor,
      results.timeToPromptMs.action,
      results.timeToPromptMs.sdk,
      results.approvalToExitMs
    ]) {
      expect(figure.runs).toBe(1)
      expect(figure.min).toBeGreaterThan(0)
    }
    // Whatever the machine's speed: one registration and one device authorization per run,
    // never more polls than the interval allows, never a slow_down.
    const { action, actionCached, sdk } = results.requestsPerApproval
    for (const requests of [action, actionCached, sdk]) {
      expect(requests.aws.StartDeviceAuthorization).toMatchObject({ min: 1, max: 1 })
      expect(requests.aws.CreateToken.max).toBeLessThanOrEqual(results.settings.maxPollsAllowed)
      expect(requests.slowDowns).toBe(0)
    }
    expect([action.aws.RegisterClient, sdk.aws.RegisterClient]).toEqual([
      expect.objectContaining({ min: 1, max: 1 }),
      expect.objectContaining({ min: 1, max: 1 })
    ])
    // The cached registration is restored from the cache service instead of registered.
    expect(actionCached.aws.RegisterClient).toBeUndefined()
    expect(actionCached.cache.lookup).toMatchObject({ min: 1, max: 1 })
    // The action's own download, through the proxy as on a hosted runner: one tunnel, one plain GET, no HEAD.
    expect(actionCached.cache['download HEAD']).toBeUndefined()
    expect(actionCached.cache['proxy tunnel']).toMatchObject({ min: 1, max: 1 })
    expect(actionCached.cache['download GET']).toMatchObject({ min: 1, max: 1 })
    expect(results.timeToPromptMs.actionCached.runs).toBe(1)
    expect(results.resources.action.peakRssMiB.min).toBeGreaterThan(results.resources.floor.peakRssMiB.min / 2)
    expect(results.bundle.undiciCopies['index.js']).toBe(1)
    expect(results.targets.length).toBe(8)
    expect(stdout).toContain('Time to prompt (process start → complete URL on stdout)')
    expect(stdout).toContain(`Wrote ${out}`)
  }, 180_000)
})
