// SigV4 for the one STS call, through aws4 (the library that signs for many AWS clients; its
// figures against AWS's own @smithy/signature-v4 and aws4fetch are in docs/identity.md, "The
// signer", and `npm run bench:signers` measures them again): 17 KB and about 10 ms to load where
// @smithy/signature-v4 brings @smithy/core, 400 KB and about 70 ms, for one signature a run.
// The credentials are always passed in: aws4 would otherwise read AWS_ACCESS_KEY_ID from the
// environment, which here could be a previous step's keys, not the approver's.
import aws4 from 'aws4'
import type { RoleCredentials } from '../portal/types.js'

export interface QueryRequest {
  url: URL
  /** The form-encoded Query body. */
  body: string
  /** The region SigV4 signs for. */
  region: string
  credentials: Pick<RoleCredentials, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>
  /** Epoch ms: the signature's time (X-Amz-Date). */
  now: number
}

export const QUERY_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8'

/** The headers that send `request` signed for STS: Host, Content-Type, Content-Length, X-Amz-Date, X-Amz-Security-Token, Authorization. */
export function signQueryRequest(request: QueryRequest): Record<string, string> {
  const { url, credentials } = request
  const signed = aws4.sign(
    {
      service: 'sts',
      region: request.region,
      method: 'POST',
      host: url.host,
      path: url.pathname,
      body: request.body,
      headers: { 'Content-Type': QUERY_CONTENT_TYPE, 'X-Amz-Date': amzDate(request.now) }
    },
    { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken }
  )
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(signed.headers ?? {})) headers[name.toLowerCase()] = String(value)
  return headers
}

/** `20260501T120000Z`, SigV4's basic ISO 8601 form. */
function amzDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}
