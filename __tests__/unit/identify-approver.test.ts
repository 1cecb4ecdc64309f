// identifyApprover against the emulator in-process: the approver's access token opens a role
// session (through the role asked for, or the first one they have), STS names it, and the approver
// is its session name; the credentials come back masked. A hostile STS that names someone else
// (another account, another role, fields that disagree) identifies nobody.
import { afterEach, describe, expect, it } from '@jest/globals'
import { failure } from '../support/failure.js'
import { startEmulator, type Emulator, type Fault } from '../../emulator/server.js'
import { ApproverIdentityError, identifyApprover, NoRoleToIdentifyError, type IdentifyDependencies } from '../../src/identity/approver.js'
import { MalformedResponseError } from '../../src/http/errors.js'
import { MissingRoleError } from '../../src/portal/assignments.js'
import { SsoPortalClient } from '../../src/portal/client.js'
import { approvedToken } from '../emulator/sign-in.js'
import { TWO_USERS } from '../emulator/users-fixture.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** A token of `user` and the dependencies identifyApprover needs, recording what it logs and masks. */
async function signedIn(user: string, faults: Fault[] = []) {
  emulator = await startEmulator({ directory: TWO_USERS })
  const accessToken = await approvedToken(emulator, user)
  for (const fault of faults) emulator.injectFault(fault)
  const logged: string[] = []
  const masked: string[] = []
  const deps: IdentifyDependencies = {
    portal: new SsoPortalClient({ endpoint: emulator.endpoint }),
    sts: { url: emulator.endpoint, signingRegion: 'us-east-1' },
    log: (line) => logged.push(line),
    mask: (secret) => masked.push(secret),
    approvedAt: new Date('2026-12-02T16:00:00Z'),
    deadline: Date.now() + 20_000
  }
  return { token: { accessToken }, deps, logged, masked }
}

const UUID = /^[0-9a-f-]{36}$/

