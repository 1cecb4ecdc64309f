// Reads an action.yml the way the runner does, and evaluates input defaults the way the runner
// does: the runner applies `default:` values itself before the process starts (core.getInput
// never does), so a test that forgets a default would test a configuration no workflow can have.
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The repository root (where the real action.yml lives). */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface ActionInput {
  description: string
  required: boolean
  /** Raw text, expressions not yet evaluated; absent when action.yml declares none. */
  default?: string
  deprecationMessage?: string
}

export interface ActionOutput {
  description: string
}

export interface ActionRuns {
  using: string
  main: string
  pre?: string
  post?: string
  'pre-if'?: string
  'post-if'?: string
}

export interface ActionManifest {
  /** The file it was read from. */
  path: string
  name: string
  description: string
  author?: string
  branding?: Record<string, string>
  inputs: Record<string, ActionInput>
  outputs: Record<string, ActionOutput>
  runs: ActionRuns
}

type Yaml = string | Yaml[] | { [key: string]: Yaml }

function isMapping(value: Yaml | undefined): value is { [key: string]: Yaml } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text(value: Yaml | undefined, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where} must be a string`)
  return value
}

function optionalText(value: Yaml | undefined, where: string): string | undefined {
  return value === undefined ? undefined : text(value, where)
}

/**
 * Reads action.yml (or action.yaml) from a directory or a file path; default: the repository's.
 * Parsed with the YAML failsafe schema so every scalar stays the exact text the runner sees:
 * `default: 1e3` is the input "1e3", not "1000".
 */
export function readActionYml(location: string = repositoryRoot): ActionManifest {
  const path = /\.ya?ml$/.test(location) ? location : join(location, 'action.yml')
  const document = parse(readFileSync(path, 'utf8'), { schema: 'failsafe' }) as Yaml
  if (!isMapping(document)) throw new Error(`${path}: not a YAML mapping`)

  const inputs: Record<string, ActionInput> = {}
  const declaredInputs = document.inputs ?? {}
  if (!isMapping(declaredInputs)) throw new Error(`${path}: inputs must be a mapping`)
  for (const [name, spec] of Object.entries(declaredInputs)) {
    if (!isMapping(spec)) throw new Error(`${path}: input ${name} must be a mapping`)
    const required = optionalText(spec.required, `${path}: inputs.${name}.required`)
    inputs[name] = {
      description: optionalText(spec.description, `${path}: inputs.${name}.description`) ?? '',
      required: required !== undefined && /^true$/i.test(required),
      default: optionalText(spec.default, `${path}: inputs.${name}.default`),
      deprecationMessage: optionalText(spec.deprecationMessage, `${path}: inputs.${name}.deprecationMessage`)
    }
  }

  const outputs: Record<string, ActionOutput> = {}
  const declaredOutputs = document.outputs ?? {}
  if (!isMapping(declaredOutputs)) throw new Error(`${path}: outputs must be a mapping`)
  for (const [name, spec] of Object.entries(declaredOutputs)) {
    if (!isMapping(spec)) throw new Error(`${path}: output ${name} must be a mapping`)
    outputs[name] = { description: optionalText(spec.description, `${path}: outputs.${name}.description`) ?? '' }
  }

  const runs = document.runs
  if (!isMapping(runs)) throw new Error(`${path}: runs must be a mapping`)
  const branding = document.branding
  return {
    path,
    name: text(document.name, `${path}: name`),
    description: optionalText(document.description, `${path}: description`) ?? '',
    author: optionalText(document.author, `${path}: author`),
    branding: isMapping(branding)
      ? Object.fromEntries(Object.entries(branding).map(([k, v]) => [k, text(v, `${path}: branding.${k}`)]))
      : undefined,
    inputs,
    outputs,
    runs: {
      using: text(runs.using, `${path}: runs.using`),
      main: text(runs.main, `${path}: runs.main`),
      pre: optionalText(runs.pre, `${path}: runs.pre`),
      post: optionalText(runs.post, `${path}: runs.post`),
      'pre-if': optionalText(runs['pre-if'], `${path}: runs.pre-if`),
      'post-if': optionalText(runs['post-if'], `${path}: runs.post-if`)
    }
  }
}

/** The expression contexts a default may use, as flat `context.key` → value. */
export type ExpressionValues = Record<string, string>

/**
 * Evaluates the `${{ … }}` expressions in a default the way the runner would, for the plain
 * property lookups action defaults use (`${{ github.token }}`, `${{ runner.temp }}`). Anything
 * else throws: a silently literal `${{ … }}` would make a test pass on a value no runner produces.
 */
export function evaluateDefault(template: string, values: ExpressionValues, where: string): string {
  return template.replace(/\$\{\{(.*?)\}\}/g, (_whole, expression: string) => {
    const key = expression.trim()
    if (!/^[a-z_]+\.[a-z_]+$/i.test(key) || !(key.toLowerCase() in values)) {
      throw new Error(`${where}: the harness cannot evaluate \${{ ${key} }}; known: ${Object.keys(values).join(', ')}`)
    }
    return values[key.toLowerCase()]
  })
}

/** The environment variable the runner sets for an input (`Handler.cs`: spaces → `_`, upper-cased). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}
