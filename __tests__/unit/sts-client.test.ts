// The action's STS client: against the emulator (which checks the SigV4 signature with AWS's own
// signer), a good call names the role session; refusals arrive as AwsServiceError with AWS's code
// and one line; and against a loopback server answering in AWS's place, every hostile answer (a
// second Arn, an entity, a DOCTYPE, an ARN that is not a role session, fields that disagree, a
// request ID header that disagrees, an endless body) is a MalformedResponseError, never an identity.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from '@jest/globals'
import { failure } from '../support/failure.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { AwsServiceError, MalformedResponseError, RequestTimeoutError } from '../../src/http/errors.js'
import { SsoPortalClient } from '../../src/portal/client.js'
import { GET_CALLER_IDENTITY_BODY, StsClient } from '../../src/sts/client.js'
import { captureStdout } from '../support/capture.js'
import { approvedToken } from '../emulator/sign-in.js'
import { TWO_USERS } from '../emulator/users-fixture.js'

let emulator: Emulator | undefined
let server: Server | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

async function bobsCredentials() {
  emulator = await startEmulator({ directory: TWO_USERS })
  const accessToken = await approvedToken(emulator, 'bob')
  return new SsoPortalClient({ endpoint: emulator.endpoint }).getRoleCredentials(accessToken, '222222222222', 'ReadOnly')
}

const CREDENTIALS = { accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'S'.repeat(40), sessionToken: 'IQoJ' + 'T'.repeat(400) }
const REQUEST_ID = 'c6104cbe-af31-11e0-8154-cbc7ccf896c7'
const ARN = 'arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/bob'

function answer(fields: { arn?: string; userId?: string; account?: string; requestId?: string } = {}): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
    `<GetCallerIdentityResult><Arn>${fields.arn ?? ARN}</Arn><UserId>${fields.userId ?? 'AROAABCDEFGHIJKLMNOPQ:bob'}</UserId>` +
    `<Account>${fields.account ?? '222222222222'}</Account></GetCallerIdentityResult>` +
    `<ResponseMetadata><RequestId>${fields.requestId ?? REQUEST_ID}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
  )
}

/** A loopback server that answers every request with `body` (and `status`, `headers`), recording what it got. */
async function answering(body: string | Buffer, status = 200, headers: Record<string, string> = { 'x-amzn-requestid': REQUEST_ID }) {
  const received: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = []
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(status, { 'content-type': 'text/xml', ...headers })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { client: new StsClient({ endpoint: { url: `http://127.0.0.1:${port}/prefix`, signingRegion: 'eu-west-1' } }), received }
}

describe('StsClient against the emulator', () => {
  it('names the role session, with the request ID, and logs nothing of the credentials', async () => {
    const credentials = await bobsCredentials()
    const client = new StsClient({ endpoint: { url: emulator!.endpoint, signingRegion: 'eu-west-1' } })
    const stdout = captureStdout()
    const identity = await client.getCallerIdentity(credentials)
    stdout.restore()
    expect(identity).toEqual({
      arn: expect.stringMatching(/^arn:aws:sts::222222222222:assumed-role\/AWSReservedSSO_ReadOnly_[0-9a-f]{16}\/bob$/),
      partition: 'aws',
      account: '222222222222',
      roleName: expect.stringMatching(/^AWSReservedSSO_ReadOnly_[0-9a-f]{16}$/),
      sessionName: 'bob',
      userId: expect.stringMatching(/^AROA[A-Z2-7]{17}:bob$/),
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/)
    })
    expect(stdout.text()).toContain('POST / 200')
    for (const secret of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken])
      expect(stdout.text()).not.toContain(secret)
  })

  it('turns a refusal into AwsServiceError with the code, the status and one line', async () => {
    const credentials = await bobsCredentials()
    const client = new StsClient({ endpoint: { url: emulator!.endpoint, signingRegion: 'eu-west-1' } })
    const unknown = await failure(client.getCallerIdentity({ ...credentials, accessKeyId: 'ASIAUNKNOWNUNKNOWN00' }))
    expect(unknown).toBeInstanceOf(AwsServiceError)
    expect(unknown).toMatchObject({
      code: 'InvalidClientTokenId',
      status: 403,
      description: 'The security token included in the request is invalid.',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/)
    })
    expect((unknown as Error).message).toBe(`GetCallerIdentity at ${emulator!.endpoint}/ failed: InvalidClientTokenId (HTTP 403)`)

    const tampered = await failure(client.getCallerIdentity({ ...credentials, secretAccessKey: 'x'.repeat(40) }))
    expect(tampered).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 })

    emulator!.expireRoleCredentials(credentials.accessKeyId)
    expect(await failure(client.getCallerIdentity(credentials))).toMatchObject({ code: 'ExpiredToken', status: 400 })
  })

  it('sends nothing once the deadline has passed', async () => {
    const { client: _unused, received } = await answering(answer())
    const late = new StsClient({
      endpoint: { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, signingRegion: 'eu-west-1' },
      deadline: Date.now() - 1
    })
    expect(await failure(late.getCallerIdentity(CREDENTIALS))).toBeInstanceOf(RequestTimeoutError)
    expect(received).toHaveLength(0)
  })
})

