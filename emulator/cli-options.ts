// Parses the emulator's command line into EmulatorOptions. Every problem is a UsageError with one
// line that names the flag and shows a good value.
import { readFileSync } from 'node:fs'
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { parseDirectory } from './directory.js'
import { DEFAULT_USER } from './device-page.js'
import { FAULT_KINDS, FaultError, parseFaultSpec, validateFault, type Fault, type FaultKind } from './faults.js'
import { VERIFICATION_FORMS, type VerificationForm } from './oidc.js'
import { AWS_OPERATIONS, DEFAULT_DIRECTORY, EMULATOR_DEFAULTS, type EmulatorOptions } from './server.js'

/** Every flag, with what it means and its default: parseArgs and `--help` both read this table. */
const FLAGS: ReadonlyArray<{ name: string; value?: string; short?: string; multiple?: boolean; meaning: string; default?: string }> = [
  { name: 'host', value: 'H', meaning: 'address to listen on', default: '127.0.0.1 (loopback only)' },
  { name: 'port', value: 'N', meaning: 'port to listen on; 0: the OS picks a free one (the JSON line says which)', default: '0' },
  {
    name: 'interval',
    value: 'S',
    meaning: 'poll interval StartDeviceAuthorization asks for (fractions allowed)',
    default: `${EMULATOR_DEFAULTS.interval}`
  },
  { name: 'expires-in', value: 'S', meaning: 'life of a device code', default: `${EMULATOR_DEFAULTS.expiresIn} (AWS's 10 minutes)` },
  { name: 'token-ttl', value: 'S', meaning: 'life of an access token', default: `${EMULATOR_DEFAULTS.tokenTtl}` },
  {
    name: 'registration-ttl',
    value: 'S',
    meaning: 'life of a client registration',
    default: `${EMULATOR_DEFAULTS.registrationTtl} (90 days)`
  },
  {
    name: 'approve-after',
    value: 'S',
    meaning: `approve each request by itself S seconds after it starts, as "${DEFAULT_USER}"`,
    default: 'off (approve or deny at <endpoint>/device)'
  },
  {
    name: 'directory',
    value: 'file.json',
    meaning: 'the accounts and roles the signed-in user is assigned (format below)',
    default: 'the accounts listed below'
  },
  {
    name: 'verification-form',
    value: 'FORM',
    meaning: 'links: current (AWS today; the page asks to confirm the code) or legacy',
    default: 'current (legacy: /device?user_code=CODE links)'
  },
  {
    name: 'fault',
    value: 'SPEC',
    multiple: true,
    meaning: 'misbehave on purpose (below); repeat for several, applied in order',
    default: 'none'
  },
  { name: 'help', short: 'h', meaning: 'print this help and exit' }
]

const FAULT_MEANINGS: Record<FaultKind, string> = {
  status: 'an AWS error reply: OP:status[:HTTP status, default 500][:error type][:times]',
  reset: 'the connection is destroyed without an answer: OP:reset[:times]',
  hang: 'no answer at all until the emulator closes: OP:hang[:times]',
  slow: 'the real answer, late: OP:slow:MILLISECONDS[:times]',
  'malformed-json': 'a 200 whose JSON body is cut short: OP:malformed-json[:times]',
  'missing-fields': 'the real answer without the fields a client needs: OP:missing-fields[:times]',
  override: 'the real answer with "fields" (by dotted path) or "headers" set; JSON form only'
}

