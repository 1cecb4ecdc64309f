// The one line for a network or malformed-answer failure names the variable that overrides the
// failing service's endpoint: the OIDC one for the device flow, the portal one for role credentials.
import { describe, expect, it } from '@jest/globals'
import { explainFailure } from '../../src/failure.js'
import { MalformedResponseError, NetworkError } from '../../src/oidc/errors.js'

describe('explainFailure', () => {
  it.each([
    ['CreateToken', 'AWS_ENDPOINT_URL_SSO_OIDC', 'IAM Identity Center OIDC'],
    ['GetRoleCredentials', 'AWS_ENDPOINT_URL_SSO', 'IAM Identity Center portal'],
    ['Logout', 'AWS_ENDPOINT_URL_SSO', 'IAM Identity Center portal'],
    ['GetCallerIdentity', 'AWS_ENDPOINT_URL_STS', 'AWS STS']
  ])('%s: points at %s', (operation, setting, service) => {
    const network = explainFailure(new NetworkError(operation, 'https://x.example/p', 'connection reset (ECONNRESET)'))
    expect(network).toBe(
      `${operation} at https://x.example/p failed: connection reset (ECONNRESET). Check 'region' (and ${setting} or AWS_ENDPOINT_URL if set) and that the runner can reach AWS.`
    )
    const malformed = explainFailure(new MalformedResponseError(operation, 'https://x.example/p', 'HTTP 200 body is not JSON'))
    expect(malformed).toBe(
      `${operation} at https://x.example/p returned an unusable response: HTTP 200 body is not JSON. Check that the endpoint is ${service} (${setting}, AWS_ENDPOINT_URL if set).`
    )
  })
})
