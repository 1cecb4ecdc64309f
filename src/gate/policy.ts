// Who may approve a request: the `approvers` and `excluded-approvers` inputs, and the two-person
// rule (`required-approvals`). The approver is the IAM Identity Center user AWS names in the role
// session their approval opens (identity/), so the policy holds whatever GitHub or the run says.
//
// The pattern language, as the README documents it: a pattern is a user name in which `*` stands
// for any run of characters, none included (`*@example.com`, `deploy-*`); there is no other
// wildcard and no escape. Names and patterns are compared without regard to case, so
// `Alice@Example.com` is `alice@example.com`: an allow-list or an exclusion must not be dodged by
// capital letters. A pattern holds the characters a role session name may (letters, digits and
// `+=,.@_-`) and `*`; anything else (a space, `?`, a bracket) is refused when the inputs are read.
import { InputError } from '../errors.js'
import { isApprovalCount, MAX_REQUIRED_APPROVALS } from '../model/request.js'

export interface ApproverPolicy {
  /** Who may approve; empty: anyone with access to the requested roles. */
  approvers: string[]
  /** Who may never approve this run, even when `approvers` names them. */
  excluded: string[]
  /** How many different people must approve. */
  requiredApprovals: number
}

export const ANYONE: ApproverPolicy = { approvers: [], excluded: [], requiredApprovals: 1 }

/** What may stand in a pattern: a role session name's characters, and `*`. */
const PATTERN = /^[\w+=,.@*-]+$/
const MAX_PATTERN_LENGTH = 128
const MAX_PATTERNS = 100

/** Patterns from `input`: one per line or separated by commas; blank entries skipped. */
export function parsePatterns(input: string, raw: string): string[] {
  const patterns = raw
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  if (patterns.length > MAX_PATTERNS) {
    throw new InputError(input, `Input '${input}' lists ${patterns.length} patterns; at most ${MAX_PATTERNS} are allowed.`)
  }
  for (const pattern of patterns) {
    if (pattern.length > MAX_PATTERN_LENGTH || !PATTERN.test(pattern)) {
      throw new InputError(
        input,
        `Input '${input}' must list IAM Identity Center user names or patterns with * (like alice@example.com or *@example.com), one per line or separated by commas, ` +
          `each at most ${MAX_PATTERN_LENGTH} characters of letters, digits, +=,.@_- and *; got ${JSON.stringify(pattern.slice(0, MAX_PATTERN_LENGTH + 1))}.`
      )
    }
    if (input === 'approvers' && /^\*+$/.test(pattern)) {
      throw new InputError(
        input,
        `Input 'approvers' has the pattern ${JSON.stringify(pattern)}, which allows anyone; leave the input empty for that.`
      )
    }
  }
  return [...new Set(patterns)]
}

/** `required-approvals`: a whole number from 1 to MAX_REQUIRED_APPROVALS; empty means 1. */
export function parseRequiredApprovals(raw: string): number {
  if (raw === '') return 1
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!isApprovalCount(value)) {
    throw new InputError(
      'required-approvals',
      `Input 'required-approvals' must be a whole number from 1 to ${MAX_REQUIRED_APPROVALS}, like 2; got ${JSON.stringify(raw)}.`
    )
  }
  return value
}

/** Whether `userName` matches `pattern` (the language above): literal parts in order, `*` between them. */
export function matchesPattern(userName: string, pattern: string): boolean {
  const name = userName.toLowerCase()
  const [head = '', ...rest] = pattern.toLowerCase().split('*')
  if (rest.length === 0) return name === head
  const tail = rest.pop() ?? ''
  if (!name.startsWith(head) || name.length < head.length + tail.length || !name.endsWith(tail)) return false
  // The middle parts, each at its earliest place: any match leaves the most room for the next.
  let at = head.length
  const end = name.length - tail.length
  for (const part of rest) {
    const found = name.indexOf(part, at)
    if (found === -1 || found + part.length > end) return false
    at = found + part.length
  }
  return true
}

/** The policy asks who approved: only then does a run without a requested role look the identity up. */
export function needsIdentity(policy: ApproverPolicy): boolean {
  return policy.approvers.length > 0 || policy.excluded.length > 0 || policy.requiredApprovals > 1
}

/** Whether `userName` may approve, given those accepted so far: undefined if so, else why not (one phrase). */
export function refusalReason(userName: string, policy: ApproverPolicy, approvedSoFar: readonly string[]): string | undefined {
  if (policy.excluded.some((pattern) => matchesPattern(userName, pattern))) {
    return "is excluded from approving this run (input 'excluded-approvers')"
  }
  if (policy.approvers.length > 0 && !policy.approvers.some((pattern) => matchesPattern(userName, pattern))) {
    return "is not one of the approvers (input 'approvers')"
  }
  if (approvedSoFar.some((name) => name.toLowerCase() === userName.toLowerCase())) {
    return 'has approved this request already'
  }
  return undefined
}
