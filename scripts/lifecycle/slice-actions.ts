import path from 'node:path';
import { FindingError, UsageError } from '../lib/errors.js';
import { gitText } from '../lib/git.js';
import { readTextIfPresent } from '../lib/read-text.js';
import { isTerminal, type SliceState, type SliceStatus } from '../lib/status.js';
import { verifySlice } from '../verify/verify-slice.js';
import {
  journalWrite,
  maybeCommit,
  readStatusFile,
  recordWorktree,
  requireTransition,
  sliceContext,
  statusFile,
  timestamp,
  statusWrite,
  writeRecords,
  type ChangeReport,
  type LifecycleIo,
  type LockedIo,
  type SliceContext,
} from './records.js';

/** The commands that move one slice through the state machine, each writing where its record lives. */

export interface SliceCommand {
  slice: string;
  release?: string | undefined;
  commit: boolean;
}

interface Loaded {
  context: SliceContext;
  worktree: string;
  file: string;
  status: SliceStatus;
  release: string;
}

async function load(io: LockedIo, options: SliceCommand): Promise<Loaded> {
  const context = await sliceContext(io, options.slice, options.release);
  const worktree = await recordWorktree(context);
  const file = statusFile(context.repo, worktree, context.release.id, options.slice);
  return { context, worktree, file, status: await readStatusFile(file), release: context.release.id };
}

function touch(status: SliceStatus, by: string, io: LifecycleIo, state: SliceState): SliceStatus {
  return { ...status, state, last_updated_by: by, last_updated_at: timestamp(io.now()) };
}

function report(command: string): ChangeReport {
  return { command, changes: [], files: [], commits: [] };
}

/**
 * The end of every slice command: the new record written (with a journal entry when there is one),
 * listed in the report, and committed in the record's worktree when asked.
 */
async function save(out: ChangeReport, loaded: Loaded, next: SliceStatus, commit: boolean, subject: string, body: string, journal?: { heading: string; notes: string }): Promise<ChangeReport> {
  const writes = [statusWrite(loaded.worktree, loaded.file, next)];
  if (journal) writes.push(await journalWrite(loaded.worktree, path.join(path.dirname(loaded.file), 'journal.md'), journal.heading, journal.notes));
  await writeRecords(writes);
  out.files.push(...writes.map((write) => write.file));
  await maybeCommit(out, commit, loaded.worktree, subject, body);
  return out;
}

/** Work may start only in track order, and only once the tracks this one depends on are merged. */
function requireTrackOrder(context: SliceContext): void {
  const { track, release, slice } = context;
  if (!track) throw new FindingError(`${slice.id} is in no track of ${release.id}.`, { fix: 'Register it with the replan-release command.' });
  if (track.blockedBy.length > 0) {
    throw new FindingError(`${track.id} depends on ${track.blockedBy.join(', ')}, which ${track.blockedBy.length === 1 ? 'is' : 'are'} not merged yet.`, { fix: 'Merge those tracks first (merge-track).' });
  }
  const earlier = track.slices.slice(0, track.slices.indexOf(slice.id));
  const open = earlier.filter((id) => !isTerminal(release.slices.find((s) => s.id === id)?.state ?? 'unknown'));
  if (open.length > 0) throw new FindingError(`${open.join(', ')} ${open.length === 1 ? 'comes' : 'come'} before ${slice.id} in ${track.id} and ${open.length === 1 ? 'is' : 'are'} not verified, deferred or shipped.`, { fix: `Finish ${open[0]} first.` });
}

export async function startSlice(io: LockedIo, options: SliceCommand): Promise<ChangeReport> {
  const loaded = await load(io, options);
  const { context, worktree, status, release } = loaded;
  const to = requireTransition(status, 'start');
  requireTrackOrder(context);
  const out = report('start');
  const head = await gitText(worktree, ['rev-parse', 'HEAD']);
  const next = touch(status, 'baton start', io, to);
  if (status.start_commit === null) {
    next.start_commit = head;
    out.changes.push(`${options.slice}: ${status.state} → ${to}; start_commit recorded as ${head.slice(0, 12)} (the commit the work starts from).`);
  } else {
    out.changes.push(`${options.slice}: ${status.state} → ${to}; start_commit stays ${status.start_commit.slice(0, 12)}, so the next verifier sees the whole slice.`);
  }
  return save(out, loaded, next, options.commit, `docs(release/${release}/${options.slice}): start implementation`, out.changes.join('\n'));
}

