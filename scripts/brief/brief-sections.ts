import path from 'node:path';
import type { BoardRelease, BoardTrack } from '../board/board.js';
import { formatNext } from '../board/format-board.js';
import { findSection, readSections } from '../lib/markdown.js';
import { commandFormsSentence } from '../../installer/targets/index.js';
import { isTerminal } from '../lib/status.js';
import { formatReceiptLog } from '../lifecycle/receipt-log.js';
import { plannedTouchpoints } from '../verify/checks-work.js';
import type { BriefLevel, SectionId } from './brief.js';
import type { BriefDocument, BriefSources, ReceiptNotes, SliceSources } from './read-brief-sources.js';

/**
 * The text of each part of a brief, from what was read. Pure: the same sources give the same text.
 * Documents are held verbatim inside a code fence, so their own headings stay theirs.
 */

/** A part as the brief would hold it, before the budget is applied. */
export interface SectionDraft {
  id: SectionId;
  title: string;
  path: string | null;
  open: string;
  /** What the brief holds of it at the level asked for. */
  text: string;
  /** All of it, as `open` gives it. */
  whole: string;
}

/** Receipts a standard brief lists; a full one lists every receipt. */
const TIMELINE_TAIL = 10;
/** Entries of the journal's session log a standard brief holds. */
const JOURNAL_TAIL = 3;

const COMMAND_FORMS = commandFormsSentence();

/** The draft of a part, or undefined when the repository has nothing for it. */
export function draftSection(id: SectionId, sources: BriefSources, level: BriefLevel): SectionDraft | undefined {
  const slice = sources.slice;
  switch (id) {
    case 'position':
      return derived(id, 'Position', slice ? slicePosition(sources.release, slice) : releasePosition(sources.release), slice ? `baton next ${slice.entry.id} ${sources.release.id}` : `baton board --release ${sources.release.id} --verbose`);
    case 'warnings':
      return sources.release.warnings.length === 0 ? undefined : derived(id, 'Warnings', sources.release.warnings.map((warning) => `- ${warning.kind}${warning.slice ? `, ${warning.slice}` : ''}: ${warning.message}`).join('\n'), `baton board --release ${sources.release.id}`);
    case 'slices':
      return derived(id, 'Slices', releaseSlices(sources.release), `baton board --release ${sources.release.id} --verbose`);
    case 'verdict':
      return slice?.verdict ? verdictSection(slice, slice.verdict, slice.answer) : undefined;
    case 'spec':
      return document(id, 'Spec', slice?.spec);
    case 'proof':
      return document(id, 'Proof', slice?.proof);
    case 'intake':
      return document(id, 'Intake', sources.intake);
    case 'index':
      return document(id, 'Index', sources.index);
    case 'journal':
      return slice?.journal ? journalSection(slice.journal, level) : undefined;
    case 'files':
      return slice ? filesSection(sources.release.id, slice) : undefined;
    case 'timeline':
      return timelineSection(sources, level);
  }
}

function derived(id: SectionId, title: string, text: string, open: string): SectionDraft {
  return { id, title, path: null, open, text, whole: text };
}

function document(id: SectionId, title: string, file: BriefDocument | undefined): SectionDraft | undefined {
  if (!file) return undefined;
  const text = `${origin(file)}:\n\n${fenced(file.text, file.path.endsWith('.json') ? 'json' : 'markdown')}`;
  return { id, title, path: file.path, open: file.open, text, whole: file.text };
}

/** Where a document was read, and where it is on this machine when a checkout holds it. */
function origin(file: BriefDocument): string {
  return `\`${file.path}\` on ${file.source}${path.isAbsolute(file.open) ? ` (${file.open})` : ''}`;
}

