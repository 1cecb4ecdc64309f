// The SSO OIDC calls of the device flow (docs/protocol.md §1): RegisterClient,
// StartDeviceAuthorization, CreateToken. They are unsigned: no Authorization header, no AWS
// credentials; the client secret travels in the JSON body. One attempt per call; wrap calls in
// withRetry (src/retry.ts) for transient failures.
import type { Dispatcher } from 'undici'
import { requestJson } from '../http/request.js'
import { parseDeviceAuthorization, parseRegistration, parseTokenSet } from './responses.js'
import type { ClientRegistration, DeviceAuthorization, TokenSet } from './types.js'

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const REFRESH_TOKEN_GRANT = 'refresh_token'

export type ClientCredentials = Pick<ClientRegistration, 'clientId' | 'clientSecret'>

export interface SsoOidcClientOptions {
  /** From oidcEndpoint(): an origin, optionally with a path prefix. */
  endpoint: string
  /** Per-attempt limit for connect, headers and body. Default 15 000 ms. */
  requestTimeoutMs?: number
  /** Epoch ms (on `now`): no call through this client runs past it (see requestJson). */
  deadline?: number
  /** Cancels every call made through this client. */
  signal?: AbortSignal
  /** Epoch ms; stamps DeviceAuthorization.startedAt and TokenSet.expiresAt. */
  now?: () => number
  /** Defaults to the shared, proxy-aware dispatcher. */
  dispatcher?: Dispatcher
}

export class SsoOidcClient {
  private readonly base: URL
  private readonly requestTimeoutMs: number | undefined
  private readonly deadline: number | undefined
  private readonly signal: AbortSignal | undefined
  private readonly now: () => number
  private readonly dispatcher: Dispatcher | undefined

  constructor(options: SsoOidcClientOptions) {
    this.base = new URL(options.endpoint)
    this.requestTimeoutMs = options.requestTimeoutMs
    this.deadline = options.deadline
    this.signal = options.signal
    this.now = options.now ?? Date.now
    this.dispatcher = options.dispatcher
  }

  /** Registers a public client. `scopes` is sent only when non-empty, as the AWS CLI does. */
  async registerClient(request: { clientName: string; scopes: string[] }): Promise<ClientRegistration> {
    const body: Record<string, unknown> = { clientName: request.clientName, clientType: 'public' }
    if (request.scopes.length > 0) body.scopes = request.scopes
    const { response, context } = await this.post('RegisterClient', '/client/register', body)
    return parseRegistration(response, context, request)
  }

  /** Starts a device authorization; `interval` defaults to 5 s when AWS sends none. */
  async startDeviceAuthorization(client: ClientCredentials, startUrl: string): Promise<DeviceAuthorization> {
    const body = { clientId: client.clientId, clientSecret: client.clientSecret, startUrl }
    const { response, context } = await this.post('StartDeviceAuthorization', '/device_authorization', body)
    return parseDeviceAuthorization(response, context)
  }

  /** One poll (RFC 8628 §3.4). Pending, slow down, denied and expired arrive as AwsServiceError. */
  async createToken(client: ClientCredentials, deviceCode: string, signal?: AbortSignal): Promise<TokenSet> {
    const body = { clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_CODE_GRANT, deviceCode }
    const { response, context } = await this.post('CreateToken', '/token', body, signal)
    return parseTokenSet(response, context)
  }

  /** Exchanges a refresh token; InvalidGrantException means the session is over. */
  async refreshToken(client: ClientCredentials, refreshToken: string): Promise<TokenSet> {
    const body = { clientId: client.clientId, clientSecret: client.clientSecret, grantType: REFRESH_TOKEN_GRANT, refreshToken }
    const { response, context } = await this.post('CreateToken', '/token', body)
    return parseTokenSet(response, context)
  }

  private async post(operation: string, path: string, body: Record<string, unknown>, signal?: AbortSignal) {
    const url = new URL(this.base)
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`
    const response = await requestJson({
      operation,
      method: 'POST',
      url,
      body,
      timeoutMs: this.requestTimeoutMs,
      deadline: this.deadline,
      signal: combine(this.signal, signal),
      dispatcher: this.dispatcher,
      now: this.now
    })
    return { response: response.body, context: { operation, endpoint: `${url.origin}${url.pathname}`, now: this.now() } }
  }
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b])
  return a ?? b
}
