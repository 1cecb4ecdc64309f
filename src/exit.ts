// Ends the action's process once run() is done, instead of waiting for the event loop to drain.
//
// Work the action gave up on can hold the loop open long after the outcome is known: the action's
// own requests are torn down at their deadlines, but a socket a dependency keeps open (a PR comment
// through @actions/github, say) would keep the step running until the job's own timeout. So the process exits explicitly,
// with the exit code run() set (core.setFailed sets process.exitCode).
//
// Exiting at once could cut the log short: on Linux, stdout and stderr are asynchronous when they
// are pipes (as the runner's are), and process.exit() drops what is still queued. An empty write
// calls back only after everything queued before it, so the streams are flushed first. The file
// commands (outputs, env, state, summary) are written synchronously or awaited by run().

/** Longest wait for a reader that has stopped reading; the outcome is in the files by then. */
const FLUSH_BOUND_MS = 10_000

export async function exitWhenFlushed(): Promise<never> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FLUSH_BOUND_MS)
  })
  await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), bound])
  clearTimeout(timer)
  process.exit()
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    // The callback also runs when the write fails (a closed pipe): nothing more to wait for then.
    stream.write('', () => resolve())
  })
}