/** Text in a code fence longer than any run of backticks inside it. */
function fenced(text: string, info: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.replace(/\n$/, '')}\n${fence}`;
}

function slicePosition(release: BoardRelease, slice: SliceSources): string {
  const { entry, track, step } = slice;
  const receipts = entry.receipts;
  const stateOf = (id: string) => release.slices.find((candidate) => candidate.id === id)?.state ?? 'unknown';
  const proven = receipts.receipted ? 'as its receipts prove' : receipts.state ? `its record is in doubt; its receipts prove ${receipts.state}` : 'no receipt names it';
  const verdict = receipts.lastVerdict;
  const lines = [
    `- Slice: ${entry.id}${entry.title ? `, "${entry.title}"` : ''}, in release ${release.id}`,
    track
      ? `- Track: ${track.id}, ${trackState(track)}; slices in order: ${track.slices.map((id) => `${id} (${stateOf(id)})`).join(', ')}; depends on ${track.dependsOn.join(', ') || 'no track'}${track.blockedBy.length > 0 ? `, waiting for ${track.blockedBy.join(', ')} to be merged` : ''}`
      : '- Track: none; no track in index.md lists the slice',
    `- State: ${entry.state} (${proven}); attempt ${receipts.attempt}; ${receipts.failures} of ${receipts.maxAttempts} FAIL verdicts${receipts.escalated ? '; escalated: only the planner can re-open it' : ''}`,
  ];
  if (receipts.implemented) {
    const claim = receipts.implemented;
    lines.push(`- Candidate: ${claim.candidate}, marked implemented in ${claim.commit.slice(0, 12)} (attempt ${claim.attempt}${claim.session ? `, session ${claim.session}` : ''})`);
  }
  lines.push(`- Latest verdict: ${verdict ? `${verdict.verdict} on ${verdict.candidate.slice(0, 12)}, ${verdict.date}${entry.verification === 'blocked' && entry.blockedReason ? `; open, because ${blockedReason(entry.blockedReason)}` : ''}` : 'none'}`);
  lines.push(`- Record read from: ${entry.source ?? 'nowhere: the slice has no folder'}`);
  lines.push(`- Worktree: ${worktreeLine(release, track, entry.id)}`);
  lines.push(`- Next: ${step.next ? formatNext(step.next) : 'no protocol command'}, because ${step.reason}`);
  for (const warning of release.warnings.filter((candidate) => candidate.slice === entry.id)) lines.push(`- Warning (${warning.kind}): ${warning.message}`);
  if (release.registryError) lines.push(`- Warning: index.md cannot be read: ${release.registryError}`);
  return `${lines.join('\n')}\n\n${COMMAND_FORMS}`;
}

function worktreeLine(release: BoardRelease, track: BoardTrack | undefined, slice: string): string {
  if (track?.worktree) return `${track.worktree} (${track.branch})`;
  if (track?.branchExists) return `${track.branch} is checked out nowhere on this machine; baton worktree ${slice} ${release.id} checks it out`;
  return `none yet; baton worktree ${slice} ${release.id} creates the track's branch and worktree`;
}

function trackState(track: BoardTrack): string {
  return track.deferred ? 'deferred' : track.readyToMerge ? `${track.state}, ready to merge` : track.state;
}

function releasePosition(release: BoardRelease): string {
  const { counts } = release;
  const states = (['planned', 'in_progress', 'implemented', 'failed_verification', 'verified', 'deferred', 'shipped', 'unknown'] as const).filter((state) => counts[state] > 0).map((state) => `${state} ${counts[state]}`);
  const releaseWorktree = release.releaseWorktree ?? (release.releaseBranchExists ? 'checked out nowhere on this machine' : 'not created yet');
  const lines = [
    `- Release: ${release.id}; integration branch ${release.integrationBranch ?? 'not named in index.md'}; release branch ${release.releaseBranch} (${releaseWorktree})`,
    `- Progress: ${counts.terminal} of ${counts.total} slices verified, shipped or deferred${states.length > 0 ? ` (${states.join(', ')})` : ''}; ${release.complete ? 'complete' : 'not complete'}`,
    `- Merged into ${release.integrationBranch ?? 'the integration branch'}: ${release.mergedToIntegration ? `yes${release.mergeCommit ? `, ${release.mergeCommit.slice(0, 12)}` : ''}` : 'no'}`,
    `- Tracks:${release.tracks.length === 0 ? ' none' : ''}`,
    ...release.tracks.map((track) => `  - ${track.id} (${trackState(track)}; ${track.slices.filter((id) => isTerminal(release.slices.find((slice) => slice.id === id)?.state ?? 'unknown')).length} of ${track.slices.length} done; depends on ${track.dependsOn.join(', ') || 'no track'}): ${trackStep(release, track)}`),
    `- Next for the release: ${release.next ? formatNext(release.next) : release.mergedToIntegration ? 'none; it is merged' : 'none until every track is merged or deferred (merge-release)'}`,
    `- Warnings: ${release.warnings.length}${release.registryError ? `; index.md cannot be read: ${release.registryError}` : ''}`,
  ];
  return `${lines.join('\n')}\n\n${COMMAND_FORMS}`;
}

