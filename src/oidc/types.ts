// The shapes the SSO OIDC service returns, normalised to what the action needs.
// Times carry their unit in the name's comment because AWS mixes seconds and milliseconds.

/** A public OIDC client registered with IAM Identity Center (RegisterClient). */
export interface ClientRegistration {
  clientId: string
  /** Secret: mask before it can reach a log. */
  clientSecret: string
  /** Epoch seconds, as AWS sends it. */
  clientIdIssuedAt: number
  /** Epoch seconds, as AWS sends it. AWS does not reject an expired registration at
   *  StartDeviceAuthorization (the approver sees "Invalid Client"), so check it locally. */
  clientSecretExpiresAt: number
  /** The scopes the client was registered with. */
  scopes: string[]
  /** The name the approver sees on the consent page. */
  clientName: string
}

/** A pending device authorization (StartDeviceAuthorization). */
export interface DeviceAuthorization {
  /** Secret: mask at once. Single use. */
  deviceCode: string
  /** Not secret: the approver must see it to compare with what the browser shows. */
  userCode: string
  verificationUri: string
  verificationUriComplete: string
  /** Seconds the device code and user code live, from `startedAt`. */
  expiresIn: number
  /** Seconds to wait before each poll; 5 when AWS sends none (RFC 8628 §3.2). */
  interval: number
  /** Epoch milliseconds on the local clock when the response arrived. */
  startedAt: number
}

/** The token set returned by CreateToken. */
export interface TokenSet {
  /** Secret. */
  accessToken: string
  tokenType: string
  /** Seconds, as AWS sends it. */
  expiresIn: number
  /** Epoch milliseconds on the local clock (now + expiresIn). */
  expiresAt: number
  /** Secret. Present for scoped registrations (sso:account:access). */
  refreshToken?: string
  /** AWS documents it as unsupported; kept only so it can be masked if it ever comes. */
  idToken?: string
}
