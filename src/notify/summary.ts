// The job summary: the record of how the gate ended. The runner uploads a step's summary only
// after the step's process exits, so in a single step it cannot prompt anyone; it records what was
// requested, by which run, the outcome and when. core.summary escapes nothing: every value is
// escaped here.
import * as core from '@actions/core'
import type { GateRecord, Notifier } from './channel.js'
import { formatUtc, plain } from './format.js'
import { escapeHtml, link } from './html.js'
import type { Outcome } from './request.js'
import { subjectRows } from './subject.js'

const HEADINGS: Record<Outcome, string> = {
  approved: '✅ AWS access approved',
  denied: '⛔ AWS access denied',
  expired: '⌛ AWS access request expired',
  'timed-out': '⏱️ AWS access request timed out',
  cancelled: '🚫 AWS access request cancelled',
  error: '❌ AWS access request failed'
}

export function renderSummary({ subject, request, result }: GateRecord): string {
  const rows: Array<[label: string, cell: string]> = [
    ['Outcome', `<code>${escapeHtml(result.outcome)}</code>`],
    ['At', escapeHtml(formatUtc(result.at))]
  ]
  if (result.accessExpiresAt) rows.push(['Token expires', escapeHtml(formatUtc(result.accessExpiresAt))])
  if (request) {
    rows.push(['User code', `<code>${escapeHtml(plain(request.userCode))}</code>`])
    rows.push(['Code expires', escapeHtml(formatUtc(request.expiresAt))])
    rows.push(['Verification page', link(request.verificationUri, plain(request.verificationUri))])
  }
  for (const row of subjectRows(subject)) {
    const value = row.href ? link(row.href, row.value) : escapeHtml(row.value)
    rows.push([row.label, row.note ? `${value} ${escapeHtml(row.note)}` : value])
  }
  const parts = [`<h2>${HEADINGS[result.outcome]}</h2>`]
  if (result.message) parts.push(`<p>${escapeHtml(plain(result.message))}</p>`)
  parts.push(
    '<table>',
    ...rows.map(([label, cell]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${cell}</td></tr>`),
    '</table>'
  )
  return parts.join('\n')
}

export function createSummaryNotifier(): Notifier {
  return {
    name: 'job summary',
    // Nothing to show while waiting: nobody can see this step's summary before the step exits.
    async prompt() {},
    async record(gate) {
      await core.summary.addRaw(renderSummary(gate), true).write()
    }
  }
}