export async function recordEvidence(io: LockedIo, options: SliceCommand & { testCommands: string[]; reachability: string[] }): Promise<ChangeReport> {
  if (options.testCommands.length === 0 && options.reachability.length === 0) {
    throw new UsageError('Nothing to record.', { fix: 'Pass --test-command "<command>" and/or --reachability "<path — what it shows>", each as often as needed.' });
  }
  const loaded = await load(io, options);
  const { status, release } = loaded;
  requireTransition(status, 'evidence');
  const out = report('evidence');
  const next = touch(status, 'baton evidence', io, status.state);
  if (options.testCommands.length > 0) {
    next.test_commands = options.testCommands;
    out.changes.push(`${options.slice}: test_commands = ${JSON.stringify(options.testCommands)}`);
  }
  if (options.reachability.length > 0) {
    next.reachability_artifacts = options.reachability;
    out.changes.push(`${options.slice}: reachability_artifacts = ${JSON.stringify(options.reachability)}`);
  }
  return save(out, loaded, next, options.commit, `docs(release/${release}/${options.slice}): record evidence`, out.changes.join('\n'));
}

export async function markImplemented(io: LockedIo, options: SliceCommand): Promise<ChangeReport> {
  const loaded = await load(io, options);
  const { worktree, status, release } = loaded;
  const to = requireTransition(status, 'implement');
  // The same checks the verifier's first pass runs, judged as if the slice were already implemented.
  const { report: verdict, changes } = await verifySlice({ cwd: worktree, env: io.env, slice: options.slice, release, asImplemented: true });
  const failed = verdict.checks.filter((check) => check.status === 'fail');
  if (failed.length > 0) {
    throw new FindingError(`Refused for ${options.slice}: baton verify fails at implemented (${failed.map((check) => check.id).join(', ')}).`, {
      fix: `Run baton verify ${options.slice} ${release} in ${worktree}, fix what it lists, then try again.`,
    });
  }
  const next = touch(status, 'baton transition', io, to);
  next.actual_files = changes.files.map((changedFile) => changedFile.path);
  const out = report('transition');
  out.changes.push(`${options.slice}: ${status.state} → ${to}; baton verify passed; actual_files records ${next.actual_files.length} changed file(s).`);
  return save(out, loaded, next, options.commit, `docs(release/${release}/${options.slice}): mark implemented`, out.changes.join('\n'));
}

export type Verdict = 'PASS' | 'FAIL' | 'BLOCKED';

/**
 * The numbered violations of a FAIL verdict: lines such as "1. Gate 2 — ...". When the notes label
 * their parts, only the items under "Violations" count: the numbered required fixes that follow are
 * not violations.
 */
