// Parses the emulator's command line into EmulatorOptions. Every problem is a UsageError with one
// line that names the flag and shows a good value.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { parseDirectory } from './directory.js'
import { FaultError, parseFaultSpec, validateFault, type Fault } from './faults.js'
import { AWS_OPERATIONS, type EmulatorOptions } from './server.js'

export const USAGE =
  'usage: npm run emulator -- [--host H] [--port N] [--interval S] [--expires-in S] [--token-ttl S] ' +
  '[--registration-ttl S] [--approve-after S] [--directory file.json] ' +
  "[--fault 'OP:KIND[:...]' | --fault faults.json | --fault '{json}']..."

export interface CliConfig {
  options: EmulatorOptions
  /** Armed once the emulator listens, in the order given. */
  faults: Fault[]
}

export class UsageError extends Error {}

/** `--help`: not an error, the usage goes to stdout. */
export class HelpRequested extends Error {}

export function parseCliOptions(argv: string[]): CliConfig {
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        interval: { type: 'string' },
        'expires-in': { type: 'string' },
        'token-ttl': { type: 'string' },
        'registration-ttl': { type: 'string' },
        'approve-after': { type: 'string' },
        directory: { type: 'string' },
        fault: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' }
      }
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0])
  }
  if (values.help) throw new HelpRequested(USAGE)

  const options: EmulatorOptions = {}
  const str = (name: string): string | undefined => values[name] as string | undefined
  if (str('host') !== undefined) options.host = str('host')
  const port = str('port')
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UsageError(`--port must be 0-65535, got "${port}"`)
    options.port = Number(port)
  }
  options.interval = seconds('interval', str('interval'), false)
  options.expiresIn = seconds('expires-in', str('expires-in'), false)
  options.tokenTtl = seconds('token-ttl', str('token-ttl'), false)
  options.registrationTtl = seconds('registration-ttl', str('registration-ttl'), false)
  options.approveAfter = seconds('approve-after', str('approve-after'), true)
  const directory = str('directory')
  if (directory !== undefined) options.directory = readDirectory(directory)
  for (const key of Object.keys(options) as Array<keyof EmulatorOptions>) if (options[key] === undefined) delete options[key]
  const faults = ((values.fault as string[] | undefined) ?? []).flatMap(readFaults)
  return { options, faults }
}

/** `--fault` takes the short form, inline JSON (a fault or a list), or a .json file holding either. */
function readFaults(value: string): Fault[] {
  try {
    let json: string | undefined
    if (/^\s*[[{]/.test(value)) json = value
    else if (value.endsWith('.json')) {
      try {
        json = readFileSync(value, 'utf8')
      } catch (error) {
        throw new FaultError(`cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
      }
    }
    if (json === undefined) return [parseFaultSpec(value, AWS_OPERATIONS)]
    let parsed: unknown
    try {
      parsed = JSON.parse(json)
    } catch {
      throw new FaultError(`${value.endsWith('.json') ? value : 'inline fault'} is not valid JSON`)
    }
    return (Array.isArray(parsed) ? parsed : [parsed]).map((fault) => validateFault(fault, AWS_OPERATIONS))
  } catch (error) {
    if (error instanceof FaultError)
      throw new UsageError(`--fault: ${error.message}; e.g. --fault 'CreateToken:status:500:InternalServerException:2'`)
    throw error
  }
}

function seconds(flag: string, value: string | undefined, zeroAllowed: boolean): number | undefined {
  if (value === undefined) return undefined
  const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN
  if (!Number.isFinite(number) || (!zeroAllowed && number === 0)) {
    throw new UsageError(
      `--${flag} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of seconds, e.g. 5 or 0.5, got "${value}"`
    )
  }
  return number
}

function readDirectory(path: string): EmulatorOptions['directory'] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`--directory: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  try {
    const value: unknown = JSON.parse(text)
    // Checked here, with the file's name in the message; startEmulator reads the same value again.
    parseDirectory(value, path)
    return value as EmulatorOptions['directory']
  } catch (error) {
    throw new UsageError(`--directory: ${(error as Error).message}`)
  }
}