describe('identifyApprover', () => {
  it('learns the approver through the role asked for, with the request IDs of both calls', async () => {
    const { token, deps, logged, masked } = await signedIn('bob')
    const { approver, credentials } = await identifyApprover(token, { accountId: '222222222222', roleName: 'ReadOnly' }, deps)
    expect(approver).toEqual({
      userName: 'bob',
      arn: expect.stringMatching(/^arn:aws:sts::222222222222:assumed-role\/AWSReservedSSO_ReadOnly_[0-9a-f]{16}\/bob$/),
      accountId: '222222222222',
      approvedAt: new Date('2026-12-02T16:00:00Z'),
      requestIds: [expect.stringMatching(UUID), expect.stringMatching(UUID)]
    })
    expect(approver.requestIds[0]).not.toBe(approver.requestIds[1])
    expect(credentials.requestId).toBe(approver.requestIds[0])
    // Masked before anything else happens with them, all three parts.
    expect(masked).toEqual([credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken])
    expect(emulator!.counts).toMatchObject({ GetRoleCredentials: 1, GetCallerIdentity: 1, ListAccounts: 0, ListAccountRoles: 0 })
    expect(logged).toEqual([
      expect.stringMatching(
        /^The approval is by bob \(arn:aws:sts::222222222222:assumed-role\/AWSReservedSSO_ReadOnly_[0-9a-f]{16}\/bob\), /
      )
    ])
    expect(logged[0]).toContain(approver.requestIds.join(', '))
    for (const secret of masked) expect(logged.join('\n')).not.toContain(secret)
  })

  it('with no role asked for, looks through the first role of the first account and says so', async () => {
    const { token, deps, logged } = await signedIn('alice@example.com')
    const { approver } = await identifyApprover(token, undefined, deps)
    expect(approver).toMatchObject({ userName: 'alice@example.com', accountId: '111111111111' })
    expect(approver.arn).toMatch(/assumed-role\/AWSReservedSSO_Deploy_[0-9a-f]{16}\/alice@example\.com$/)
    expect(logged[0]).toMatch(/^No role was requested: the approver is identified through the first role they have .*show in CloudTrail/)
    expect(emulator!.counts).toMatchObject({ ListAccounts: 1, ListAccountRoles: 1, GetRoleCredentials: 1, GetCallerIdentity: 1 })
  })

  it('passes over an account whose roles can no longer be listed (an assignment removed meanwhile)', async () => {
    const { token, deps } = await signedIn('alice@example.com', [
      { operation: 'ListAccountRoles', kind: 'status', status: 404, errorType: 'ResourceNotFoundException' }
    ])
    const { approver } = await identifyApprover(token, undefined, deps)
    expect(approver).toMatchObject({ userName: 'alice@example.com', accountId: '222222222222' })
    expect(emulator!.counts.ListAccountRoles).toBe(2)
  })

  it('names who approved: two users through the same account are told apart', async () => {
    const alice = await signedIn('alice@example.com')
    const asAlice = await identifyApprover(alice.token, { accountId: '222222222222', roleName: 'Deploy' }, alice.deps)
    const bobsToken = await approvedToken(emulator!, 'bob')
    const asBob = await identifyApprover({ accessToken: bobsToken }, { accountId: '222222222222', roleName: 'ReadOnly' }, alice.deps)
    expect([asAlice.approver.userName, asBob.approver.userName]).toEqual(['alice@example.com', 'bob'])
  })

  it('refuses an approver with no role at all, and a role the approver lacks, in one line each', async () => {
    const carol = await signedIn('carol')
    const none = await failure(identifyApprover(carol.token, undefined, carol.deps))
    expect(none).toBeInstanceOf(NoRoleToIdentifyError)
    expect((none as Error).message).toMatch(/^The approver has no AWS account assigned, so who they are cannot be learned from AWS\. Ask /)
    await emulator!.close()

    const bob = await signedIn('bob')
    const lacking = await failure(identifyApprover(bob.token, { accountId: '111111111111', roleName: 'Deploy' }, bob.deps))
    expect(lacking).toBeInstanceOf(MissingRoleError)
    expect((lacking as Error).message).toMatch(
      /^The approver has no role "Deploy" in account 111111111111 .* They have: 222222222222 \(Prod\): ReadOnly\./
    )
    expect(emulator!.counts.GetCallerIdentity).toBe(0)
  })

  it.each([
    [
      'another account, consistently',
      { Arn: 'arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/bob', Account: '999999999999' },
      ApproverIdentityError,
      /^STS named a caller in account 999999999999, not 222222222222/
    ],
    [
      'another role in the account',
      { Arn: 'arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/bob' },
      ApproverIdentityError,
      /^STS named the role AWSReservedSSO_Admin_0123456789abcdef, not the IAM Identity Center role of the permission set ReadOnly/
    ],
    [
      'a role that is not IAM Identity Center',
      { Arn: 'arn:aws:sts::222222222222:assumed-role/ReadOnly/bob' },
      ApproverIdentityError,
      /AWS_ENDPOINT_URL_STS/
    ],
    [
      'an Arn its UserId disagrees with',
      { Arn: 'arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/mallory' },
      MalformedResponseError,
      /UserId names another session than Arn/
    ]
  ])('identifies nobody when STS names %s', async (_name, fields, type, message) => {
    const { token, deps, logged } = await signedIn('bob', [{ operation: 'GetCallerIdentity', kind: 'override', fields }])
    const error = await failure(identifyApprover(token, { accountId: '222222222222', roleName: 'ReadOnly' }, deps))
    expect(error).toBeInstanceOf(type)
    expect((error as Error).message).toMatch(message)
    expect(logged.join('\n')).not.toContain('The approval is by')
  })

  it('retries a transient STS failure within the deadline', async () => {
    const { token, deps } = await signedIn('bob', [{ operation: 'GetCallerIdentity', kind: 'status', status: 503 }])
    const { approver } = await identifyApprover(
      token,
      { accountId: '222222222222', roleName: 'ReadOnly' },
      { ...deps, retry: () => ({ deadline: Date.now() + 10_000, baseMs: 1, capMs: 5 }) }
    )
    expect(approver.userName).toBe('bob')
    expect(emulator!.requests.filter((request) => request.operation === 'GetCallerIdentity').map((request) => request.status)).toEqual([
      503, 200
    ])
  })
})
