// `npm run demo` (issue 2, item 9) must run the whole gate by itself and exit: approved after
// about 3 s, exit code 0, the outputs printed with the token shortened, no workflow command or
// secret in what a person reads.
import { describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { runTsxScript, type ScriptRun } from '../harness/run-script.js'
import { repositoryRoot } from '../harness/runner.js'

function runDemo(args: string[]): Promise<ScriptRun> {
  return runTsxScript(repositoryRoot, join(repositoryRoot, 'scripts', 'demo.ts'), args, 45_000)
}

describe('npm run demo', () => {
  it('approves after about 3 s, prints the outcome and shortened token, and exits 0 by itself', async () => {
    const demo = await runDemo([])
    expect(demo.stderr).toBe('')
    expect(demo.code).toBe(0)
    // The code the demo approves, which the step's prompt shows on a line of its own.
    const code = /Approving code ([A-Z0-9-]+) at the verification page/.exec(demo.stdout)?.[1]
    expect(demo.stdout).toMatch(new RegExp(`^\\W* {9}${code}$`, 'm'))
    expect(code).toBeDefined()
    expect(demo.stdout).toContain(`Approved ${code} as demo-approver.`)
    const outcome = /Outcome: approved \(exit code 0, ([\d.]+) s\)/.exec(demo.stdout)
    expect(Number(outcome?.[1])).toBeGreaterThanOrEqual(3)
    expect(demo.stdout).toMatch(/\n {4}access-token +\S{4}… \(\d+ chars, masked\)\n/)
    expect(demo.stdout).toMatch(new RegExp(`\\n {4}user-code +${code}\\n`))
    // The log is shown as github.com shows it: commands consumed, nothing to mask left in view.
    expect(demo.stdout).not.toContain('::add-mask::')
    expect(demo.stdout).not.toContain('::debug::')
  }, 60_000)

  it('rejects an unknown argument with the usage', async () => {
    const demo = await runDemo(['--bogus'])
    expect(demo.code).toBe(2)
    expect(demo.stderr).toContain("unknown argument '--bogus'")
    expect(demo.stderr).toContain('--manual')
  }, 30_000)
})