/** A track's next command, or why it has none. */
function trackStep(release: BoardRelease, track: BoardTrack): string {
  if (track.next) return `next ${formatNext(track.next)}`;
  if (track.state === 'merged') return `merged into ${release.releaseBranch}`;
  if (track.deferred) return 'every slice deferred; no merge needed';
  if (track.blockedBy.length > 0) return `waits for ${track.blockedBy.join(', ')} to be merged`;
  if (track.slices.length === 0) return 'no step: it has no slices';
  const doubt = release.warnings.filter((warning) => warning.kind === 'unreceipted-state' && warning.slice !== undefined && track.slices.includes(warning.slice));
  if (doubt.length > 0) return `no step: the record of ${doubt.map((warning) => warning.slice).join(', ')} is in doubt (see the warnings)`;
  return 'no step';
}

function releaseSlices(release: BoardRelease): string {
  if (release.slices.length === 0) return 'No slices yet.';
  return release.slices
    .map((slice) => {
      const facts = [slice.track ?? 'no track', slice.state, slice.receipts.lastVerdict?.verdict, slice.receipts.attempt > 0 ? `attempt ${slice.receipts.attempt}` : undefined, slice.receipts.escalated ? 'escalated' : undefined, slice.receipts.receipted || slice.state === 'unknown' ? undefined : 'record in doubt'];
      return `- ${slice.id} (${facts.filter(Boolean).join(', ')})${slice.title ? `: ${slice.title}` : ''}${slice.next ? `; next ${formatNext(slice.next)}` : ''}`;
    })
    .join('\n');
}

function verdictSection(slice: SliceSources, verdict: ReceiptNotes, answer: ReceiptNotes | undefined): SectionDraft {
  const last = slice.entry.receipts.lastVerdict;
  const head = `${last?.verdict ?? 'Verdict'} on ${last?.candidate.slice(0, 12) ?? 'its candidate'}, recorded ${verdict.date} in ${verdict.commit.slice(0, 12)}. The verifier's notes:`;
  const parts = [head, fenced(verdict.notes, 'text')];
  if (answer) parts.push(`The planner answered it (${answer.event}, ${answer.date}, in ${answer.commit.slice(0, 12)}):`, fenced(answer.notes, 'text'));
  const text = parts.join('\n\n');
  return { id: 'verdict', title: 'Latest verdict', path: null, open: `git show -s --format=%B ${verdict.commit}`, text, whole: text };
}

/**
 * The journal's last session-log entries and its open questions and deferrals; whole at full, and
 * whole whenever that part would be no shorter (a journal of a few entries).
 */
function journalSection(journal: BriefDocument, level: BriefLevel): SectionDraft {
  const whole = document('journal', 'Journal', journal) as SectionDraft;
  const tail = journalTail(journal.text);
  if (level === 'full' || tail.length >= journal.text.length) return whole;
  return { ...whole, text: `${origin(journal)}: ${tail}` };
}

