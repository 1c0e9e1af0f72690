import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, errnoCode, OperationalError } from '../../scripts/lib/errors.js';
import type { InstallPlan, PlannedFile } from './plan-install.js';

/**
 * Applies a plan as one transaction. New content is first written to temporary files beside their
 * destinations (so a full disk or a read-only folder fails before anything is replaced), then every
 * destination is swapped in by rename, keeping the previous file aside. If any step fails, every
 * step already taken is undone in reverse and the error names the file and the cause.
 */

export interface ApplyResult {
  written: string[];
  removed: string[];
  backups: string[];
  /** Problems that did not stop the install (a leftover temporary file that could not be deleted). */
  warnings: string[];
}

/** Undo steps, run newest first if the transaction fails. */
type Undo = () => Promise<void>;

export async function applyPlan(plan: InstallPlan): Promise<ApplyResult> {
  const tx = randomBytes(4).toString('hex');
  const undo: Undo[] = [];
  const asides: string[] = [];
  const result: ApplyResult = { written: [], removed: [], backups: [], warnings: [] };
  let current = '';

  try {
    for (const dir of plan.createDirs) {
      current = dir;
      await makeDir(dir, undo);
    }
    const writes = plan.files.filter((file) => file.action === 'create' || file.action === 'update');
    const removals = plan.files.filter((file) => file.action === 'remove');

    // Stage: every new content and every backup is written before any destination changes.
    const staged = new Map<PlannedFile, string>();
    for (const file of [...writes, ...removals]) {
      if (!file.backupPath) continue;
      current = file.backupPath;
      await makeDirs(path.dirname(file.backupPath), undo);
      await copyFile(file.absPath, file.backupPath);
      undo.push(() => unlink(file.backupPath as string));
      result.backups.push(file.backupPath);
    }
    for (const file of writes) {
      current = file.absPath;
      const temporary = `${file.absPath}.baton-tmp-${tx}`;
      await writeFile(temporary, file.content ?? '', { mode: file.mode, flag: 'wx' });
      undo.push(() => unlinkIfPresent(temporary));
      await chmod(temporary, file.mode);
      staged.set(file, temporary);
    }

    // Commit: swap each destination, keeping what was there aside until the end.
    for (const file of [...writes, ...removals]) {
      current = file.absPath;
      if (file.action !== 'create') {
        const aside = `${file.absPath}.baton-old-${tx}`;
        await rename(file.absPath, aside);
        undo.push(() => rename(aside, file.absPath));
        asides.push(aside);
      }
      const temporary = staged.get(file);
      if (temporary) {
        await rename(temporary, file.absPath);
        undo.push(() => unlinkIfPresent(file.absPath));
        result.written.push(file.absPath);
      } else {
        result.removed.push(file.absPath);
      }
    }
  } catch (error) {
    const failures = await rollBack(undo);
    throw installFailure(current, error, failures);
  }

  for (const aside of asides) {
    await unlink(aside).catch((error: unknown) => result.warnings.push(`could not delete ${aside}: ${describeFsError(error)}`));
  }
  for (const dir of plan.removeDirs) {
    await removeIfEmpty(dir).catch((error: unknown) => result.warnings.push(`could not remove the folder ${dir}: ${describeFsError(error)}`));
  }
  return result;
}

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
      ? `Make ${path.dirname(file)} writable, or install elsewhere (--scope, CLAUDE_CONFIG_DIR, CODEX_HOME, AGENTS_HOME).`
      : code === 'ENOSPC'
        ? 'Free some disk space and run again.'
        : 'Remove the cause named above and run again.';
  return new OperationalError(`Could not install ${file}: ${describeFsError(error)}. ${restored}`, { fix, cause: error });
}

async function makeDir(dir: string, undo: Undo[]): Promise<void> {
  try {
    await mkdir(dir);
    undo.push(() => rmdir(dir));
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
  }
}

/** mkdir -p that remembers each folder it created, so a rollback removes exactly those. */
async function makeDirs(dir: string, undo: Undo[]): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      await readdir(current);
      break;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || path.dirname(current) === current) throw error;
      missing.unshift(current);
    }
  }
  for (const folder of missing) await makeDir(folder, undo);
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    if ((await readdir(dir)).length === 0) await rmdir(dir);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}
