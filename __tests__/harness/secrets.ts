// Finds secrets in everything a step left behind. The runner masks registered values in the
// log, but only those it was told about, only after it was told, and not in outputs read by
// other tools, files, comments or cache entries: so every end-to-end test looks for every
// secret it knows, in the encodings the runner itself would recognise (base64 at each byte
// offset, URL and JSON escapes) plus HTML escaping for the summary.
// Reports say where a secret leaked and show it only as its first characters.
import { escapeCommandData } from './file-commands.js'
import type { ActionRun } from './runner.js'

/** Secrets by label (`{accessToken: '…'}`) or as a plain list. */
export type Secrets = Record<string, string | undefined> | readonly string[]

export interface LeakScanOptions {
  /** Outputs expected to carry a secret (the runner masks them; e.g. `access-token`). */
  maskedOutputs?: readonly string[]
  /** GITHUB_ENV names expected to carry a secret (e.g. `AWS_SECRET_ACCESS_KEY`). */
  exportedEnv?: readonly string[]
  /** GITHUB_STATE reaches only this action's post step; scanned only when asked. */
  scanState?: boolean
  /** More captured text by name: PR comment bodies, cache entries, files… */
  texts?: Record<string, string>
}

export interface SecretLeak {
  /** The secret's label. */
  secret: string
  /** How it was encoded where found (`raw`, `base64`, `url`, …). */
  form: string
  /** Where: `stdout line 12`, `output 'x'`, `GITHUB_ENV 'NAME'`, `text 'comment' line 3`. */
  where: string
  /** The offending line with the secret replaced by «label», shortened. */
  excerpt: string
}

/** The part of a run the scan reads (a whole ActionRun fits). */
export type ScannableRun = Pick<ActionRun, 'stdout' | 'stderr' | 'summary' | 'outputs' | 'env' | 'path' | 'state'>

const minimumSecretLength = 6

/** A secret as its first characters and length: enough to recognise it, not to use it. */
export function describeSecret(secret: string): string {
  return `${secret.slice(0, 4)}… (${secret.length} chars)`
}

