// What a call that must fail threw; a call that succeeds fails the test instead.
export async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail, but it succeeded')
}
