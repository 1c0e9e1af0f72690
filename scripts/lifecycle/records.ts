import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Board, BoardRelease, BoardSlice, BoardTrack } from '../board/board.js';
import { findOnBoard } from '../board/next-step.js';
import { readBoard } from '../board/read-board.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { commitPaths, unstagePaths } from '../lib/commit.js';
import { formatReceipt, RECEIPT_EVENTS, RECEIPT_VERSION, sessionFromEnv, type Receipt, type ReceiptEvent } from '../lib/receipt.js';
import { FindingError, OperationalError } from '../lib/errors.js';
import { assertInsideRoot } from '../lib/inside-root.js';
import { currentBranch } from '../lib/git.js';
import { assertId } from '../lib/ids.js';
import { JsonError } from '../lib/json-file.js';
import { readTextIfPresent } from '../lib/read-text.js';
import { openRepo, type Repo } from '../lib/repo.js';
import { shellQuote } from '../lib/shell-quote.js';
import { parseStatus, serializeStatus, type SliceStatus } from '../lib/status.js';
import { checkTransition, type SliceAction } from './state-machine.js';

/**
 * What every state-changing command shares: finding a slice on the board, the worktree where its
 * record lives, reading and writing its status.json and journal.md, committing, and reporting
 * exactly what changed.
 */

export interface LifecycleIo {
  cwd: string;
  env: Record<string, string | undefined>;
  now(): Date;
  /** The repository, already opened by withRepoLock; read-only commands open it themselves. */
  repo?: Repo | undefined;
  /** The digest of the brief the session started from (`--brief`), recorded in every receipt it makes. */
  brief?: string | undefined;
}

/** The io of a state-changing command: it runs inside withRepoLock, which opened the repository. */
export interface LockedIo extends LifecycleIo {
  repo: Repo;
}

function repoOf(io: LifecycleIo): Promise<Repo> {
  return io.repo ? Promise.resolve(io.repo) : openRepo(io.cwd, io.env);
}

export interface ChangeReport {
  command: string;
  /** One sentence per change, for people. */
  changes: string[];
  /** Absolute paths of the files written. */
  files: string[];
  commits: { commit: string; subject: string; worktree: string }[];
}

export function formatChangeReport(report: ChangeReport): string {
  const lines = [...report.changes];
  for (const file of report.files) lines.push(`  wrote ${file}`);
  for (const commit of report.commits) lines.push(`  committed ${commit.commit.slice(0, 12)} in ${commit.worktree}: ${commit.subject}`);
  return lines.join('\n');
}

