// `npm run demo` must run the whole life of the gate by itself and exit: the main step approved
// after about 3 s (or denied with --deny, or timed out with --timeout), then the post step as the
// runner runs it (the token revoked, the profile removed), the outputs printed with the token
// shortened, no workflow command or secret in what a person reads.
import { describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { runTsxScript, type ScriptRun } from '../harness/run-script.js'
import { repositoryRoot } from '../harness/runner.js'

function runDemo(args: string[]): Promise<ScriptRun> {
  return runTsxScript(repositoryRoot, join(repositoryRoot, 'scripts', 'demo.ts'), args, 45_000)
}

/** The demo's own lines (»), in order, without the step logs between them. */
function narration(demo: ScriptRun): string[] {
  return demo.stdout
    .split('\n')
    .filter((line) => line.startsWith('» '))
    .map((line) => line.slice(2))
}

function expectReadable(demo: ScriptRun): void {
  // The log is shown as github.com shows it: commands consumed, nothing to mask left in view.
  expect(demo.stdout).not.toContain('::add-mask::')
  expect(demo.stdout).not.toContain('::debug::')
  expect(demo.stderr).toBe('')
}

describe('npm run demo', () => {
  it.concurrent(
    'approves after about 3 s, prints the outcome and shortened token, runs the post step, and exits 0 by itself',
    async () => {
      const demo = await runDemo([])
      expect(demo.code).toBe(0)
      const code = /(?:Approving|Denying) code ([A-Z0-9-]+) at the verification page/.exec(demo.stdout)?.[1]
      expect(code).toBeDefined()
      expect(demo.stdout).toContain(`Approved ${code} as demo-approver.`)
      const outcome = /Outcome: approved \(exit code 0, ([\d.]+) s\)/.exec(demo.stdout)
      expect(Number(outcome?.[1])).toBeGreaterThanOrEqual(3)
      expect(demo.stdout).toMatch(/\n {4}access-token +\S{4}… \(\d+ chars, masked\)\n/)
      expect(demo.stdout).toMatch(new RegExp(`\\n {4}user-code +${code}\\n`))
      expect(demo.stdout).toMatch(/\n {4}aws-account-id +111122223333\n/)
      // Then the post step, after the main step, as the runner runs it at the end of the job.
      const lines = narration(demo)
      const post = lines.findIndex((line) => line.startsWith("The job's last step is done: the runner runs the post step"))
      expect(post).toBeGreaterThan(lines.findIndex((line) => line.startsWith('Outcome: approved')))
      expect(lines.slice(post + 1)).toEqual([
        'Post step: exit code 0, 0 warning(s)',
        "The approver's token is revoked: the emulator refuses it.",
        expect.stringMatching(/^The AWS profile the main step wrote \(.*\/\.aws\/config\) is removed\.$/)
      ])
      expect(demo.stdout).toContain('│ The IAM Identity Center token is revoked (sso:Logout)')
      expect(demo.stdout).toMatch(/│ Removed the profile demo /)
      expectReadable(demo)
    },
    60_000
  )

  it.concurrent(
    '--deny: denied at the page after about 3 s, exit 1, the post step has nothing to revoke',
    async () => {
      const demo = await runDemo(['--deny'])
      expect(demo.code).toBe(1)
      const code = /(?:Approving|Denying) code ([A-Z0-9-]+) at the verification page/.exec(demo.stdout)?.[1]
      expect(demo.stdout).toContain(`Denied ${code} as demo-approver.`)
      expect(demo.stdout).toMatch(/Outcome: denied \(exit code 1, [\d.]+ s\)/)
      expect(demo.stdout).toContain('│ Error: The request was denied at the verification page.')
      expect(demo.stdout).not.toContain('access-token')
      const lines = narration(demo)
      expect(lines.slice(lines.findIndex((line) => line.startsWith("The job's last step is done")) + 1)).toEqual([
        'The post step had nothing to do: no token was issued and no file written.',
        'Post step: exit code 0, 0 warning(s)'
      ])
      expectReadable(demo)
    },
    60_000
  )

  it.concurrent(
    '--timeout 2s: nobody answers, the step times out after about 2 s, exit 1',
    async () => {
      const demo = await runDemo(['--timeout', '2s'])
      expect(demo.code).toBe(1)
      expect(demo.stdout).toMatch(/Nobody answers code [A-Z]{4}-[A-Z]{4}: the step gives up at its timeout \(2s\)\./)
      const outcome = /Outcome: timed-out \(exit code 1, ([\d.]+) s\)/.exec(demo.stdout)
      // It ends once no poll can start before the timeout (a poll after it would be wasted): within
      // one poll interval (the demo's 1 s) before the 2 s, never after them plus the 3 s grace.
      expect(Number(outcome?.[1])).toBeGreaterThanOrEqual(1)
      expect(Number(outcome?.[1])).toBeLessThan(5)
      expect(demo.stdout).toContain("│ Error: No approval arrived within the timeout of 2s (input 'timeout').")
      expect(narration(demo)).toContain('Post step: exit code 0, 0 warning(s)')
      expectReadable(demo)
    },
    60_000
  )

  it.concurrent.each([
    [['--bogus'], "unknown argument '--bogus'"],
    [['--deny', '--manual'], '--manual and --deny exclude each other'],
    [['--timeout'], '--timeout needs a duration, e.g. --timeout 10s']
  ])(
    'rejects %j with one line and the usage',
    async (args, message) => {
      const demo = await runDemo(args)
      expect(demo.code).toBe(2)
      expect(demo.stderr).toContain(`demo: ${message}\n`)
      for (const flag of ['--manual', '--deny', '--timeout D']) expect(demo.stderr).toContain(flag)
    },
    30_000
  )
})
