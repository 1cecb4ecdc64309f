// Where STS lives for a region, as the AWS SDKs (v3, and every SDK since STS regional endpoints
// became the default) resolve it: the STS endpoint rule set over partitions.json, through the
// same machinery as the OIDC and portal endpoints (src/oidc/endpoints.ts), with STS's own
// override variable. The rule set, in the order it decides:
// - AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (not with FIPS or dual-stack);
// - region `aws-global` (the SDKs' name for the legacy global host) is refused: every lookup here
//   goes through a real region, and the global host has no FIPS or dual-stack form;
// - FIPS and dual-stack: https://sts-fips.<region>.<dual-stack suffix>;
// - FIPS: https://sts-fips.<region>.<suffix>, except GovCloud, whose regional hosts are FIPS already;
// - dual-stack: https://sts.<region>.<dual-stack suffix>;
// - else the regional https://sts.<region>.<suffix> (never the global host: a regional call keeps
//   working when us-east-1 does not, and it is what the SDKs now send).
import {
  EndpointConfigurationError,
  resolveServiceEndpoint,
  serviceEndpointOverride,
  type EndpointOverride,
  type ServiceSpec
} from '../oidc/endpoints.js'

const STS: ServiceSpec = {
  service: 'STS',
  hostPrefix: 'sts',
  fipsHostPrefix: 'sts-fips',
  overrides: ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL']
}

/** The pseudo-region of STS's legacy global endpoint. */
const GLOBAL_REGION = 'aws-global'

export interface StsEndpoint {
  /** An origin, optionally with a path prefix; requests go to `<url>/`. */
  url: string
  /** The region SigV4 signs for. */
  signingRegion: string
}

/** The STS endpoint for `region`; throws EndpointConfigurationError as oidcEndpoint does. */
export function stsEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): StsEndpoint {
  const trimmed = region.trim()
  if (trimmed === GLOBAL_REGION) {
    throw new EndpointConfigurationError(
      `region "${GLOBAL_REGION}" names STS's legacy global endpoint: use a regional name (for example us-east-1)`
    )
  }
  return { url: resolveServiceEndpoint(STS, trimmed, env), signingRegion: trimmed }
}

/** AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL when one moves STS away from AWS's own host. */
export function stsEndpointOverride(env: NodeJS.ProcessEnv = process.env): EndpointOverride | undefined {
  return serviceEndpointOverride(STS, env)
}
