import { InputError } from '../../src/errors.js'

/** The InputError a call throws (fails the test if it throws nothing or something else). */
export function inputError(call: () => unknown): InputError {
  try {
    call()
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}
