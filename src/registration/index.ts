// Where the OIDC client registration comes from. This is the single place that decides whether to
// reuse a registration or call RegisterClient, so caching it (and dropping one AWS rejected) changes
// this module only. Today every run registers a new client: RegisterClient is cheap and unsigned.
import * as core from '@actions/core'
import { maskRegistration } from '../export/secrets.js'
import type { SsoOidcClient } from '../oidc/client.js'
import type { ClientRegistration } from '../oidc/types.js'

export interface WantedRegistration {
  /** Shown to the approver on the AWS consent page. */
  clientName: string
  scopes: string[]
}

export interface ObtainOptions {
  /** A registration AWS refused (invalid_client): never hand it out again. */
  replacing?: ClientRegistration
}

export async function obtainRegistration(
  client: Pick<SsoOidcClient, 'registerClient'>,
  wanted: WantedRegistration,
  options: ObtainOptions = {}
): Promise<ClientRegistration> {
  if (options.replacing) {
    core.info(`Registering a new OIDC client to replace ${options.replacing.clientId}, which AWS no longer accepts.`)
  }
  const registration = await client.registerClient({ clientName: wanted.clientName, scopes: wanted.scopes })
  // Masked before anything else runs: the client secret authenticates every later call.
  maskRegistration(registration)
  core.info(
    `Registered OIDC client "${wanted.clientName}" (scopes: ${wanted.scopes.join(' ')}), valid until ${new Date(registration.clientSecretExpiresAt * 1000).toISOString()}.`
  )
  return registration
}
