// Edits the AWS config file (~/.aws/config) as text, so everything the user wrote (comments,
// spacing, order, sections no tool here understands) stays byte for byte. The action's sections
// go at the end inside one block between two marker comments that name the block's tag (the
// sso-session name, unique per run); removing that block restores the file exactly.
// INI libraries were no help: they drop comments and re-serialise the whole file.

import { runnerInBlockLine } from './marks.js'

/** One `[header]` and its `key = value` lines. */
export interface IniSection {
  header: string
  entries: ReadonlyArray<readonly [string, string]>
}

const MARKER = 'aws-sso-device-auth'
const BEGIN = new RegExp(`^# >>> ${MARKER} ([^\\s:]+)`)
const END = new RegExp(`^# <<< ${MARKER} ([^\\s:]+)`)

/** `[default]` is the default profile; every other profile is `[profile NAME]`. */
export function profileHeader(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`
}

export function ssoSessionHeader(session: string): string {
  return `sso-session ${session}`
}

/**
 * What a header means to the AWS tools: `profile:NAME` (`[default]` and `[profile default]` are
 * both the default profile), `sso-session:NAME`, or the header itself. botocore's parser fails on
 * a file with two sections of the same header, so this is what a conflict is judged by.
 */
export function sectionIdentity(header: string): string {
  const trimmed = header.trim()
  if (trimmed === 'default') return 'profile:default'
  const match = /^(profile|sso-session|services)\s+(["']?)(.+)\2$/.exec(trimmed)
  return match ? `${match[1]}:${match[3]!.trim()}` : trimmed
}

export interface FoundSection {
  header: string
  identity: string
  /** 1-based line number. */
  line: number
  /** The tag of the action's block it sits in; absent for the user's own sections. */
  block?: string
}

/** Every section header in the file, with the action block it belongs to, if any. */
export function findSections(text: string): FoundSection[] {
  const found: FoundSection[] = []
  let block: string | undefined
  splitLines(text).forEach((line, index) => {
    const begin = BEGIN.exec(line)
    if (begin) block = begin[1]
    const header = /^\s*\[([^\]]+)\]/.exec(line)
    if (header) {
      const section: FoundSection = { header: header[1]!, identity: sectionIdentity(header[1]!), line: index + 1 }
      if (block !== undefined) section.block = block
      found.push(section)
    }
    if (END.test(line)) block = undefined
  })
  return found
}

/** The tags of the action's blocks in the file, in order. */
export function blockTags(text: string): string[] {
  return markedBlocks(text).map((block) => block.tag)
}

/** The action's blocks in the file, in order, each with the runner its first line names (marks.ts). */
export function markedBlocks(text: string): Array<{ tag: string; runner?: string }> {
  return splitLines(text).flatMap((line) => {
    const tag = BEGIN.exec(line)?.[1]
    if (tag === undefined) return []
    const runner = runnerInBlockLine(line)
    return [runner === undefined ? { tag } : { tag, runner }]
  })
}

export interface AppendedBlock {
  text: string
  /** The file did not end with a line break, so one was added before the block (and goes with it). */
  terminatedLastLine: boolean
}

/** Appends `sections` inside a block tagged `tag`, in the file's own line ending style. */
export function appendBlock(text: string, tag: string, sections: readonly IniSection[], note: string): AppendedBlock {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const terminatedLastLine = text !== '' && !text.endsWith('\n')
  const lines = [`# >>> ${MARKER} ${tag}: ${note}`]
  sections.forEach((section, index) => {
    if (index > 0) lines.push('')
    lines.push(`[${section.header}]`, ...section.entries.map(([key, value]) => `${key} = ${value}`))
  })
  lines.push(`# <<< ${MARKER} ${tag}`)
  return { text: `${text}${terminatedLastLine ? eol : ''}${lines.join(eol)}${eol}`, terminatedLastLine }
}

export type RemoveOutcome = 'removed' | 'absent' | 'unterminated'

/**
 * Removes the block tagged `tag`: from its begin marker through its end marker, whatever was
 * added inside meanwhile. Without an end marker nothing is removed ('unterminated'): the block's
 * extent is unknown, and guessing could delete the user's lines. `terminatedLastLine` (from
 * appendBlock) also removes the line break added before a block that is still last in the file.
 */
export function removeBlock(text: string, tag: string, terminatedLastLine: boolean): { text: string; outcome: RemoveOutcome } {
  const begin = lineStartMatching(text, 0, (line) => BEGIN.exec(line)?.[1] === tag)
  if (begin === undefined) return { text, outcome: 'absent' }
  const endLine = lineStartMatching(text, begin, (line) => END.exec(line)?.[1] === tag)
  if (endLine === undefined) return { text, outcome: 'unterminated' }
  const lineBreak = text.indexOf('\n', endLine)
  const end = lineBreak < 0 ? text.length : lineBreak + 1
  let start = begin
  if (terminatedLastLine && end === text.length && start > 0) {
    start -= text.slice(0, start).endsWith('\r\n') ? 2 : 1
  }
  return { text: text.slice(0, start) + text.slice(end), outcome: 'removed' }
}

/** The offset of the first line at or after `from` for which `test` holds. */
function lineStartMatching(text: string, from: number, test: (line: string) => boolean): number | undefined {
  let start = from
  while (start < text.length) {
    const lineBreak = text.indexOf('\n', start)
    const end = lineBreak < 0 ? text.length : lineBreak
    if (test(text.slice(start, end).replace(/\r$/, ''))) return start
    if (lineBreak < 0) return undefined
    start = lineBreak + 1
  }
  return undefined
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/)
}
