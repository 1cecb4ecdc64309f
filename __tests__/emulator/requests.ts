// Plain-fetch calls to the emulator's OIDC API, for tests that are about something else (the page,
// the CLI, faults) and want no SDK in the way.
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

export interface Started {
  clientId: string
  clientSecret: string
  deviceCode: string
  userCode: string
  verificationUriComplete: string
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

export async function registerAndStart(
  endpoint: string,
  { clientName = 'GitHub Actions acme/web', startUrl = 'https://my-org.awsapps.com/start', scopes = ['sso:account:access'] } = {}
): Promise<Started> {
  const registration = await postJson(`${endpoint}/client/register`, { clientName, clientType: 'public', scopes })
  if (registration.status !== 200) throw new Error(`RegisterClient answered ${registration.status}`)
  const { clientId, clientSecret } = registration.json as { clientId: string; clientSecret: string }
  const started = await postJson(`${endpoint}/device_authorization`, { clientId, clientSecret, startUrl })
  if (started.status !== 200) throw new Error(`StartDeviceAuthorization answered ${started.status}`)
  const { deviceCode, userCode, verificationUriComplete } = started.json as {
    deviceCode: string
    userCode: string
    verificationUriComplete: string
  }
  return { clientId, clientSecret, deviceCode, userCode, verificationUriComplete }
}

export function createToken(endpoint: string, started: Started): Promise<{ status: number; json: Record<string, unknown> }> {
  return postJson(`${endpoint}/token`, {
    clientId: started.clientId,
    clientSecret: started.clientSecret,
    grantType: DEVICE_GRANT,
    deviceCode: started.deviceCode
  })
}
