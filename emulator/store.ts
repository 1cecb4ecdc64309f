// Everything the emulated IAM Identity Center remembers: client registrations, device
// authorizations, and the tokens issued from them. Pure state and rules, no HTTP: the OIDC
// handlers, the portal, the verification page and the programmatic API all go through it, so
// they can never disagree about whether a code is pending or a token is valid.
import {
  newAccessKeyId,
  newAccessToken,
  newClientId,
  newClientSecret,
  newDeviceCode,
  newRefreshToken,
  newRoleId,
  newRoleSuffix,
  newSecretAccessKey,
  newSessionToken,
  newUserCode,
  normalizeUserCode
} from './ids.js'

/** A portal assignment: an account and the roles (permission sets) the signed-in user has in it. */
export interface Account {
  accountId: string
  accountName: string
  emailAddress: string
  roles: string[]
}

export interface Registration {
  clientId: string
  clientSecret: string
  clientName: string
  scopes: string[]
  /** Epoch ms. */
  issuedAt: number
  /** Epoch ms. Past it the client is invalid, though StartDeviceAuthorization still accepts it (like AWS). */
  expiresAt: number
}

export type AuthorizationState = 'pending' | 'approved' | 'denied' | 'redeemed'

export interface Authorization {
  deviceCode: string
  userCode: string
  clientId: string
  startUrl: string
  /** Epoch ms. */
  startedAt: number
  /** Epoch ms. */
  expiresAt: number
  /** Seconds the client must wait between polls; grows by 5 on every slow_down (RFC 8628 §3.5). */
  interval: number
  /** Epoch ms of the previous CreateToken for this code, to police the interval. */
  lastPollAt?: number
  state: AuthorizationState
  /** Who approved it: the portal user whose access the token carries. */
  user?: string
}

export interface IssuedToken {
  accessToken: string
  clientId: string
  user: string
  scopes: string[]
  /** Epoch ms. */
  expiresAt: number
  revoked: boolean
  /** The refresh token currently paired with this access token, if the registration had scopes. */
  refreshToken?: string
}

/** The IAM role IAM Identity Center keeps in an account for a permission set. */
export interface ProvisionedRole {
  /** `AWSReservedSSO_<permission set>_<16 hex>`. */
  roleName: string
  /** `AROA…`, the role's unique id. */
  roleId: string
}

/** Role credentials GetRoleCredentials handed out: a role session named after the user. */
export interface RoleSession extends ProvisionedRole {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  /** Epoch ms. */
  expiresAt: number
  /** The user whose token asked: the session's name. */
  user: string
  accountId: string
  permissionSet: string
}

interface IssuedRefreshToken {
  clientId: string
  user: string
  scopes: string[]
  accessToken: string
  valid: boolean
}

/** What became of an approve or deny attempt on the verification page. */
export type DecisionResult =
  | { kind: 'approved' | 'denied'; authorization: Authorization; clientName: string }
  | { kind: 'unknown-code' }
  | { kind: 'expired'; authorization: Authorization }
  | { kind: 'invalid-client'; authorization: Authorization }
  | { kind: 'already-decided'; authorization: Authorization; clientName: string }

/** A user code as the verification page looks it up, with why it can or cannot be approved. */
export type CodeLookup =
  | { kind: 'unknown-code' }
  | { kind: 'expired'; authorization: Authorization }
  | { kind: 'invalid-client'; authorization: Authorization }
  | { kind: 'pending'; authorization: Authorization; clientName: string }
  | { kind: 'already-decided'; authorization: Authorization; clientName: string }

export class Store {
  private readonly registrations = new Map<string, Registration>()
  private readonly byDeviceCode = new Map<string, Authorization>()
  private readonly byUserCode = new Map<string, Authorization>()
  private readonly accessTokens = new Map<string, IssuedToken>()
  private readonly refreshTokens = new Map<string, IssuedRefreshToken>()
  private readonly roles = new Map<string, ProvisionedRole>()
  private readonly roleSessions = new Map<string, RoleSession>()

  constructor(private readonly now: () => number) {}

  register(clientName: string, scopes: string[], ttlSeconds: number): Registration {
    const issuedAt = this.now()
    const registration: Registration = {
      clientId: newClientId(),
      clientSecret: newClientSecret(),
      clientName,
      scopes,
      issuedAt,
      expiresAt: issuedAt + ttlSeconds * 1000
    }
    this.registrations.set(registration.clientId, registration)
    return registration
  }

  /** The registration these credentials prove, expired or not; undefined for a wrong id or secret. */
  authenticate(clientId: string, clientSecret: string): Registration | undefined {
    const registration = this.registrations.get(clientId)
    return registration && registration.clientSecret === clientSecret ? registration : undefined
  }

  isRegistrationExpired(registration: Registration): boolean {
    return this.now() >= registration.expiresAt
  }

  expireRegistration(clientId: string): void {
    const registration = this.registrations.get(clientId)
    if (!registration) throw new Error(`No registration with client id ${clientId}`)
    registration.expiresAt = this.now() - 1
  }

  startAuthorization(clientId: string, startUrl: string, expiresInSeconds: number, intervalSeconds: number): Authorization {
    let userCode = newUserCode()
    // 20^8 codes: a clash is improbable, but a clash would approve someone else's request.
    while (this.byUserCode.has(userCode)) userCode = newUserCode()
    const startedAt = this.now()
    const authorization: Authorization = {
      deviceCode: newDeviceCode(),
      userCode,
      clientId,
      startUrl,
      startedAt,
      expiresAt: startedAt + expiresInSeconds * 1000,
      interval: intervalSeconds,
      state: 'pending'
    }
    this.byDeviceCode.set(authorization.deviceCode, authorization)
    this.byUserCode.set(userCode, authorization)
    return authorization
  }

