// STS GetCallerIdentity (Query protocol, API version 2011-06-15): POST / with
// `Action=GetCallerIdentity&Version=2011-06-15`, signed with SigV4 by the credentials it asks
// about, answered in XML. Bounded like every other AWS call (src/http/): a per-attempt timeout cut
// to the caller's deadline, the caller's cancellation, a bounded body, typed errors with one line.
// The credentials and the signed headers are never logged: requestBounded logs method, path,
// status and time only. One attempt per call; wrap calls in withRetry (src/retry.ts).
import type { Dispatcher } from 'undici'
import { definedFields } from '../defined.js'
import { awsErrorFromResponse } from '../http/aws-error.js'
import { requestBounded } from '../http/bounded-request.js'
import { attemptLimit } from '../http/request.js'
import { USER_AGENT } from '../http/user-agent.js'
import type { RoleCredentials } from '../portal/types.js'
import { parseCallerIdentity, stsErrorBody } from './responses.js'
import { signQueryRequest } from './signer.js'
import type { StsEndpoint } from './endpoint.js'
import type { CallerIdentity } from './types.js'

export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15'
/** An STS answer is under a kilobyte; anything much bigger is not one. */
const MAX_BODY_BYTES = 64 * 1024

export interface StsClientOptions {
  /** From stsEndpoint(). */
  endpoint: StsEndpoint
  /** Per-attempt limit for connect, headers and body. Default 15 000 ms. */
  requestTimeoutMs?: number
  /** Epoch ms (on `now`): no call through this client runs past it. */
  deadline?: number
  /** Cancels every call made through this client. */
  signal?: AbortSignal
  /** Epoch ms: the signature's time, the deadline's clock. */
  now?: () => number
  /** Defaults to the shared, proxy-aware dispatcher. */
  dispatcher?: Dispatcher
}

export class StsClient {
  private readonly url: URL

  constructor(private readonly options: StsClientOptions) {
    this.url = new URL(options.endpoint.url)
    this.url.pathname = `${this.url.pathname.replace(/\/+$/, '')}/`
  }

  /** Who `credentials` belong to. AwsServiceError when STS refuses them (InvalidClientTokenId, ExpiredToken, …). */
  async getCallerIdentity(credentials: Pick<RoleCredentials, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>): Promise<CallerIdentity> {
    const operation = 'GetCallerIdentity'
    const now = this.options.now ?? Date.now
    const endpoint = `${this.url.origin}${this.url.pathname}`
    const limit = attemptLimit({ operation, timeoutMs: this.options.requestTimeoutMs, deadline: this.options.deadline, now }, endpoint)
    const signed = signQueryRequest({
      url: this.url,
      body: GET_CALLER_IDENTITY_BODY,
      region: this.options.endpoint.signingRegion,
      credentials,
      now: now()
    })
    const response = await requestBounded({
      operation,
      method: 'POST',
      url: this.url,
      headers: { ...signed, 'user-agent': USER_AGENT, accept: 'text/xml' },
      body: GET_CALLER_IDENTITY_BODY,
      ...limit,
      maxBodyBytes: MAX_BODY_BYTES,
      ...definedFields({ signal: this.options.signal, dispatcher: this.options.dispatcher })
    })
    const text = response.body.toString('utf8')
    if (response.status < 200 || response.status > 299) {
      throw awsErrorFromResponse({
        operation,
        endpoint,
        status: response.status,
        headers: response.headers,
        body: stsErrorBody(text),
        now: now()
      })
    }
    const header = response.headers['x-amzn-requestid']
    const requestId = Array.isArray(header) ? header[0] : header
    // A header that disagrees with the body's RequestId fails the parse: one answer, one request.
    return parseCallerIdentity(text, { operation, endpoint, now: now() }, requestId)
  }
}
