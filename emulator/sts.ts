// STS GetCallerIdentity as AWS serves it (Query protocol, API version 2011-06-15): `POST /` with a
// form body, SigV4-signed with role credentials this emulator issued through GetRoleCredentials,
// answered in XML with the RequestId in the body and in x-amzn-RequestId. The signature is
// checked against the issued secret by recomputing it with AWS's own signer
// (@smithy/signature-v4) over exactly the headers the client signed, and a bad request is refused
// as STS refuses it: MissingAuthenticationToken and InvalidClientTokenId (403) for no or an
// unknown key or session token, ExpiredToken (400) for credentials past their expiry,
// SignatureDoesNotMatch (403) for a wrong signature, scope or a signature older than 15 minutes.
import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { StsError, type Reply } from './errors.js'
import { newRequestId } from './ids.js'
import type { Store } from './store.js'

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'
const API_VERSION = '2011-06-15'
/** How far X-Amz-Date may be from the server's clock, as AWS allows. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000

export interface StsContext {
  store: Store
  now: () => number
}

export interface StsRequest {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  body: Buffer
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/

/** `POST /`: the Query action in the form body; only GetCallerIdentity is served. */
export async function handleQuery(ctx: StsContext, request: StsRequest): Promise<Reply> {
  const requestId = newRequestId()
  const session = await authenticate(ctx, request)
  const form = new URLSearchParams(request.body.toString('utf8'))
  const action = form.get('Action')
  if (action !== 'GetCallerIdentity' || form.get('Version') !== API_VERSION) {
    throw new StsError('InvalidAction', `Could not find operation ${action ?? ''} for version ${form.get('Version') ?? ''}`)
  }
  const arn = `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.user}`
  const body =
    `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">\n` +
    '  <GetCallerIdentityResult>\n' +
    `    <Arn>${escapeXml(arn)}</Arn>\n` +
    `    <UserId>${escapeXml(`${session.roleId}:${session.user}`)}</UserId>\n` +
    `    <Account>${session.accountId}</Account>\n` +
    '  </GetCallerIdentityResult>\n' +
    '  <ResponseMetadata>\n' +
    `    <RequestId>${requestId}</RequestId>\n` +
    '  </ResponseMetadata>\n' +
    '</GetCallerIdentityResponse>\n'
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body }
}

async function authenticate(ctx: StsContext, request: StsRequest) {
  const authorization = single(request.headers.authorization)
  if (authorization === undefined) throw new StsError('MissingAuthenticationToken', 'Request is missing Authentication Token')
  const parts = AUTHORIZATION.exec(authorization)
  if (!parts) throw new StsError('IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature parameters.')
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = parts as unknown as string[]
  const session = ctx.store.findRoleSession(accessKeyId!)
  const token = single(request.headers['x-amz-security-token'])
  // The same answer for an unknown key and a session token that is not the key's: nothing more is learned.
  if (!session || token !== session.sessionToken)
    throw new StsError('InvalidClientTokenId', 'The security token included in the request is invalid.')
  if (ctx.store.isRoleSessionExpired(session)) throw new StsError('ExpiredToken', 'The security token included in the request is expired')

  const amzDate = single(request.headers['x-amz-date'])
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate)
  if (signingDate === undefined)
    throw new StsError('IncompleteSignature', 'Authorization header requires existence of either a X-Amz-Date or a Date header.')
  const now = ctx.now()
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new StsError(
      'SignatureDoesNotMatch',
      `Signature expired: ${amzDate} is now earlier than ${basicIso(new Date(now - MAX_CLOCK_SKEW_MS))} (${basicIso(new Date(now))} - 15 min.)`
    )
  }
  if (service !== 'sts') throw new StsError('SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'.")
  if (scopeDate !== amzDate!.slice(0, 8))
    throw new StsError('SignatureDoesNotMatch', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.')

  const signedHeaders = signedHeaderList!.split(';')
  if (!signedHeaders.includes('host'))
    throw new StsError('SignatureDoesNotMatch', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
  const expected = await expectedSignature(
    request,
    { accessKeyId: accessKeyId!, secretAccessKey: session.secretAccessKey, sessionToken: token },
    region!,
    signedHeaders,
    signingDate
  )
  const given = Buffer.from(signature!, 'hex')
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new StsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
    )
  }
  return session
}

/** The signature AWS's own signer computes for this request, over the headers the client signed. */
async function expectedSignature(
  request: StsRequest,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
  region: string,
  signedHeaders: string[],
  signingDate: Date
): Promise<Buffer> {
  const headers: Record<string, string> = {}
  for (const name of signedHeaders) {
    const value = request.headers[name]
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  // The signer adds X-Amz-Security-Token itself when it has a session token: only when it was signed.
  const signer = new SignatureV4({
    service: 'sts',
    region,
    credentials: signedHeaders.includes('x-amz-security-token')
      ? credentials
      : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false
  })
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: request.url.hostname,
      path: request.url.pathname,
      query: Object.fromEntries(request.url.searchParams),
      headers,
      body: request.body.toString('utf8')
    },
    { signingDate, signableHeaders: new Set(signedHeaders) }
  )
  const signature = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? ''
  return Buffer.from(signature, 'hex')
}

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!match) return undefined
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[]
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second))
  return Number.isNaN(date.getTime()) ? undefined : date
}

function basicIso(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;')
}