  findByDeviceCode(deviceCode: string): Authorization | undefined {
    return this.byDeviceCode.get(deviceCode)
  }

  isAuthorizationExpired(authorization: Authorization): boolean {
    return this.now() >= authorization.expiresAt
  }

  lookupUserCode(input: string): CodeLookup {
    const authorization = this.byUserCode.get(normalizeUserCode(input))
    if (!authorization) return { kind: 'unknown-code' }
    if (this.isAuthorizationExpired(authorization)) return { kind: 'expired', authorization }
    const registration = this.registrations.get(authorization.clientId)
    if (!registration || this.isRegistrationExpired(registration)) return { kind: 'invalid-client', authorization }
    const clientName = registration.clientName
    return authorization.state === 'pending'
      ? { kind: 'pending', authorization, clientName }
      : { kind: 'already-decided', authorization, clientName }
  }

  decide(userCode: string, decision: 'approve' | 'deny', user: string): DecisionResult {
    const lookup = this.lookupUserCode(userCode)
    if (lookup.kind !== 'pending') return lookup
    const { authorization, clientName } = lookup
    if (decision === 'approve') {
      authorization.state = 'approved'
      authorization.user = user
      return { kind: 'approved', authorization, clientName }
    }
    authorization.state = 'denied'
    return { kind: 'denied', authorization, clientName }
  }

  /** Pending authorizations a person could still approve. */
  pending(): Array<{ authorization: Authorization; clientName: string }> {
    const out: Array<{ authorization: Authorization; clientName: string }> = []
    for (const authorization of this.byUserCode.values()) {
      const lookup = this.lookupUserCode(authorization.userCode)
      if (lookup.kind === 'pending') out.push({ authorization, clientName: lookup.clientName })
    }
    return out
  }

  issueToken(clientId: string, user: string, scopes: string[], ttlSeconds: number): IssuedToken {
    const token: IssuedToken = {
      accessToken: newAccessToken(),
      clientId,
      user,
      scopes,
      expiresAt: this.now() + ttlSeconds * 1000,
      revoked: false
    }
    // Like AWS, only a registration with scopes gets a refresh token.
    if (scopes.length > 0) {
      token.refreshToken = newRefreshToken()
      this.refreshTokens.set(token.refreshToken, { clientId, user, scopes, accessToken: token.accessToken, valid: true })
    }
    this.accessTokens.set(token.accessToken, token)
    return token
  }

  /** Exchanges a refresh token for a new token set; the old refresh token stops working (rotation). */
  refresh(clientId: string, refreshToken: string, ttlSeconds: number): IssuedToken | undefined {
    const entry = this.refreshTokens.get(refreshToken)
    if (!entry || !entry.valid || entry.clientId !== clientId) return undefined
    entry.valid = false
    return this.issueToken(clientId, entry.user, entry.scopes, ttlSeconds)
  }

  /** The token if it may still be used: known, not revoked, not expired. */
  validToken(accessToken: string): IssuedToken | undefined {
    const token = this.accessTokens.get(accessToken)
    if (!token || token.revoked || this.now() >= token.expiresAt) return undefined
    return token
  }

  /** Whether a refresh token would still be exchanged: known, not rotated away, not revoked by Logout. */
  isRefreshTokenValid(refreshToken: string): boolean {
    return this.refreshTokens.get(refreshToken)?.valid === true
  }

  /** Logout: the access token and the refresh token paired with it both stop working. */
  revoke(accessToken: string): void {
    const token = this.accessTokens.get(accessToken)
    if (!token) return
    token.revoked = true
    if (token.refreshToken) {
      const refresh = this.refreshTokens.get(token.refreshToken)
      if (refresh) refresh.valid = false
    }
  }

  /** New role credentials for `user` in `permissionSet` of `accountId`, valid `ttlSeconds`. */
  openRoleSession(user: string, accountId: string, permissionSet: string, ttlSeconds: number): RoleSession {
    const session: RoleSession = {
      ...this.provisionedRole(accountId, permissionSet),
      accessKeyId: newAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      expiresAt: this.now() + ttlSeconds * 1000,
      user,
      accountId,
      permissionSet
    }
    this.roleSessions.set(session.accessKeyId, session)
    return session
  }

  /** The session an access key id belongs to, expired or not. */
  findRoleSession(accessKeyId: string): RoleSession | undefined {
    return this.roleSessions.get(accessKeyId)
  }

  isRoleSessionExpired(session: RoleSession): boolean {
    return this.now() >= session.expiresAt
  }

  /** Makes role credentials stale, as if their hour had passed. */
  expireRoleSession(accessKeyId: string): void {
    const session = this.roleSessions.get(accessKeyId)
    if (!session) throw new Error('No role session with that access key id')
    session.expiresAt = this.now() - 1
  }

  /** One role per permission set and account, made on first use and the same for every user after. */
  private provisionedRole(accountId: string, permissionSet: string): ProvisionedRole {
    const key = `${accountId}/${permissionSet}`
    let role = this.roles.get(key)
    if (!role) {
      role = { roleName: `AWSReservedSSO_${permissionSet}_${newRoleSuffix()}`, roleId: newRoleId() }
      this.roles.set(key, role)
    }
    return role
  }
}