function usage(): string {
  const column = (flag: (typeof FLAGS)[number]): string =>
    `${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${flag.value ? ` ${flag.value}` : ''}`
  const width = Math.max(...FLAGS.map((flag) => column(flag).length))
  const options = FLAGS.flatMap((flag) => [
    `  ${column(flag).padEnd(width)}  ${flag.meaning}`,
    ...(flag.default === undefined ? [] : [`  ${''.padEnd(width)}  default: ${flag.default}`])
  ])
  const kindWidth = Math.max(...FAULT_KINDS.map((kind) => kind.length))
  const defaultDirectory = DEFAULT_DIRECTORY.map(
    (account) => `    ${account.accountId} (${account.accountName}, ${account.emailAddress}): ${account.roles.join(', ')}`
  )
  return [
    'usage: npm run emulator -- [options]',
    '',
    'A local IAM Identity Center (SSO OIDC, the access portal and the verification page) on one',
    'port, for trying the action without AWS. Once it listens it prints one JSON line on stdout,',
    '{"endpoint": "http://127.0.0.1:PORT", "verificationUri": ".../device", "pid": N}; the request',
    'log goes to stderr. Point the action at it with AWS_ENDPOINT_URL_SSO_OIDC and',
    'AWS_ENDPOINT_URL_SSO set to the endpoint; approve at <endpoint>/device, or',
    '`curl -d user_code=ABCD-EFGH <endpoint>/device/approve` (or /device/deny). Runs until',
    'Ctrl-C or SIGTERM.',
    '',
    'Options (S: seconds):',
    ...options,
    '',
    'Directory file (--directory): a JSON array, one entry per account:',
    '  [{"accountId": "111122223333", "accountName": "Production",',
    '    "emailAddress": "aws-prod@example.com", "roles": ["Deployer", "ReadOnly"]}]',
    '  accountId has 12 digits and appears once; roles is a list of role names. Without the flag:',
    ...defaultDirectory,
    '',
    "Faults (--fault): 'OP:KIND[:...]', a JSON fault or list of faults inline, or a .json file",
    'holding either. OP is the AWS operation, or * for every one of them:',
    `  ${AWS_OPERATIONS.slice(0, 4).join(', ')},`,
    `  ${AWS_OPERATIONS.slice(4).join(', ')}.`,
    'times is how many requests it affects (default 1; inf for all). Kinds:',
    ...FAULT_KINDS.map((kind) => `  ${kind.padEnd(kindWidth)}  ${FAULT_MEANINGS[kind]}`),
    '  JSON form: {"operation": "CreateToken", "kind": "status", "status": 500,',
    '    "errorType": "InternalServerException", "times": 2, "retryAfter": 1}',
    "  e.g. --fault 'CreateToken:status:500:InternalServerException:2' --fault 'ListAccounts:slow:1500'",
    '',
    'Faults can also be armed while it runs: POST a JSON fault to <endpoint>/__emulator/faults',
    '(DELETE clears them); GET <endpoint>/__emulator/state shows the request counts.'
  ].join('\n')
}

export const USAGE = usage()

export interface CliConfig {
  options: EmulatorOptions
  /** Armed once the emulator listens, in the order given. */
  faults: Fault[]
}

export class UsageError extends Error {
  /** Print the usage after the line: the user does not know the flags. */
  readonly showUsage: boolean

  constructor(message: string, options: { cause?: unknown; showUsage?: boolean } = {}) {
    super(message, { cause: options.cause })
    this.showUsage = options.showUsage ?? false
  }
}

/** `--help`: not an error, the usage goes to stdout. */
export class HelpRequested extends Error {}

export function parseCliOptions(argv: string[]): CliConfig {
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        FLAGS.map((flag) => [
          flag.name,
          flag.value
            ? { type: 'string', multiple: flag.multiple ?? false }
            : { type: 'boolean', ...(flag.short ? { short: flag.short } : {}) }
        ])
      ) as ParseArgsOptionsConfig
    }).values as Record<string, string | boolean | string[] | undefined>
  } catch (error) {
    // An unknown flag or a stray word: what there is to choose from comes with the error.
    throw new UsageError((error as Error).message.split('\n')[0], { cause: error, showUsage: true })
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
  const form = str('verification-form')
  if (form !== undefined) {
    if (!(VERIFICATION_FORMS as readonly string[]).includes(form)) {
      throw new UsageError(`--verification-form must be ${VERIFICATION_FORMS.join(' or ')}, got "${form}"`)
    }
    options.verificationForm = form as VerificationForm
  }
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
