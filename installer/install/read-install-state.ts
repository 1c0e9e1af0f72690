import { createHash } from 'node:crypto';
import { lstat, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, OperationalError } from '../../scripts/lib/errors.js';
import { parseManifest, type Manifest } from './manifest.js';

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

/**
 * Walks `relative` below `root` component by component. Every component that exists and is a
 * symbolic link must resolve inside the root's real location; otherwise the install is refused, so
 * baton never writes into a place the user did not point it at. The root itself may be a link (a
 * dotfiles checkout, for example): its real location becomes the boundary.
 */
export async function assertInsideRoot(root: string, relative: string): Promise<void> {
  const boundary = await realLocation(root);
  let current = root;
  for (const part of relative.split('/').filter(Boolean)) {
    current = path.join(current, part);
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return;
      throw new OperationalError(`Cannot inspect ${current}.`, { cause: error, fix: 'Check its permissions.' });
    }
    if (!isLink) continue;
    // Resolve the link's own target (it may dangle) rather than the link's location.
    const destination = await realLocation(path.resolve(path.dirname(current), await readlink(current)));
    if (!isWithin(destination, boundary)) {
      throw new OperationalError(`${current} is a symbolic link to ${destination}, outside ${root}; baton-install does not write through it.`, {
        fix: `Replace the link with a real folder or file, or point the install at ${destination} directly.`,
      });
    }
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

/** Real path of a location that may not exist yet: the real path of its nearest existing ancestor, plus the rest. */
async function realLocation(location: string): Promise<string> {
  const rest: string[] = [];
  let current = path.resolve(location);
  for (;;) {
    try {
      return path.join(await realpath(current), ...rest.reverse());
    } catch (error) {
      const code = errnoCode(error);
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) {
        throw new OperationalError(`Cannot resolve ${location}.`, { cause: error, fix: 'Check that the path and its links are valid.' });
      }
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

function isWithin(candidate: string, boundary: string): boolean {
  const relative = path.relative(boundary, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
