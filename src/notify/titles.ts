// The title of the request in every channel that shows one (the PR comment, the job summary): a
// reader who sees both must recognise the same request in the same words.
import type { Outcome } from '../model/request.js'

export type RequestState = 'pending' | Outcome

export const TITLES: Record<RequestState, string> = {
  pending: '🔐 AWS sign-in waiting for approval',
  approved: '✅ AWS sign-in approved',
  denied: '⛔ AWS sign-in denied',
  expired: '⌛ AWS sign-in expired',
  'timed-out': '⌛ AWS sign-in timed out',
  cancelled: '🚫 AWS sign-in cancelled',
  error: '❌ AWS sign-in failed'
}
