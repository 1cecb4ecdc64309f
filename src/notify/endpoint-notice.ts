// The warning an approver gets when the request does not come from AWS's own endpoints: an
// endpoint variable moves the calls elsewhere, or the verification link leads to a host that is
// not AWS's. Either is fine for an emulator or a proxy the team set up, and exactly what an
// attacker who can set the job's environment would do to put their own page in front of the
// approver. Every channel shows the same sentences next to the code, so nobody approves without
// having read where the request goes.
import type { EndpointOverride } from '../oidc/endpoints.js'
import { isAwsLink } from '../oidc/aws-hosts.js'
import { plain } from './format.js'
import type { ApprovalRequest, EndpointNotice } from '../model/request.js'

/**
 * The notice for a request, or undefined when everything is AWS's own. `overrides` come from
 * endpointOverrides(); the links are the verification URIs AWS (or whoever answered) sent.
 */
export function endpointNotice(overrides: readonly EndpointOverride[], links: readonly string[]): EndpointNotice | undefined {
  const linkHosts = [...new Set(links.flatMap((link) => foreignHost(link) ?? []))]
  if (overrides.length === 0 && linkHosts.length === 0) return undefined
  return { overrides: overrides.map(({ variable, service, origin }) => ({ variable, service, origin })), linkHosts }
}

/** The host of a link that is not AWS's (without credentials, path or query), else undefined. */
function foreignHost(link: string): string | undefined {
  let url: URL
  try {
    url = new URL(link)
  } catch {
    return '(a link that does not parse)'
  }
  return isAwsLink(url) ? undefined : url.host
}

/** The notice for the request's own links, with the overrides in effect. */
export function noticeFor(
  request: Pick<ApprovalRequest, 'verificationUri' | 'verificationUriComplete'>,
  overrides: readonly EndpointOverride[]
): EndpointNotice | undefined {
  return endpointNotice(overrides, [request.verificationUri, request.verificationUriComplete])
}

export interface NoticeText {
  /** The sentence to put in bold. */
  heading: string
  /** One sentence each, plain text: what is moved where, then what to do. */
  details: string[]
}

/** The notice in words, every outside value through the sanitiser. */
export function noticeText(notice: EndpointNotice): NoticeText {
  const details = [
    ...notice.overrides.map(
      ({ variable, service, origin }) => `${plain(variable)} sends the ${plain(service)} calls to ${plain(origin)}, not to AWS.`
    ),
    ...notice.linkHosts.map((host) => `The verification link goes to ${plain(host)}, which is not an AWS host.`),
    'If you did not expect this (an emulator or a proxy your team set up), do not approve: deny the request and tell whoever runs this workflow.'
  ]
  return { heading: "This request does not go to AWS's own endpoints.", details }
}

/** The notice as one line, for the step's warning annotation. */
export function noticeLine(notice: EndpointNotice): string {
  const { heading, details } = noticeText(notice)
  return `${heading} ${details.slice(0, -1).join(' ')} The approval prompt tells the approver not to approve unless they expect this.`
}
