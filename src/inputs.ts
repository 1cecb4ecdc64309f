// Every input is parsed and checked here, before any network call, so a typo fails the step in
// a second with one line naming the input, the problem and a good value, instead of surfacing
// minutes later as an AWS error or a confused approver.
//
// An empty value means the default, for every input: the runner applies action.yml defaults, but
// a reusable workflow that passes `${{ inputs.x }}` through hands over '' when its caller left the
// input out, and that should behave like leaving it out here too.
import { InputError } from './errors.js'
import { homedir } from 'node:os'
import { assertProfilesFree, awsConfigFile } from './export/aws-profiles.js'
import type { AwsAccessInputs, InputReader, NotifyChannel, Phase } from './model/inputs.js'
import { parseAwsAccessInputs } from './role-inputs.js'
import { parsePatterns, parseRequiredApprovals, type ApproverPolicy } from './gate/policy.js'
import { sanitize } from './text/sanitize.js'

const NOTIFY_CHANNELS: readonly NotifyChannel[] = ['summary', 'pr-comment']
export const DEFAULT_NOTIFY: readonly NotifyChannel[] = ['summary', 'pr-comment']

const PHASES: readonly Phase[] = ['all', 'start', 'wait']

export interface ActionInputs extends AwsAccessInputs {
  /** The AWS access portal URL, as given (validated: https). */
  startUrl: string
  /** The IAM Identity Center region. */
  region: string
  scopes: string[]
  /** The name the approver sees on the AWS consent page. */
  clientName: string
  /** How long to wait for approval, in seconds; absent: the code's own lifetime. */
  timeoutSeconds?: number
  notify: NotifyChannel[]
  phase: Phase
  /** For PR comments; empty when the workflow gives none (then no comment is posted). */
  githubToken: string
  /** Run even when the run executes a fork's code (see trust.ts). */
  allowForks: boolean
  /** Reuse the OIDC client registration across runs through the Actions cache. */
  cacheRegistration: boolean
  /** Encrypts the cached registration; masked before parsing (see maskSecretInputs). */
  cacheEncryptionKey?: string
  /** Who may approve, and how many (`approvers`, `excluded-approvers`, `required-approvals`). */
  policy: ApproverPolicy
}

export interface ParsedInputs {
  inputs: ActionInputs
  /** Suspicious but usable values: one line each, for core.warning. */
  warnings: string[]
}

export const DEFAULT_SCOPES = ['sso:account:access']

/** `GitHub Actions owner/repo`: tells the approver on the AWS consent page who is asking. */
export function defaultClientName(repository: string): string {
  // GITHUB_REPOSITORY is outside text too: the name must be one readable line, like an explicit one.
  const name = sanitize(repository, { maxLength: 200 })
  return name ? `GitHub Actions ${name}` : 'GitHub Actions'
}

/**
 * Parses all inputs. Throws InputError for the first unusable one.
 * `repository` (owner/repo) supplies the default client name.
 */
export function parseInputs(read: InputReader, repository: string): ParsedInputs {
  const warnings: string[] = []
  const region = parseRegion(read('region'))
  const startUrl = parseStartUrl(read('start-url'), region, warnings)
  const scopes = parseScopes(read('scopes'))
  const clientName = parseClientName(read('client-name'), repository)
  const timeout = read('timeout')
  const notify = parseNotify(read('notify'))
  const phase = parsePhase(read('phase'))
  const githubToken = read('github-token')
  const allowForks = parseBoolean('allow-forks', read('allow-forks'), false)
  const cacheRegistration = parseBoolean('cache-registration', read('cache-registration'), true)
  const cacheEncryptionKey = read('cache-encryption-key')
  const access = parseAwsAccessInputs(read, { region, warnings, parseRegion, parseBoolean })
  const policy: ApproverPolicy = {
    approvers: parsePatterns('approvers', read('approvers')),
    excluded: parsePatterns('excluded-approvers', read('excluded-approvers')),
    requiredApprovals: parseRequiredApprovals(read('required-approvals'))
  }
  const inputs: ActionInputs = {
    startUrl,
    region,
    scopes,
    clientName,
    notify,
    phase,
    githubToken,
    allowForks,
    cacheRegistration,
    policy,
    ...access
  }
  if (timeout !== '') inputs.timeoutSeconds = parseDuration('timeout', timeout)
  if (cacheEncryptionKey !== '') inputs.cacheEncryptionKey = checkEncryptionKeyStrength(cacheEncryptionKey)
  return { inputs, warnings }
}

/** 128 bits: the least a key may carry when whoever reads the cache can try guesses offline. */
export const MIN_KEY_BITS = 128

/**
 * The key protects a client secret against anyone who can read the repository's cache, who can try
 * keys offline at leisure: scrypt slows each guess, it does not make a short key long. So the key
 * must carry at least 128 bits. What a value carries is estimated from the alphabet it draws on
 * (hex 4 bits a character, base64 6, anything else 6 as well, which is generous for a passphrase),
 * so `openssl rand -base64 32` (44 characters) and `openssl rand -hex 16` (32) pass, a word does not.
 */
