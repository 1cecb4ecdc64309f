// The official AWS SDK client for the SSO portal drives the emulator, with tokens obtained through
// the official SSO OIDC client, refresh grant included.
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  GetRoleCredentialsCommand,
  InvalidRequestException,
  ListAccountRolesCommand,
  ListAccountsCommand,
  LogoutCommand,
  paginateListAccountRoles,
  paginateListAccounts,
  ResourceNotFoundException,
  SSOClient,
  UnauthorizedException
} from '@aws-sdk/client-sso'
import {
  CreateTokenCommand,
  InvalidGrantException,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from '@aws-sdk/client-sso-oidc'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js'
import { THREE_ACCOUNTS } from '../emulator/directory-fixture.js'
import { manualClock } from '../emulator/clock.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

async function failure(call: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number }; error_description?: string }> {
  try {
    await call
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } }
  }
  throw new Error('expected the call to fail, but it succeeded')
}

/** An emulator, both SDK clients, and an approved token obtained through the device flow. */
async function signedIn(options: EmulatorOptions = {}) {
  emulator = await startEmulator({ directory: THREE_ACCOUNTS, ...options })
  const oidc = new SSOOIDCClient({ region: 'us-east-1', endpoint: emulator.endpoint, maxAttempts: 1 })
  const sso = new SSOClient({ region: 'us-east-1', endpoint: emulator.endpoint, maxAttempts: 1 })
  const registration = await oidc.send(
    new RegisterClientCommand({ clientName: 'portal test', clientType: 'public', scopes: ['sso:account:access'] })
  )
  const client = { clientId: registration.clientId!, clientSecret: registration.clientSecret! }
  const authorization = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: 'https://my-org.awsapps.com/start' }))
  emulator.approve(authorization.userCode!)
  const token = await oidc.send(
    new CreateTokenCommand({ ...client, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: authorization.deviceCode! })
  )
  const refresh = (refreshToken: string, as = client) =>
    oidc.send(new CreateTokenCommand({ ...as, grantType: 'refresh_token', refreshToken }))
  return { emu: emulator, oidc, sso, client, accessToken: token.accessToken!, refreshToken: token.refreshToken!, refresh }
}

/** A token approved through the device flow for a registration with `scopes` (none: the legacy kind). */
async function tokenWithScopes(scopes: string[] | undefined) {
  emulator = await startEmulator({ directory: THREE_ACCOUNTS })
  const oidc = new SSOOIDCClient({ region: 'us-east-1', endpoint: emulator.endpoint, maxAttempts: 1 })
  const sso = new SSOClient({ region: 'us-east-1', endpoint: emulator.endpoint, maxAttempts: 1 })
  const registration = await oidc.send(new RegisterClientCommand({ clientName: 'scope test', clientType: 'public', scopes }))
  const client = { clientId: registration.clientId!, clientSecret: registration.clientSecret! }
  const authorization = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: 'https://my-org.awsapps.com/start' }))
  emulator.approve(authorization.userCode!)
  const token = await oidc.send(
    new CreateTokenCommand({ ...client, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: authorization.deviceCode! })
  )
  return { emu: emulator, sso, accessToken: token.accessToken! }
}

describe('SSO portal scopes: accounts, roles and role credentials need sso:account:access', () => {
  it('refuses a token without that scope with UnauthorizedException (401) on every account call; Logout still works', async () => {
    const { emu, sso, accessToken } = await tokenWithScopes(['codewhisperer:completions'])
    const calls = [
      new ListAccountsCommand({ accessToken }),
      new ListAccountRolesCommand({ accessToken, accountId: '111111111111' }),
      new GetRoleCredentialsCommand({ accessToken, accountId: '111111111111', roleName: 'Deploy' })
    ]
    for (const command of calls) {
      const error = await failure(sso.send(command as GetRoleCredentialsCommand))
      expect(error).toBeInstanceOf(UnauthorizedException)
      expect(error.$metadata.httpStatusCode).toBe(401)
    }
    await sso.send(new LogoutCommand({ accessToken }))
    expect(emu.isAccessTokenValid(accessToken)).toBe(false)
  })

  it.each([
    ['sso:account:access among others', ['codewhisperer:completions', 'sso:account:access']],
    ['no scopes at all (a legacy token)', undefined]
  ])('serves a token with %s', async (_name, scopes) => {
    const { sso, accessToken } = await tokenWithScopes(scopes)
    const accounts = await sso.send(new ListAccountsCommand({ accessToken }))
    expect(accounts.accountList!.length).toBeGreaterThan(0)
    const { roleCredentials } = await sso.send(
      new GetRoleCredentialsCommand({ accessToken, accountId: '111111111111', roleName: 'Deploy' })
    )
    expect(roleCredentials!.accessKeyId).toMatch(/^ASIA/)
  })
})