describe('StsClient against whoever answers in STS place', () => {
  it('posts the Query body, signed, to the path under the endpoint', async () => {
    const { client, received } = await answering(answer())
    expect((await client.getCallerIdentity(CREDENTIALS)).sessionName).toBe('bob')
    expect(received).toHaveLength(1)
    const [request] = received
    expect(request).toMatchObject({ method: 'POST', url: '/prefix/', body: GET_CALLER_IDENTITY_BODY })
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8')
    expect(request!.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken)
    expect(request!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE00\/\d{8}\/eu-west-1\/sts\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/
    )
    expect(request!.headers.authorization).not.toContain(CREDENTIALS.secretAccessKey)
  })

  it.each([
    ['a second Arn', answer().replace('</Arn>', `</Arn><Arn>${ARN.replace('bob', 'mallory')}</Arn>`), /2 Arn elements/],
    ['a DOCTYPE with an entity', `<!DOCTYPE x [<!ENTITY u "bob">]>${answer({ arn: ARN.replace('bob', '&u;') })}`, /not plain XML/],
    ['an undeclared entity', answer({ arn: ARN.replace('bob', '&u;') }), /not plain XML/],
    ['a numeric character reference', answer({ arn: ARN.replace('bob', '&#98;ob') }), /not plain XML/],
    ['CDATA', answer({ arn: `<![CDATA[${ARN}]]>` }), /not plain XML/],
    ['a comment', answer().replace('<Arn>', '<!-- x --><Arn>'), /not plain XML/],
    ['text beside elements', answer().replace('<Arn>', 'bob<Arn>'), /mixes text and elements/],
    ['another root', answer().replaceAll('GetCallerIdentityResponse', 'AssumeRoleResponse'), /root is not GetCallerIdentityResponse/],
    ['another namespace', answer().replace('2011-06-15', '2099-01-01'), /namespace/],
    ['no Arn', answer().replace(/<Arn>.*<\/Arn>/, ''), /GetCallerIdentityResult\.Arn is missing/],
    ['an IAM user', answer({ arn: 'arn:aws:iam::222222222222:user/bob' }), /not an assumed-role session ARN/],
    ['an unknown partition', answer({ arn: ARN.replace('arn:aws:', 'arn:evil:') }), /not an assumed-role session ARN/],
    ['a session name with a slash', answer({ arn: `${ARN}/admin` }), /not an assumed-role session ARN/],
    ['an account that differs from the ARN', answer({ account: '999999999999' }), /Account differs/],
    ['an account that is not 12 digits', answer({ account: '22222222222x' }), /Account is not 12 digits/],
    ['a UserId of another session', answer({ userId: 'AROAABCDEFGHIJKLMNOPQ:mallory' }), /UserId names another session/],
    ['a UserId that is not a role id', answer({ userId: 'AIDAABCDEFGHIJKLMNOPQ:bob' }), /UserId is not/],
    ['a RequestId that is no request ID', answer({ requestId: 'x' }), /RequestId is not a request ID/],
    [
      'a RequestId that differs from the header',
      answer({ requestId: 'd6104cbe-af31-11e0-8154-cbc7ccf896c7' }),
      /differs from the x-amzn-RequestId header/
    ],
    ['nested too deep', answer().replace('<Arn>', '<a><a><a><a><a><a><a><a><a></a></a></a></a></a></a></a></a></a><Arn>'), /deeper than 8/],
    ['a body past 64 KB', answer().replace('<Arn>', `<Pad>${'p'.repeat(70_000)}</Pad><Arn>`), /larger than 65536 bytes/]
  ])('refuses %s', async (_name, body, problem) => {
    const { client } = await answering(body)
    const error = await failure(client.getCallerIdentity(CREDENTIALS))
    expect(error).toBeInstanceOf(MalformedResponseError)
    expect((error as Error).message).toMatch(problem)
    expect((error as Error).message).not.toContain('mallory')
  })

  it("keeps an error's code and message only when they have AWS's shape", async () => {
    const xml = (code: string, message: string) =>
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`
    const plain = await answering(xml('AccessDenied', 'Not authorized.'), 403)
    expect(await failure(plain.client.getCallerIdentity(CREDENTIALS))).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      description: 'Not authorized.',
      requestId: REQUEST_ID
    })
    await new Promise<void>((resolve) => server!.close(() => resolve()))
    const hostile = await answering(xml('<x>', `echo ${CREDENTIALS.sessionToken}`), 400)
    const error = await failure(hostile.client.getCallerIdentity(CREDENTIALS))
    expect(error).toMatchObject({ code: 'UnknownError', status: 400 })
    expect((error as AwsServiceError).description).toBeUndefined()
    await new Promise<void>((resolve) => server!.close(() => resolve()))
    const html = await answering('<html><body>proxy says no</body></html>', 502, { 'content-type': 'text/html' })
    expect(await failure(html.client.getCallerIdentity(CREDENTIALS))).toMatchObject({ code: 'UnknownError', status: 502 })
  })
})
