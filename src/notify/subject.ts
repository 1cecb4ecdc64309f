// Who asks for what, as rows every channel shows in the same order: the order in which an approver
// checks a request (which repository, which run, who started it, which code, then what AWS access).
import type { RequestSubject } from '../model/request.js'
import { plain, shortSha, shown } from './format.js'

export interface SubjectRow {
  label: string
  /** One line of plain text. */
  value: string
  /** Where the value links to, for channels that render links. */
  href?: string
  /** Plain text after the value (outside the link). */
  note?: string
}

export function subjectRows(subject: RequestSubject): SubjectRow[] {
  const c = subject.context
  const rows: SubjectRow[] = [
    { label: 'Repository', value: shown(c.repository), ...repositoryLink(subject) },
    { label: 'Workflow', value: shown(c.workflow) },
    { label: 'Job', value: shown(c.job) },
    runRow(subject),
    ...(c.trigger === undefined ? [] : [{ label: 'Trigger', value: plain(c.trigger) }]),
    { label: 'Actor', value: shown(c.actor) },
    { label: 'Event', value: shown(c.eventName) },
    { label: 'Ref', value: shown(c.ref) },
    { label: 'Commit', value: shown(shortSha(c.sha)) }
  ]
  if (c.pullRequest !== undefined) rows.push({ label: 'Pull request', value: `#${c.pullRequest}` })
  if (subject.startUrl !== undefined) rows.push({ label: 'Start URL', value: plain(subject.startUrl) })
  if (subject.region !== undefined) rows.push({ label: 'Region', value: plain(subject.region) })
  if (subject.clientName !== undefined) rows.push({ label: 'Client name', value: plain(subject.clientName) })
  if (subject.scopes?.length) rows.push({ label: 'Scopes', value: plain(subject.scopes.join(' ')) })
  if (subject.accountId !== undefined) rows.push({ label: 'Account', value: plain(subject.accountId) })
  if (subject.roleName !== undefined) rows.push({ label: 'Role', value: plain(subject.roleName) })
  for (const { profile, accountId, roleName } of subject.profiles ?? []) {
    rows.push({ label: 'Profile', value: plain(`${profile}: role ${roleName} in account ${accountId}`) })
  }
  return rows
}

function repositoryLink({ context }: RequestSubject): { href?: string } {
  return context.repository ? { href: `${context.serverUrl}/${context.repository}` } : {}
}

function runRow({ context }: RequestSubject): SubjectRow {
  if (!context.runUrl) return { label: 'Run', value: shown(context.runId) }
  const row: SubjectRow = { label: 'Run', value: plain(context.runUrl), href: context.runUrl }
  if (context.runAttempt) row.note = `(attempt ${plain(context.runAttempt)})`
  return row
}
