import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { errnoCode, OperationalError } from '../../scripts/lib/errors.js';
import { parseManifest, type Manifest } from './manifest.js';

export { assertInsideRoot } from '../../scripts/lib/inside-root.js';

/**
 * Reading what is on disk before planning: manifests, the hash of every file the plan may touch, which
 * directories exist, and the guarantee that no path leaves its root through a symbolic link.
 */

/** Reads a manifest, or null when there is none. */
export async function readManifest(file: string): Promise<Manifest | null> {
  try {
    return parseManifest(await readFile(file, 'utf8'), file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    if (error instanceof OperationalError) throw error;
    throw new OperationalError(`Cannot read the install manifest ${file}.`, { cause: error, fix: 'Check its permissions.' });
  }
}

/** SHA-256 of a file's bytes, or null when it does not exist. A directory in its place is an error. */
export async function hashFile(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') {
      throw new OperationalError(`${file} is a directory, but baton installs a file there.`, { fix: 'Move the directory away, then run again.' });
    }
    throw new OperationalError(`Cannot read ${file}.`, { cause: error, fix: 'Check its permissions.' });
  }
}

/** Which of the given directories exist now; a file where a directory belongs is an error. */
export async function findExistingDirs(dirs: Iterable<string>): Promise<Set<string>> {
  const existing = new Set<string>();
  for (const dir of new Set(dirs)) {
    try {
      if ((await stat(dir)).isDirectory()) existing.add(dir);
      else throw new OperationalError(`${dir} is a file, but baton needs a folder there.`, { fix: 'Move the file away, then run again.' });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') continue;
      throw error;
    }
  }
  return existing;
}