export function numberedItems(notes: string): string[] {
  const lines = notes.split('\n');
  const start = lines.findIndex((line) => /^\s*(#+\s*)?violations\b/i.test(line));
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (start !== -1 && items.length > 0 && /^\s*(#+\s*\S.*|[A-Za-z][A-Za-z ]*:\s*)$/.test(line)) break; // the next labelled part
    const item = /^\s*\d+[.)]\s+(\S.*)$/.exec(line)?.[1]?.trim();
    if (item) items.push(item);
  }
  return items;
}

export async function recordVerdict(io: LockedIo, options: SliceCommand & { verdict: Verdict; notesFile: string }): Promise<ChangeReport> {
  const notes = await readNotes(io, options.notesFile);
  const violations = options.verdict === 'FAIL' ? numberedItems(notes) : [];
  if (options.verdict === 'FAIL' && violations.length === 0) {
    throw new UsageError(`A FAIL verdict needs numbered violations, and ${options.notesFile} has none.`, { fix: 'Write each violation on its own line as "1. Gate N — what is wrong, with evidence".' });
  }
  const loaded = await load(io, options);
  const { worktree, status, release } = loaded;
  const to = requireTransition(status, options.verdict === 'PASS' ? 'pass' : options.verdict === 'FAIL' ? 'fail' : 'block');
  const head = await gitText(worktree, ['rev-parse', 'HEAD']);
  const at = timestamp(io.now());
  const next = touch(status, 'baton verdict', io, to);
  next.verification = {
    result: options.verdict === 'PASS' ? 'pass' : options.verdict === 'FAIL' ? 'fail' : 'blocked',
    commit: head,
    verdict_at: at,
    violations,
    blocked_reason: options.verdict === 'BLOCKED' ? notes : null,
  };
  const out = report('verdict');
  out.changes.push(`${options.slice}: verdict ${options.verdict} on ${head.slice(0, 12)}; ${status.state} → ${to}${violations.length ? `; ${violations.length} violation(s) recorded:` : '.'}`);
  violations.forEach((violation, index) => out.changes.push(`  ${index + 1}. ${violation}`));
  return save(out, loaded, next, options.commit, `chore(release/${release}/${options.slice}): verifier verdict — ${options.verdict}`, notes, { heading: `${at} — ${options.verdict} on ${head.slice(0, 12)}`, notes });
}

export async function resolveBlocked(io: LockedIo, options: SliceCommand & { state: SliceState; notesFile: string }): Promise<ChangeReport> {
  const notes = await readNotes(io, options.notesFile);
  const loaded = await load(io, options);
  const { status, release } = loaded;
  const to = requireTransition(status, 'unblock', options.state);
  const next = touch(status, 'baton unblock', io, to);
  next.verification = { ...status.verification, result: null, blocked_reason: null };
  const out = report('unblock');
  out.changes.push(`${options.slice}: the BLOCKED verdict is resolved by the planner; implemented → ${to}.`);
  return save(out, loaded, next, options.commit, `docs(release/${release}/${options.slice}): resolve BLOCKED verdict — ${to}`, notes, { heading: `${next.last_updated_at} — BLOCKED verdict resolved by the planner: now ${to}`, notes });
}

/** A deferral card: the three parts Rule 2 requires, each on a line of its own. */
function deferralCard(notes: string): { reason: string; tracking: string; acknowledged: string } {
  const field = (name: string) => new RegExp(`^\\s*${name}\\s*:\\s*(\\S.*)$`, 'im').exec(notes)?.[1]?.trim();
  const card = { reason: field('Reason'), tracking: field('Tracking'), acknowledged: field('Acknowledged') };
  const missing = Object.entries(card).filter(([, value]) => !value).map(([key]) => key);
  if (missing.length > 0) {
    throw new UsageError(`The deferral card lacks ${missing.join(', ')}.`, { fix: 'Write three lines: "Reason: why", "Tracking: where it is tracked", "Acknowledged: who agreed, and when".' });
  }
  return card as { reason: string; tracking: string; acknowledged: string };
}

export async function deferSlice(io: LockedIo, options: SliceCommand & { notesFile: string }): Promise<ChangeReport> {
  const notes = await readNotes(io, options.notesFile);
  const card = deferralCard(notes);
  const loaded = await load(io, options);
  const { status, release } = loaded;
  const to = requireTransition(status, 'defer');
  const next = touch(status, 'baton defer', io, to);
  next.deferral = { ...card, deferred_at: next.last_updated_at };
  const out = report('defer');
  out.changes.push(`${options.slice}: ${status.state} → deferred (tracked at ${card.tracking}, acknowledged: ${card.acknowledged}).`);
  return save(out, loaded, next, options.commit, `docs(release/${release}/${options.slice}): defer slice`, notes, { heading: `${next.last_updated_at} — deferred`, notes });
}

async function readNotes(io: LifecycleIo, notesFile: string): Promise<string> {
  const notes = (await readTextIfPresent(path.resolve(io.cwd, notesFile)))?.trim();
  if (notes === undefined) throw new UsageError(`The notes file ${notesFile} does not exist.`, { fix: 'Write the notes to a file first and pass its path.' });
  if (notes === '') throw new UsageError(`The notes file ${notesFile} is empty.`, { fix: 'Write the verdict or the reason into it.' });
  return notes;
}

