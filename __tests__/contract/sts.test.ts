// The official AWS SDK client for STS (@aws-sdk/client-sts, Query protocol, its own SigV4 signer)
// drives the emulator's GetCallerIdentity with role credentials the official SSO client got from
// the emulator's portal: a good signature names the user's role session; a tampered signature, an
// unknown key and expired credentials are refused with AWS's codes and statuses.
import { afterEach, describe, expect, it } from '@jest/globals'
import { GetRoleCredentialsCommand, SSOClient } from '@aws-sdk/client-sso'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js'
import { manualClock } from '../emulator/clock.js'
import { approvedToken } from '../emulator/sign-in.js'
import { TWO_USERS } from '../emulator/users-fixture.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

type SdkError = Error & { $metadata: { httpStatusCode?: number; requestId?: string }; Code?: string }

async function failure(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call
  } catch (error) {
    return error as SdkError
  }
  throw new Error('expected the call to fail, but it succeeded')
}

/** Role credentials for `user` in `accountId`/`roleName`, through the official SSO client. */
async function roleCredentials(user: string, accountId: string, roleName: string, options: EmulatorOptions = {}) {
  emulator = await startEmulator({ directory: TWO_USERS, ...options })
  const accessToken = await approvedToken(emulator, user)
  const sso = new SSOClient({ region: 'us-east-1', endpoint: emulator.endpoint, maxAttempts: 1 })
  const { roleCredentials: credentials } = await sso.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }))
  return {
    accessKeyId: credentials!.accessKeyId!,
    secretAccessKey: credentials!.secretAccessKey!,
    sessionToken: credentials!.sessionToken!
  }
}

function sts(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
  extra: { systemClockOffset?: number } = {}
) {
  return new STSClient({ region: 'eu-west-1', endpoint: emulator!.endpoint, credentials, maxAttempts: 1, ...extra })
}

describe('STS GetCallerIdentity against the emulator, with @aws-sdk/client-sts', () => {
  it('names the role session of the user whose token opened it, with the request ID', async () => {
    const credentials = await roleCredentials('bob', '222222222222', 'ReadOnly')
    const identity = await sts(credentials).send(new GetCallerIdentityCommand({}))
    expect(identity.Account).toBe('222222222222')
    expect(identity.Arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/AWSReservedSSO_ReadOnly_[0-9a-f]{16}\/bob$/)
    expect(identity.UserId).toMatch(/^AROA[A-Z2-7]{17}:bob$/)
    expect(identity.$metadata.httpStatusCode).toBe(200)
    expect(identity.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(emulator!.counts.GetCallerIdentity).toBe(1)
  })

  it('gives each user their own session in the same role, and the same role to both', async () => {
    emulator = await startEmulator({ directory: TWO_USERS })
    const sso = new SSOClient({ region: 'us-east-1', endpoint: emulator.endpoint, maxAttempts: 1 })
    const arns: string[] = []
    for (const user of ['alice@example.com', 'alice@example.com']) {
      const accessToken = await approvedToken(emulator, user)
      const { roleCredentials: c } = await sso.send(
        new GetRoleCredentialsCommand({ accessToken, accountId: '111111111111', roleName: 'Deploy' })
      )
      const client = sts({ accessKeyId: c!.accessKeyId!, secretAccessKey: c!.secretAccessKey!, sessionToken: c!.sessionToken! })
      arns.push((await client.send(new GetCallerIdentityCommand({}))).Arn!)
    }
    expect(arns[0]).toMatch(/assumed-role\/AWSReservedSSO_Deploy_[0-9a-f]{16}\/alice@example\.com$/)
    expect(arns[1]).toBe(arns[0])
  })

  it('refuses a signature made with a tampered secret: SignatureDoesNotMatch, 403', async () => {
    const credentials = await roleCredentials('bob', '222222222222', 'ReadOnly')
    const last = credentials.secretAccessKey.slice(-1)
    const tampered = { ...credentials, secretAccessKey: credentials.secretAccessKey.slice(0, -1) + (last === 'A' ? 'B' : 'A') }
    const error = await failure(sts(tampered).send(new GetCallerIdentityCommand({})))
    expect(error.name).toBe('SignatureDoesNotMatch')
    expect(error.message).toMatch(/^The request signature we calculated does not match the signature you provided/)
    expect(error.$metadata.httpStatusCode).toBe(403)
    expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('refuses a request changed after it was signed: SignatureDoesNotMatch, 403', async () => {
    const credentials = await roleCredentials('bob', '222222222222', 'ReadOnly')
    const client = sts(credentials)
    // After the SDK's own signing step: a signed header changes, as a man in the middle would.
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> }
        request.headers['content-type'] = 'application/x-www-form-urlencoded; charset=iso-8859-1'
        return next(args)
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamperAfterSigning' }
    )
    const error = await failure(client.send(new GetCallerIdentityCommand({})))
    expect(error.name).toBe('SignatureDoesNotMatch')
    expect(error.$metadata.httpStatusCode).toBe(403)
  })

  it('refuses a signature older than 15 minutes: SignatureDoesNotMatch, 403', async () => {
    const credentials = await roleCredentials('bob', '222222222222', 'ReadOnly')
    const error = await failure(sts(credentials, { systemClockOffset: -16 * 60 * 1000 }).send(new GetCallerIdentityCommand({})))
    expect(error.name).toBe('SignatureDoesNotMatch')
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/)
    expect(error.$metadata.httpStatusCode).toBe(403)
  })

  it('refuses an access key it never issued: InvalidClientTokenId, 403', async () => {
    const credentials = await roleCredentials('bob', '222222222222', 'ReadOnly')
    const error = await failure(sts({ ...credentials, accessKeyId: 'ASIAUNKNOWNUNKNOWN00' }).send(new GetCallerIdentityCommand({})))
    expect(error.name).toBe('InvalidClientTokenId')
    expect(error.message).toBe('The security token included in the request is invalid.')
    expect(error.$metadata.httpStatusCode).toBe(403)
  })

  it("refuses another session's token with a key: InvalidClientTokenId, 403", async () => {
    const credentials = await roleCredentials('bob', '222222222222', 'ReadOnly')
    const error = await failure(
      sts({ ...credentials, sessionToken: `${credentials.sessionToken}x` }).send(new GetCallerIdentityCommand({}))
    )
    expect(error.name).toBe('InvalidClientTokenId')
    expect(error.$metadata.httpStatusCode).toBe(403)
  })

  it('refuses credentials past their expiry: ExpiredToken, 400', async () => {
    const clock = manualClock()
    const credentials = await roleCredentials('bob', '222222222222', 'ReadOnly', { now: clock.now })
    clock.advance(3600 * 1000)
    const error = await failure(sts(credentials).send(new GetCallerIdentityCommand({})))
    expect(error.name).toBe('ExpiredToken')
    expect(error.message).toBe('The security token included in the request is expired')
    expect(error.$metadata.httpStatusCode).toBe(400)
  })

  it('refuses credentials expired by the test API alike', async () => {
    const credentials = await roleCredentials('bob', '222222222222', 'ReadOnly')
    emulator!.expireRoleCredentials(credentials.accessKeyId)
    const error = await failure(sts(credentials).send(new GetCallerIdentityCommand({})))
    expect(error.name).toBe('ExpiredToken')
    expect(emulator!.requests.at(-1)).toMatchObject({ operation: 'GetCallerIdentity', status: 400, error: 'ExpiredToken' })
  })
})
