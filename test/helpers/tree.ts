import { createHash } from 'node:crypto';
import { chown, lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

export interface TreeEntry {
  type: 'file' | 'dir' | 'link';
  /** SHA-256 of a file's bytes, or a link's target. */
  content: string;
  mode: number;
  mtimeMs: number;
}

/** Every entry under `root` with its type, content hash, mode and mtime: enough to prove "byte-for-byte unchanged". */
export async function snapshotTree(root: string): Promise<Record<string, TreeEntry>> {
  const entries: Record<string, TreeEntry> = {};
  async function walk(dir: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const stats = await lstat(full);
      const relative = path.relative(root, full);
      const base = { mode: stats.mode, mtimeMs: stats.mtimeMs };
      if (stats.isSymbolicLink()) {
        entries[relative] = { type: 'link', content: await readlink(full), ...base };
      } else if (stats.isDirectory()) {
        entries[relative] = { type: 'dir', content: '', ...base };
        await walk(full);
      } else {
        const hash = createHash('sha256').update(await readFile(full)).digest('hex');
        entries[relative] = { type: 'file', content: hash, ...base };
      }
    }
  }
  await walk(root);
  return entries;
}

/** The snapshot without mtimes, for "same files, same bytes, same modes" comparisons. */
export function contentOnly(tree: Record<string, TreeEntry>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([name, entry]) => [name, `${entry.type}:${entry.content}:${entry.mode.toString(8)}`]));
}

/** Gives a folder and everything in it to another user, for runs as that user (see InstallRun.uid). */
export async function chownTree(root: string, uid: number): Promise<void> {
  await chown(root, uid, uid);
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) await chownTree(full, uid);
    else await chown(full, uid, uid);
  }
}
