import { constants } from 'node:fs';
import { open, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, OperationalError } from './errors.js';
import { isWithin, realLocation } from './inside-root.js';

/** A text file's content, or undefined when it does not exist. Invalid UTF-8 is replaced, never fatal. */
export async function readTextIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EISDIR') throw new OperationalError(`${file} is a directory, but a file was expected.`, { fix: 'Move the directory away.' });
    throw new OperationalError(`Cannot read ${file}.`, { cause: error, fix: 'Check its permissions.' });
  }
}

/** Whether anything exists at a path. */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false;
    throw new OperationalError(`Cannot inspect ${file}.`, { cause: error, fix: 'Check its permissions.' });
  }
}

/** What `readTextInsideRoot` found at a path a repository chose. */
export type TextInsideRoot =
  | { kind: 'text'; text: string }
  | { kind: 'absent' }
  | { kind: 'too-large'; bytes: number }
  | { kind: 'refused'; why: string };

/**
 * A working-tree file named by a repository, read without trusting it: a link is followed only when
 * it stays inside the root's real location (a repository can point one at anything on the machine),
 * only a regular file is read (a FIFO would block, a device never end), and its size is checked before
 * a byte is read. Invalid UTF-8 is replaced, never fatal.
 */
export async function readTextInsideRoot(root: string, relative: string, maxBytes: number): Promise<TextInsideRoot> {
  let real: string;
  try {
    real = await realpath(path.join(root, relative));
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    throw new OperationalError(`Cannot resolve ${path.join(root, relative)}.`, { cause: error, fix: 'Check its permissions and the links on its path.' });
  }
  if (!isWithin(real, await realLocation(root))) return { kind: 'refused', why: `${relative} leads outside the repository through a link, so it is not read` };
  // The links are resolved: O_NOFOLLOW refuses one put in since; O_NONBLOCK keeps a FIFO from blocking the open.
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw new OperationalError(`Cannot read ${path.join(root, relative)}.`, { cause: error, fix: 'Check its permissions.' });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { kind: 'refused', why: `${relative} is not a regular file` };
    if (stats.size > maxBytes) return { kind: 'too-large', bytes: stats.size };
    // Its size as checked, not more: a file that grows meanwhile is read as it was.
    const buffer = Buffer.alloc(stats.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { kind: 'text', text: buffer.subarray(0, filled).toString('utf8') };
  } finally {
    await handle.close();
  }
}
