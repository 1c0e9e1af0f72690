import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { errnoCode, OperationalError } from '../../scripts/lib/errors.js';
import { damagedManifest, MANIFEST_MAX_BYTES, parseManifest, type Manifest } from './manifest.js';

export { assertInsideRoot } from '../../scripts/lib/inside-root.js';

/**
 * Reading what is on disk before planning: manifests, the hash of every file the plan may touch, which
 * directories exist, and the guarantee that no path leaves its root through a symbolic link.
 */

/** Reads a manifest, or null when there is none. */
export async function readManifest(file: string): Promise<Manifest | null> {
  try {
    return parseManifest(await readBounded(file), file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    if (error instanceof OperationalError) throw error;
    throw new OperationalError(`Cannot read the install manifest ${file}.`, { cause: error, fix: 'Check its permissions.' });
  }
}

/**
 * A manifest's text, refused beyond MANIFEST_MAX_BYTES. Reads at most one byte past the bound, so
 * neither a huge file nor a named pipe or device in its place can hang the installer or fill memory.
 */
async function readBounded(file: string): Promise<string> {
  // Checked before opening: opening a named pipe would wait for a writer.
  if (!(await stat(file)).isFile()) throw damagedManifest(file, 'it is not a regular file');
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(MANIFEST_MAX_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MANIFEST_MAX_BYTES) throw damagedManifest(file, `it is larger than ${MANIFEST_MAX_BYTES / 1024 / 1024} MB`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
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