/** The timestamp format of status.json: UTC, whole seconds. */
export function timestamp(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/**
 * A record's new last_updated_at: whole seconds, or milliseconds when the record was already updated
 * in this second. Every receipt must write a new status.json blob, and two commands in one second
 * (a re-claim right after a refusal, evidence given twice) would otherwise write the same record,
 * which git refuses to commit as "nothing to commit".
 */
export function updatedAt(now: Date, previous: string): string {
  const at = timestamp(now);
  return previous.slice(0, 19) === at.slice(0, 19) ? now.toISOString() : at;
}

export interface SliceContext {
  repo: Repo;
  board: Board;
  release: BoardRelease;
  slice: BoardSlice;
  track: BoardTrack | undefined;
}

export async function sliceContext(io: LifecycleIo, slice: string, release: string | undefined): Promise<SliceContext> {
  const repo = await repoOf(io);
  const board = await readBoard(repo, release);
  const onBoard = findOnBoard(board, slice, release);
  requireRegistry(repo, onBoard);
  const entry = onBoard.slices.find((candidate) => candidate.id === slice) as BoardSlice;
  const track = onBoard.tracks.find((candidate) => candidate.slices.includes(slice));
  return { repo, board, release: onBoard, slice: entry, track };
}

export interface ReleaseContext {
  repo: Repo;
  release: BoardRelease;
}

/** A release by id, read from the board; an unknown release is an error (exit 2). */
export async function releaseContext(io: LifecycleIo, releaseId: string): Promise<ReleaseContext> {
  const repo = await repoOf(io);
  // readBoard refuses a release it cannot find, so the board holds exactly this one.
  const board = await readBoard(repo, assertId('release', releaseId));
  const release = board.releases[0] as BoardRelease;
  requireRegistry(repo, release);
  return { repo, release };
}

/**
 * Every command works from the registry in index.md; one whose frontmatter cannot be read at all (not
 * YAML, too large, an alias bomb) would look like a release with no tracks, so it is refused by name.
 */
function requireRegistry(repo: Repo, release: BoardRelease): void {
  if (release.registryError === null) return;
  const file = `${repo.config.releaseDir}/${release.id}/index.md`;
  throw new OperationalError(`${file} cannot be read: ${release.registryError}.`, {
    fix: `Restore it from a commit you trust (git log -- ${file} shows its history), then run the command again.`,
  });
}

export interface TrackContext {
  repo: Repo;
  board: Board;
  release: BoardRelease;
  track: BoardTrack;
}

/** A track by id, in the named release or in the one release that has it; a wrong id exits 2. */
export async function trackContext(io: LifecycleIo, trackId: string, releaseId: string | undefined): Promise<TrackContext> {
  assertId('track', trackId);
  const repo = await repoOf(io);
  const board = await readBoard(repo, releaseId);
  const holding = board.releases.filter((release) => release.tracks.some((track) => track.id === trackId));
  // The track may be in a release whose registry cannot be read: say so rather than "no such track".
  if (holding.length === 0) for (const release of board.releases) requireRegistry(repo, release);
  if (holding.length !== 1) {
    throw new OperationalError(holding.length === 0 ? `No release has a track ${trackId}.` : `Track ${trackId} is in several releases: ${holding.map((r) => r.id).join(', ')}.`, { fix: 'Check the id, or name the release.' });
  }
  const release = holding[0] as BoardRelease;
  return { repo, board, release, track: release.tracks.find((candidate) => candidate.id === trackId) as BoardTrack };
}

/**
 * The worktree where a slice's record is written: its track's worktree once the track branch exists,
 * else the release worktree once release-wt exists, else the checkout on the integration branch.
 */
export async function recordWorktree(context: SliceContext): Promise<string> {
  const { release, track, repo, slice } = context;
  if (track?.branchExists) {
    if (track.worktree) return track.worktree;
    throw new FindingError(`The record of ${slice.id} lives on ${track.branch}, which is not checked out in any worktree on this machine.`, {
      fix: `Create its worktree with baton worktree ${slice.id} ${release.id}.`,
    });
  }
  return releaseDocsWorktree(repo, release);
}

/** Where a release's index.md (and the records of slices whose track has no branch) are written. */
export async function releaseDocsWorktree(repo: Repo, release: BoardRelease): Promise<string> {
  if (release.releaseBranchExists) {
    if (release.releaseWorktree) return release.releaseWorktree;
    throw new FindingError(`${release.releaseBranch} exists but is not checked out in any worktree on this machine.`, {
      fix: releaseWorktreeFix(repo, release),
    });
  }
  const branch = await currentBranch(repo.root);
  if (release.integrationBranch && branch !== release.integrationBranch) {
    throw new FindingError(`Release ${release.id} is still planned on ${release.integrationBranch}, but this checkout is on ${branch ?? 'a detached HEAD'}.`, {
      fix: `Run it in the checkout of ${release.integrationBranch} (baton -C <that folder> ...).`,
    });
  }
  return repo.root;
}

export function statusFile(repo: Repo, worktree: string, release: string, slice: string): string {
  return path.join(worktree, repo.config.releaseDir, release, slice, 'status.json');
}

/** Reads and validates the status.json a command is about to change, with its text as read. */
export async function readStatusFile(file: string): Promise<{ status: SliceStatus; text: string }> {
  const text = await readTextIfPresent(file);
  if (text === undefined) throw new FindingError(`${file} does not exist.`, { fix: 'Check the slice id and the worktree; baton board --verbose shows where each slice lives.' });
  try {
    const { status, problems } = parseStatus(text, file);
    if (status) return { status, text };
    throw new FindingError(`${file} does not match the schema: ${problems.join('; ')}.`, { fix: 'Restore it from git; status.json is changed only by baton commands.' });
  } catch (error) {
    if (error instanceof JsonError) throw new FindingError(error.message, { fix: 'Restore it from git; status.json is changed only by baton commands.' });
    throw error;
  }
}

/** Asks the state machine; a refusal becomes a finding (exit 1) with the reason and the fix. */
export function requireTransition(status: SliceStatus, action: SliceAction, unblockTo?: SliceStatus['state']) {
  const check = checkTransition(action, status.state, status.verification.result, unblockTo);
  if (!check.allowed) throw new FindingError(`Refused for ${status.slice_id}: ${check.reason}.`, { fix: check.fix });
  return check.to;
}

/** One record file to write: `file` (absolute) must resolve inside `root`, the worktree it belongs to. */
export interface RecordWrite {
  root: string;
  file: string;
  content: string;
}

/**
 * The one way baton writes records. A repository is untrusted: a committed link such as
 * `docs/release` → a folder elsewhere must not make baton write there. Every file is checked to
 * resolve inside its worktree, lexically and through the links on disk, before any is written, so a
 * refusal (exit 2) leaves nothing half-written.
 */
export async function writeRecords(writes: RecordWrite[]): Promise<void> {
  for (const write of writes) await assertInsideRoot(write.root, path.relative(write.root, write.file).split(path.sep).join('/'));
  for (const write of writes) await writeFileAtomic(write.file, write.content);
}

export function statusWrite(root: string, file: string, status: SliceStatus): RecordWrite {
  return { root, file, content: serializeStatus(status) };
}

/** The journal with an entry appended under its "Verifier verdicts" section, or at the end when it has none. */
export async function journalWrite(root: string, file: string, heading: string, text: string): Promise<RecordWrite> {
  const journal = (await readTextIfPresent(file)) ?? '';
  const entry = `\n### ${heading}\n\n${text.trim()}\n`;
  return { root, file, content: `${journal.replace(/\s*$/, '\n')}${entry}` };
}

/** A state change as one commit: the record files it writes, the message, and its receipt. */
export interface RecordChange {
  /** The worktree the files belong to and the commit is made in. */
  worktree: string;
  writes: RecordWrite[];
  subject: string;
  /** The message body: what changed, in words (the notes of a verdict, for example). */
  body: string;
  receipt: Receipt;
}

/**
 * Every state change ends here: its files are written and committed together, the receipt in the
 * commit message's trailers. If git does not commit, the files are put back as they were and the
 * command fails, so no state change exists that is not in the committed result.
 */
export async function commitChange(report: ChangeReport, change: RecordChange): Promise<void> {
  const { worktree, writes } = change;
  const previous = await Promise.all(writes.map((write) => readTextIfPresent(write.file)));
  const paths = writes.map((write) => path.relative(worktree, write.file).split(path.sep).join('/'));
  await writeRecords(writes);
  try {
    const done = await commitPaths(worktree, paths, change.subject, [change.body, formatReceipt(change.receipt)]);
    report.files.push(...writes.map((write) => write.file));
    report.commits.push({ ...done, worktree });
  } catch (error) {
    await Promise.all(writes.map((write, index) => {
      const before = previous[index];
      return before === undefined ? rm(write.file, { force: true }) : writeFileAtomic(write.file, before);
    }));
    await unstagePaths(worktree, paths);
    throw error;
  }
}

/**
 * A receipt as every command makes one: the format version, the role its event belongs to, the agent
 * session that ran the command (where the client tells it) and the brief it started from (where it
 * names one), with the event's own fields.
 */
export function newReceipt(io: LifecycleIo, event: ReceiptEvent, fields: Omit<Receipt, 'version' | 'event' | 'role'>): Receipt {
  const session = sessionFromEnv(io.env);
  return { version: RECEIPT_VERSION, event, role: RECEIPT_EVENTS[event], ...fields, ...(session === undefined ? {} : { session }), ...(io.brief === undefined ? {} : { brief: io.brief }) };
}

/** The command that checks a release branch out where `baton worktree` would have put it. */
export function releaseWorktreeFix(repo: Repo, release: BoardRelease): string {
  const folder = path.join(repo.config.worktreeRoot, release.id, 'release');
  return `Check it out: git -C ${shellQuote(repo.primaryRoot)} worktree add ${shellQuote(folder)} ${release.releaseBranch}`;
}
