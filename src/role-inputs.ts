// The inputs that turn an approved token into AWS access: `account-id` and `role-name` (credentials
// exported to the job's environment), `profile` (a named profile for that role), `roles` (one named
// profile per line, for a deploy across accounts), `aws-region`, `output-credentials`, `revoke`.
// Checked with the other inputs, before any network call.
//
// How they combine (README, "Several roles"): `account-id` + `role-name` export AWS_* variables;
// `profile` also writes that role as a named profile; every `roles` line writes one more profile.
// What cannot mean anything sensible fails with one line: half a role, `profile` without a role,
// and a profile name used twice.
import { InputError } from './errors.js'
import type { AwsAccessInputs, InputReader, ProfileTarget, RoleTarget } from './model/inputs.js'

const ACCOUNT_ID_EXAMPLE = '111122223333'
const ROLE_NAME_EXAMPLE = 'Deployer'
const ROLES_EXAMPLE = '111122223333:Deployer=prod'

/** What parseAwsAccessInputs shares with the other inputs' parsing (inputs.ts). */
export interface AccessParsing {
  /** The (already valid) Identity Center region: the default of `aws-region`. */
  region: string
  /** Suspicious but usable values, one line each. */
  warnings: string[]
  parseRegion: (raw: string, input: string) => string
  parseBoolean: (input: string, raw: string, defaultValue: boolean) => boolean
  /** Opening a hand-off: `profile` alone picks the gate's profile of that name (handoff/open.ts). */
  opening?: boolean
}

export function parseAwsAccessInputs(
  read: InputReader,
  { region, warnings, parseRegion, parseBoolean, opening = false }: AccessParsing
): AwsAccessInputs {
  const role = parseRole(read('account-id'), read('role-name'))
  const profiles: ProfileTarget[] = []
  const profile = read('profile')
  let handoffProfile: string | undefined
  if (profile !== '' && opening && !role) {
    handoffProfile = parseProfileName('profile', profile, "Input 'profile'")
  } else if (profile !== '') {
    if (!role) {
      throw new InputError(
        'profile',
        `Input 'profile' names the profile for 'account-id' and 'role-name', which are not set; set both, or list profiles in 'roles' as ACCOUNT_ID:ROLE_NAME=PROFILE, like ${ROLES_EXAMPLE}.`
      )
    }
    profiles.push({ ...role, profile: parseProfileName('profile', profile, "Input 'profile'"), source: "input 'profile'" })
  }
  for (const target of parseRoles(read('roles'))) {
    // A name used twice would make the second profile silently replace the first.
    const earlier = profiles.find((other) => other.profile === target.profile)
    if (earlier) {
      throw new InputError(
        'roles',
        `Input ${target.source.replace(/^input /, '')} uses the profile name "${target.profile}", already used by ${earlier.source}; give each profile its own name, like ${ROLES_EXAMPLE}.`
      )
    }
    profiles.push(target)
  }

  const rawAwsRegion = read('aws-region')
  const awsRegion = rawAwsRegion === '' ? region : parseRegion(rawAwsRegion, 'aws-region')
  const outputCredentials = parseBoolean('output-credentials', read('output-credentials'), false)
  // Opening a hand-off without a role picks what the gate sealed: these may well apply.
  if (outputCredentials && !role && !opening) {
    warnings.push(
      "Input 'output-credentials' is true but 'account-id' and 'role-name' are not set: there are no role credentials to output."
    )
  }
  if (rawAwsRegion !== '' && !role && profiles.length === 0 && !opening) {
    warnings.push("Input 'aws-region' has no effect without 'account-id' and 'role-name' or 'roles': nothing is exported for a region.")
  }
  const access: AwsAccessInputs = { profiles, awsRegion, outputCredentials, revoke: parseBoolean('revoke', read('revoke'), true) }
  if (role) access.role = role
  if (handoffProfile !== undefined) access.handoffProfile = handoffProfile
  return access
}

