import path from 'node:path';
import { FindingError, UsageError } from '../lib/errors.js';
import { readObjects } from '../lib/git-objects.js';
import { gitText, uncommittedChanges } from '../lib/git.js';
import { isInsideRootLexically } from '../lib/inside-root.js';
import { pathExists, readTextIfPresent } from '../lib/read-text.js';
import { gitBlobId, sessionFromEnv, type Receipt, type ReceiptEvent } from '../lib/receipt.js';
import { isTerminal, type SliceState, type SliceStatus } from '../lib/status.js';
import { examineCandidate, failedChecks, type Candidate } from './candidate.js';
import {
  commitChange,
  journalWrite,
  readStatusFile,
  newReceipt,
  recordWorktree,
  requireTransition,
  sliceContext,
  statusFile,
  statusWrite,
  timestamp,
  updatedAt,
  type ChangeReport,
  type LifecycleIo,
  type LockedIo,
  type RecordWrite,
  type SliceContext,
} from './records.js';
import { readVerdictNotes, type Verdict } from './verdict-notes.js';
import { reachabilityPath } from '../verify/checks-record.js';

/**
 * The commands that move one slice through the state machine. Each reads the slice's state from its
 * receipts (through the board), refuses a record that no receipt vouches for, writes the new record
 * where it lives and commits it with a receipt (docs/receipts.md).
 */

export interface SliceCommand {
  slice: string;
  release?: string | undefined;
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
  requireReceipted(context);
  const worktree = await recordWorktree(context);
  const file = statusFile(context.repo, worktree, context.release.id, options.slice);
  const { status, text } = await readStatusFile(file);
  // The board read the committed record; the file in the worktree must be that same blob.
  if (gitBlobId(text, context.slice.receipts.last?.statusBlob.length ?? 40) !== context.slice.receipts.last?.statusBlob) {
    throw new FindingError(`${file} has uncommitted changes: it is not the record its newest receipt wrote.`, {
      fix: `Put it back with git -C "${worktree}" checkout -- "${path.relative(worktree, file)}", then run the command again.`,
    });
  }
  return { context, worktree, file, status, release: context.release.id };
}


/**
 * A command changes a record only when that record is the one its receipts wrote: anything else was
 * edited outside baton, and building on it would launder the edit into a receipt.
 */
function requireReceipted({ slice, release, repo }: SliceContext): void {
  if (slice.receipts.receipted) return;
  const folder = `${repo.config.releaseDir}/${release.id}/${slice.id}`;
  const last = slice.receipts.last;
  throw new FindingError(
    last
      ? `${slice.id}'s status.json is not the one its newest receipt wrote (${last.event} in ${last.commit.slice(0, 12)}): it was changed outside baton.`
      : `${slice.id} has no receipt: no baton command recorded it, so its status.json vouches for nothing.`,
    {
      fix: last
        ? `Put the record back as baton wrote it (git checkout ${last.commit.slice(0, 12)} -- ${folder}/status.json, then commit), or see what changed it with git log -- ${folder}.`
        : `Plan the slice with baton new-slice (after moving ${folder} away).`,
    },
  );
}

function touch(status: SliceStatus, by: string, io: LifecycleIo, state: SliceState): SliceStatus {
  return { ...status, state, last_updated_by: by, last_updated_at: updatedAt(io.now(), status.last_updated_at) };
}

function report(command: string): ChangeReport {
  return { command, changes: [], files: [], commits: [] };
}

/** The receipt of a slice event, with what every one carries: role, slice, state, attempt, session, previous receipt. */
function sliceReceipt(io: LifecycleIo, loaded: Loaded, event: ReceiptEvent, state: SliceState, extra: Partial<Receipt> = {}): Receipt {
  const { slice, track } = loaded.context;
  const attempt = extra.attempt ?? slice.receipts.attempt;
  return newReceipt(io, event, {
    release: loaded.release,
    ...(track ? { track: track.id } : {}),
    slice: slice.id,
    state,
    ...(attempt > 0 ? { attempt } : {}),
    ...(slice.receipts.last ? { prev: slice.receipts.last.commit } : {}),
    ...extra,
  });
}