describe('SSO portal contract (@aws-sdk/client-sso)', () => {
  it('GetRoleCredentials returns temporary AWS keys that expire in epoch milliseconds', async () => {
    const { sso, accessToken } = await signedIn()
    const before = Date.now()
    const { roleCredentials } = await sso.send(
      new GetRoleCredentialsCommand({ accessToken, accountId: '111111111111', roleName: 'Deploy' })
    )
    expect(roleCredentials!.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(roleCredentials!.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/)
    expect(roleCredentials!.sessionToken!.length).toBeGreaterThan(500)
    expect(roleCredentials!.expiration).toBeGreaterThanOrEqual(before + 3600_000)
    expect(roleCredentials!.expiration).toBeLessThan(Date.now() + 3600_000 + 1000)

    const again = await sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: '111111111111', roleName: 'Deploy' }))
    expect(again.roleCredentials!.accessKeyId).not.toBe(roleCredentials!.accessKeyId)
  })

  it('GetRoleCredentials answers ResourceNotFoundException (404) for a role or account not assigned', async () => {
    const { sso, accessToken } = await signedIn()
    for (const [accountId, roleName] of [
      ['111111111111', 'Nope'],
      ['222222222222', 'ReadOnly'],
      ['999999999999', 'Deploy']
    ]) {
      const error = await failure(sso.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName })))
      expect(error).toBeInstanceOf(ResourceNotFoundException)
      expect(error.$metadata.httpStatusCode).toBe(404)
    }
  })

  it('ListAccounts pages with maxResults 1, and the SDK paginator walks every page', async () => {
    const { emu, sso, accessToken } = await signedIn()
    const first = await sso.send(new ListAccountsCommand({ accessToken, maxResults: 1 }))
    expect(first.accountList).toEqual([{ accountId: '111111111111', accountName: 'Sandbox', emailAddress: 'sandbox@example.com' }])
    expect(first.nextToken).toEqual(expect.any(String))
    const second = await sso.send(new ListAccountsCommand({ accessToken, maxResults: 1, nextToken: first.nextToken }))
    expect(second.accountList!.map((account) => account.accountId)).toEqual(['222222222222'])

    const seen: string[] = []
    let pages = 0
    for await (const page of paginateListAccounts({ client: sso, pageSize: 1 }, { accessToken })) {
      pages++
      seen.push(...page.accountList!.map((account) => account.accountId!))
    }
    expect(seen).toEqual(['111111111111', '222222222222', '333333333333'])
    expect(pages).toBe(3)
    expect(emu.counts.ListAccounts).toBe(5)

    const all = await sso.send(new ListAccountsCommand({ accessToken }))
    expect(all.accountList).toHaveLength(3)
    expect(all.nextToken).toBeUndefined()
  })

  it('ListAccountRoles lists and pages the roles of one account', async () => {
    const { sso, accessToken } = await signedIn()
    const roles: Array<{ roleName?: string; accountId?: string }> = []
    for await (const page of paginateListAccountRoles({ client: sso, pageSize: 2 }, { accessToken, accountId: '111111111111' })) {
      expect(page.roleList!.length).toBeLessThanOrEqual(2)
      roles.push(...page.roleList!)
    }
    expect(roles).toEqual([
      { roleName: 'Deploy', accountId: '111111111111' },
      { roleName: 'ReadOnly', accountId: '111111111111' },
      { roleName: 'Admin', accountId: '111111111111' }
    ])
    const unknown = await failure(sso.send(new ListAccountRolesCommand({ accessToken, accountId: '999999999999' })))
    expect(unknown).toBeInstanceOf(ResourceNotFoundException)
  })

  it('answers UnauthorizedException (401) for an unknown or expired token', async () => {
    const clock = manualClock()
    const { sso, accessToken } = await signedIn({ now: clock.now, tokenTtl: 60 })
    const unknown = await failure(sso.send(new ListAccountsCommand({ accessToken: 'aoa-made-up' })))
    expect(unknown).toBeInstanceOf(UnauthorizedException)
    expect(unknown.$metadata.httpStatusCode).toBe(401)

    await sso.send(new ListAccountsCommand({ accessToken }))
    clock.advance(60_000)
    const expired = await failure(sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: '111111111111', roleName: 'Deploy' })))
    expect(expired).toBeInstanceOf(UnauthorizedException)
    expect(emulator!.isAccessTokenValid(accessToken)).toBe(false)
  })

  it('answers InvalidRequestException for a page size out of 1-100 or a forged next token', async () => {
    const { sso, accessToken } = await signedIn()
    const tooBig = await failure(sso.send(new ListAccountsCommand({ accessToken, maxResults: 101 })))
    expect(tooBig).toBeInstanceOf(InvalidRequestException)
    expect(tooBig.$metadata.httpStatusCode).toBe(400)
    expect(await failure(sso.send(new ListAccountsCommand({ accessToken, maxResults: 0 })))).toBeInstanceOf(InvalidRequestException)
    expect(await failure(sso.send(new ListAccountsCommand({ accessToken, nextToken: 'forged' })))).toBeInstanceOf(InvalidRequestException)
    // A token from one listing does not page another.
    const accounts = await sso.send(new ListAccountsCommand({ accessToken, maxResults: 1 }))
    expect(
      await failure(sso.send(new ListAccountRolesCommand({ accessToken, accountId: '111111111111', nextToken: accounts.nextToken })))
    ).toBeInstanceOf(InvalidRequestException)
  })

  it('Logout revokes the access token and its refresh token', async () => {
    const { emu, sso, accessToken, refreshToken, refresh } = await signedIn()
    await sso.send(new LogoutCommand({ accessToken }))
    expect(emu.isAccessTokenValid(accessToken)).toBe(false)
    const after = await failure(sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: '111111111111', roleName: 'Deploy' })))
    expect(after).toBeInstanceOf(UnauthorizedException)
    expect(after.$metadata.httpStatusCode).toBe(401)
    expect(await failure(sso.send(new LogoutCommand({ accessToken })))).toBeInstanceOf(UnauthorizedException)
    const refused = await failure(refresh(refreshToken))
    expect(refused).toBeInstanceOf(InvalidGrantException)
    expect(emu.counts.Logout).toBe(2)
  })
})

