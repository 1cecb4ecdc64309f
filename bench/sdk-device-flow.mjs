// What a user would otherwise write: the device flow with the official AWS SDK client
// (@aws-sdk/client-sso-oidc), register → start → print the link → poll per RFC 8628, nothing more.
// The bench runs it beside the action, the same way. Like the action, it takes the OIDC endpoint
// from AWS_ENDPOINT_URL_SSO_OIDC (the SDK reads it itself); the start URL and region come from
// SSO_START_URL and SSO_REGION.
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc'

const client = new SSOOIDCClient({ region: process.env.SSO_REGION })
const registration = await client.send(
  new RegisterClientCommand({ clientName: 'device-flow-script', clientType: 'public', scopes: ['sso:account:access'] })
)
const { clientId, clientSecret } = registration
const authorization = await client.send(
  new StartDeviceAuthorizationCommand({ clientId, clientSecret, startUrl: process.env.SSO_START_URL })
)
console.log(`Open ${authorization.verificationUriComplete} and approve code ${authorization.userCode}`)

let intervalMs = (authorization.interval ?? 5) * 1000
const deadline = Date.now() + authorization.expiresIn * 1000
while (Date.now() + intervalMs < deadline) {
  await new Promise((resolve) => setTimeout(resolve, intervalMs))
  try {
    const token = await client.send(
      new CreateTokenCommand({
        clientId,
        clientSecret,
        grantType: 'urn:ietf:params:oauth:grant-type:device_code',
        deviceCode: authorization.deviceCode
      })
    )
    console.log(`Approved; the token expires in ${token.expiresIn} s.`)
    process.exit(0)
  } catch (error) {
    if (error.name === 'SlowDownException') intervalMs += 5000
    else if (error.name !== 'AuthorizationPendingException') throw error
  }
}
console.error('The code expired before anyone approved it.')
process.exit(1)
