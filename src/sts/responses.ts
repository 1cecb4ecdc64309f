// Reads STS's Query-protocol answers (XML). A success names the caller; everything the action will
// believe about the approver comes from here, so every value is held to the shape AWS gives it
// and the parts of the ARN must agree with the other fields. A problem is a MalformedResponseError
// that names the field, never its value.
import { REQUEST_ID } from '../http/aws-error.js'
import { MalformedResponseError } from '../http/errors.js'
import type { ParseContext } from '../http/response-fields.js'
import type { CallerIdentity } from './types.js'
import { onlyChild, parseXml, XmlSyntaxError, type XmlElement } from './xml.js'

/** The partitions an STS ARN can name (src/oidc/endpoints.ts lists their hosts). */
const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)'
/** IAM's role and role-session name alphabet: role names 1–64, session names 2–64 characters. */
const ASSUMED_ROLE_ARN = new RegExp(`^arn:${PARTITION}:sts::(\\d{12}):assumed-role/([\\w+=,.@-]{1,64})/([\\w+=,.@-]{2,64})$`)
/** A role's unique id (AROA…) and the session name. */
const ROLE_USER_ID = /^AROA[A-Z0-9]{12,28}:([\w+=,.@-]{2,64})$/
const ACCOUNT = /^\d{12}$/

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'

/** The caller a GetCallerIdentity answer names; `headerRequestId` is the x-amzn-RequestId header. */
export function parseCallerIdentity(text: string, context: ParseContext, headerRequestId: string | undefined): CallerIdentity {
  const malformed = (problem: string): MalformedResponseError => new MalformedResponseError(context.operation, context.endpoint, problem)
  const root = readDocument(text, malformed)
  if (root.name !== 'GetCallerIdentityResponse') throw malformed('the XML root is not GetCallerIdentityResponse')
  if (root.attributes.xmlns !== STS_NAMESPACE) throw malformed('the XML root is not in the STS 2011-06-15 namespace')
  const result = child(root, 'GetCallerIdentityResult', malformed)
  const arn = value(result, 'Arn', malformed)
  const account = value(result, 'Account', malformed)
  const userId = value(result, 'UserId', malformed)
  const requestId = value(child(root, 'ResponseMetadata', malformed), 'RequestId', malformed)

  const parts = ASSUMED_ROLE_ARN.exec(arn)
  if (!parts) throw malformed('Arn is not an assumed-role session ARN (arn:<partition>:sts::<account>:assumed-role/<role>/<session>)')
  const [, partition, arnAccount, roleName, sessionName] = parts as unknown as [string, string, string, string, string]
  if (!ACCOUNT.test(account)) throw malformed('Account is not 12 digits')
  if (account !== arnAccount) throw malformed('Account differs from the account in Arn')
  const session = ROLE_USER_ID.exec(userId)
  if (!session) throw malformed('UserId is not <role id>:<session name>')
  if (session[1] !== sessionName) throw malformed('UserId names another session than Arn')
  if (!REQUEST_ID.test(requestId)) throw malformed('RequestId is not a request ID')
  if (headerRequestId !== undefined && headerRequestId !== requestId) throw malformed('RequestId differs from the x-amzn-RequestId header')
  return { arn, partition, account, roleName, sessionName, userId, requestId }
}

/**
 * An STS error answer's code and message as the record awsErrorFromResponse reads
 * (`Code`, `Message`), or undefined when the body is not AWS's `ErrorResponse` shape.
 */
export function stsErrorBody(text: string): { Code?: string; Message?: string } | undefined {
  let root: XmlElement
  try {
    root = parseXml(text)
  } catch {
    return undefined
  }
  if (root.name !== 'ErrorResponse') return undefined
  try {
    const error = onlyChild(root, 'Error')
    if (!error) return undefined
    const code = onlyChild(error, 'Code')?.text
    const message = onlyChild(error, 'Message')?.text
    return { ...(code ? { Code: code } : {}), ...(message ? { Message: message } : {}) }
  } catch {
    return undefined
  }
}

function readDocument(text: string, malformed: (problem: string) => MalformedResponseError): XmlElement {
  try {
    return parseXml(text)
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw malformed(`the body is not plain XML (${error.message})`)
    throw error
  }
}

function child(parent: XmlElement, name: string, malformed: (problem: string) => MalformedResponseError): XmlElement {
  let found: XmlElement | undefined
  try {
    found = onlyChild(parent, name)
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw malformed(error.message)
    throw error
  }
  if (!found) throw malformed(`${parent.name}.${name} is missing`)
  return found
}

function value(parent: XmlElement, name: string, malformed: (problem: string) => MalformedResponseError): string {
  const element = child(parent, name, malformed)
  if (element.children.length > 0 || element.text === '') throw malformed(`${parent.name}.${name} is not a non-empty text`)
  return element.text
}
