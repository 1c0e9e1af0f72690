import { escapeHtml } from '../lib/html.js';
import { isTerminal } from '../lib/status.js';
import { verdictField } from '../lifecycle/verdict-notes.js';
import type { Board, BoardRelease, BoardSlice, BoardTrack, BoardWarning } from './board.js';
import { COMMAND_TOOLS } from './command-tools.js';
import { boardVerdict } from './format-board.js';
import { SLICE_DOCUMENTS } from './slice-documents.js';
import { indexRelease, sliceWaitReason, STATE_ORDER, trackProgress, trackWaitReason, type ReleaseIndex } from './track-status.js';

/**
 * The dashboard's HTML: the page, the part of it that each refresh replaces, and the page a slice's
 * document is shown in. Pure (board in, string out); every value from the repository is escaped here.
 * The page has no inline script or style (the server's Content-Security-Policy allows neither): its
 * stylesheet and script are /board.css and /board.js (dashboard-assets.ts).
 */

export interface DashboardView {
  board: Board;
  /** The repository's name, for the heading. */
  repository: string;
  now: Date;
  refreshSeconds: number;
  /** `/brief/<release>/<slice>` is served (baton brief exists). */
  briefs: boolean;
}

/** A protocol command and its arguments, shown as typed in each tool. */
interface Command {
  command: string;
  args: string[];
}

