// OIDC client registrations as RegisterClient returns them, for the tests that need one.
// - registration(n): fixed values a test can spell out (`client-id-1`, `client-secret-1`), issued
//   2023-11-14 and valid until 2030-03-17; `overrides` for what a test is about.
// - freshRegistration(): unique, issued now and valid for 90 days as AWS makes them, with a secret
//   long enough to scan logs for; for the cache tests, whose restores check the remaining validity.
import type { ClientRegistration } from '../../src/oidc/types.js'

export const FIXED_ISSUED_AT = 1_700_000_000
export const FIXED_EXPIRES_AT = 1_900_000_000
export const FIXTURE_CLIENT_NAME = 'GitHub Actions octo/app'

export function registration(n = 1, overrides: Partial<ClientRegistration> = {}): ClientRegistration {
  return {
    clientId: `client-id-${n}`,
    clientSecret: `client-secret-${n}`,
    clientIdIssuedAt: FIXED_ISSUED_AT,
    clientSecretExpiresAt: FIXED_EXPIRES_AT,
    scopes: ['sso:account:access'],
    clientName: FIXTURE_CLIENT_NAME,
    ...overrides
  }
}

let counter = 0

export function freshRegistration(overrides: Partial<ClientRegistration> = {}): ClientRegistration {
  const issuedAt = Math.floor(Date.now() / 1000)
  counter += 1
  return {
    clientId: `client-${counter}-${Math.random().toString(36).slice(2, 10)}`,
    clientSecret: `eyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0.secret-${counter}-${Math.random().toString(36).slice(2)}`,
    clientIdIssuedAt: issuedAt,
    clientSecretExpiresAt: issuedAt + 90 * 24 * 3600,
    scopes: ['sso:account:access'],
    clientName: 'GitHub Actions octo-org/octo-repo',
    ...overrides
  }
}
