// What the approver does on AWS's page, decided from the links AWS returned (already validated in
// oidc/responses.ts), so that no channel promises what the link does not do. AWS has answered
// StartDeviceAuthorization in two forms (docs/protocol.md §1):
// - today's: one opaque per-request link (`https://<region>.signin.aws/platform/authorize?request_uri=…`)
//   as both verificationUri and verificationUriComplete; the page shows the request's code and asks
//   the approver to confirm it;
// - the older one: a page (`https://device.sso.<region>.amazonaws.com/`) where the code is typed,
//   and a complete link (`…?user_code=ABCD-EFGH`) that fills it in.
// Every form has one link to open and one code to check; only the words around them differ.
import type { ApprovalRequest } from '../model/request.js'
import { plain } from './format.js'

/**
 * - `prefilled`: the link carries the code; the page shows it filled in.
 * - `confirm`: the link names the request (it has a query) but not the code; the page shows the
 *   request's code to confirm.
 * - `enter`: a bare page; the approver types the code.
 */
export type VerificationForm = 'prefilled' | 'confirm' | 'enter'

export interface VerificationStep {
  form: VerificationForm
  /** The one link to open, as AWS sent it (channels that render links escape it themselves). */
  link: string
}

/** The link to open and what its page asks of the approver. */
export function verificationStep(
  request: Pick<ApprovalRequest, 'userCode' | 'verificationUri' | 'verificationUriComplete'>
): VerificationStep {
  // The complete link is the one AWS designed for opening; responses.ts makes it the plain link when absent.
  const link = request.verificationUriComplete || request.verificationUri
  return { form: formOf(link, request.userCode), link }
}

function formOf(link: string, userCode: string): VerificationForm {
  let url: URL
  try {
    url = new URL(link)
  } catch {
    return 'enter'
  }
  // Only what follows the host: a host name that happens to spell the code carries nothing.
  if (userCode !== '' && carries(`${url.pathname}${url.search}${url.hash}`, userCode)) return 'prefilled'
  return url.search.length > 1 ? 'confirm' : 'enter'
}

function carries(text: string, userCode: string): boolean {
  let decoded = text
  try {
    decoded = decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    // A malformed escape: compare the text as it is.
  }
  return decoded.toUpperCase().includes(userCode.toUpperCase())
}

/**
 * What to do on the page: the start of one sentence of plain text that ends with the code, so that
 * each channel sets the code in its own way (a code span, <code>) and escapes the rest:
 * `${pageInstruction(form)} ${code}.`
 */
export function pageInstruction(form: VerificationForm): string {
  switch (form) {
    case 'prefilled':
      return 'The link fills in the code: before you approve, check that the page shows'
    case 'confirm':
      return 'The page asks you to confirm a code: confirm only if it is'
    case 'enter':
      return 'The page asks for a code: enter'
  }
}

/**
 * The commonest misconfiguration, in words the approver can act on: with a `region` that is not the
 * Identity Center instance's home region, AWS still hands out a code, but its page cannot find the
 * request and shows an error instead; the job is never told and waits until the code expires.
 */
export function regionHint(region: string): string {
  return (
    `If the AWS page shows an error (such as "invalid_grant") instead of the code, the request cannot be approved: ` +
    `the workflow's 'region' input (${plain(region)}) must be the home region of the IAM Identity Center instance. Tell whoever runs this workflow.`
  )
}
