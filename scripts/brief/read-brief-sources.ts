import path from 'node:path';
import type { Board, BoardRelease, BoardSlice, BoardTrack } from '../board/board.js';
import { findOnBoard, type NextStep } from '../board/next-step.js';
import { readBoard } from '../board/read-board.js';
import { readObjects } from '../lib/git-objects.js';
import { listWorktrees } from '../lib/git.js';
import { readTextInsideRoot, type TextInsideRoot } from '../lib/read-text.js';
import { releasePath, slicePath, type Repo } from '../lib/repo.js';
import { shellQuote } from '../lib/shell-quote.js';
import { checkedNextStep } from '../lifecycle/gates.js';
import { onlyOpenRelease } from '../lifecycle/open-release.js';
import { readReceiptLog, type LogEntry } from '../lifecycle/receipt-log.js';

/**
 * Everything a brief is made of, read from the repository the way the board reads it: the board
 * itself, the slice's files from the branch its record lives on, the release's intake and index from
 * release-wt (else the working tree), the receipts from git history, and the notes of the latest
 * verdict from the commit that recorded it. Nothing is written.
 */

/** A file the brief shows: where it was read, how to open it, and its text. */
export interface BriefDocument {
  /** Repository-relative path. */
  path: string;
  /** The branch it was read from, or "working tree". */
  source: string;
  /** How to open it on this machine: the file in a checkout of that branch, else `git show`. */
  open: string;
  text: string;
}

/** What a receipt's command was given, from its commit message: a verdict's block, a planner's answer. */
export interface ReceiptNotes {
  commit: string;
  event: string;
  date: string;
  notes: string;
}

export interface SliceSources {
  entry: BoardSlice;
  track: BoardTrack | undefined;
  /** The next protocol command, as `baton next` gives it. */
  step: NextStep;
  spec: BriefDocument | undefined;
  proof: BriefDocument | undefined;
  journal: BriefDocument | undefined;
  status: BriefDocument | undefined;
  /** The notes of the latest verdict. */
  verdict: ReceiptNotes | undefined;
  /** The planner's answer to that verdict (an unblocked or reopened receipt after it). */
  answer: ReceiptNotes | undefined;
}

export interface BriefSources {
  releaseDir: string;
  board: Board;
  release: BoardRelease;
  /** Undefined for a release's brief. */
  slice: SliceSources | undefined;
  intake: BriefDocument | undefined;
  index: BriefDocument | undefined;
  /** The slice's receipts (the release's, for a release's brief), oldest first, as `baton log` lists them. */
  timeline: LogEntry[];
}

/** A file larger than this is named, never held: a brief is read at the start of a session. */
const MAX_DOCUMENT_BYTES = 512 * 1024;

export async function readBriefSources(repo: Repo, target: { slice?: string | undefined; release?: string | undefined }): Promise<BriefSources> {
  const slice = target.slice;
  // The timeline: the receipts of commits that change the release's own folder, which every one that
  // counts does. Read alongside the board when the release is named.
  const timelineOf = (release: string) => readReceiptLog(repo, { release, slice }, releasePath(repo, release));
  const early = target.release === undefined ? undefined : timelineOf(target.release);
  early?.catch(() => undefined); // awaited below
  const [{ board, release }, worktrees] = await Promise.all([boardOf(repo, target), checkouts(repo)]);
  const timelineRead = early ?? timelineOf(release.id);
  const docs = release.releaseBranchExists
    ? { label: release.releaseBranch, refs: [`refs/heads/${release.releaseBranch}`, `refs/remotes/origin/${release.releaseBranch}`] }
    : { label: 'working tree', refs: [] };
  const releaseFolder = releasePath(repo, release.id);
  const [[intake, index], sliceSources, timeline] = await Promise.all([
    readDocuments(repo, worktrees, docs.label, docs.refs, [`${releaseFolder}/intake.md`, `${releaseFolder}/index.md`]),
    slice === undefined ? undefined : readSlice(repo, board, release, slice, worktrees, timelineRead),
    timelineRead,
  ]);
  return { releaseDir: repo.config.releaseDir, board, release, slice: sliceSources, intake, index, timeline };
}

/** The board of the release asked for: the slice's, the one named, or the one open release. */
async function boardOf(repo: Repo, target: { slice?: string | undefined; release?: string | undefined }): Promise<{ board: Board; release: BoardRelease }> {
  const board = await readBoard(repo, target.release);
  if (target.slice !== undefined) return { board, release: findOnBoard(board, target.slice, target.release) };
  const id = target.release ?? onlyOpenRelease(board, 'brief <release> --role planner');
  return { board, release: board.releases.find((release) => release.id === id) as BoardRelease };
}

