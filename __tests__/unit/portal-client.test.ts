// The portal client against the emulator: the wire shapes (bearer header, query names, epoch
// milliseconds), paging to the last page, typed errors, retries of transient failures, the
// one-line message for a role the approver lacks, and logout.
import { afterEach, describe, expect, it } from '@jest/globals'
import { failure } from '../support/failure.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { THREE_ACCOUNTS } from '../emulator/directory-fixture.js'
import { AwsServiceError, MalformedResponseError } from '../../src/http/errors.js'
import { SsoOidcClient } from '../../src/oidc/client.js'
import { describeAssignments, isNotAssigned, missingRoleError, rolesIn } from '../../src/portal/assignments.js'
import { SsoPortalClient, type PageWrapper } from '../../src/portal/client.js'
import { withRetry } from '../../src/retry.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** An emulator, an approved token from it (through the action's own OIDC client), and a portal client. */
async function signedIn(pageSize?: number) {
  emulator = await startEmulator({ directory: THREE_ACCOUNTS, interval: 0.1 })
  const oidc = new SsoOidcClient({ endpoint: emulator.endpoint })
  const registration = await oidc.registerClient({ clientName: 'portal test', scopes: ['sso:account:access'] })
  const authorization = await oidc.startDeviceAuthorization(registration, 'https://d-1234567890.awsapps.com/start')
  emulator.approve(authorization.userCode)
  const token = await oidc.createToken(registration, authorization.deviceCode)
  const portal = new SsoPortalClient({ endpoint: emulator.endpoint, ...(pageSize ? { pageSize } : {}) })
  return { emu: emulator, portal, accessToken: token.accessToken }
}

const once: PageWrapper = (call) => call()

describe('SsoPortalClient', () => {
  it('gets role credentials, expiring in epoch milliseconds', async () => {
    const { portal, accessToken } = await signedIn()
    const before = Date.now()
    const credentials = await portal.getRoleCredentials(accessToken, '111111111111', 'Deploy')
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(credentials.secretAccessKey).toHaveLength(40)
    expect(credentials.sessionToken.length).toBeGreaterThan(500)
    expect(credentials.expiration).toBeGreaterThanOrEqual(before + 3600_000)
    expect(credentials.expiration).toBeLessThan(Date.now() + 3601_000)
  })

  it('walks every page of accounts and roles (max_result, next_token)', async () => {
    const { emu, portal, accessToken } = await signedIn(1)
    const accounts = await portal.listAllAccounts(accessToken)
    expect(accounts).toEqual([
      { accountId: '111111111111', accountName: 'Sandbox' },
      { accountId: '222222222222', accountName: 'Staging' },
      { accountId: '333333333333', accountName: 'Prod' }
    ])
    expect(emu.counts.ListAccounts).toBe(3)
    const roles = await portal.listAllAccountRoles(accessToken, '111111111111')
    expect(roles).toEqual(['Deploy', 'ReadOnly', 'Admin'].map((roleName) => ({ accountId: '111111111111', roleName })))
    expect(emu.counts.ListAccountRoles).toBe(3)
    const single = await portal.listAccounts(accessToken, { maxResults: 2 })
    expect(single.items).toHaveLength(2)
    expect(single.nextToken).toEqual(expect.any(String))
  })

  it('retries a transient failure of one page through the page wrapper, without restarting the listing', async () => {
    const { emu, portal, accessToken } = await signedIn(1)
    emu.injectFault({ operation: 'ListAccounts', kind: 'status', status: 503, times: 1 })
    const retries: number[] = []
    const retried: PageWrapper = (call) =>
      withRetry(call, { deadline: Date.now() + 10_000, baseMs: 1, onRetry: ({ attempt }) => retries.push(attempt) })
    expect((await portal.listAllAccounts(accessToken, retried)).map((account) => account.accountId)).toEqual([
      '111111111111',
      '222222222222',
      '333333333333'
    ])
    expect(retries).toEqual([1])
    expect(emu.counts.ListAccounts).toBe(4)
  })

  it('throws typed errors that never carry the token', async () => {
    const { emu, portal, accessToken } = await signedIn()
    const notAssigned = await failure(portal.getRoleCredentials(accessToken, '222222222222', 'Admin'))
    expect(notAssigned).toBeInstanceOf(AwsServiceError)
    expect(notAssigned).toMatchObject({ code: 'ResourceNotFoundException', status: 404, operation: 'GetRoleCredentials' })
    expect(isNotAssigned(notAssigned)).toBe(true)
    expect((notAssigned as Error).message).toBe(
      `GetRoleCredentials at ${emu.endpoint}/federation/credentials failed: ResourceNotFoundException (HTTP 404)`
    )

    const unauthorized = await failure(portal.listAccounts('not-a-token'))
    expect(unauthorized).toMatchObject({ code: 'UnauthorizedException', status: 401 })
    expect(isNotAssigned(unauthorized)).toBe(false)

    emu.injectFault({ operation: 'GetRoleCredentials', kind: 'missing-fields' })
    const malformed = await failure(portal.getRoleCredentials(accessToken, '111111111111', 'Deploy'))
    expect(malformed).toBeInstanceOf(MalformedResponseError)
    expect((malformed as Error).message).toMatch(/roleCredentials\.secretAccessKey is missing/)
    emu.injectFault({ operation: 'GetRoleCredentials', kind: 'override', fields: { 'roleCredentials.expiration': 1e20 } })
    const undated = await failure(portal.getRoleCredentials(accessToken, '111111111111', 'Deploy'))
    expect((undated as Error).message).toMatch(/roleCredentials\.expiration is not a plausible time in epoch milliseconds/)
    emu.injectFault({ operation: 'ListAccountRoles', kind: 'missing-fields' })
    expect(await failure(portal.listAccountRoles(accessToken, '111111111111'))).toBeInstanceOf(MalformedResponseError)
    for (const error of [notAssigned, unauthorized, malformed]) expect(JSON.stringify(error) + String(error)).not.toContain(accessToken)
  })

  it('logs out: the token stops working at once', async () => {
    const { emu, portal, accessToken } = await signedIn()
    expect(emu.isAccessTokenValid(accessToken)).toBe(true)
    await portal.logout(accessToken)
    expect(emu.isAccessTokenValid(accessToken)).toBe(false)
    expect(await failure(portal.getRoleCredentials(accessToken, '111111111111', 'Deploy'))).toMatchObject({ code: 'UnauthorizedException' })
  })
})

