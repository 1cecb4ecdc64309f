// The errors a user can fix, each with its one line to show (failure.ts explains every other
// failure the same way). Every expected failure ends as ONE line that says what happened and what
// to do; stack traces are for bugs only (and go to the debug log).
import { sanitize } from './text/sanitize.js'

/** A failure the user can fix; its message is already the one line to show. */
export class UserFacingError extends Error {
  override readonly name: string = 'UserFacingError'
  constructor(message: string) {
    super(oneLine(message))
  }
}

/** An input that cannot be used: names the input, the problem and an example of a good value. */
export class InputError extends UserFacingError {
  override readonly name = 'InputError'
  constructor(
    readonly input: string,
    message: string
  ) {
    super(message)
  }
}

/** One line in the log, whatever outside text the message carries (text/sanitize.ts). */
export function oneLine(text: string): string {
  return sanitize(text, { maxLength: 2000 })
}
