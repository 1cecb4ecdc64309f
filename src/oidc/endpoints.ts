// Where the SSO OIDC and portal services live for a region, resolved as the AWS SDKs resolve them
// (the services' endpoint rule sets over partitions.json, docs/protocol.md §1 and §4), and the
// environment overrides the SDKs honour.

/** The endpoint settings in the environment cannot be used together or are malformed. */
export class EndpointConfigurationError extends Error {
  override readonly name = 'EndpointConfigurationError'
}

interface Partition {
  name: string
  regionRegex: RegExp
  dnsSuffix: string
  dualStackDnsSuffix: string
}

// From partitions.json as shipped in @aws-sdk/core (2026). Every partition supports FIPS and
// dual-stack there. A region matching no regex belongs to `aws`, as in the SDKs.
const PARTITIONS: readonly Partition[] = [
  { name: 'aws', regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
  { name: 'aws-cn', regionRegex: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn' },
  { name: 'aws-us-gov', regionRegex: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
  { name: 'aws-iso', regionRegex: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov' },
  { name: 'aws-iso-b', regionRegex: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud' },
  { name: 'aws-iso-e', regionRegex: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk' },
  { name: 'aws-iso-f', regionRegex: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov' },
  { name: 'aws-eusc', regionRegex: /^eusc-(de)-\w+-\d+$/, dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu' }
]

export function partitionOf(region: string): Partition {
  // Only the commercial partition is a fallback: a region no regex matches resolves there.
  const specific = PARTITIONS.slice(1).find((partition) => partition.regionRegex.test(region))
  return specific ?? PARTITIONS[0]!
}

/** Every DNS suffix an AWS partition's endpoints use, plain and dual-stack. */
export function partitionDnsSuffixes(): string[] {
  return [...new Set(PARTITIONS.flatMap((partition) => [partition.dnsSuffix, partition.dualStackDnsSuffix]))]
}

/** A service's hosts and override variables: what resolveServiceEndpoint needs to place it. */
export interface ServiceSpec {
  /** As the approver reads it. */
  service: string
  hostPrefix: string
  fipsHostPrefix: string
  /** The variables that move it, most specific first, as the SDKs read them. */
  overrides: readonly string[]
}

const OIDC: ServiceSpec = {
  service: 'SSO OIDC',
  hostPrefix: 'oidc',
  fipsHostPrefix: 'oidc-fips',
  overrides: ['AWS_ENDPOINT_URL_SSO_OIDC', 'AWS_ENDPOINT_URL']
}
const PORTAL: ServiceSpec = {
  service: 'SSO portal',
  hostPrefix: 'portal.sso',
  fipsHostPrefix: 'portal.sso-fips',
  overrides: ['AWS_ENDPOINT_URL_SSO', 'AWS_ENDPOINT_URL']
}

/** The SSO OIDC endpoint (RegisterClient, StartDeviceAuthorization, CreateToken). */
export function oidcEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolveEndpoint({ region, env, ...OIDC })
}

/** The SSO portal endpoint (GetRoleCredentials, ListAccounts, ListAccountRoles, Logout). */
export function portalEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolveEndpoint({ region, env, ...PORTAL })
}

/** An endpoint the environment moves away from AWS's own, for telling the approver. */
export interface EndpointOverride {
  /** The variable in effect: AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL. */
  variable: string
  /** `SSO OIDC`, `SSO portal` or `STS`. */
  service: string
  /** Scheme, host and port only: a path could carry a token, and credentials are refused anyway. */
  origin: string
}

/** The overrides in effect, one per service they move; throws as oidcEndpoint does on a bad value. */
export function endpointOverrides(env: NodeJS.ProcessEnv = process.env): EndpointOverride[] {
  return [OIDC, PORTAL].flatMap((spec) => serviceEndpointOverride(spec, env) ?? [])
}

/**
 * Where `spec`'s service lives for `region`, as the SDKs' endpoint rule sets place it: the override
 * variables first (never with FIPS or dual-stack), else `<prefix>.<region>.<partition suffix>`.
 * Shared by the OIDC and portal endpoints here and STS (src/sts/endpoint.ts).
 */
export function resolveServiceEndpoint(spec: ServiceSpec, region: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolveEndpoint({ ...spec, region, env })
}

/** The override in effect for `spec`'s service, if any; throws on a bad value as resolveServiceEndpoint does. */
export function serviceEndpointOverride(spec: ServiceSpec, env: NodeJS.ProcessEnv = process.env): EndpointOverride | undefined {
  const override = configuredEndpoint(env, spec.overrides)
  if (override === undefined) return undefined
  return { variable: override.name, service: spec.service, origin: new URL(parseCustomEndpoint(override.name, override.value)).origin }
}

function resolveEndpoint(spec: ServiceSpec & { region: string; env: NodeJS.ProcessEnv }): string {
  const { env } = spec
  const fips = booleanSetting(env, 'AWS_USE_FIPS_ENDPOINT')
  const dualStack = booleanSetting(env, 'AWS_USE_DUALSTACK_ENDPOINT')

  const override = configuredEndpoint(env, spec.overrides)
  if (override !== undefined) {
    if (fips)
      throw new EndpointConfigurationError(
        `AWS_USE_FIPS_ENDPOINT=true cannot be combined with a custom endpoint (${override.name}); unset one of them`
      )
    if (dualStack)
      throw new EndpointConfigurationError(
        `AWS_USE_DUALSTACK_ENDPOINT=true cannot be combined with a custom endpoint (${override.name}); unset one of them`
      )
    return parseCustomEndpoint(override.name, override.value)
  }

  const region = spec.region.trim()
  // The region becomes part of a host name: anything but a DNS label could redirect the request.
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
    throw new EndpointConfigurationError(`region "${spec.region}" is not an AWS region name (for example us-east-1)`)
  }
  const partition = partitionOf(region)
  if (fips && dualStack) return `https://${spec.fipsHostPrefix}.${region}.${partition.dualStackDnsSuffix}`
  // GovCloud endpoints are FIPS endpoints already; there is no -fips host.
  if (fips)
    return partition.name === 'aws-us-gov'
      ? `https://${spec.hostPrefix}.${region}.amazonaws.com`
      : `https://${spec.fipsHostPrefix}.${region}.${partition.dnsSuffix}`
  if (dualStack) return `https://${spec.hostPrefix}.${region}.${partition.dualStackDnsSuffix}`
  return `https://${spec.hostPrefix}.${region}.${partition.dnsSuffix}`
}

function configuredEndpoint(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  // The SDKs' switch for ignoring every configured endpoint URL.
  if (booleanSetting(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS')) return undefined
  for (const name of names) {
    const value = env[name]?.trim()
    if (value) return { name, value }
  }
  return undefined
}

function parseCustomEndpoint(name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // The value is never echoed: an unparseable URL may still carry credentials (user:secret@…).
    throw new EndpointConfigurationError(
      `${name} is not a URL (${value.length} characters; its value is not shown, as it may hold credentials): set it to an origin like https://oidc.us-east-1.amazonaws.com`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new EndpointConfigurationError(
      `${name} must be an http(s) URL, not ${url.protocol} (for example https://oidc.us-east-1.amazonaws.com)`
    )
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new EndpointConfigurationError(`${name} must be an origin with an optional path, without query, fragment or credentials`)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

// The SDKs accept exactly "true" or "false" (any case) and refuse anything else, rather than
// guess what "1" or "yes" means for a compliance switch.
function booleanSetting(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim()
  if (raw === undefined || raw === '') return false
  const value = raw.toLowerCase()
  if (value === 'true') return true
  if (value === 'false') return false
  throw new EndpointConfigurationError(`${name} must be "true" or "false", got "${raw}"`)
}
