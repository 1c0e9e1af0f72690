import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from './errors.js';
import { gitBytes, gitStream, gitText } from './git.js';
import { LOG_FORMAT, parseDiff, parseLogPatches, type FilePatch, type Hunk } from './unified-diff.js';

/**
 * What a slice changed, by one definition shared by every check: what the slice's own commits since
 * the base changed, plus uncommitted and untracked files. A merge on the branch's first-parent line
 * (the forward merge of release-wt or of the integration branch) brings in other people's work; its
 * changes move the slice's lines around but are not counted. A line the slice added and later removed
 * again is not counted either.
 *
 * The number of git processes is fixed (four without merges, six with), whatever the number of files.
 */

export interface AddedLine {
  /** 1-based line number in the file as it is now. */
  line: number;
  text: string;
}

export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  renamedFrom?: string;
  binary: boolean;
  /** How many lines the slice added that are still in the file. */
  addedCount: number;
  /** Those lines with their current line numbers: all of them, or those the caller's filter wants. */
  addedLines: AddedLine[];
}

export interface SliceChanges {
  base: string;
  files: ChangedFile[];
}

/** Which added lines a caller wants the text of (`baton verify` wants only lines that may hold a marker). */
export interface LineFilter {
  /** A POSIX extended regular expression for `git diff -G`: files whose changes cannot hold a wanted line are not diffed in full. */
  git: string;
  test(text: string): boolean;
}

export interface ReadChangesOptions {
  /** Paths that are never part of the slice's changes (its own record folder). */
  exclude?: (file: string) => boolean;
  /** Which added lines to keep the text of: all (the default), those a filter wants, or none. */
  lines?: LineFilter | 'none';
  /**
   * Where the slice's work ends, for a slice that is already verified: the commit its verdict was
   * given on. Later slices of the same track are not its work. Without it, the work ends at the
   * working tree (HEAD plus uncommitted and untracked files).
   */
  end?: string;
}

/** Flags that keep git's output parseable whatever the user's configuration says. */
const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--find-renames', '--no-relative'];
const PATCH_FLAGS = ['-U0', ...DIFF_FLAGS, '--src-prefix=a/', '--dst-prefix=b/'];

