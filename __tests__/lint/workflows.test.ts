// The workflow lint (scripts/lint-workflows.ts): the repository's own workflows and examples pass,
// and planted mistakes fail at the right file, line and column, so the check can catch a break.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from '@jest/globals'
import {
  extractWorkflowExamples,
  formatProblem,
  isWorkflow,
  lintRepository,
  summarize,
  type WorkflowProblem
} from '../../scripts/lint-workflows.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const scratch = mkdtempSync(join(tmpdir(), 'lint-workflows-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A throwaway repository with the given files. */
function plantRepository(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

const GOOD_WORKFLOW = `name: Deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - id: gate
        uses: <owner>/aws-sso-device-auth@v1
        with:
          start-url: https://example.awsapps.com/start
          region: us-east-1
      - run: echo "\${{ steps.gate.outputs.outcome }}"
`

// Line 1: an event that does not exist; line 8: a step output of a step that does not exist.
// (One-line `run:` on purpose: inside a `|` block actionlint reports the block's position.)
const BROKEN_WORKFLOW = `on: pusx
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: gate
        uses: ./
      - run: echo "\${{ steps.gaet.outputs.outcome }}"
`

function where(problems: WorkflowProblem[]): string[] {
  return problems.map(({ file, line, column, kind }) => `${file}:${line}:${column} ${kind}`)
}

/** The text of `file` from a problem's position on: proves the position points at the mistake. */
function textAt(text: string, { line, column }: WorkflowProblem): string {
  return text.split('\n')[line - 1].slice(column - 1)
}

describe('the repository', () => {
  it('has workflows and examples that pass actionlint and use only what action.yml declares', async () => {
    const report = await lintRepository(root)
    const files = report.sources.map(({ file }) => file)
    expect(files).toEqual(expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/release.yml']))
    expect(report.problems.map(formatProblem)).toEqual([])
  })
})

describe('planted mistakes', () => {
  it("fails a broken workflow file at the right place with actionlint's message", async () => {
    const dir = plantRepository('broken-file', { '.github/workflows/deploy.yml': BROKEN_WORKFLOW })
    const { problems } = await lintRepository(dir)
    expect(where(problems)).toEqual(['.github/workflows/deploy.yml:1:5 events', '.github/workflows/deploy.yml:8:24 expression'])
    expect(problems[0].message).toContain('unknown Webhook event "pusx"')
    expect(problems[1].message).toContain('property "gaet" is not defined')
    expect(problems.map((problem) => textAt(BROKEN_WORKFLOW, problem).slice(0, 10))).toEqual(['pusx', 'steps.gaet'])
  })

  it("maps a README example's problem to the README line and column, inside an indented list fence", async () => {
    const indented = BROKEN_WORKFLOW.split('\n')
      .map((line) => (line ? `   ${line}` : line))
      .join('\n')
    const readme = ['# Usage', '', '```yaml', GOOD_WORKFLOW, '```', '', '1. Or:', '', '   ```yml', indented, '   ```', ''].join('\n')
    const dir = plantRepository('broken-readme', { 'README.md': readme })
    const report = await lintRepository(dir)
    expect(report.sources).toHaveLength(2)
    // The second fence opens on README line 26, so the example's lines 1 and 8 are lines 27 and 34,
    // and its columns move 3 to the right with the list indentation.
    expect(readme.split('\n')[25]).toBe('   ```yml')
    expect(where(report.problems)).toEqual(['README.md:27:8 events', 'README.md:34:27 expression'])
    expect(report.problems.map((problem) => textAt(readme, problem).slice(0, 10))).toEqual(['pusx', 'steps.gaet'])
  })

  it('does not report actions it cannot resolve offline, such as <owner>/aws-sso-device-auth@v1', async () => {
    const dir = plantRepository('remote-action', { 'docs/deploy.md': '```yaml\n' + GOOD_WORKFLOW + '```\n' })
    const report = await lintRepository(dir)
    expect(report.sources.map(({ file }) => file)).toEqual(['docs/deploy.md'])
    expect(report.problems).toEqual([])
  })

  it('reports a YAML syntax error itself and still lints the other workflows', async () => {
    const dir = plantRepository('bad-yaml', {
      '.github/workflows/a.yml': 'on: push\njobs:\n  a: [\n',
      '.github/workflows/b.yml': BROKEN_WORKFLOW
    })
    const { problems } = await lintRepository(dir)
    expect(problems[0]).toMatchObject({ file: '.github/workflows/a.yml', kind: 'yaml-syntax' })
    expect(where(problems.slice(1))).toEqual(['.github/workflows/b.yml:1:5 events', '.github/workflows/b.yml:8:24 expression'])
  })
})

describe('steps that use this action, held to action.yml (actionlint cannot read it offline)', () => {
  const ACTION_YML = `name: x
description: x
inputs:
  start-url: {description: x, required: true}
  region: {description: x, required: true}
outputs:
  outcome: {description: x}
  access-token: {description: x}
runs: {using: node24, main: dist/index.js}
`
  const USING_IT = `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: gate
        uses: <owner>/aws-sso-device-auth@v1
        with:
          start_url: https://example.awsapps.com/start
          Region: us-east-1
      - id: other
        uses: some/other-action@v2
        with:
          start_url: not ours to judge
      - run: echo "\${{ steps.gate.outputs.outcom }} \${{ steps.other.outputs.anything }} \${{ steps.gate.outputs.ACCESS-TOKEN != '' }}"
`

  it('reports an input or an output action.yml does not declare, where it is written', async () => {
    const dir = plantRepository('contract', { 'action.yml': ACTION_YML, 'docs/deploy.md': '# Deploy\n\n```yaml\n' + USING_IT + '```\n' })
    const { problems } = await lintRepository(dir)
    expect(where(problems)).toEqual(['docs/deploy.md:12:11 action-contract', 'docs/deploy.md:18:43 action-contract'])
    expect(problems[0].message).toBe('input "start_url" is not defined in action.yml. available inputs are "start-url", "region"')
    expect(problems[1].message).toBe(
      'output "outcom" of step "gate" is not defined in action.yml. available outputs are "outcome", "access-token"'
    )
    const markdown = '# Deploy\n\n```yaml\n' + USING_IT
    expect(problems.map((problem) => textAt(markdown, problem).slice(0, 9))).toEqual(['start_url', 'outcom }}'])
  })

  it('holds a Markdown excerpt that is not a whole workflow to action.yml too, without actionlint', async () => {
    const excerpt = [
      '# Steps',
      '',
      '```yaml',
      'steps:',
      '  - id: gate',
      "    uses: '<owner>/aws-sso-device-auth@v1' # pinned",
      '    with:',
      '      start-url: https://example.awsapps.com/start',
      '      regoin: us-east-1',
      '  - run: echo "${{ steps.gate.outputs.outcome }} ${{ steps.gate.outputs.token }}"',
      '```',
      '',
      '```yaml',
      '- uses: some/other-action@v2',
      '  with: {anything: goes}',
      '```',
      ''
    ].join('\n')
    const dir = plantRepository('contract-excerpt', { 'action.yml': ACTION_YML, 'docs/steps.md': excerpt })
    const report = await lintRepository(dir)
    expect(report.sources.map(({ file, origin }) => `${file} ${origin}`)).toEqual(['docs/steps.md markdown-fragment'])
    expect(where(report.problems)).toEqual(['docs/steps.md:9:7 action-contract', 'docs/steps.md:10:73 action-contract'])
    expect(report.problems.map((problem) => textAt(excerpt, problem).slice(0, 6))).toEqual(['regoin', 'token '])
    expect(summarize(report)).toBe(
      'actionlint: 0 workflows checked (0 in .github/workflows, 0 examples in Markdown), 1 Markdown excerpt held to action.yml, 2 problems'
    )
  })

  it('reports a YAML syntax error in such an excerpt', async () => {
    const broken = '```yaml\n- uses: ./\n  with: {start-url: [\n```\n'
    const { problems } = await lintRepository(plantRepository('excerpt-syntax', { 'action.yml': ACTION_YML, 'README.md': broken }))
    expect(problems.length).toBeGreaterThan(0)
    expect(new Set(problems.map(({ file, kind }) => `${file} ${kind}`))).toEqual(new Set(['README.md yaml-syntax']))
  })

  it('checks `uses: ./` the same way, and nothing when the repository has no action.yml', async () => {
    const local = USING_IT.replace('<owner>/aws-sso-device-auth@v1', './')
    const withAction = await lintRepository(
      plantRepository('contract-local', { 'action.yml': ACTION_YML, '.github/workflows/e2e.yml': local })
    )
    expect(where(withAction.problems)).toEqual([
      '.github/workflows/e2e.yml:9:11 action-contract',
      '.github/workflows/e2e.yml:15:43 action-contract'
    ])
    const withoutAction = await lintRepository(plantRepository('contract-none', { '.github/workflows/e2e.yml': local }))
    expect(withoutAction.problems).toEqual([])
  })
})

describe('composite actions under .github/actions', () => {
  const composite = [
    'name: Helper',
    'description: A composite action',
    'inputs:',
    '  args:',
    '    description: flags',
    'runs:',
    '  using: composite',
    '  steps:',
    '    - id: start',
    '      shell: bash',
    '      env:',
    '        ARGS: ${{ inputs.args }}',
    '        WRONG: ${{ inputs.nope }}',
    '      run: echo "$ARGS"',
    '    - run: echo "${{ steps.strat.outputs.x }}"',
    '      shell: bash',
    ''
  ].join('\n')

  it("are linted by actionlint with the action's inputs, each problem at its line and column in action.yml", async () => {
    const dir = plantRepository('composite', { '.github/actions/helper/action.yml': composite })
    const report = await lintRepository(dir)
    expect(report.sources.map(({ file, origin }) => `${file} ${origin}`)).toEqual(['.github/actions/helper/action.yml composite-action'])
    const problems = report.problems.filter((problem) => problem.kind === 'expression')
    expect(problems.map((problem) => textAt(composite, problem).split(' ')[0])).toEqual(['inputs.nope', 'steps.strat.outputs.x'])
    expect(where(problems)).toEqual([
      '.github/actions/helper/action.yml:13:20 expression',
      '.github/actions/helper/action.yml:15:22 expression'
    ])
    expect(summarize(report)).toMatch(/, 1 composite action in \.github\/actions, \d+ problems$/)
  })

  it('leave a JavaScript action under .github/actions alone', async () => {
    const dir = plantRepository('javascript-helper', {
      '.github/actions/js/action.yml': 'name: JS\ndescription: d\nruns:\n  using: node24\n  main: index.js\n'
    })
    expect((await lintRepository(dir)).sources).toEqual([])
  })
})

describe('finding workflow examples in Markdown', () => {
  it('takes yaml/yml fences with top-level on: and jobs:, and skips fragments and other languages', () => {
    const markdown = [
      '```yaml',
      'steps:',
      '  - run: true',
      '```',
      '~~~yml',
      'on: push',
      'jobs: {}',
      '~~~',
      '````YAML',
      '"on": workflow_dispatch',
      'jobs:',
      '  a: {}',
      '```',
      'still inside',
      '````',
      '```json',
      '{"on": 1, "jobs": 2}',
      '```',
      '```sh',
      'on: push',
      'jobs:',
      '```'
    ].join('\n')
    const examples = extractWorkflowExamples(markdown, 'x.md')
    expect(examples.map(({ firstLine, text }) => [firstLine, text])).toEqual([
      [6, 'on: push\njobs: {}\n'],
      [10, '"on": workflow_dispatch\njobs:\n  a: {}\n```\nstill inside\n']
    ])
  })

  it('recognises a workflow by its top-level keys only', () => {
    expect(isWorkflow('on: push\njobs:\n  a: {}\n')).toBe(true)
    expect(isWorkflow('steps:\n  - with:\n      on: x\n      jobs: y\n')).toBe(false)
    expect(isWorkflow('on: push\n')).toBe(false)
  })
})

describe('the command line', () => {
  const tsx = join(root, 'node_modules', '.bin', 'tsx')
  const script = join(root, 'scripts', 'lint-workflows.ts')

  it('prints file:line:col per problem and exits 1', () => {
    const dir = plantRepository('cli-broken', { '.github/workflows/deploy.yml': BROKEN_WORKFLOW })
    const run = spawnSync(tsx, [script, dir], { encoding: 'utf8' })
    expect(run.status).toBe(1)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^\.github\/workflows\/deploy\.yml:1:5: unknown Webhook event "pusx".* \[events\]$/)
    expect(lines[1]).toMatch(/^\.github\/workflows\/deploy\.yml:8:24: property "gaet" is not defined.* \[expression\]$/)
    expect(lines[2]).toBe('actionlint: 1 workflows checked (1 in .github/workflows, 0 examples in Markdown), 2 problems')
  })

  it('exits 0 with the count when everything passes', () => {
    const dir = plantRepository('cli-clean', {
      '.github/workflows/deploy.yml': GOOD_WORKFLOW,
      'README.md': '```yaml\n' + GOOD_WORKFLOW + '```\n'
    })
    const run = spawnSync(tsx, [script, dir], { encoding: 'utf8' })
    expect({ status: run.status, stdout: run.stdout }).toEqual({
      status: 0,
      stdout: 'actionlint: 2 workflows checked (1 in .github/workflows, 1 examples in Markdown), 0 problems\n'
    })
  })

  it('fails when it finds nothing to check, so a wrong root cannot pass', () => {
    const dir = plantRepository('cli-empty', { 'README.md': 'No workflows here.\n' })
    const run = spawnSync(tsx, [script, dir], { encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain('no workflow found')
  })
})