describe('what the approver has', () => {
  it('lists every account with its roles, and none for an account not assigned', async () => {
    const { portal, accessToken } = await signedIn(2)
    expect(await describeAssignments(portal, accessToken, once)).toBe(
      'They have: 111111111111 (Sandbox): Deploy, ReadOnly, Admin; 222222222222 (Staging): Deploy; 333333333333 (Prod): ReadOnly.'
    )
    expect(await rolesIn(portal, accessToken, '999999999999', once)).toEqual([])
  })

  it('says which requested roles are missing, from which input, in one line', async () => {
    const { portal, accessToken } = await signedIn()
    const error = await missingRoleError(
      [
        { accountId: '222222222222', roleName: 'Admin', source: "input 'role-name'" },
        { accountId: '999999999999', roleName: 'Deploy', source: "input 'roles' line 3" }
      ],
      portal,
      accessToken,
      once
    )
    expect(error.message).toBe(
      'The approver has no role "Admin" in account 222222222222 (input \'role-name\'), "Deploy" in account 999999999999 (input \'roles\' line 3). ' +
        'They have: 111111111111 (Sandbox): Deploy, ReadOnly, Admin; 222222222222 (Staging): Deploy; 333333333333 (Prod): ReadOnly. ' +
        "Set 'account-id' and 'role-name' or 'roles' to a role they have, or ask an IAM Identity Center administrator to assign it to them."
    )
  })

  it('still names the missing role when the listing fails', async () => {
    const { emu, portal, accessToken } = await signedIn()
    emu.injectFault({ operation: 'ListAccounts', kind: 'status', status: 500 })
    const error = await missingRoleError(
      [{ accountId: '222222222222', roleName: 'Admin', source: "input 'role-name'" }],
      portal,
      accessToken,
      once
    )
    expect(error.message).toMatch(
      /^The approver has no role "Admin" in account 222222222222 \(input 'role-name'\)\. Their accounts could not be listed \(ListAccounts at \S+ failed: InternalServerException \(HTTP 500\)\)\. Set 'account-id' and 'role-name'/
    )
  })
})
