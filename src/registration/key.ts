// Names in the Actions cache: the key an entry is saved under, and the file path it is archived from.
//
// Entries are immutable (saving an existing key+version fails), so each new registration gets its
// own key: a fixed prefix that identifies what the registration is for, plus the second it was
// issued. A restore asks for the prefix, and the service answers with the newest entry under it.
import { createHash } from 'node:crypto'
import { homedir } from 'node:os'
import { join, relative, sep } from 'node:path'
import type { ClientRegistration } from '../oidc/types.js'

/** What a registration is for: a registration is reused only for exactly the same four. */
export interface RegistrationIdentity {
  startUrl: string
  region: string
  scopes: string[]
  /** Shown to the approver on the AWS consent page. */
  clientName: string
}

/** Bumped when the stored format changes, so old entries are simply never matched again. */
const KEY_FORMAT = 'v1'
const KEY_NAME = 'aws-sso-device-auth-registration'

/** Scopes as a set: order and repeats do not make a different registration. */
export function normalizeScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((scope) => scope.trim()).filter(Boolean))].sort()
}

/**
 * A digest of the identity: keys stay short (the service allows 512 characters), free of the
 * commas a key may not contain, and do not spell out the start URL in the cache list.
 */
export function identityDigest(identity: RegistrationIdentity): string {
  const canonical = JSON.stringify([
    identity.startUrl.trim().replace(/\/+$/, ''),
    identity.region.trim().toLowerCase(),
    normalizeScopes(identity.scopes),
    identity.clientName
  ])
  return createHash('sha256').update(canonical).digest('hex')
}

/**
 * The prefix every entry for this identity starts with. Encrypted and plain entries live under
 * different prefixes, so turning encryption on never restores the plain entry it was meant to
 * replace, and turning it off never finds entries it cannot read.
 */
export function registrationKeyPrefix(identity: RegistrationIdentity, encrypted: boolean): string {
  return `${KEY_NAME}-${KEY_FORMAT}-${encrypted ? 'aes' : 'plain'}-${identityDigest(identity)}-`
}

/** The key for one registration: unique per issue time, so a new registration never collides with an old entry. */
export function registrationKey(prefix: string, registration: Pick<ClientRegistration, 'clientIdIssuedAt'>): string {
  return `${prefix}${Math.trunc(registration.clientIdIssuedAt)}`
}

/**
 * The path as @actions/cache would be handed it. It is part of the cache version (hashed
 * verbatim), so it must read the same on every runner: `~` (which the library expands on save)
 * keeps the string stable, where an absolute path would differ between runners and users.
 */
export const REGISTRATION_CACHE_PATH = '~/.aws-sso-device-auth-registration.json'

/** Where that path is on this machine. Nothing writes it: the action's save and restore keep the file in memory. */
export function registrationFilePath(home: string = homedir()): string {
  return join(home, REGISTRATION_CACHE_PATH.slice(2))
}

/**
 * The name the registration file has inside the archive: @actions/cache stores every path
 * relative to GITHUB_WORKSPACE (else the working directory), `/`-separated, so on a hosted runner
 * it reads `../../../.aws-sso-device-auth-registration.json`.
 */
export function archivedFileName(
  file: string = registrationFilePath(),
  workspace: string = process.env.GITHUB_WORKSPACE ?? process.cwd()
): string {
  return relative(workspace, file).split(sep).join('/')
}
