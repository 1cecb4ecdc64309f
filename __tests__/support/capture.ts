// What a test writes to stdout or stderr, kept instead of printed: @actions/core writes the
// workflow commands (`::warning::`, `::add-mask::`, `::debug::`…) and log lines there, and the
// tests read them back. A jest spy, so `jest.restoreAllMocks()` or `restore()` puts the stream back.
import { jest } from '@jest/globals'

export interface Capture {
  /** Each chunk as written, in order. */
  readonly chunks: string[]
  /** The non-empty lines written so far (a live array: it grows as the code writes). */
  readonly lines: string[]
  /** Everything written, joined. */
  text(): string
  /** Stops capturing: the stream writes to the terminal again. */
  restore(): void
}

/** Captures `stream` (default stdout) until restored; `onChunk` sees each chunk as it is written. */
export function capture(stream: NodeJS.WriteStream = process.stdout, onChunk?: (text: string) => void): Capture {
  const chunks: string[] = []
  const lines: string[] = []
  const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = String(chunk)
    chunks.push(text)
    lines.push(...text.split('\n').filter(Boolean))
    onChunk?.(text)
    return true
  })
  return { chunks, lines, text: () => chunks.join(''), restore: () => spy.mockRestore() }
}

/** Captures stdout; see capture(). */
export function captureStdout(onChunk?: (text: string) => void): Capture {
  return capture(process.stdout, onChunk)
}