async function readSlice(repo: Repo, board: Board, release: BoardRelease, id: string, worktrees: Map<string, string>, timeline: Promise<LogEntry[]>): Promise<SliceSources> {
  const entry = release.slices.find((candidate) => candidate.id === id) as BoardSlice;
  const track = release.tracks.find((candidate) => candidate.slices.includes(id));
  const folder = slicePath(repo, release.id, id);
  const source = entry.source;
  const names = ['spec.md', 'proof.md', 'journal.md', 'status.json'].map((name) => `${folder}/${name}`);
  const [[spec, proof, journal, status], step, notes] = await Promise.all([
    source === null ? Promise.resolve([undefined, undefined, undefined, undefined]) : readDocuments(repo, worktrees, source, [`refs/heads/${source}`, `refs/remotes/${source}`], names),
    checkedNextStep(repo, board, id, release.id),
    timeline.then((receipts) => readNotes(repo, noteCommits(entry, receipts))),
  ]);
  return { entry, track, step, spec, proof, journal, status, verdict: notes.verdict, answer: notes.answer };
}

/** The latest verdict's receipt, and a planner's answer recorded after it. */
function noteCommits(entry: BoardSlice, timeline: LogEntry[]): { verdict?: LogEntry | undefined; answer?: LogEntry | undefined } {
  const counted = timeline.filter((receipt) => receipt.counts && receipt.slice === entry.id);
  const verdict = counted.findLast((receipt) => receipt.commit === entry.receipts.lastVerdict?.commit);
  const after = verdict === undefined ? [] : counted.slice(counted.indexOf(verdict) + 1);
  return { verdict, answer: after.findLast((receipt) => receipt.event === 'unblocked' || receipt.event === 'reopened') };
}

async function readNotes(repo: Repo, commits: { verdict?: LogEntry | undefined; answer?: LogEntry | undefined }): Promise<{ verdict?: ReceiptNotes; answer?: ReceiptNotes }> {
  const wanted = [commits.verdict, commits.answer];
  const objects = await readObjects(repo.root, wanted.flatMap((receipt) => (receipt ? [{ kind: 'contents' as const, name: receipt.commit }] : [])));
  const notes = (receipt: LogEntry | undefined): ReceiptNotes | undefined => {
    if (!receipt) return undefined;
    const object = objects.shift();
    return object?.content ? { commit: receipt.commit, event: receipt.event, date: receipt.date, notes: commitNotes(object.content.toString('utf8')) } : undefined;
  };
  const verdict = notes(commits.verdict);
  const answer = notes(commits.answer);
  return { ...(verdict ? { verdict } : {}), ...(answer ? { answer } : {}) };
}

/** A raw commit object's message without its subject and without the receipt, its last paragraph. */
function commitNotes(commit: string): string {
  const message = commit.slice(commit.indexOf('\n\n') + 2);
  const paragraphs = message.split(/\n{2,}/).slice(1);
  if (paragraphs.length > 0 && /^Baton-Receipt:/m.test(paragraphs.at(-1) as string)) paragraphs.pop();
  return paragraphs.join('\n\n').trim();
}

/** Branch to the checkout that has it, from `git worktree list`. */
async function checkouts(repo: Repo): Promise<Map<string, string>> {
  const worktrees = await listWorktrees(repo.root);
  return new Map(worktrees.flatMap((worktree) => (worktree.branch ? [[worktree.branch, worktree.path] as const] : [])));
}

/**
 * Files of one source, all through one `git cat-file`: from the first of `refs` that has each, or
 * from the working tree (the board's "working tree" source). Undefined for a file that is not there.
 */
async function readDocuments(repo: Repo, worktrees: Map<string, string>, source: string, refs: string[], files: string[]): Promise<(BriefDocument | undefined)[]> {
  const open = (file: string) => {
    if (source === 'working tree') return path.join(repo.root, file);
    const checkout = worktrees.get(source);
    return checkout ? path.join(checkout, file) : `git show ${shellQuote(`${source}:${file}`)}`;
  };
  const document = (file: string, text: string | undefined): BriefDocument | undefined => (text === undefined ? undefined : { path: file, source, open: open(file), text: held(text, open(file)) });
  if (source === 'working tree') return Promise.all(files.map(async (file) => document(file, workingText(await readTextInsideRoot(repo.root, file, MAX_DOCUMENT_BYTES), open(file)))));
  const answers = await readObjects(repo.root, files.flatMap((file) => refs.map((ref) => ({ kind: 'contents' as const, name: `${ref}:${file}` }))));
  return files.map((file, index) => {
    const found = answers.slice(index * refs.length, (index + 1) * refs.length).find((answer) => answer?.type === 'blob');
    return document(file, found?.content?.toString('utf8'));
  });
}

/** The text a brief may hold of a file: all of it, or a line saying it is too large. */
function held(text: string, open: string): string {
  const bytes = Buffer.byteLength(text);
  return bytes > MAX_DOCUMENT_BYTES ? tooLarge(bytes, open) : text;
}

function tooLarge(bytes: number, open: string): string {
  return `(${bytes} bytes, more than a brief holds (${MAX_DOCUMENT_BYTES}); open ${open})\n`;
}

/**
 * A working-tree file as a brief holds it. The dashboard serves briefs to whoever can reach its port
 * on this machine, so a file the repository links to outside itself is named, never read.
 */
function workingText(read: TextInsideRoot, open: string): string | undefined {
  switch (read.kind) {
    case 'absent':
      return undefined;
    case 'text':
      return read.text;
    case 'too-large':
      return tooLarge(read.bytes, open);
    case 'refused':
      return `(not held: ${read.why}; open ${open})\n`;
  }
}
