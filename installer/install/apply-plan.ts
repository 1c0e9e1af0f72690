import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, errnoCode, OperationalError } from '../../scripts/lib/errors.js';
import { isWithin } from '../../scripts/lib/inside-root.js';
import { asideOf, finishJournal, temporaryOf, unlinkIfPresent, writeJournal, type BeforeStep, type Journal } from './install-journal.js';
import type { InstallPlan } from './plan-install.js';

/**
 * Applies a plan as one transaction that survives a crash (see install-journal.ts). A journal listing
 * every step is written first; new content and backups are staged beside their destinations (so a
 * full disk or a read-only folder fails before anything is replaced); the journal is then marked
 * `switching`, the commit point; destinations are swapped in by rename, manifests last, keeping the
 * previous files aside until the end. A failure in this process undoes every step already taken and
 * names the file and the cause; a crash is finished or undone by the next run from the journal.
 */

export interface ApplyResult {
  written: string[];
  removed: string[];
  backups: string[];
  /** Problems that did not stop the install (a leftover temporary file that could not be deleted). */
  warnings: string[];
}

export interface ApplyOptions {
  /** Where the journal is written: a pack directory beside a manifest. */
  journalPath: string;
  /** Test hook, called before each file-system step; see the CLI's testFailpoint. */
  beforeStep?: BeforeStep;
}

/** Undo steps, run newest first if the transaction fails. */
type Undo = () => Promise<void>;

export async function applyPlan(plan: InstallPlan, options: ApplyOptions): Promise<ApplyResult> {
  const step: BeforeStep = options.beforeStep ?? (() => undefined);
  const tx = randomBytes(4).toString('hex');
  const undo: Undo[] = [];
  const result: ApplyResult = { written: [], removed: [], backups: [], warnings: [] };
  const writes = plan.files.filter((file) => file.action === 'create' || file.action === 'update');
  const removals = plan.files.filter((file) => file.action === 'remove');
  // Manifests last: a manifest never describes a file that is not there yet.
  const swaps = [...writes, ...removals].sort((a, b) => Number(a.kind === 'manifest') - Number(b.kind === 'manifest'));
  const backups = swaps.filter((file) => file.backupPath);
  const journalDir = path.dirname(options.journalPath);
  const createDirs = [...plan.createDirs, ...(await missingDirs(backups.map((file) => path.dirname(file.backupPath as string)), plan.createDirs))];
  const journal: Journal = {
    format: 1,
    tx,
    state: 'staging',
    createDirs,
    backups: backups.map((file) => file.backupPath as string),
    steps: swaps.map((file) => ({ path: file.absPath, op: file.action === 'remove' ? 'remove' : 'write' })),
    removeDirs: plan.removeDirs,
  };
  let current = options.journalPath;

  try {
    // The journal's own folder comes first (a first install creates it); then the journal, so that
    // every later step is known to the next run if this one dies.
    for (const dir of createDirs.filter((folder) => isWithin(journalDir, folder))) await makeDir((current = dir), undo, step);
    undo.push(() => unlinkIfPresent(temporaryOf(options.journalPath, tx), noStep));
    undo.push(() => unlinkIfPresent(options.journalPath, noStep));
    await writeJournal(options.journalPath, journal, step);
    for (const dir of createDirs) await makeDir((current = dir), undo, step);

    // Stage. Each undo exists before its write starts, so a failed write's partial file goes too.
    for (const file of backups) {
      const backup = (current = file.backupPath as string);
      undo.push(() => unlinkIfPresent(backup, noStep));
      step('write', backup);
      await copyFile(file.absPath, backup, constants.COPYFILE_EXCL);
      result.backups.push(backup);
    }
    for (const file of writes) {
      current = file.absPath;
      const temporary = temporaryOf(file.absPath, tx);
      undo.push(() => unlinkIfPresent(temporary, noStep));
      step('write', temporary);
      await writeFile(temporary, file.content ?? '', { mode: file.mode, flag: 'wx' });
      step('chmod', temporary);
      await chmod(temporary, file.mode);
    }

    current = options.journalPath;
    await writeJournal(options.journalPath, { ...journal, state: 'switching' }, step);

    // Switch: swap each destination, keeping what was there aside until the end.
    for (const file of swaps) {
      current = file.absPath;
      if (file.action !== 'create') {
        const aside = asideOf(file.absPath, tx);
        step('rename', aside);
        await rename(file.absPath, aside);
        undo.push(() => rename(aside, file.absPath));
      }
      if (file.action === 'remove') {
        result.removed.push(file.absPath);
        continue;
      }
      step('rename', file.absPath);
      await rename(temporaryOf(file.absPath, tx), file.absPath);
      undo.push(() => unlinkIfPresent(file.absPath, noStep));
      result.written.push(file.absPath);
    }
  } catch (error) {
    const failures = await rollBack(undo);
    throw installFailure(current, error, failures);
  }

  // Done: what is left is tidying, which the journal still covers if this process dies now.
  try {
    await finishJournal(options.journalPath, { ...journal, state: 'switching' }, step);
  } catch (error) {
    result.warnings.push(`could not tidy up after the install (${describeFsError(error)}); the next run finishes it`);
  }
  return result;
}

/** Which folders of `dirs` (and their parents) do not exist and are not already in `planned`, parents first. */
async function missingDirs(dirs: string[], planned: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const dir of dirs) {
    const chain: string[] = [];
    for (let current = dir; !planned.includes(current) && !missing.includes(current); current = path.dirname(current)) {
      try {
        await stat(current);
        break;
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT' || path.dirname(current) === current) throw error;
        chain.unshift(current);
      }
    }
    missing.push(...chain);
  }
  return missing;
}

const noStep: BeforeStep = () => undefined;

async function rollBack(undo: Undo[]): Promise<string[]> {
  const failures: string[] = [];
  for (const step of undo.reverse()) {
    try {
      await step();
    } catch (error) {
      failures.push(describeFsError(error));
    }
  }
  return failures;
}

function installFailure(file: string, error: unknown, rollbackFailures: string[]): OperationalError {
  const code = errnoCode(error);
  const restored = rollbackFailures.length === 0
    ? 'Every change was rolled back; your files are as they were.'
    : `Rolling back also failed (${rollbackFailures.join('; ')}); check the folders above by hand.`;
  const fix =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? `Make ${path.dirname(file)} writable, or install elsewhere (--scope, or a variable that moves a tool's folder; see baton-install --help).`
      : code === 'ENOSPC'
        ? 'Free some disk space and run again.'
        : 'Remove the cause named above and run again.';
  return new OperationalError(`Could not install ${file}: ${describeFsError(error)}. ${restored}`, { fix, cause: error });
}

async function makeDir(dir: string, undo: Undo[], step: BeforeStep): Promise<void> {
  try {
    step('mkdir', dir);
    await mkdir(dir);
    undo.push(() => rmdir(dir));
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
  }
}