export function checkEncryptionKeyStrength(key: string): string {
  const bitsPerCharacter = /^[0-9a-f]+$/i.test(key) ? 4 : 6
  const distinct = new Set(key).size
  if (key.length * bitsPerCharacter < MIN_KEY_BITS || distinct < 8) {
    throw new InputError(
      'cache-encryption-key',
      `Input 'cache-encryption-key' is too weak to protect the cached registration (${key.length} characters; at least ${MIN_KEY_BITS} bits are needed, ` +
        `for example 22 or more random base64 characters). Store the output of 'openssl rand -base64 32' in a repository secret and pass it, ` +
        `or leave the input empty to cache unencrypted.`
    )
  }
  return key
}

/** Inputs whose values are secrets: registered with the runner before anything else reads them. */
// github-token is usually GITHUB_TOKEN, which the runner masks itself; a personal token might not be.
export const SECRET_INPUTS = ['cache-encryption-key', 'github-token'] as const

/** Checked with the inputs: a profile name the user's config file has already fails before any approval. */
export function checkProfileNames(inputs: AwsAccessInputs): void {
  if (inputs.profiles.length > 0) assertProfilesFree(awsConfigFile(process.env, homedir()), inputs.profiles)
}

/**
 * Masks every secret input, before parsing: nothing that could print (a warning, an error naming
 * a value) runs before the runner knows to hide it, even when a workflow passes a literal.
 */
export function maskSecretInputs(read: InputReader, setSecret: (secret: string) => void): void {
  for (const name of SECRET_INPUTS) {
    const value = read(name)
    if (value !== '') setSecret(value)
  }
}

function required(name: string, value: string, example: string): string {
  if (value === '') throw new InputError(name, `Input '${name}' is required; set it to a value like ${example}.`)
  return value
}

// Shape shared by every partition: aws (us-east-1), aws-cn (cn-north-1), aws-us-gov
// (us-gov-west-1), the ISO partitions (us-iso-east-1, us-isob-east-1, eu-isoe-west-1) and EUSC
// (eusc-de-east-1). A shape rather than a list, so a region launched after this release works.
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/

/** Whether a value has the shape of an AWS region (REGION above). */
export function isRegionName(value: string): boolean {
  return REGION.test(value)
}

/** Checks a region for `input` ('region' or 'aws-region'). */
export function parseRegion(raw: string, input = 'region'): string {
  const value = required(input, raw, 'us-east-1')
  if (REGION.test(value)) return value
  const hint = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}[a-z]$/.test(value)
    ? ' (that is an availability zone; drop the last letter)'
    : /[A-Z]/.test(value) && REGION.test(value.toLowerCase())
      ? ' (regions are lower case)'
      : ''
  throw new InputError(input, `Input '${input}' must be an AWS region like us-east-1; got ${JSON.stringify(value)}${hint}.`)
}

// Start URLs AWS hands out: https://d-1234567890.awsapps.com/start, https://<alias>.awsapps.com/start,
// GovCloud https://start.us-gov-home.awsapps.com/directory/d-1234567890, China *.awsapps.cn, and the
// newer https://<id>.portal.<region>.app.aws. On an awsapps host any other path is not a start URL
// (the portal's root or a page inside it, copied from the browser) and is refused. Any other https
// host only warns: an emulator, a private endpoint or a partition this list does not know may be
// right, and AWS itself will reject a bad one.
const AWSAPPS_HOST = /^[a-z0-9][a-z0-9-]*\.(?:[a-z0-9-]+\.)*awsapps\.(?:com|cn)$/
const APP_AWS_HOST = /^[a-z0-9][a-z0-9-]*\.portal\.([a-z0-9-]+)\.app\.aws$/
const START_URL_EXAMPLE = 'https://d-1234567890.awsapps.com/start'

/**
 * Rejects what cannot be a start URL (not a URL, not https, credentials in it, spaces, an awsapps
 * path other than /start); warns about a host that does not look like an AWS access portal, and
 * about a portal host whose region differs from `region`.
 */
