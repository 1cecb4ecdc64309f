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
  /** Seals the role credentials as the `handoff` output, or opens `handoff`; masked before parsing. */
  handoffKey?: string
  /** A gate job's sealed value: this step opens it and asks nobody anything (handoff/open.ts). */
  handoff?: string
  /** Who may approve, and how many (`approvers`, `excluded-approvers`, `required-approvals`). */
  policy: ApproverPolicy
}

export interface ParsedInputs {
  inputs: ActionInputs
  /** Suspicious but usable values: one line each, for core.warning. */
  warnings: string[]
}

/** The scope that lets a token list accounts and roles and get role credentials (the portal calls). */
export const ACCOUNT_ACCESS_SCOPE = 'sso:account:access'
export const DEFAULT_SCOPES = [ACCOUNT_ACCESS_SCOPE]

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
  const handoff = read('handoff')
  const rawHandoffKey = read('handoff-key')
  const rawStartUrl = read('start-url')
  const rawRegion = read('region')
  // Opening a hand-off asks IAM Identity Center nothing: its start URL and region may be left out.
  const opening = handoff !== ''
  if (!opening && rawHandoffKey !== '' && (rawStartUrl === '' || rawRegion === '')) {
    // A deploy job whose `handoff: ${{ needs.gate.outputs.handoff }}` arrived empty.
    throw new InputError(
      'handoff',
      `Input 'handoff' is empty and 'start-url' or 'region' is not set: if this step opens a gate job's hand-off, the gate's handoff output did not arrive (the runner drops a job output in which a masked value appears: look for "Skip output 'handoff'" in the gate job's log, and keep its secrets long); if it is a gate, set 'start-url' and 'region'.`
    )
  }
  const region = opening && rawRegion === '' ? '' : parseRegion(rawRegion)
  const startUrl = opening && rawStartUrl === '' ? '' : parseStartUrl(rawStartUrl, region, warnings)
  const scopes = parseScopes(read('scopes'))
  const clientName = parseClientName(read('client-name'), repository)
  const timeout = read('timeout')
  const notify = parseNotify(read('notify'))
  const phase = parsePhase(read('phase'))
  const githubToken = read('github-token')
  const allowForks = parseBoolean('allow-forks', read('allow-forks'), false)
  const cacheRegistration = parseBoolean('cache-registration', read('cache-registration'), true)
  const cacheEncryptionKey = read('cache-encryption-key')
  const access = parseAwsAccessInputs(read, { region, warnings, parseRegion, parseBoolean, opening })
  if (!opening && (access.role !== undefined || access.profiles.length > 0) && !scopes.includes(ACCOUNT_ACCESS_SCOPE)) {
    warnings.push(
      `Input 'scopes' (${scopes.join(' ')}) does not include ${ACCOUNT_ACCESS_SCOPE}, but role credentials are asked for ('account-id' and 'role-name', 'profile' or 'roles'): AWS gives a token without it no accounts, roles or role credentials. Add ${ACCOUNT_ACCESS_SCOPE} to 'scopes'.`
    )
  }
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
  Object.assign(inputs, parseHandoffInputs(handoff, rawHandoffKey, inputs))
  return { inputs, warnings }
}

/** `handoff-key` (seal, or open with `handoff`) and `handoff`, checked against the other inputs. */
function parseHandoffInputs(handoff: string, rawKey: string, inputs: ActionInputs): Pick<ActionInputs, 'handoffKey' | 'handoff'> {
  if (rawKey === '') {
    if (handoff === '') return {}
    throw new InputError(
      'handoff-key',
      "Input 'handoff' needs 'handoff-key', the secret the gate job sealed it with; pass the same secret to both, like handoff-key: ${{ secrets.HANDOFF_KEY }}."
    )
  }
  const handoffKey = checkEncryptionKeyStrength(rawKey, 'handoff-key')
  if (handoff !== '') {
    if (inputs.phase !== 'all') {
      throw new InputError(
        'phase',
        `Input 'handoff' opens a gate job's approval and asks nobody anything: leave 'phase' out (it is ${inputs.phase}).`
      )
    }
    return { handoffKey, handoff }
  }
  if (inputs.phase === 'start') {
    throw new InputError(
      'handoff-key',
      "Input 'handoff-key' seals role credentials, which a phase: start step never gets; set it on the phase: wait step."
    )
  }
  if (!inputs.role && inputs.profiles.length === 0) {
    throw new InputError(
      'handoff-key',
      "Input 'handoff-key' seals the credentials of the requested roles for later jobs, but no role is requested; set 'account-id' and 'role-name', or 'roles'."
    )
  }
  return { handoffKey }
}

