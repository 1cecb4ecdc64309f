// Which hosts are AWS's own, so the approver can be told when a verification link leads anywhere
// else. A device authorization answer names the page the approver opens; whoever answers in AWS's
// place (an endpoint variable pointed elsewhere, a proxy) chooses it. The rules are narrow on
// purpose: a host that is AWS's but not listed only costs a warning the approver can read past,
// while a host on a shared AWS domain that anyone can rent (an S3 website, an API Gateway stage,
// both under amazonaws.com) must not pass as "AWS".
import { partitionDnsSuffixes } from './endpoints.js'

/** A region as it appears in a host name: us-east-1, cn-north-1, us-gov-west-1. */
const REGION = '[a-z]{2,}(?:-[a-z]+)+-\\d+'
/** One DNS label: a directory's subdomain (d-1234567890), a portal instance (ssoins-…). */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'

function escaped(suffix: string): string {
  return suffix.replace(/\./g, '\\.')
}

const AWS_HOSTS: readonly RegExp[] = [
  // StartDeviceAuthorization's classic page: device.sso.<region>.<partition suffix> (docs/protocol.md §1).
  ...partitionDnsSuffixes().map((suffix) => new RegExp(`^device\\.sso(?:-fips)?\\.${REGION}\\.${escaped(suffix)}$`)),
  // The access portal's device page: <directory>.awsapps.com/start/#/device, and the newer
  // portal hosts (ssoins-….portal.<region>.app.aws).
  new RegExp(`^${LABEL}\\.awsapps\\.com$`),
  new RegExp(`^${LABEL}\\.portal\\.${REGION}\\.app\\.aws$`),
  // The alternative IPv4 regional portal: ssoins-….<region>.portal.amazonaws.com (and .com.cn).
  ...partitionDnsSuffixes().map((suffix) => new RegExp(`^${LABEL}\\.${REGION}\\.portal\\.${escaped(suffix)}$`)),
  // AWS sign-in (Builder ID and the sign-in pages the portal hands over to).
  new RegExp(`^(?:${LABEL}\\.)*signin\\.aws$`),
  new RegExp(`^(?:${LABEL}\\.)+aws\\.amazon\\.com$`)
]

/** True for an https URL on one of AWS's own sign-in hosts. */
export function isAwsLink(url: URL): boolean {
  return url.protocol === 'https:' && url.port === '' && isAwsHost(url.hostname)
}

/** True when `hostname` (as URL.hostname gives it) is one of AWS's own sign-in hosts. */
export function isAwsHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  return AWS_HOSTS.some((pattern) => pattern.test(host))
}