export async function readSliceChanges(root: string, base: string, options: ReadChangesOptions = {}): Promise<SliceChanges> {
  // The direct reading starts at once, in parallel with the question it depends on (are there merges
  // since the base?); in the rarer case that there are, its answer is dropped.
  const end = options.end;
  const direct = readDirect(root, base, end, options.lines);
  direct.catch(() => undefined); // a failure is reported where it is awaited, not as an unhandled rejection
  const [merges, untracked] = await Promise.all([
    gitText(root, ['rev-list', '--first-parent', '--merges', '--max-count=1', `${base}..${end ?? 'HEAD'}`, '--']),
    end ? Promise.resolve('') : gitText(root, ['ls-files', '--others', '--exclude-standard', '-z']),
  ]);
  // With merges, the direct reading still says which files differ from the base at all.
  const files = merges === '' ? await direct : await readReplayed(root, base, end, new Set((await direct).map((file) => file.path)));
  const exclude = options.exclude ?? (() => false);
  files.push(...(await Promise.all(untracked.split('\0').filter((file) => file !== '' && !exclude(file)).map((file) => readUntracked(root, file)))));

  const test = options.lines === 'none' ? () => false : options.lines?.test;
  const kept = files.filter((file) => !exclude(file.path));
  for (const file of kept) if (test) file.addedLines = file.addedLines.filter((line) => test(line.text));
  return { base, files: kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/**
 * No merge since the base: everything between the base and the working tree is the slice's own, and
 * git says it exactly (a reverted change does not appear at all). The file list comes from one summary
 * diff; the text of added lines from a second diff limited, with -G, to files that may hold a wanted line.
 */
async function readDirect(root: string, base: string, end: string | undefined, lines: LineFilter | 'none' | undefined): Promise<ChangedFile[]> {
  const range = end ? [base, end] : [base];
  const added = new Map<string, AddedLine[]>();
  // Parsed as it streams in: in a -U0 patch every line of content starts with "+", "-", " " or "\",
  // so a line starting with "diff --git " always begins the next file.
  let pending = '';
  const take = (text: string, last: boolean) => {
    pending += text;
    const cut = last ? pending.length : pending.lastIndexOf('\ndiff --git ');
    if (cut <= 0) return;
    for (const patch of parseDiff(pending.slice(0, cut))) {
      if (patch.newPath !== null) added.set(patch.newPath, patch.hunks.flatMap(linesOf));
    }
    pending = pending.slice(cut + 1);
  };
  const filter = lines && lines !== 'none' ? [`-G${lines.git}`] : [];
  const [summary] = await Promise.all([
    gitText(root, ['diff', '--raw', '--numstat', '-z', ...DIFF_FLAGS, ...range, '--']),
    lines === 'none' ? undefined : gitStream(root, ['-c', 'core.quotePath=true', 'diff', ...PATCH_FLAGS, ...filter, ...range, '--'], (text) => take(text, false)).then(() => take('', true)),
  ]);
  return parseSummary(summary).map((file) => ({ ...file, addedLines: file.status === 'deleted' ? [] : added.get(file.path) ?? [] }));
}

function linesOf(hunk: Hunk): AddedLine[] {
  return hunk.added.map((text, offset) => ({ line: hunk.newStart + offset, text }));
}

const STATUS: Record<string, ChangedFile['status']> = { A: 'added', D: 'deleted', R: 'renamed', C: 'added' };

/** Parses `git diff --raw --numstat -z`: raw records (status, paths) first, then numstat records (counts). */
function parseSummary(output: string): Omit<ChangedFile, 'addedLines'>[] {
  const tokens = output.split('\0');
  const files: Omit<ChangedFile, 'addedLines'>[] = [];
  let index = 0;
  while (index < tokens.length && (tokens[index] as string).startsWith(':')) {
    const letter = (tokens[index] as string).split(' ').pop()?.charAt(0) ?? 'M';
    if (letter === 'R' || letter === 'C') {
      const renamedFrom = tokens[index + 1] as string;
      files.push({ path: tokens[index + 2] as string, status: STATUS[letter] ?? 'modified', ...(letter === 'R' ? { renamedFrom } : {}), binary: false, addedCount: 0 });
      index += 3;
    } else {
      files.push({ path: tokens[index + 1] as string, status: STATUS[letter] ?? 'modified', binary: false, addedCount: 0 });
      index += 2;
    }
  }
  for (const file of files) {
    const [addedCount = '0', , renamed] = (tokens[index] ?? '').split('\t');
    file.binary = addedCount === '-';
    file.addedCount = file.binary ? 0 : Number(addedCount);
    // A renamed entry is "added<TAB>deleted<TAB>" followed by the old and the new path.
    index += renamed === '' ? 3 : 1;
  }
  return files;
}

/**
 * Merges brought in other work: replay the first-parent history patch by patch, moving the slice's
 * lines through each merge without counting what the merge added.
 */
async function readReplayed(root: string, base: string, end: string | undefined, differ: ReadonlySet<string>): Promise<ChangedFile[]> {
  const [log, worktree] = await Promise.all([
    gitBytes(root, ['-c', 'core.quotePath=true', 'log', '--first-parent', '--diff-merges=first-parent', '--reverse', '--no-show-signature', '-p', ...PATCH_FLAGS, LOG_FORMAT, `${base}..${end ?? 'HEAD'}`, '--']),
    end ? Promise.resolve(Buffer.alloc(0)) : gitBytes(root, ['-c', 'core.quotePath=true', 'diff', 'HEAD', ...PATCH_FLAGS, '--']),
  ]);
  const tracker = new ChangeTracker();
  for (const commit of parseLogPatches(log.toString('utf8'))) {
    const own = commit.parents.length <= 1;
    for (const patch of commit.files) tracker.apply(patch, own);
  }
  for (const patch of parseDiff(worktree.toString('utf8'))) tracker.apply(patch, true);
  // Where no merge touched a file, git's comparison with the base is exact (it sees a revert as no
  // change); where a merge did, the line tracking decides.
  const files: ChangedFile[] = [];
  for (const [file, state] of tracker.states) {
    if (!state.touchedByOwn) continue;
    if (state.touchedByMerge ? state.hasNetChange() : differ.has(file)) files.push(state.describe(file));
  }
  return files;
}

async function readUntracked(root: string, file: string): Promise<ChangedFile> {
  const untracked: ChangedFile = { path: file, status: 'added', binary: true, addedCount: 0, addedLines: [] };
  try {
    const stats = await lstat(path.join(root, file));
    if (!stats.isFile()) return untracked; // a link or a nested repository: no text lines
    const bytes = await readFile(path.join(root, file));
    if (bytes.subarray(0, 8000).includes(0)) return untracked;
    const lines = bytes.toString('utf8').split('\n').map((line) => line.replace(/\r$/, ''));
    if (lines.at(-1) === '') lines.pop();
    return { ...untracked, binary: false, addedCount: lines.length, addedLines: lines.map((text, index) => ({ line: index + 1, text })) };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return untracked; // vanished while reading
    throw error;
  }
}

/** Per-file state while patches are applied in order. */
class FileState {
  own: AddedLine[] = [];
  createdByOwn = false;
  deletedByOwn = false;
  renamedFrom: string | undefined;
  /** Lines that were not the slice's own and that the slice removed. */
  removedByOwn = 0;
  binaryByOwn = false;
  modeByOwn = false;
  touchedByOwn = false;
  touchedByMerge = false;

  hasNetChange(): boolean {
    return this.own.length > 0 || this.removedByOwn > 0 || this.createdByOwn || this.deletedByOwn || this.binaryByOwn || this.modeByOwn || this.renamedFrom !== undefined;
  }

  describe(file: string): ChangedFile {
    const status = this.deletedByOwn ? 'deleted' : this.createdByOwn ? 'added' : this.renamedFrom !== undefined ? 'renamed' : 'modified';
    const lines = this.deletedByOwn ? [] : this.own;
    return {
      path: file,
      status,
      ...(this.renamedFrom !== undefined && status === 'renamed' ? { renamedFrom: this.renamedFrom } : {}),
      binary: this.binaryByOwn,
      addedCount: lines.length,
      addedLines: lines,
    };
  }
}

class ChangeTracker {
  readonly states = new Map<string, FileState>();

  apply(patch: FilePatch, own: boolean): void {
    const { oldPath, newPath } = patch;
    const from = oldPath ?? newPath;
    if (from === null) return;
    let state = this.states.get(from);
    if (state && oldPath !== null && newPath !== null && oldPath !== newPath) {
      this.states.delete(oldPath);
      if (own && state.renamedFrom === undefined && !state.createdByOwn) state.renamedFrom = oldPath;
    }
    if (!state) {
      state = new FileState();
      if (own && oldPath !== null && newPath !== null && oldPath !== newPath) state.renamedFrom = oldPath;
    }
    if (own) state.touchedByOwn = true;
    else state.touchedByMerge = true;

    if (oldPath === null && own) {
      // A file the slice deleted and now adds back is a modification, not a creation.
      state.createdByOwn = !state.deletedByOwn;
      state.deletedByOwn = false;
    }
    applyHunks(state, patch.hunks, own);
    if (own && patch.binary) state.binaryByOwn = true;
    if (own && patch.modeChanged) state.modeByOwn = true;

    if (newPath === null) {
      // Deleted by a merge (the slice's lines went with it), or created and then deleted by the slice:
      // either way nothing of the slice's remains.
      if (!own || state.createdByOwn) {
        this.states.delete(from);
        return;
      }
      state.deletedByOwn = true;
      state.own = [];
      this.states.set(from, state);
      return;
    }
    this.states.set(newPath, state);
  }
}

/** Moves the slice's lines through one file patch: removed lines vanish, the rest shift; own patches add lines. */
function applyHunks(state: FileState, hunks: Hunk[], own: boolean): void {
  if (hunks.length === 0) return;
  const kept: AddedLine[] = [];
  let index = 0;
  let delta = 0;
  let removedOwn = 0;
  for (const line of state.own) {
    // Hunks that end before this line shift it; an insertion after line N shifts lines after N.
    while (index < hunks.length && lastOldLine(hunks[index] as Hunk) < line.line) {
      const hunk = hunks[index] as Hunk;
      delta += hunk.newCount - hunk.oldCount;
      index += 1;
    }
    const hunk = hunks[index];
    if (hunk && hunk.oldCount > 0 && line.line >= hunk.oldStart) {
      removedOwn += 1;
      continue;
    }
    kept.push({ line: line.line + delta, text: line.text });
  }
  if (!own) {
    state.own = kept;
    return;
  }
  const removedTotal = hunks.reduce((sum, hunk) => sum + hunk.oldCount, 0);
  state.removedByOwn += removedTotal - removedOwn;
  const added = hunks.flatMap(linesOf);
  // Hunks come in file order, so the added lines are already sorted; only a mix needs sorting.
  state.own = kept.length === 0 ? added : [...kept, ...added].sort((a, b) => a.line - b.line);
}

function lastOldLine(hunk: Hunk): number {
  return hunk.oldCount > 0 ? hunk.oldStart + hunk.oldCount - 1 : hunk.oldStart;
}
