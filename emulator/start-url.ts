// Which start URLs the emulator takes for an AWS access portal. It stands in for every IAM Identity
// Center instance, so it accepts each shape AWS hands out (docs/protocol.md §1, "Start URLs") and
// refuses the rest, as AWS refuses a start URL that is not its portal: a typo'd host, the OIDC
// endpoint, a page copied from inside the portal. A query or fragment is not judged (AWS's answer
// to one is not known); the action warns about them itself.

/** One DNS label: a directory id (d-1234567890), an alias, an instance id (ssoins-…). */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const REGION = '[a-z]{2,}(?:-[a-z]+)+-\\d+'

const PORTALS: ReadonlyArray<{ host: RegExp; path: RegExp }> = [
  // The classic and custom-alias portals (and GovCloud's directory form), on awsapps.com / .cn.
  { host: new RegExp(`^(?:${LABEL}\\.)+awsapps\\.(?:com|cn)$`), path: /^\/start\/?$|^\/directory\/[^/]+\/?$/ },
  // The regional portals, without /start: dual-stack <id>.portal.<region>.app.aws and
  // the alternative IPv4 <id>.<region>.portal.amazonaws.com (China and EU sovereign variants too).
  {
    host: new RegExp(`^${LABEL}\\.portal\\.${REGION}\\.(?:app\\.aws|app\\.amazonwebservices\\.com\\.cn|api\\.amazonwebservices\\.eu)$`),
    path: /^\/?$/
  },
  { host: new RegExp(`^${LABEL}\\.${REGION}\\.portal\\.amazonaws\\.(?:com|com\\.cn|eu)$`), path: /^\/?$/ }
]

export function isAccessPortalUrl(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username || url.password) return false
  return PORTALS.some(({ host, path }) => host.test(url.hostname) && path.test(url.pathname))
}
