// What the person reading a failed step sees: the one line for every failure that is not the
// approver's answer (explainFailure), and for every answer that is not an approval
// (unapprovedMessage). Stack traces are for bugs only (isUnexpected), and go to the debug log.
import { oneLine, UserFacingError } from './errors.js'
import { AwsServiceError, MalformedResponseError, NetworkError } from './http/errors.js'
import { EndpointConfigurationError } from './oidc/endpoints.js'
import { formatDuration, formatUtcTimeOfDay } from './time/format.js'

// Advice per AWS error shape: what a user can change so the next run works.
const AWS_ADVICE: Record<string, string> = {
  InvalidRequestException:
    "Check that 'start-url' is your AWS access portal URL and 'region' is the region of that IAM Identity Center instance.",
  InvalidClientException:
    'AWS rejected a freshly registered OIDC client too; check that IAM Identity Center is enabled in that region, then re-run the job.',
  UnauthorizedClientException: "The OIDC client may not use the device flow here; check 'start-url', 'region' and 'scopes'.",
  InvalidScopeException: "Check 'scopes': each must be a scope IAM Identity Center grants, like sso:account:access.",
  InvalidClientMetadataException: "Check 'client-name' and 'scopes'.",
  InvalidGrantException: 'The device code was not accepted (it is single use); re-run the job to start a new request.',
  AccessDeniedException: 'AWS refused access; re-run the job and ask the approver to approve it.',
  ExpiredTokenException: 'The code expired before approval; re-run the job and approve sooner.',
  // The portal's answer to a token it does not accept, among them one without sso:account:access.
  UnauthorizedException:
    "AWS did not accept the approved token for this call; if 'scopes' is set, it must include sso:account:access to get accounts, roles and role credentials."
}

const RETRY_LATER = 'AWS did not answer usefully within the time allowed; re-run the job later.'

/** The one line to show for a failure that is not the approver's answer (outcome `error`). */
export function explainFailure(error: unknown): string {
  if (error instanceof UserFacingError) return error.message
  if (error instanceof AwsServiceError) {
    const advice = AWS_ADVICE[error.code] ?? (error.status >= 500 || error.status === 429 ? RETRY_LATER : undefined)
    return oneLine(`${error.message}. ${advice ?? "Re-run the job; if it fails again, check 'start-url' and 'region'."}`)
  }
  if (error instanceof NetworkError) {
    const { setting } = serviceOf(error.operation)
    return oneLine(`${error.message}. Check 'region' (and ${setting} or AWS_ENDPOINT_URL if set) and that the runner can reach AWS.`)
  }
  if (error instanceof MalformedResponseError) {
    const { service, setting } = serviceOf(error.operation)
    return oneLine(`${error.message}. Check that the endpoint is ${service} (${setting}, AWS_ENDPOINT_URL if set).`)
  }
  if (error instanceof EndpointConfigurationError) {
    return oneLine(`Cannot use the AWS endpoint settings in the environment: ${error.message}.`)
  }
  const detail = error instanceof Error ? error.message : String(error)
  return oneLine(`Unexpected error: ${detail}. Re-run the job; if it happens again, please report it with the debug log.`)
}

const PORTAL_OPERATIONS = new Set(['GetRoleCredentials', 'ListAccounts', 'ListAccountRoles', 'Logout'])

/** Which service an operation belongs to, and the variable that overrides its endpoint. */
function serviceOf(operation: string): { service: string; setting: string } {
  if (operation === 'GetCallerIdentity') return { service: 'AWS STS', setting: 'AWS_ENDPOINT_URL_STS' }
  return PORTAL_OPERATIONS.has(operation)
    ? { service: 'IAM Identity Center portal', setting: 'AWS_ENDPOINT_URL_SSO' }
    : { service: 'IAM Identity Center OIDC', setting: 'AWS_ENDPOINT_URL_SSO_OIDC' }
}

/** Whether a failure is a bug rather than a condition we expect (and so deserves a stack trace). */
export function isUnexpected(error: unknown): boolean {
  return !(
    error instanceof UserFacingError ||
    error instanceof EndpointConfigurationError ||
    error instanceof AwsServiceError ||
    error instanceof NetworkError ||
    error instanceof MalformedResponseError
  )
}

/** What the step says when the approver's answer (or its absence) is not an approval. */
export interface UnapprovedDetails {
  userCode?: string
  /** When the code stopped working. */
  codeExpiresAt?: Date
  /** The `timeout` input, when it set the deadline. */
  timeoutSeconds?: number
  /** The `region` input: a wrong one is the commonest reason nobody could approve (regionNote). */
  region?: string
}

/**
 * With a `region` other than the instance's home region AWS still hands out a code, but its page
 * shows the approver an error instead of the request, and the client is never told: the wait ends
 * as if nobody approved. So every unapproved end that is not an answer names the likelier cause.
 */
function regionNote(region: string | undefined): string {
  const named = region === undefined ? "input 'region'" : `input 'region' (${region})`
  return ` If the approver saw an error on the AWS page instead of the code, check that ${named} is the home region of your IAM Identity Center instance.`
}

export function unapprovedMessage(outcome: 'denied' | 'expired' | 'timed-out' | 'cancelled', details: UnapprovedDetails = {}): string {
  switch (outcome) {
    case 'denied':
      return 'The request was denied at the verification page. Re-run the job and ask the approver to approve it.'
    case 'expired': {
      const code = details.userCode ? `The code ${details.userCode}` : 'The code'
      const when = details.codeExpiresAt ? ` at ${formatUtcTimeOfDay(details.codeExpiresAt)}` : ''
      return `${code} expired${when} before anyone approved it. Re-run the job and approve the new code before it expires.${regionNote(details.region)}`
    }
    case 'timed-out': {
      const limit = details.timeoutSeconds === undefined ? 'the timeout' : `the timeout of ${formatDuration(details.timeoutSeconds)}`
      return `No approval arrived within ${limit} (input 'timeout'). Re-run the job and approve sooner, or raise 'timeout'.${regionNote(details.region)}`
    }
    case 'cancelled':
      return 'The run was cancelled while waiting for approval; no AWS access was exported. Re-run the job to ask again.'
  }
}
