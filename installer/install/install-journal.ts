import { lstat, readdir, rename, rmdir, stat, unlink, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, OperationalError } from '../../scripts/lib/errors.js';
import { assertInsideRoot, isWithin } from '../../scripts/lib/inside-root.js';

/**
 * The install journal makes applying a plan survive a crash at any moment. It lives in a pack
 * directory beside the manifest and lists every step of the run before the run takes it:
 *
 * - `staging`: folders are being created and new content written to `<file>.baton-tmp-<tx>`
 *   (and backups copied). Nothing the user has is changed yet, so an interrupted run is undone.
 * - `switching`: everything is staged; this rewrite is the commit point. Destinations are swapped in
 *   (`<file>` goes to `<file>.baton-old-<tx>`), manifests last. An interrupted run is finished.
 *
 * Every step of finishing or undoing is idempotent, so a crash while recovering is recovered too.
 */

export const JOURNAL_FILE = 'install-journal.json';

/** The names baton gives its own temporary files: `<file>.baton-tmp-<tx>` and `<file>.baton-old-<tx>`. */
const LEFTOVER_NAME = /^.+\.baton-(tmp|old)-[0-9a-f]{8}$/;
const JOURNAL_MAX_BYTES = 8 * 1024 * 1024;

export interface JournalStep {
  /** The destination. */
  path: string;
  op: 'write' | 'remove';
}

export interface Journal {
  format: 1;
  /** Random hex naming this run's temporary files. */
  tx: string;
  state: 'staging' | 'switching';
  /** Folders this run creates, parents first. */
  createDirs: string[];
  /** Backups this run copies (with --force). */
  backups: string[];
  /** The swaps, in order; manifests last. */
  steps: JournalStep[];
  /** Folders removed at the end if empty, children first. */
  removeDirs: string[];
}

/** Called right before each file-system step of applying or recovering (`write` for each file written). */
export type BeforeStep = (op: 'mkdir' | 'write' | 'chmod' | 'rename' | 'unlink' | 'rmdir', target: string) => void;

export const temporaryOf = (file: string, tx: string) => `${file}.baton-tmp-${tx}`;
export const asideOf = (file: string, tx: string) => `${file}.baton-old-${tx}`;

/** Writes the journal atomically: a temporary file renamed over it, so a reader sees a whole one or none. */
export async function writeJournal(file: string, journal: Journal, step: BeforeStep): Promise<void> {
  const temporary = temporaryOf(file, journal.tx);
  step('write', temporary);
  await writeFile(temporary, `${JSON.stringify(journal, null, 2)}\n`);
  step('rename', file);
  await rename(temporary, file);
}

/**
 * Reads a journal, or null when there is none. A journal is data in a folder a repository may
 * provide (`.baton/` in project scope), so it is checked like a manifest: bounded, well formed, and
 * every path it names inside one of `roots` (the roots of every tool of this scope).
 */
export async function readJournal(file: string, roots: readonly string[]): Promise<Journal | null> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > JOURNAL_MAX_BYTES) throw damaged(file, 'it is not a regular file of reasonable size');
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    if (error instanceof OperationalError) throw error;
    throw new OperationalError(`Cannot read the install journal ${file}.`, { cause: error, fix: 'Check its permissions.' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged(file, 'it is not JSON');
  }
  if (!isJournal(value)) throw damaged(file, 'unknown format');
  const dirs = [...value.createDirs, ...value.removeDirs];
  const files = [...value.backups, ...value.steps.map((entry) => entry.path)];
  const backups = path.join(path.dirname(file), 'backups');
  for (const candidate of [...dirs, ...files]) {
    const root = roots.find((dir) => isWithin(candidate, dir));
    const plain = path.isAbsolute(candidate) && path.normalize(candidate) === candidate;
    if (!plain || root === undefined || (files.includes(candidate) && candidate === root)) {
      throw damaged(file, `it names "${JSON.stringify(candidate).slice(1, -1).slice(0, 120)}", which is not inside the folders baton installs into`);
    }
    await assertInsideRoot(root, path.relative(root, candidate).split(path.sep).join('/'), 'baton-install');
  }
  if (!value.backups.every((backup) => isWithin(backup, backups))) throw damaged(file, `a backup it names is not under ${backups}`);
  return value;
}