export function renderPage(view: DashboardView): string {
  const title = `${view.repository} · release board`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/board.css"><script src="/board.js" defer></script></head>
<body data-refresh="${view.refreshSeconds}">
<header class="top"><h1><span class="repo">${escapeHtml(view.repository)}</span> <span class="subtitle">release board</span></h1>
<label class="tool">Commands for <select id="tool">${COMMAND_TOOLS.map((tool) => `<option value="${escapeHtml(tool.id)}">${escapeHtml(tool.label)}</option>`).join('')}</select></label></header>
<p id="connection" class="connection" role="status" hidden></p>
<main id="board">${renderContent(view)}</main>
</body></html>
`;
}

/** The part of the page that is replaced on each refresh. */
export function renderContent(view: DashboardView): string {
  const { board } = view;
  const verdict = boardVerdict(board);
  const warnings = board.releases.flatMap((release) => release.warnings.map((warning) => ({ release: release.id, warning })));
  const releases = [...board.releases].sort((a, b) => Number(a.complete) - Number(b.complete) || a.id.localeCompare(b.id));
  const iso = view.now.toISOString();
  // The verdict names the warnings too: a READY board can still carry some (a missing spec, say).
  const line = warnings.length === 0 ? verdict.line : `${verdict.line} ${warningSummary(warnings.map((item) => item.warning))}`;
  return [
    `<div class="summary" data-updated="${escapeHtml(iso)}">`,
    `<p class="verdict ${verdict.exitCode === 0 ? 'ready' : 'waiting'}">${escapeHtml(line)}</p>`,
    `<p class="meta">Read from git (<code>${escapeHtml(board.releaseDir)}</code>) at <time datetime="${escapeHtml(iso)}" data-local="seconds">${escapeHtml(iso.slice(11, 19))} UTC</time>; refreshes every ${view.refreshSeconds} s.</p>`,
    '</div>',
    renderWarnings(warnings),
    board.releases.length === 0 ? renderEmptyBoard(board, view.now) : '',
    ...releases.map((release) => renderRelease(release, view)),
  ].join('\n');
}

/** "2 warnings (1 missing-spec, 1 unreceipted-state), listed below." */
function warningSummary(warnings: BoardWarning[]): string {
  const kinds = new Map<string, number>();
  for (const warning of warnings) kinds.set(warning.kind, (kinds.get(warning.kind) ?? 0) + 1);
  const parts = [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => `${count} ${kind}`);
  return `${warnings.length} warning${warnings.length === 1 ? '' : 's'} (${parts.join(', ')}), listed below.`;
}

function renderWarnings(warnings: { release: string; warning: BoardWarning }[]): string {
  if (warnings.length === 0) return '';
  const items = warnings.map(({ release, warning }) => {
    const where = warning.slice ? `${release} · ${warning.slice}` : release;
    return `<li data-kind="${escapeHtml(warning.kind)}"><span class="kind">${escapeHtml(warning.kind)}</span> <span class="where">${escapeHtml(where)}</span> <span class="message">${escapeHtml(warning.message)}</span></li>`;
  });
  return `<section class="warnings-box" aria-labelledby="warnings-title"><h2 id="warnings-title">Warnings (${warnings.length})</h2><ul class="warnings">${items.join('')}</ul></section>`;
}

function renderEmptyBoard(board: Board, now: Date): string {
  const today = now.toISOString().slice(0, 10);
  return `<section class="empty-state">
<h2>No release is planned yet</h2>
<p>Nothing is under <code>${escapeHtml(board.releaseDir)}</code> and no release branch exists. To plan the first release, open your agent tool in this repository and type:</p>
<p class="command">${renderCommand({ command: 'plan-release', args: [`${today}-<name>`] })}</p>
<p class="muted">A release id is its date and what it delivers, such as <code>2026-11-21-billing-export</code>. This page shows the release as soon as the planner writes it.</p>
</section>`;
}

function renderRelease(release: BoardRelease, view: DashboardView): string {
  const { counts } = release;
  const deferredTracks = release.tracks.filter((track) => track.deferred).length;
  const mergedTracks = release.tracks.filter((track) => track.state === 'merged').length;
  const facts = [
    `${counts.terminal} of ${counts.total} slices verified, shipped or deferred`,
    release.tracks.length > 0 ? `${mergedTracks} of ${release.tracks.length - deferredTracks} tracks merged` : '',
    release.integrationBranch ? `integration branch <code>${escapeHtml(release.integrationBranch)}</code>${release.mergedToIntegration ? ' (merged)' : ''}` : '',
  ].filter(Boolean);
  const next = release.next ? `<p class="release-next">Next for the release: ${renderCommand(release.next)}</p>` : '';
  const registry = release.registryError ? `<p class="error">index.md cannot be read: ${escapeHtml(release.registryError)}</p>` : '';
  const empty = counts.total === 0
    ? `<p class="empty-state">No slice is planned in this release yet. To plan its slices, type ${renderCommand({ command: release.releaseBranchExists ? 'replan-release' : 'plan-release', args: [release.id] })}</p>`
    : '';
  const states = new Map(STATE_ORDER.map((state) => [state, counts[state]]));
  const index = indexRelease(release);
  return `<section class="release${release.complete ? ' complete' : ''}" data-release="${escapeHtml(release.id)}">
<h2>${escapeHtml(release.id)}</h2>
<p class="release-facts">${facts.join(' · ')}.${view.briefs ? ` <a class="release-brief" href="/brief/${escapeHtml(encodeURIComponent(release.id))}" target="_blank" rel="noopener" title="the brief a planner or integrator session starts from (baton brief)">release brief</a>` : ''}</p>
${renderBar(states, counts.total)}${renderLegend(states)}${next}${registry}${empty}
${release.tracks.length > 0 ? renderTracks(index) : ''}
${counts.total > 0 ? renderSlices(index, view) : ''}
</section>`;
}

/** A bar of the slices by state: one segment per state, as wide as its share. */
function renderBar(states: Map<string, number>, total: number): string {
  const label = total === 0 ? 'no slices' : [...states].filter(([, count]) => count > 0).map(([state, count]) => `${count} ${state}`).join(', ');
  let x = 0;
  const segments: string[] = [];
  for (const [state, count] of states) {
    if (count === 0 || total === 0) continue;
    const width = (count / total) * 100;
    segments.push(`<rect class="seg ${escapeHtml(state)}" x="${x.toFixed(3)}" width="${width.toFixed(3)}" height="1"/>`);
    x += width;
  }
  return `<svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(label)}"><rect class="seg empty" width="100" height="1"/>${segments.join('')}</svg>`;
}