describe('refresh grant (@aws-sdk/client-sso-oidc)', () => {
  it('exchanges a refresh token for a new access token and rotates the refresh token', async () => {
    const { emu, sso, accessToken, refreshToken, refresh } = await signedIn({ tokenTtl: 900 })
    const renewed = await refresh(refreshToken)
    expect(renewed.tokenType).toBe('Bearer')
    expect(renewed.expiresIn).toBe(900)
    expect(renewed.accessToken).not.toBe(accessToken)
    expect(renewed.refreshToken).toEqual(expect.any(String))
    expect(renewed.refreshToken).not.toBe(refreshToken)
    expect(emu.isAccessTokenValid(renewed.accessToken!)).toBe(true)
    const { accountList } = await sso.send(new ListAccountsCommand({ accessToken: renewed.accessToken! }))
    expect(accountList).toHaveLength(3)

    const reused = await failure(refresh(refreshToken))
    expect(reused).toBeInstanceOf(InvalidGrantException)
    expect(reused.$metadata.httpStatusCode).toBe(400)
    expect(reused.error_description).toBe('Invalid refresh token provided')
    // The rotated one works, once.
    await refresh(renewed.refreshToken!)
    expect(await failure(refresh(renewed.refreshToken!))).toBeInstanceOf(InvalidGrantException)
  })

  it('refuses a refresh token presented by another client, and a made-up one', async () => {
    const { oidc, refreshToken, refresh } = await signedIn()
    const other = await oidc.send(new RegisterClientCommand({ clientName: 'other', clientType: 'public', scopes: ['sso:account:access'] }))
    const stolen = await failure(refresh(refreshToken, { clientId: other.clientId!, clientSecret: other.clientSecret! }))
    expect(stolen).toBeInstanceOf(InvalidGrantException)
    expect(await failure(refresh('aor-made-up'))).toBeInstanceOf(InvalidGrantException)
    // The legitimate client can still use it: a failed theft does not burn the token.
    const renewed = await refresh(refreshToken)
    expect(renewed.accessToken).toEqual(expect.any(String))
  })
})

describe('SSO portal error wire shape (docs/protocol.md §4)', () => {
  it('sends the x-amzn-ErrorType header and a body of exactly message and __type', async () => {
    emulator = await startEmulator()
    const response = await fetch(`${emulator.endpoint}/assignment/accounts`, { headers: { 'x-amz-sso_bearer_token': 'nope' } })
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^UnauthorizedException:/)
    expect(await response.json()).toEqual({
      message: 'Session token not found or invalid',
      __type: 'com.amazonaws.switchboard.portal#UnauthorizedException'
    })
  })

  it('answers InvalidRequestException for a missing parameter, and serves the default directory', async () => {
    const { accessToken } = await signedIn({ directory: undefined })
    const headers = { 'x-amz-sso_bearer_token': accessToken }
    const missing = await fetch(`${emulator!.endpoint}/federation/credentials?account_id=111111111111`, { headers })
    expect(missing.status).toBe(400)
    expect(await missing.json()).toEqual({
      message: 'Missing required parameter: role_name',
      __type: 'com.amazonaws.switchboard.portal#InvalidRequestException'
    })
    const roles = await fetch(`${emulator!.endpoint}/assignment/roles?account_id=111111111111`, { headers })
    expect(await roles.json()).toEqual({
      roleList: [
        { roleName: 'Deploy', accountId: '111111111111' },
        { roleName: 'ReadOnly', accountId: '111111111111' }
      ]
    })
  })
})