/** The end of every slice command: the new record (and a journal entry) committed with its receipt. */
async function save(out: ChangeReport, loaded: Loaded, next: SliceStatus, receipt: Receipt, subject: string, body: string, journal?: { heading: string; notes: string }, extra: RecordWrite[] = []): Promise<ChangeReport> {
  const writes = [statusWrite(loaded.worktree, loaded.file, next), ...extra];
  if (journal) writes.push(await journalWrite(loaded.worktree, path.join(path.dirname(loaded.file), 'journal.md'), journal.heading, journal.notes));
  await commitChange(out, { worktree: loaded.worktree, writes, subject, body, receipt });
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

/**
 * Work starts on the track's branch, which baton worktree creates. Started before it, the record and
 * start_commit would be written on the integration branch (or release-wt) where no work happens.
 */
function requireTrackBranch({ track, release, slice }: SliceContext): void {
  if (!track || track.branchExists) return;
  throw new FindingError(`${track.id}, the track of ${slice.id}, has no branch yet: a slice is started on its track's branch, where its work is done.`, {
    fix: `Run baton worktree ${slice.id} ${release.id} first, then baton start ${slice.id} ${release.id} again.`,
  });
}

/** The worktree must hold nothing uncommitted (but `allowed`), so the commit a receipt names is the work. */
async function requireClean(worktree: string, what: string, fix: string, allowed: string[] = []): Promise<void> {
  const dirty = (await uncommittedChanges(worktree)).filter((file) => !allowed.includes(file));
  if (dirty.length === 0) return;
  throw new FindingError(`${what}, but ${worktree} has uncommitted or untracked changes: ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? `, and ${dirty.length - 5} more` : ''}.`, { fix });
}

export async function startSlice(io: LockedIo, options: SliceCommand): Promise<ChangeReport> {
  const loaded = await load(io, options);
  const { context, worktree, status, release } = loaded;
  const { receipts } = context.slice;
  if (receipts.escalated) {
    throw new FindingError(`${options.slice} failed verification ${receipts.failures} times (maxAttempts is ${receipts.maxAttempts}): another attempt needs the planner.`, {
      fix: `Run the replan-release command: the planner amends the spec or the plan and re-opens the slice with baton reopen ${options.slice} ${release}.`,
    });
  }
  const to = requireTransition(status, 'start');
  requireTrackOrder(context);
  requireTrackBranch(context);
  const out = report('start');
  const head = await gitText(worktree, ['rev-parse', 'HEAD']);
  const next = touch(status, 'baton start', io, to);
  const attempt = receipts.attempt + 1;
  if (status.start_commit === null) {
    next.start_commit = head;
    out.changes.push(`${options.slice}: ${status.state} → ${to}, attempt ${attempt}; start_commit recorded as ${head.slice(0, 12)} (the commit the work starts from).`);
  } else {
    out.changes.push(`${options.slice}: ${status.state} → ${to}, attempt ${attempt}; start_commit stays ${status.start_commit.slice(0, 12)}, so the next verifier sees the whole slice.`);
  }
  const receipt = sliceReceipt(io, loaded, 'started', to, { attempt, base: next.start_commit ?? head });
  return save(out, loaded, next, receipt, `docs(release/${release}/${options.slice}): start implementation`, out.changes.join('\n'));
}

export async function recordEvidence(io: LockedIo, options: SliceCommand & { testCommands: string[]; reachability: string[] }): Promise<ChangeReport> {
  if (options.testCommands.length === 0 && options.reachability.length === 0) {
    throw new UsageError('Nothing to record.', { fix: 'Pass --test-command "<command>" and/or --reachability "<path — what it shows>", each as often as needed.' });
  }
  const loaded = await load(io, options);
  const { status, release } = loaded;
  requireTransition(status, 'evidence');
  await requireReachable(loaded.worktree, options.reachability);
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
  return save(out, loaded, next, sliceReceipt(io, loaded, 'evidence', status.state), `docs(release/${release}/${options.slice}): record evidence`, out.changes.join('\n'));
}

/** The longest stop reason: a sentence or a short paragraph, not a document. */
const MAX_STOP_REASON = 2000;

/**
 * The implementer stops without finishing: something outside the slice's authority blocks it. The
 * slice stays in_progress, so the next implement-slice session resumes it; the receipt records the
 * stop and the reason goes into journal.md. The stop hook (baton hook stop) lets the session end
 * while nothing is committed after this receipt.
 */
export async function recordStop(io: LockedIo, options: SliceCommand & { reason: string }): Promise<ChangeReport> {
  const reason = options.reason.trim();
  if (reason === '' || reason.length > MAX_STOP_REASON) {
    throw new UsageError(reason === '' ? 'The stop reason is empty.' : `The stop reason has ${reason.length} characters; at most ${MAX_STOP_REASON} fit.`, {
      fix: 'Pass --reason "<what blocks the slice, what works, and what is needed from whom>".',
    });
  }
  const loaded = await load(io, options);
  const { status, release } = loaded;
  const to = requireTransition(status, 'stop');
  const next = touch(status, 'baton stopped', io, to);
  const out = report('stopped');
  out.changes.push(`${options.slice}: stays in_progress; the implementation stopped: ${reason}`);
  return save(out, loaded, next, sliceReceipt(io, loaded, 'stopped', to), `docs(release/${release}/${options.slice}): implementation stopped`, reason, { heading: `${next.last_updated_at} — stopped`, notes: reason });
}

/**
 * Every reachability artefact must exist in the slice's worktree when it is recorded: baton verify
 * reads the same path (reachabilityPath) and fails a slice whose artefact is missing, so a typo
 * accepted here would only surface as a FAIL after the work is claimed. The file may still be
 * uncommitted now; verify checks it in the committed candidate.
 */
async function requireReachable(worktree: string, entries: string[]): Promise<void> {
  for (const entry of entries) {
    const file = reachabilityPath(entry);
    if (isInsideRootLexically(file) && (await pathExists(path.join(worktree, file)))) continue;
    throw new UsageError(`--reachability "${entry}": ${file} does not exist in ${worktree}.`, {
      fix: 'Create the artefact first (a screenshot, a log, a test output), then record its path relative to the repository root, as "path", "path:line" or "path — what it shows".',
    });
  }
}

/** The digests a receipt carries for its candidate. */
function candidateFields(candidate: Candidate, base: string | null): Partial<Receipt> {
  return {
    candidate: candidate.commit,
    ...(base ? { base } : {}),
    ...(candidate.specSha256 ? { specSha256: candidate.specSha256 } : {}),
    ...(candidate.proofSha256 ? { proofSha256: candidate.proofSha256 } : {}),
    reportSha256: candidate.reportSha256,
  };
}

export async function markImplemented(io: LockedIo, options: SliceCommand): Promise<ChangeReport> {
  const loaded = await load(io, options);
  const { worktree, status, release } = loaded;
  const to = requireTransition(status, 'implement');
  await requireClean(worktree, `${options.slice} is claimed implemented at its HEAD`, `Commit the slice's code, tests and proof.md in ${worktree} (or remove what does not belong), then run baton transition again.`);
  const head = await gitText(worktree, ['rev-parse', 'HEAD']);
  const claimed = loaded.context.slice.receipts.implemented;
  if (status.state === 'implemented' && claimed?.commit === head) {
    throw new FindingError(`Refused for ${options.slice}: it is already implemented at ${claimed.candidate.slice(0, 12)}, and nothing was committed since.`, { fix: 'Run the verify-slice command in a fresh session.' });
  }
  // The same checks the verifier's first pass runs, judged at the candidate as if it were implemented.
  const candidate = await examineCandidate({ cwd: worktree, env: io.env, slice: options.slice, release, commit: head });
  const failed = failedChecks(candidate);
  if (failed.length > 0) {
    throw new FindingError(`Refused for ${options.slice}: baton verify fails at implemented (${failed.join(', ')}).`, {
      fix: `Run baton verify ${options.slice} ${release} in ${worktree}, fix what it lists, commit, then try again.`,
    });
  }
  const next = touch(status, 'baton transition', io, to);
  next.actual_files = candidate.changes.files.map((changedFile) => changedFile.path);
  const out = report('transition');
  out.changes.push(`${options.slice}: ${status.state} → ${to}${status.state === 'implemented' ? ' again, on work committed after the last claim' : ''}; candidate ${head.slice(0, 12)}; baton verify passed; actual_files records ${next.actual_files.length} changed file(s).`);
  const receipt = sliceReceipt(io, loaded, 'implemented', to, candidateFields(candidate, status.start_commit));
  return save(out, loaded, next, receipt, `docs(release/${release}/${options.slice}): mark implemented`, out.changes.join('\n'));
}

export async function recordVerdict(io: LockedIo, options: SliceCommand & { verdict: Verdict; notesFile: string }): Promise<ChangeReport> {
  const notes = await readNotes(io, options.notesFile);
  const block = readVerdictNotes(notes, options.verdict, options.slice, options.notesFile);
  const loaded = await load(io, options);
  const { worktree, status, release, context } = loaded;
  const to = requireTransition(status, options.verdict === 'PASS' ? 'pass' : options.verdict === 'FAIL' ? 'fail' : 'block');
  const implemented = context.slice.receipts.implemented;
  if (!implemented) throw new FindingError(`${options.slice} has no implemented receipt to judge.`, { fix: 'The implementer marks it implemented with baton transition first.' });
  const head = await gitText(worktree, ['rev-parse', 'HEAD']);
  if (head !== implemented.commit) {
    throw new FindingError(`${worktree} is at ${head.slice(0, 12)}, but the candidate of ${options.slice} was recorded in ${implemented.commit.slice(0, 12)} (implemented on ${implemented.candidate.slice(0, 12)}): something was committed since, and that is not what was claimed.`, {
      fix: 'A verdict judges exactly the implemented candidate. Tell the human what was committed after it; the implementer must mark the slice implemented again.',
    });
  }
  if (!implemented.candidate.startsWith(block.commitVerified) && !head.startsWith(block.commitVerified)) {
    throw new UsageError(`The verdict block says "Commit verified: ${block.commitVerified}", but the candidate is ${implemented.candidate} (recorded in ${head}).`, { fix: 'Verify the candidate that was claimed and name it in the block.' });
  }
  const notesPath = path.relative(worktree, path.resolve(io.cwd, options.notesFile)).split(path.sep).join('/');
  await requireClean(worktree, `A verdict is recorded on the candidate as committed`, `Restore what your runs changed (git -C "${worktree}" status lists it) and keep the notes file outside the worktree, then run baton verdict again.`, [notesPath]);
  const candidate = await examineCandidate({ cwd: worktree, env: io.env, slice: options.slice, release, commit: implemented.candidate });
  if (candidate.reportSha256 !== implemented.reportSha256) {
    throw new FindingError(`baton verify does not give, at the candidate ${implemented.candidate.slice(0, 12)}, the report that was recorded when ${options.slice} was marked implemented: the slice's record or history changed since.`, {
      fix: `Run baton log ${options.slice} ${release} and baton verify ${options.slice} ${release}; the implementer must mark it implemented again.`,
    });
  }
  if (options.verdict === 'PASS' && candidate.report.verdict !== 'PASS') {
    throw new FindingError(`A PASS cannot be recorded: baton verify fails at the candidate (${failedChecks(candidate).join(', ')}).`, { fix: 'Record FAIL with those checks among the violations.' });
  }
  const session = sessionFromEnv(io.env);
  if (options.verdict === 'PASS' && session !== undefined && session === implemented.session) {
    throw new FindingError(`A PASS cannot be recorded from session ${session}: the same session marked ${options.slice} implemented (attempt ${implemented.attempt}). No builder certifies its own work.`, {
      fix: 'Run the verify-slice command in a fresh session (a new Claude Code or Codex session), which reads only the artefacts.',
    });
  }
  const at = timestamp(io.now());
  const next = touch(status, 'baton verdict', io, to);
  next.verification = {
    result: options.verdict === 'PASS' ? 'pass' : options.verdict === 'FAIL' ? 'fail' : 'blocked',
    commit: implemented.candidate,
    verdict_at: at,
    violations: block.violations,
    blocked_reason: options.verdict === 'BLOCKED' ? notes : null,
  };
  const out = report('verdict');
  out.changes.push(`${options.slice}: verdict ${options.verdict} on ${implemented.candidate.slice(0, 12)} (attempt ${context.slice.receipts.attempt}); ${status.state} → ${to}${block.violations.length ? `; ${block.violations.length} violation(s) recorded:` : '.'}`);
  block.violations.forEach((violation, index) => out.changes.push(`  ${index + 1}. ${violation}`));
  const receipt = sliceReceipt(io, loaded, 'verdict', to, { verdict: options.verdict, ...candidateFields(candidate, status.start_commit), prev: implemented.commit });
  return save(out, loaded, next, receipt, `chore(release/${release}/${options.slice}): verifier verdict — ${options.verdict}`, notes, { heading: `${at} — ${options.verdict} on ${implemented.candidate.slice(0, 12)}`, notes });
}

export async function resolveBlocked(io: LockedIo, options: SliceCommand & { state: SliceState; notesFile: string; specUnchangedBecause?: string | undefined }): Promise<ChangeReport> {
  const notes = await readNotes(io, options.notesFile);
  const loaded = await load(io, options);
  const { status, release, worktree, context } = loaded;
  const to = requireTransition(status, 'unblock', options.state);
  await requireClean(worktree, `${options.slice}'s BLOCKED verdict is answered from what is committed`, `Commit the amended spec.md first (git -C "${worktree}" commit -m "docs(release/${release}/${options.slice}): amend spec — <why>" -- <its path>), then run baton unblock again.`);
  const specPath = `${context.repo.config.releaseDir}/${release}/${options.slice}/spec.md`;
  const blockedAt = context.slice.receipts.lastVerdict?.commit ?? 'HEAD';
  const [specThen, specNow] = await Promise.all([blobOf(worktree, `${blockedAt}:${specPath}`), blobOf(worktree, `HEAD:${specPath}`)]);
  const amended = specNow !== specThen;
  const reason = options.specUnchangedBecause?.trim();
  if (!amended && !reason) {
    throw new FindingError(`${options.slice}'s spec.md is the same as when the BLOCKED verdict was given: a BLOCKED verdict is answered by amending the spec.`, {
      fix: 'Amend and commit spec.md as the verdict proposes, then run baton unblock again; if the spec needs no change, say why with --spec-unchanged-because "<reason>".',
    });
  }
  const next = touch(status, 'baton unblock', io, to);
  // The verdict is answered, but its record stays: the next verifier reads the previous verdict's
  // reason, and a check blocked twice is evidence the contract is still wrong.
  next.verification = { ...status.verification, result: null };
  const out = report('unblock');
  out.changes.push(`${options.slice}: the BLOCKED verdict is resolved by the planner; implemented → ${to}; ${amended ? 'spec.md was amended' : `spec.md unchanged because ${reason}`}.`);
  const body = amended ? notes : `${notes}\n\nspec.md unchanged because: ${reason}`;
  return save(out, loaded, next, sliceReceipt(io, loaded, 'unblocked', to), `docs(release/${release}/${options.slice}): resolve BLOCKED verdict — ${to}`, body, { heading: `${next.last_updated_at} — BLOCKED verdict resolved by the planner: now ${to}`, notes: body });
}

/** The blob id of `<commit>:<path>`, or undefined when there is none. */
async function blobOf(worktree: string, name: string): Promise<string | undefined> {
  const [object] = await readObjects(worktree, [{ kind: 'info', name }]);
  return object?.id;
}

/**
 * The planner's way back to implementation: a verified slice whose code changed after its PASS, or a
 * slice that failed verification maxAttempts times. Its FAIL count starts again.
 */
export async function reopenSlice(io: LockedIo, options: SliceCommand & { notesFile: string }): Promise<ChangeReport> {
  const notes = await readNotes(io, options.notesFile);
  const loaded = await load(io, options);
  const { status, release } = loaded;
  const to = requireTransition(status, 'reopen');
  const next = touch(status, 'baton reopen', io, to);
  const out = report('reopen');
  out.changes.push(`${options.slice}: ${status.state} → ${to}, re-opened by the planner; the next attempt is ${loaded.context.slice.receipts.attempt + 1}, with a fresh budget of ${loaded.context.slice.receipts.maxAttempts} FAIL verdicts.`);
  return save(out, loaded, next, sliceReceipt(io, loaded, 'reopened', to), `docs(release/${release}/${options.slice}): re-open for implementation`, notes, { heading: `${next.last_updated_at} — re-opened by the planner`, notes });
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
  return save(out, loaded, next, sliceReceipt(io, loaded, 'deferred', to), `docs(release/${release}/${options.slice}): defer slice`, notes, { heading: `${next.last_updated_at} — deferred`, notes });
}

async function readNotes(io: LifecycleIo, notesFile: string): Promise<string> {
  const notes = (await readTextIfPresent(path.resolve(io.cwd, notesFile)))?.trim();
  if (notes === undefined) throw new UsageError(`The notes file ${notesFile} does not exist.`, { fix: 'Write the notes to a file first and pass its path.' });
  if (notes === '') throw new UsageError(`The notes file ${notesFile} is empty.`, { fix: 'Write the verdict or the reason into it.' });
  return notes;
}