function renderLegend(states: Map<string, number>): string {
  const items = [...states].filter(([, count]) => count > 0).map(([state, count]) => `<li><span class="swatch ${escapeHtml(state)}"></span>${count} ${escapeHtml(state)}</li>`);
  return items.length === 0 ? '' : `<ul class="legend">${items.join('')}</ul>`;
}

function renderTracks(index: ReleaseIndex): string {
  const merged = new Set(index.release.tracks.filter((track) => track.state === 'merged').map((track) => track.id));
  const rows = index.release.tracks.map((track) => renderTrack(index, track, merged)).join('');
  return `<h3>Tracks</h3><table class="tracks cards"><thead><tr><th>Track</th><th>State</th><th>Progress</th><th>Depends on</th><th>Next step</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderTrack(index: ReleaseIndex, track: BoardTrack, merged: ReadonlySet<string>): string {
  const progress = trackProgress(index, track);
  const state = track.deferred ? 'deferred' : track.state;
  const depends = track.dependsOn.length === 0
    ? '<span class="muted">none</span>'
    : track.dependsOn.map((id) => `<span class="dep ${merged.has(id) ? 'merged' : 'waiting'}"><code>${escapeHtml(id)}</code> <small>${merged.has(id) ? '✓ merged' : 'not merged'}</small></span>`).join('<br>');
  const reason = trackWaitReason(index, track);
  const blocked = track.blockedBy.length > 0;
  const next = track.next ? renderCommand(track.next) : `<span class="reason${blocked ? ' blocked' : ''}">${blocked ? 'blocked: ' : ''}${escapeHtml(reason ?? '')}</span>`;
  const ready = track.readyToMerge ? ' <span class="flag ready">ready to merge</span>' : '';
  return `<tr data-track="${escapeHtml(track.id)}"${blocked ? ' class="blocked"' : ''}><td data-label="Track"><code class="nowrap">${escapeHtml(track.id)}</code></td>`
    + `<td data-label="State"><span class="state ${escapeHtml(state)}">${escapeHtml(state)}</span>${ready}</td>`
    + `<td data-label="Progress" class="progress"><span class="count">${progress.done}/${progress.total}</span>${renderBar(progress.states, progress.total)}</td>`
    + `<td data-label="Depends on" class="depends">${depends}</td><td data-label="Next step" class="next">${next}</td></tr>`;
}

function renderSlices(index: ReleaseIndex, view: DashboardView): string {
  const rows = index.release.slices.map((slice) => renderSlice(index, slice, view)).join('');
  return `<h3>Slices</h3><table class="slices cards"><thead><tr><th>Slice</th><th>Outcome</th><th>State</th><th>Last verdict</th><th>Attempt</th><th>Track</th><th>Next step</th><th>Documents</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderSlice(index: ReleaseIndex, slice: BoardSlice, view: DashboardView): string {
  const blocked = slice.state === 'implemented' && slice.verification === 'blocked' ? ' <span class="flag blocked">BLOCKED</span>' : '';
  const { receipts } = slice;
  const doubt = receipts.receipted ? '' : ' <span class="doubt" title="no receipt wrote this record">unreceipted</span>';
  const verdict = receipts.lastVerdict
    ? `<span class="verdict-${escapeHtml(receipts.lastVerdict.verdict.toLowerCase())}">${escapeHtml(receipts.lastVerdict.verdict)}</span> <time datetime="${escapeHtml(receipts.lastVerdict.date)}">${escapeHtml(receipts.lastVerdict.date.replace('T', ' ').slice(0, 16))}</time>`
    : '';
  const escalated = receipts.escalated ? ` <span class="escalated" title="${escapeHtml(`failed verification ${receipts.failures} times (maxAttempts ${receipts.maxAttempts}): only the planner can re-open it`)}">escalated</span>` : '';
  const attempt = receipts.attempt === 0 ? '' : `${receipts.attempt}${receipts.failures > 0 ? ` (${receipts.failures} of ${receipts.maxAttempts} FAILs)` : ''}${escalated}`;
  const reason = sliceWaitReason(index, slice);
  const why = commandReason(slice);
  const next = slice.next ? `${renderCommand(slice.next)}${why ? `<br><span class="reason">${escapeHtml(why)}</span>` : ''}` : reason ? `<span class="reason">${escapeHtml(reason)}</span>` : '';
  const classes = [receipts.escalated ? 'escalated' : '', isTerminal(slice.state) ? 'done' : ''].filter(Boolean).join(' ');
  return `<tr data-slice="${escapeHtml(slice.id)}"${classes ? ` class="${classes}"` : ''}><td data-label="Slice"><code class="nowrap">${escapeHtml(slice.id)}</code></td>`
    + `<td data-label="Outcome" class="outcome">${escapeHtml(slice.title ?? '')}</td>`
    + `<td data-label="State"><span class="state ${escapeHtml(slice.state)}">${escapeHtml(slice.state)}</span>${blocked}${doubt}</td>`
    + `<td data-label="Last verdict" class="last-verdict">${verdict}</td><td data-label="Attempt" class="attempt">${attempt}</td>`
    + `<td data-label="Track"><span class="nowrap">${escapeHtml(slice.track ?? '(no track)')}</span></td><td data-label="Next step" class="next">${next}</td>`
    + `<td data-label="Documents" class="documents">${renderDocumentLinks(index.release, slice, view)}</td></tr>`
    + `<tr class="timeline-row" data-timeline-for="${escapeHtml(slice.id)}" hidden><td colspan="8"></td></tr>`;
}

/** Why a slice's command goes to the planner rather than moving the slice on, when it does. */
function commandReason(slice: BoardSlice): string | undefined {
  if (slice.receipts.escalated) return `failed verification ${slice.receipts.failures} times: the planner amends the spec or the plan and re-opens it`;
  if (slice.next?.command === 'replan-release' && slice.verification === 'blocked') {
    // The record keeps the whole verdict block; its Reason line is what the planner must resolve.
    return `BLOCKED: ${(slice.blockedReason && verdictField(slice.blockedReason, 'Reason')) ?? 'see its journal'}`;
  }
  return undefined;
}

function renderDocumentLinks(release: BoardRelease, slice: BoardSlice, view: DashboardView): string {
  const base = escapeHtml(`${encodeURIComponent(release.id)}/${encodeURIComponent(slice.id)}`);
  const links = slice.source === null ? [] : Object.entries(SLICE_DOCUMENTS).map(([name, file]) => `<a href="/doc/${base}/${name}" target="_blank" rel="noopener" title="${escapeHtml(file)} from git, read-only">${name}</a>`);
  if (view.briefs) links.push(`<a href="/brief/${base}" target="_blank" rel="noopener" title="the brief a fresh session starts from (baton brief)">brief</a>`);
  links.push(`<button type="button" class="show-timeline" data-timeline="/timeline/${base}" aria-expanded="false">timeline</button>`);
  return links.join(' ');
}

/** The command as typed in the first tool, with its form for each tool in `data-<tool id>` (board.js shows the chosen one). */
function renderCommand(next: Command): string {
  const args = next.args.join(' ');
  const forms = COMMAND_TOOLS.map((tool) => ({ id: tool.id, typed: escapeHtml(`${tool.invocation(next.command)} ${args}`) }));
  const attributes = forms.map((form) => ` data-${form.id}="${form.typed}"`).join('');
  return `<span class="command"><code class="invocation"${attributes}>${forms[0]?.typed ?? ''}</code><button class="copy" type="button">copy</button></span>`;
}

/** A page of its own around already-safe HTML (a rendered document, a brief); `lead`, also safe HTML, goes above it. */
export function renderDocumentPage(input: { repository: string; title: string; meta: string; lead?: string; body: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${input.title} · ${input.repository}`)}</title><link rel="stylesheet" href="/board.css"></head>
<body class="document"><header class="top"><h1><span class="repo">${escapeHtml(input.repository)}</span> <span class="subtitle">${escapeHtml(input.title)}</span></h1><a href="/">← release board</a></header>
<p class="meta">${escapeHtml(input.meta)}</p>
${input.lead ?? ''}<article class="markdown">${input.body}</article>
</body></html>
`;
}