function parseRole(rawAccountId: string, rawRoleName: string): RoleTarget | undefined {
  if (rawAccountId === '' && rawRoleName === '') return undefined
  if (rawRoleName === '') {
    throw new InputError(
      'role-name',
      `Input 'role-name' is required with 'account-id': set the role to get credentials for, like ${ROLE_NAME_EXAMPLE}.`
    )
  }
  if (rawAccountId === '') {
    throw new InputError(
      'account-id',
      `Input 'account-id' is required with 'role-name': set the AWS account of that role, like ${ACCOUNT_ID_EXAMPLE}.`
    )
  }
  return {
    accountId: parseAccountId(rawAccountId, "Input 'account-id'", 'account-id'),
    roleName: parseRoleName(rawRoleName, "Input 'role-name'", 'role-name')
  }
}

/** `what` starts the message ("Input 'account-id'", "Input 'roles' line 2 account id"). */
export function parseAccountId(raw: string, what: string, input: string): string {
  const value = raw.trim()
  if (/^\d{12}$/.test(value)) return value
  const digits = value.replace(/[\s-]/g, '')
  const hint = /^\d{12}$/.test(digits)
    ? ' (without dashes or spaces)'
    : /^\d{1,11}$/.test(value)
      ? " (quote it in YAML, like '012345678901': an unquoted number loses its leading zeros)"
      : ''
  throw new InputError(input, `${what} must be a 12-digit AWS account ID${hint}, like ${ACCOUNT_ID_EXAMPLE}; got ${JSON.stringify(value)}.`)
}

// IAM role names and permission set names: letters, digits and +=,.@_- (IAM allows 64 characters).
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/

export function parseRoleName(raw: string, what: string, input: string): string {
  const value = raw.trim()
  if (ROLE_NAME.test(value)) return value
  throw new InputError(
    input,
    `${what} must be a role (permission set) name of up to 64 letters, digits and +=,.@_-, like ${ROLE_NAME_EXAMPLE}; got ${JSON.stringify(value)}.`
  )
}

// Profile names become `[profile NAME]` headers, AWS_PROFILE values and --profile arguments:
// kept to characters no shell, INI reader or SDK treats specially.
const PROFILE_NAME = /^[A-Za-z0-9][\w.@+-]{0,63}$/

function parseProfileName(input: string, raw: string, what: string): string {
  const value = raw.trim()
  if (PROFILE_NAME.test(value)) return value
  throw new InputError(
    input,
    `${what} must be a profile name of up to 64 letters, digits and ._@+- (starting with a letter or digit), like prod; got ${JSON.stringify(value)}.`
  )
}

const ROLES_LINE = /^([^:\s]+):([^=\s]+)(?:=(\S*))?$/

/**
 * One `ACCOUNT_ID:ROLE_NAME[=PROFILE]` per line; blank lines and `#` comments are skipped. Without
 * `=PROFILE` the profile is named `ACCOUNT_ID-ROLE_NAME`.
 */
export function parseRoles(raw: string): ProfileTarget[] {
  const targets: ProfileTarget[] = []
  raw.split(/\r?\n/).forEach((text, index) => {
    const line = text.trim()
    if (line === '' || line.startsWith('#')) return
    const where = `line ${index + 1}`
    const match = ROLES_LINE.exec(line)
    if (!match) {
      throw new InputError(
        'roles',
        `Input 'roles' ${where} must be ACCOUNT_ID:ROLE_NAME or ACCOUNT_ID:ROLE_NAME=PROFILE, one per line, like ${ROLES_EXAMPLE}; got ${JSON.stringify(line)}.`
      )
    }
    const [, rawAccountId = '', rawRoleName = '', rawProfile] = match
    const accountId = parseAccountId(rawAccountId, `Input 'roles' ${where}: the account`, 'roles')
    const roleName = parseRoleName(rawRoleName, `Input 'roles' ${where}: the role`, 'roles')
    const profile =
      rawProfile === undefined ? `${accountId}-${roleName}` : parseProfileName('roles', rawProfile, `Input 'roles' ${where}: the profile`)
    targets.push({ accountId, roleName, profile, source: `input 'roles' ${where}` })
  })
  return targets
}