/** 128 bits: the least a key may carry when whoever reads what it seals can try guesses offline. */
export const MIN_KEY_BITS = 128

/** What a key input protects, for its error line. */
interface KeyUse {
  /** "the cached registration", "the role credentials handed to later jobs". */
  protects: string
  /** What leaving the input empty means instead. */
  whenEmpty: string
}

const KEY_USES: Record<'cache-encryption-key' | 'handoff-key', KeyUse> = {
  'cache-encryption-key': { protects: 'the cached registration', whenEmpty: 'or leave the input empty to cache unencrypted' },
  'handoff-key': {
    protects: 'the role credentials handed to later jobs',
    whenEmpty: 'the same secret in the gate job and in every job that opens its hand-off'
  }
}

/**
 * A key protects what it seals against anyone who can read the sealed text (the repository's
 * cache, a job output), who can try keys offline at leisure: scrypt slows each guess, it does not
 * make a short key long. So the key must carry at least 128 bits. What a value carries is estimated
 * from the alphabet it draws on (hex 4 bits a character, base64 6, anything else 6 as well, which is
 * generous for a passphrase), so `openssl rand -base64 32` (44 characters) and `openssl rand -hex 16`
 * (32) pass, a word does not.
 */
export function checkEncryptionKeyStrength(key: string, input: keyof typeof KEY_USES = 'cache-encryption-key'): string {
  const bitsPerCharacter = /^[0-9a-f]+$/i.test(key) ? 4 : 6
  const distinct = new Set(key).size
  if (key.length * bitsPerCharacter < MIN_KEY_BITS || distinct < 8) {
    const use = KEY_USES[input]
    throw new InputError(
      input,
      `Input '${input}' is too weak to protect ${use.protects} (${key.length} characters; at least ${MIN_KEY_BITS} bits are needed, ` +
        `for example 22 or more random base64 characters). Store the output of 'openssl rand -base64 32' in a repository secret and pass it, ` +
        `${use.whenEmpty}.`
    )
  }
  return key
}

/** Inputs whose values are secrets: registered with the runner before anything else reads them. */
// github-token is usually GITHUB_TOKEN, which the runner masks itself; a personal token might not be.
export const SECRET_INPUTS = ['cache-encryption-key', 'handoff-key', 'github-token'] as const

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

// Start URLs AWS hands out (docs/protocol.md §1, "Start URLs"): the classic and alias portals
// https://d-1234567890.awsapps.com/start and https://<alias>.awsapps.com/start, GovCloud
// https://start.us-gov-home.awsapps.com/directory/d-1234567890, China *.awsapps.cn; and the regional
// portals every instance has in its home region and each additional (Multi-Region) one, without
// /start: dual-stack https://ssoins-<id>.portal.<region>.app.aws and the alternative IPv4
// https://ssoins-<id>.<region>.portal.amazonaws.com (and their China and EU sovereign variants).
// On an awsapps host any other path is not a start URL (the portal's root or a page inside it,
// copied from the browser) and is refused. Any other https host only warns: an emulator, a private
// endpoint or a partition this list does not know may be right, and AWS itself will reject a bad one.
const AWSAPPS_HOST = /^[a-z0-9][a-z0-9-]*\.(?:[a-z0-9-]+\.)*awsapps\.(?:com|cn)$/
/** Regional portal hosts, each with the region it names as its first group. */
const REGIONAL_PORTAL_HOSTS: readonly RegExp[] = [
  /^[a-z0-9][a-z0-9-]*\.portal\.([a-z0-9-]+)\.(?:app\.aws|app\.amazonwebservices\.com\.cn|api\.amazonwebservices\.eu)$/,
  /^[a-z0-9][a-z0-9-]*\.([a-z0-9-]+)\.portal\.amazonaws\.(?:com|com\.cn|eu)$/
]
const START_URL_EXAMPLE = 'https://d-1234567890.awsapps.com/start'

