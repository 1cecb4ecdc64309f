// Masking: the runner replaces a registered secret with *** in everything it shows afterwards
// (log, summary, outputs), but only after it has read the ::add-mask:: line. So each secret is
// registered the moment it arrives, before any code path could print, output or record it.
// The user code and the URLs are deliberately NOT masked: the approver must read them, and the
// runner would otherwise print *** where the code belongs.
import * as core from '@actions/core'
import type { ClientRegistration, DeviceAuthorization, TokenSet } from '../oidc/types.js'
import type { RoleCredentials } from '../portal/types.js'

type Mask = (secret: string) => void
const mask: Mask = (secret) => core.setSecret(secret)

/** The client secret signs every later call of this registration. */
export function maskRegistration(registration: ClientRegistration, setSecret: Mask = mask): void {
  setSecret(registration.clientSecret)
}

/** The device code is what CreateToken exchanges for a token: whoever holds it gets the token. */
export function maskDeviceAuthorization(authorization: DeviceAuthorization, setSecret: Mask = mask): void {
  setSecret(authorization.deviceCode)
}

/** Every token in the set, including those the action does not use (they still grant access). */
export function maskTokenSet(token: TokenSet, setSecret: Mask = mask): void {
  setSecret(token.accessToken)
  if (token.refreshToken) setSecret(token.refreshToken)
  if (token.idToken) setSecret(token.idToken)
}

/** `phase: wait` reads both secrets back from disk in a new process: masked before anything else. */
export function maskPendingRequest(
  pending: { rounds: ReadonlyArray<{ registration: ClientRegistration; authorization: DeviceAuthorization }> },
  setSecret: Mask = mask
): void {
  for (const round of pending.rounds) {
    maskRegistration(round.registration, setSecret)
    maskDeviceAuthorization(round.authorization, setSecret)
  }
}

/** Every part of role credentials: the key id too, since it names the approver's session in CloudTrail. */
export function maskRoleCredentials(credentials: RoleCredentials, setSecret: Mask = mask): void {
  setSecret(credentials.accessKeyId)
  setSecret(credentials.secretAccessKey)
  setSecret(credentials.sessionToken)
}
