import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../scripts/lib/errors.js';
import { isWithin } from '../../scripts/lib/inside-root.js';
import type { InstallPlan } from './plan-install.js';

/**
 * What an uninstall leaves behind, so the user is told instead of finding it later: the files it
 * kept because they were edited, the manifest kept to record them (so `--uninstall --force` still finds
 * them), the `backups/` folders of earlier `--force` runs, and folders baton made that still hold
 * something the user put there. Read after the plan was applied (or found to change nothing).
 */

export interface Leftover {
  path: string;
  why: 'edited' | 'manifest' | 'backups' | 'not-empty';
}

/** `packDirs`: the pack folder of every tool of this run, where manifests and `backups/` live. */
export async function findLeftovers(plan: InstallPlan, packDirs: readonly string[]): Promise<Leftover[]> {
  const leftovers: Leftover[] = [];
  for (const file of plan.files) {
    if (file.action !== 'conflict') continue;
    leftovers.push({ path: file.absPath, why: 'edited' });
  }
  for (const file of plan.files) {
    if (file.kind === 'manifest' && file.action !== 'remove') leftovers.push({ path: file.absPath, why: 'manifest' });
  }
  for (const dir of new Set(packDirs)) {
    const backups = path.join(dir, 'backups');
    if ((await entriesOf(backups)) !== undefined) leftovers.push({ path: backups, why: 'backups' });
  }
  // Deepest first, so a folder is named only when nothing listed already explains why it stays.
  for (const dir of plan.removeDirs) {
    const entries = await entriesOf(dir);
    if (entries === undefined || entries.length === 0) continue;
    if (leftovers.some((leftover) => isWithin(leftover.path, dir))) continue;
    leftovers.push({ path: dir, why: 'not-empty' });
  }
  return leftovers;
}

/** A folder's entries, or undefined when it does not exist. */
async function entriesOf(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}