/** The region a regional portal host names (ssoins-….portal.eu-west-1.app.aws: eu-west-1), if it is one. */
export function startUrlRegion(host: string): string | undefined {
  for (const pattern of REGIONAL_PORTAL_HOSTS) {
    const match = pattern.exec(host)
    if (match) return match[1]
  }
  return undefined
}

/**
 * Rejects what cannot be a start URL (not a URL, not https, credentials in it, spaces, an awsapps
 * path other than /start), and a regional portal whose region is not `region`; warns about a host
 * that does not look like an AWS access portal.
 *
 * Why a region mismatch fails rather than warns: a regional portal URL names the one region whose
 * IAM Identity Center serves it (the home region, or an additional region of a Multi-Region
 * instance, where device authorizations are made and approved separately). With another `region`,
 * AWS still hands out a code, but the approver's page shows an error, the action is never told,
 * and the job waits out the code blaming the approver. Nothing useful can come of that run.
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
  const portalRegion = startUrlRegion(host)
  if (AWSAPPS_HOST.test(host)) {
    const isDirectoryPath = /^\/directory\/[^/]+\/?$/.test(url.pathname)
    if (!/^\/start\/?$/.test(url.pathname) && !isDirectoryPath) reject(`must be the portal's start URL, ending in /start`)
  } else if (portalRegion !== undefined) {
    if (portalRegion !== region) {
      throw new InputError(
        'start-url',
        `Input 'start-url' is the access portal of region ${portalRegion}, but input 'region' is ${region}: set 'region' to ${portalRegion} (the region of that portal's IAM Identity Center), or use the start URL of region ${region}.`
      )
    }
    if (url.pathname !== '/') {
      warnings.push(
        `Input 'start-url' has the path ${sanitize(url.pathname, { maxLength: 100 })}; AWS's regional portal URLs have none, like https://ssoins-1234567890abcdef.portal.${region}.app.aws.`
      )
    }
  } else {
    warnings.push(
      `Input 'start-url' host ${host} is not an AWS access portal host (*.awsapps.com, *.awsapps.cn, *.portal.<region>.app.aws, *.<region>.portal.amazonaws.com); continuing in case it is right.`
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

/** `none`: the log only. Channel and phase names are matched in any case, as booleans are. */
export const NO_NOTIFY = 'none'

export function parseNotify(raw: string): NotifyChannel[] {
  if (raw === '') return [...DEFAULT_NOTIFY]
  const items = splitList(raw).map((item) => item.toLowerCase())
  if (items.includes(NO_NOTIFY)) {
    if (items.some((item) => item !== NO_NOTIFY)) {
      throw new InputError(
        'notify',
        `Input 'notify' is ${JSON.stringify(raw)}: "none" (the log only) cannot be combined with a channel: use none alone, or channels like "summary, pr-comment".`
      )
    }
    return []
  }
  const channels: NotifyChannel[] = []
  for (const item of items) {
    const channel = NOTIFY_CHANNELS.find((known) => known === item)
    if (!channel) {
      throw new InputError(
        'notify',
        `Input 'notify' must list channels from: ${NOTIFY_CHANNELS.join(', ')} (the log is always used), like "summary, pr-comment", or be none for the log only; got ${JSON.stringify(item)}.`
      )
    }
    if (!channels.includes(channel)) channels.push(channel)
  }
  return channels
}

export function parsePhase(raw: string): Phase {
  if (raw === '') return 'all'
  const phase = PHASES.find((known) => known === raw.toLowerCase())
  if (phase) return phase
  throw new InputError('phase', `Input 'phase' must be one of ${PHASES.join(', ')}, like start; got ${JSON.stringify(raw)}.`)
}

function splitList(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((item) => item !== '')
}
