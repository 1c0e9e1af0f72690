import { escapeHtml } from '../lib/html.js';
import type { LogEntry } from '../lifecycle/receipt-log.js';

/**
 * A slice's receipt timeline (what `baton log <slice> <release>` prints) as an HTML table for the
 * dashboard, oldest first. Receipts that do not count are listed with the reason, as in the log.
 */
export function renderTimeline(entries: LogEntry[]): string {
  if (entries.length === 0) return '<p class="muted">No receipts: no baton command has recorded a change of this slice yet.</p>';
  const rows = entries.map((entry) => {
    const when = `<time datetime="${escapeHtml(entry.date)}">${escapeHtml(entry.date.replace('T', ' ').slice(0, 16))}</time>`;
    const commit = `<code>${escapeHtml(entry.commit.slice(0, 12))}</code>`;
    if (!entry.counts) {
      return `<tr class="rejected"><td data-label="When">${when}</td><td data-label="Event">does not count</td><td data-label="Details" colspan="2">${escapeHtml(entry.why ?? '')}</td><td data-label="Commit">${commit}</td></tr>`;
    }
    const receipt = entry.receipt;
    const event = receipt?.verdict ? `${entry.event} <span class="verdict-${escapeHtml(receipt.verdict.toLowerCase())}">${escapeHtml(receipt.verdict)}</span>` : escapeHtml(entry.event);
    const details = [
      receipt?.role ? `by ${receipt.role}` : '',
      receipt?.attempt ? `attempt ${receipt.attempt}` : '',
      receipt?.candidate ? `candidate ${receipt.candidate.slice(0, 12)}` : '',
      receipt?.session ? `session ${receipt.session}` : '',
      receipt?.brief ? `brief ${receipt.brief.slice(0, 12)}` : '',
    ].filter(Boolean);
    const state = receipt?.state ? `<span class="state ${escapeHtml(receipt.state)}">${escapeHtml(receipt.state)}</span>` : '';
    return `<tr data-event="${escapeHtml(entry.event)}"><td data-label="When">${when}</td><td data-label="Event">${event}</td><td data-label="State">${state}</td><td data-label="Details">${escapeHtml(details.join(' · '))}</td><td data-label="Commit">${commit}</td></tr>`;
  });
  return `<table class="timeline"><thead><tr><th>When</th><th>Event</th><th>State</th><th>Details</th><th>Commit</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