function damaged(file: string, why: string): OperationalError {
  return new OperationalError(`The install journal ${file} is damaged: ${why}.`, {
    fix: 'If you did not interrupt a baton-install, the repository may be hostile: delete the journal, check the files baton installs, and run again.',
  });
}

/**
 * Finishes an interrupted run: undone when it was still staging, completed when it was switching.
 * Returns what was done, for the report.
 */
export async function finishJournal(file: string, journal: Journal, step: BeforeStep): Promise<'undone' | 'finished'> {
  const { tx } = journal;
  if (journal.state === 'staging') {
    for (const entry of journal.steps) await unlinkIfPresent(temporaryOf(entry.path, tx), step);
    for (const backup of journal.backups) await unlinkIfPresent(backup, step);
    await unlinkIfPresent(temporaryOf(file, tx), step);
    await settleDirs(file, [...journal.createDirs].reverse(), step);
    return 'undone';
  }
  for (const entry of journal.steps) {
    const temporary = temporaryOf(entry.path, tx);
    if (entry.op === 'write' && (await exists(temporary))) {
      step('rename', entry.path);
      await rename(temporary, entry.path);
    } else if (entry.op === 'remove') {
      await unlinkIfPresent(entry.path, step);
    }
  }
  for (const entry of journal.steps) await unlinkIfPresent(asideOf(entry.path, tx), step);
  await unlinkIfPresent(temporaryOf(file, tx), step);
  await settleDirs(file, journal.removeDirs, step);
  return 'finished';
}

/**
 * Removes the given folders where empty, deletes the journal, then tries again the folders that held
 * it (an uninstall removes the pack folder the journal lives in).
 */
async function settleDirs(file: string, dirs: string[], step: BeforeStep): Promise<void> {
  for (const dir of dirs) await removeIfEmpty(dir, step);
  await unlinkIfPresent(file, step);
  for (const dir of dirs) if (isWithin(path.dirname(file), dir)) await removeIfEmpty(dir, step);
}

/**
 * Deletes baton's own temporary files left in `folders` by a run that crashed before it wrote a
 * journal (or by an older baton): only regular files whose names match baton's pattern.
 */
export async function removeLeftovers(folders: Iterable<string>, step: BeforeStep): Promise<string[]> {
  const removed: string[] = [];
  for (const folder of new Set(folders)) {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') continue;
      throw error;
    }
    for (const name of names.filter((entry) => LEFTOVER_NAME.test(entry))) {
      const leftover = path.join(folder, name);
      if (!(await lstat(leftover)).isFile()) continue;
      await unlinkIfPresent(leftover, step);
      removed.push(leftover);
    }
  }
  return removed;
}

export async function unlinkIfPresent(file: string, step: BeforeStep): Promise<void> {
  try {
    step('unlink', file);
    await unlink(file);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

export async function removeIfEmpty(dir: string, step: BeforeStep): Promise<void> {
  try {
    if ((await readdir(dir)).length > 0) return;
    step('rmdir', dir);
    await rmdir(dir);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isJournal(value: unknown): value is Journal {
  if (typeof value !== 'object' || value === null) return false;
  const journal = value as Record<string, unknown>;
  return (
    journal.format === 1 &&
    typeof journal.tx === 'string' &&
    /^[0-9a-f]{8}$/.test(journal.tx) &&
    (journal.state === 'staging' || journal.state === 'switching') &&
    isStrings(journal.createDirs) &&
    isStrings(journal.backups) &&
    isStrings(journal.removeDirs) &&
    Array.isArray(journal.steps) &&
    journal.steps.every((entry: unknown) => {
      const candidate = entry as Record<string, unknown> | null;
      return typeof candidate === 'object' && candidate !== null && typeof candidate.path === 'string' && (candidate.op === 'write' || candidate.op === 'remove');
    })
  );
}