function journalTail(text: string): string {
  const sections = readSections(text);
  const log = findSection(sections, 'Session log');
  if (!log) {
    const lines = text.replace(/\n$/, '').split('\n');
    return `its last ${Math.min(lines.length, 40)} of ${lines.length} lines.\n\n${fenced(lines.slice(-40).join('\n'), 'markdown')}`;
  }
  const end = sections.find((section) => section.level <= log.level && section.line > log.line)?.line ?? Number.POSITIVE_INFINITY;
  const entries = sections.filter((section) => section.level === log.level + 1 && section.line > log.line && section.line < end);
  const shown = entries.slice(-JOURNAL_TAIL);
  const kept = ['Open questions', 'Deferrals surfaced'].map((title) => findSection(sections, title)).filter((section) => section !== undefined);
  const heading = (level: number, title: string) => `${'#'.repeat(level)} ${title}`;
  const body = [
    heading(log.level, log.title),
    ...shown.map((entry) => `${heading(entry.level, entry.title)}\n${entry.text.replace(/\s+$/, '')}`),
    ...kept.map((section) => `${heading(section.level, section.title)}\n${section.text.replace(/\s+$/, '')}`),
  ].join('\n\n');
  return `the last ${shown.length} of ${entries.length} session-log entries, and its open questions and deferrals.\n\n${fenced(body, 'markdown')}`;
}

function filesSection(release: string, slice: SliceSources): SectionDraft {
  const section = slice.spec ? findSection(readSections(slice.spec.text), 'Planned touchpoints') : undefined;
  const planned = section ? plannedTouchpoints(section) : [];
  const record = statusLists(slice.status?.text);
  const list = (items: string[], empty: string) => (items.length === 0 ? `- ${empty}` : items.map((item) => `- \`${item}\``).join('\n'));
  const text = [
    `Planned touchpoints (the spec):\n${list(planned, slice.spec ? 'none listed' : 'no spec')}`,
    `Changed files recorded when it was last marked implemented (status.json actual_files):\n${list(record.actual, 'none recorded yet')}`,
    `Test commands:\n${list(record.tests, 'none recorded yet')}`,
    `Reachability artefacts:\n${list(record.reachability, 'none recorded yet')}`,
    `The live list of changed files: baton changed-files ${slice.entry.id} ${release}`,
  ].join('\n\n');
  const status = slice.status;
  return { ...derived('files', 'Files and evidence', text, `baton changed-files ${slice.entry.id} ${release}`), ...(status ? { path: status.path, open: status.open } : {}) };
}

/** The lists of a status.json; none when it is not JSON (the board's bad-record warning says so). */
function statusLists(text: string | undefined): { actual: string[]; tests: string[]; reachability: string[] } {
  let value: unknown;
  try {
    value = text === undefined ? {} : JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    value = {};
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const strings = (field: unknown) => (Array.isArray(field) ? field.filter((item): item is string => typeof item === 'string') : []);
  return { actual: strings(record.actual_files), tests: strings(record.test_commands), reachability: strings(record.reachability_artifacts) };
}

function timelineSection(sources: BriefSources, level: BriefLevel): SectionDraft | undefined {
  const { timeline, release, slice } = sources;
  if (timeline.length === 0) return undefined;
  const command = slice ? `baton log ${slice.entry.id} ${release.id}` : `baton log ${release.id}`;
  const whole = formatReceiptLog(timeline);
  if (level === 'full' || timeline.length <= TIMELINE_TAIL) return derived('timeline', 'Timeline', `${timeline.length} receipts, oldest first:\n\n${fenced(whole, 'text')}`, command);
  const tail = formatReceiptLog(timeline.slice(-TIMELINE_TAIL));
  return { ...derived('timeline', 'Timeline', '', command), text: `The last ${TIMELINE_TAIL} of ${timeline.length} receipts, oldest first (${command} lists them all):\n\n${fenced(tail, 'text')}`, whole };
}

/** The "Reason:" line of a BLOCKED verdict block, else its first line, on one line. */
function blockedReason(notes: string): string {
  const line = (/^\s*Reason\s*:\s*(\S.*)$/im.exec(notes)?.[1] ?? notes.split('\n').find((candidate) => candidate.trim() !== '') ?? '').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
