// The step log as a person sees it on github.com: workflow commands consumed or rendered as
// annotations, debug lines only with debug logging, every registered mask replaced by `***` from
// the moment it was registered. Used by the demo to stream the action's log, and by tests that
// check what the approver can read (a user code must never turn into `***`).
import { createCommandReader } from './file-commands.js'

export interface LogViewOptions {
  /** Show `::debug::` lines, as with RUNNER_DEBUG=1. */
  debug?: boolean
  /** Masks registered before this step (they outlive their step). */
  masks?: readonly string[]
  /** Receives each rendered line, without its line end. */
  write: (line: string) => void
}

const annotations: Record<string, string> = { error: 'Error', warning: 'Warning', notice: 'Notice' }

/** Renders stdout as it streams in; call end() when the stream closes to flush a last partial line. */
export class LogView {
  private readonly masks: string[]
  private readonly readCommand = createCommandReader()
  private pending = ''
  private lineIndex = 0

  constructor(private readonly options: LogViewOptions) {
    this.masks = [...(options.masks ?? [])]
  }

  push(text: string): void {
    const lines = (this.pending + text).split('\n')
    this.pending = lines.pop() ?? ''
    for (const line of lines) this.renderLine(line.replace(/\r$/, ''))
  }

  end(): void {
    if (this.pending !== '') this.renderLine(this.pending)
    this.pending = ''
  }

  private renderLine(line: string): void {
    const command = this.readCommand(line, this.lineIndex++)
    if (!command) return this.options.write(this.mask(line))
    switch (command.name) {
      case 'add-mask':
        // The runner masks the value and each of its lines; longest first, so parts never win.
        for (const value of [command.data, ...command.data.split(/\r?\n/)]) if (value.trim() !== '') this.masks.push(value)
        this.masks.sort((a, b) => b.length - a.length)
        return
      case 'debug':
        if (this.options.debug) for (const part of command.data.split('\n')) this.options.write(this.mask(`##[debug]${part}`))
        return
      case 'error':
      case 'warning':
      case 'notice': {
        const [first, ...rest] = command.data.split('\n')
        this.options.write(this.mask(`${annotations[command.name]}: ${first}`))
        for (const part of rest) this.options.write(this.mask(part))
        return
      }
      case 'group':
        return this.options.write(this.mask(`▸ ${command.data}`))
      default:
        // endgroup, save-state, set-output, stop-commands, echo, matchers: consumed by the runner.
        return
    }
  }

  private mask(line: string): string {
    let masked = line
    for (const value of this.masks) masked = masked.split(value).join('***')
    return masked
  }
}

/** Renders a whole stdout at once. */
export function renderLog(stdout: string, options: Omit<LogViewOptions, 'write'> = {}): string {
  const lines: string[] = []
  const view = new LogView({ ...options, write: (line) => lines.push(line) })
  view.push(stdout)
  view.end()
  return lines.join('\n')
}