export function parseStartUrl(raw: string, region: string, warnings: string[]): string {
  const value = required('start-url', raw, START_URL_EXAMPLE)
  const reject = (problem: string): never => {
    throw new InputError('start-url', `Input 'start-url' ${problem}, like ${START_URL_EXAMPLE}; got ${JSON.stringify(value)}.`)
  }
  if (/\s/.test(value)) reject('must be one URL without spaces')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return reject('must be the AWS access portal URL')
  }
  if (url.protocol !== 'https:') reject('must be an https:// URL')
  if (url.username || url.password) reject('must not contain a user name or password')

  const host = url.hostname
  const portal = APP_AWS_HOST.exec(host)
  if (AWSAPPS_HOST.test(host)) {
    const isDirectoryPath = /^\/directory\/[^/]+\/?$/.test(url.pathname)
    if (!/^\/start\/?$/.test(url.pathname) && !isDirectoryPath) reject(`must be the portal's start URL, ending in /start`)
  } else if (portal) {
    if (portal[1] !== region) {
      warnings.push(
        `Input 'start-url' names the region ${portal[1]} but input 'region' is ${region}; IAM Identity Center usually lives in the portal's region.`
      )
    }
  } else {
    warnings.push(
      `Input 'start-url' host ${host} is not an AWS access portal host (*.awsapps.com, *.awsapps.cn, *.portal.<region>.app.aws); continuing in case it is right.`
    )
  }
  if (url.search || url.hash) {
    warnings.push(
      // The value is only checked for white space so far: bidi, zero-width and C1 characters go through the sanitiser.
      `Input 'start-url' (${sanitize(value, { maxLength: 300 })}) has a query or fragment; AWS access portal URLs have neither, like ${START_URL_EXAMPLE}.`
    )
  }
  return value
}

// sso:account:access, codewhisperer:completions, codecatalyst:read_write: service, then parts.
const SCOPE = /^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.*-]+)+$/

/** A comma-, space- or newline-separated list; duplicates dropped, order kept. */
export function parseScopes(raw: string): string[] {
  if (raw === '') return [...DEFAULT_SCOPES]
  const scopes = [...new Set(splitList(raw))]
  for (const scope of scopes) {
    if (!SCOPE.test(scope)) {
      throw new InputError(
        'scopes',
        `Input 'scopes' must list scopes like sso:account:access, separated by commas, spaces or new lines; got ${JSON.stringify(scope)}.`
      )
    }
  }
  return scopes
}

export function parseClientName(raw: string, repository: string): string {
  if (raw === '') return defaultClientName(repository)
  // It is sent to AWS and shown on the consent page, which renders it as given: one readable line,
  // so no control (C0 or C1), line or paragraph separator, and none of the invisible format
  // characters (bidi overrides, zero-width) that could make the page show another name than the
  // log does. Lone surrogates and private-use characters have no reading at all.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u.test(raw)) {
    throw new InputError(
      'client-name',
      `Input 'client-name' must be one line of visible text, like "GitHub Actions octo-org/app", without control, bidi or zero-width characters; got ${JSON.stringify(raw)}.`
    )
  }
  return raw
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/
const DURATION_EXAMPLE = '600, 90s, 10m or 1h30m'

/** Whole seconds from `600`, `90s`, `10m`, `1h30m`, `1h30m15s`; must be at least one second. */
export function parseDuration(name: string, raw: string): number {
  const invalid = (problem: string): never => {
    throw new InputError(name, `Input '${name}' must be ${problem} like ${DURATION_EXAMPLE}; got ${JSON.stringify(raw)}.`)
  }
  const value = raw.trim()
  let seconds: number
  if (/^\d+$/.test(value)) {
    seconds = Number(value)
  } else {
    const match = DURATION.exec(value)
    if (!match || value === '') return invalid('a number of seconds or a duration')
    const [, h = '0', m = '0', s = '0'] = match
    seconds = Number(h) * 3600 + Number(m) * 60 + Number(s)
  }
  if (!Number.isSafeInteger(seconds)) return invalid('a reasonable duration')
  if (seconds < 1) return invalid('at least one second,')
  return seconds
}

// What core.getBooleanInput accepts (the YAML 1.2 core schema's booleans); empty means the default.
const TRUE_VALUES = ['true', 'True', 'TRUE']
const FALSE_VALUES = ['false', 'False', 'FALSE']

export function parseBoolean(name: string, raw: string, defaultValue: boolean): boolean {
  if (raw === '') return defaultValue
  if (TRUE_VALUES.includes(raw)) return true
  if (FALSE_VALUES.includes(raw)) return false
  throw new InputError(name, `Input '${name}' must be true or false; got ${JSON.stringify(raw)}.`)
}

export function parseNotify(raw: string): NotifyChannel[] {
  if (raw === '') return [...DEFAULT_NOTIFY]
  const channels: NotifyChannel[] = []
  for (const item of splitList(raw)) {
    const channel = NOTIFY_CHANNELS.find((known) => known === item)
    if (!channel) {
      throw new InputError(
        'notify',
        `Input 'notify' must list channels from: ${NOTIFY_CHANNELS.join(', ')} (the log is always used), like "summary, pr-comment"; got ${JSON.stringify(item)}.`
      )
    }
    if (!channels.includes(channel)) channels.push(channel)
  }
  return channels
}

export function parsePhase(raw: string): Phase {
  if (raw === '') return 'all'
  const phase = PHASES.find((known) => known === raw)
  if (phase) return phase
  throw new InputError('phase', `Input 'phase' must be one of ${PHASES.join(', ')}, like start; got ${JSON.stringify(raw)}.`)
}

function splitList(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((item) => item !== '')
}
