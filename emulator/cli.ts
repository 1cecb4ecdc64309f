// `npm run emulator -- [options]` (`--help` lists them): runs the emulator until SIGINT/SIGTERM. Prints exactly one JSON line on
// stdout once listening (scripts wait for it); everything else, the request log included, goes to stderr.
import { HelpRequested, USAGE, UsageError, parseCliOptions, type CliConfig } from './cli-options.js'
import { startEmulator } from './server.js'

async function main(): Promise<void> {
  let config: CliConfig
  try {
    config = parseCliOptions(process.argv.slice(2))
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(`${error.message}\n`)
      process.exit(0)
    }
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`emulator: ${error.message}\n${error.showUsage ? `\n${USAGE}\n` : ''}`)
    process.exit(2)
  }
  const emulator = await startEmulator({ ...config.options, log: (line) => process.stderr.write(`emulator: ${line}\n`) })
  for (const fault of config.faults) emulator.injectFault(fault)

  // Handlers first, then the line: whoever reads the line may signal at once.
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return
    stopping = true
    process.stderr.write(`emulator: ${signal}, closing\n`)
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  process.stdout.write(
    JSON.stringify({ endpoint: emulator.endpoint, verificationUri: `${emulator.endpoint}/device`, pid: process.pid }) + '\n'
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${(error as Error).message}\n`)
  process.exit(1)
})