/**
 * The base64 text that encodes `secret` wherever it sits in a longer byte string: one form per
 * byte offset (0, 1, 2), keeping only the characters determined by the secret's bytes alone
 * (the runner's Base64StringEscape and its Shift1/Shift2 variants do the same).
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8')
  const forms: string[] = []
  for (const offset of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes])
    const encoded = shifted.toString('base64').replace(/=+$/, '')
    // Leading characters that mix in the prefix bytes: none, 2, 3 for offsets 0, 1, 2.
    const start = [0, 2, 3][offset]
    // The last character of an incomplete group mixes in whatever follows.
    const end = shifted.length % 3 === 0 ? encoded.length : encoded.length - 1
    forms.push(encoded.slice(start, end))
  }
  return forms
}

function htmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/** Every encoding of a secret the scan looks for, by name; duplicates and too-short forms dropped. */
export function secretForms(secret: string): Array<{ form: string; value: string }> {
  const candidates: Array<{ form: string; value: string }> = [{ form: 'raw', value: secret }]
  for (const value of base64Forms(secret)) {
    candidates.push({ form: 'base64', value }, { form: 'base64url', value: value.replace(/\+/g, '-').replace(/\//g, '_') })
  }
  candidates.push(
    // A lone surrogate cannot be URL-encoded; it travels as U+FFFD's bytes.
    { form: 'url', value: encodeURIComponent(secret.replace(/\p{Cs}/gu, '\ufffd')) },
    { form: 'form-url', value: new URLSearchParams({ x: secret }).toString().slice(2) },
    { form: 'json', value: JSON.stringify(secret).slice(1, -1) },
    { form: 'html', value: htmlEscape(secret) },
    { form: 'command', value: escapeCommandData(secret) }
  )
  // The runner also masks each line of a multi-line secret.
  const lines = secret.split(/\r?\n/)
  if (lines.length > 1) for (const line of lines) candidates.push({ form: 'line', value: line })
  const seen = new Set<string>()
  return candidates.filter(({ value }) => {
    if (value.length < minimumSecretLength || seen.has(value)) return false
    seen.add(value)
    return true
  })
}

function labelled(secrets: Secrets): Array<[string, string]> {
  const entries: Array<[string, string | undefined]> = Array.isArray(secrets)
    ? secrets.map((value, index) => [`secret #${index + 1}`, value])
    : Object.entries(secrets as Record<string, string | undefined>)
  if (entries.length === 0) throw new Error('No secrets given to scan for: a leak scan without secrets proves nothing')
  return entries.map(([label, value]) => {
    // A missing secret usually means the test failed to capture it; scanning without it would pass vacuously.
    if (typeof value !== 'string' || value.length === 0)
      throw new Error(`Secret '${label}' is empty or missing: the test did not capture it`)
    if (value.length < minimumSecretLength) {
      throw new Error(`Secret '${label}' is shorter than ${minimumSecretLength} characters: too short to scan for without false alarms`)
    }
    return [label, value]
  })
}

interface KnownSecret {
  label: string
  forms: Array<{ form: string; value: string }>
}

/** The line around the first hit of `label`, with every form of every known secret replaced by «its label». */
function excerptOf(line: string, label: string, known: readonly KnownSecret[]): string {
  const replacements = known
    .flatMap((secret) => secret.forms.map((form) => ({ value: form.value, label: secret.label })))
    .sort((a, b) => b.value.length - a.value.length)
  let replaced = line
  for (const replacement of replacements) replaced = replaced.split(replacement.value).join(`«${replacement.label}»`)
  const at = Math.max(0, replaced.indexOf(`«${label}»`))
  const from = Math.max(0, at - 50)
  const shortened = replaced.slice(from, at + label.length + 52)
  return `${from > 0 ? '…' : ''}${shortened}${from + shortened.length < replaced.length ? '…' : ''}`
}

/** One named piece of captured text; `lineNumbers` says whether to report lines. */
interface Capture {
  where: string
  text: string
  lineNumbers: boolean
  /** Lines the runner never displays (add-mask commands). */
  skipLine?: (line: string) => boolean
}

function capturesOf(run: ScannableRun, options: LeakScanOptions): Capture[] {
  const maskedOutputs = new Set(options.maskedOutputs ?? [])
  const exportedEnv = new Set(options.exportedEnv ?? [])
  const captures: Capture[] = [
    { where: 'stdout', text: run.stdout, lineNumbers: true, skipLine: (line) => line.trimStart().startsWith('::add-mask::') },
    { where: 'stderr', text: run.stderr, lineNumbers: true },
    { where: 'summary', text: run.summary, lineNumbers: true },
    { where: 'GITHUB_PATH', text: run.path.join('\n'), lineNumbers: true }
  ]
  for (const [name, value] of Object.entries(run.outputs)) {
    captures.push({ where: `output '${name}'`, text: maskedOutputs.has(name) ? name : `${name}=${value}`, lineNumbers: false })
  }
  for (const [name, value] of Object.entries(run.env)) {
    captures.push({ where: `GITHUB_ENV '${name}'`, text: exportedEnv.has(name) ? name : `${name}=${value}`, lineNumbers: false })
  }
  if (options.scanState) {
    for (const [name, value] of Object.entries(run.state)) {
      captures.push({ where: `GITHUB_STATE '${name}'`, text: `${name}=${value}`, lineNumbers: false })
    }
  }
  for (const [name, text] of Object.entries(options.texts ?? {})) captures.push({ where: `text '${name}'`, text, lineNumbers: true })
  return captures
}

/** Every place a secret (in any form) appears in what the step left behind. */
export function findSecretLeaks(run: ScannableRun, secrets: Secrets, options: LeakScanOptions = {}): SecretLeak[] {
  const leaks: SecretLeak[] = []
  const known: KnownSecret[] = labelled(secrets).map(([label, secret]) => ({ label, forms: secretForms(secret) }))
  for (const capture of capturesOf(run, options)) {
    capture.text.split(/\r?\n/).forEach((line, index) => {
      if (capture.skipLine?.(line)) return
      for (const { label, forms } of known) {
        const hit = forms.find(({ value }) => line.includes(value))
        if (!hit) continue
        leaks.push({
          secret: label,
          form: hit.form,
          where: capture.lineNumbers ? `${capture.where} line ${index + 1}` : capture.where,
          excerpt: excerptOf(line, label, known)
        })
      }
    })
  }
  return leaks
}

/** Throws, naming each leak's place and form, when any secret appears where it must not. */
export function expectNoSecretLeaks(run: ScannableRun, secrets: Secrets, options: LeakScanOptions = {}): void {
  const leaks = findSecretLeaks(run, secrets, options)
  if (leaks.length === 0) return
  const values = new Map(labelled(secrets))
  const report = leaks
    .slice(0, 20)
    .map(
      (leak) => `  - ${leak.secret} [${describeSecret(values.get(leak.secret) ?? '')}] as ${leak.form} in ${leak.where}: ${leak.excerpt}`
    )
  if (leaks.length > 20) report.push(`  … and ${leaks.length - 20} more`)
  throw new Error(`Secret leak${leaks.length > 1 ? 's' : ''} found:\n${report.join('\n')}`)
}

/**
 * Throws unless stdout registers `::add-mask::<secret>` before any other trace of the secret
 * (in any form). The runner masks a value only from the moment it reads that command, and
 * stdout is the stream it reads commands from; files are processed after exit.
 */
export function expectMaskedBeforeUse(source: string | Pick<ActionRun, 'stdout'>, secret: string, label = 'secret'): void {
  const stdout = typeof source === 'string' ? source : source.stdout
  const [[, value]] = labelled({ [label]: secret })
  const maskLine = `::add-mask::${escapeCommandData(value)}`
  const lines = stdout.split(/\r?\n/)
  const maskedAt = lines.findIndex((line) => line.trimStart() === maskLine)
  const forms = secretForms(value)
  const tracedAt = lines.findIndex(
    (line) => !line.trimStart().startsWith('::add-mask::') && forms.some((form) => line.includes(form.value))
  )
  if (maskedAt < 0) {
    throw new Error(
      `${label} [${describeSecret(value)}] is never masked: no '::add-mask::' line for it in stdout` +
        (tracedAt >= 0 ? `, yet it appears on stdout line ${tracedAt + 1}` : '')
    )
  }
  if (tracedAt >= 0 && tracedAt < maskedAt) {
    const form = forms.find((f) => lines[tracedAt].includes(f.value))
    throw new Error(
      `${label} [${describeSecret(value)}] appears on stdout line ${tracedAt + 1} (as ${form?.form}) before it is masked on line ${maskedAt + 1}: ` +
        excerptOf(lines[tracedAt], label, [{ label, forms }])
    )
  }
}
