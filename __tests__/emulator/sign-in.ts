// An approved access token from an emulator, obtained through the action's own OIDC client, as
// `user` (default: the directory's first user): for tests of what comes after the device flow.
import type { Emulator } from '../../emulator/server.js'
import { SsoOidcClient } from '../../src/oidc/client.js'

export async function approvedToken(emulator: Emulator, user?: string): Promise<string> {
  const oidc = new SsoOidcClient({ endpoint: emulator.endpoint })
  const registration = await oidc.registerClient({ clientName: 'sign-in helper', scopes: ['sso:account:access'] })
  const authorization = await oidc.startDeviceAuthorization(registration, 'https://d-1234567890.awsapps.com/start')
  emulator.approve(authorization.userCode, user)
  return (await oidc.createToken(registration, authorization.deviceCode)).accessToken
}
