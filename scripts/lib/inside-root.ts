import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, OperationalError } from './errors.js';
import { excerpt } from './excerpt.js';

/**
 * Keeping every path baton derives from data inside the folder it belongs to. A repository is
 * untrusted input: a committed install manifest, a config file, index.md or a symbolic link in the
 * release folder must never make baton write, remove or back up anything outside its root. Both
 * checks are needed: a lexical one (`../x`, `/etc/x`) before any file is touched, and one through
 * the links that exist on disk.
 */

/**
 * Whether `relative` is a plain POSIX path below a root: not empty, not absolute, no `.`, `..` or
 * empty segment, no backslash or NUL (which mean other things on other systems or to the kernel).
 */
export function isInsideRootLexically(relative: string): boolean {
  if (relative === '' || relative.startsWith('/') || /[\\\0]/.test(relative)) return false;
  return relative.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * Checks `relative` below `root` lexically, then walks it component by component: every component
 * that exists and is a symbolic link must resolve inside the root's real location. The root itself
 * may be a link (a dotfiles checkout, for example): its real location becomes the boundary.
 * An empty `relative` names the root itself. `tool` names the program in the message.
 */
export async function assertInsideRoot(root: string, relative: string, tool = 'baton'): Promise<void> {
  if (relative !== '' && !isInsideRootLexically(relative)) {
    throw new OperationalError(`The path ${excerpt(relative, 120)} leads outside ${root}; ${tool} does not write, remove or back up anything there.`, {
      fix: 'The data naming this path is damaged or hostile: restore it from a copy you trust.',
    });
  }
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
      throw new OperationalError(`${current} is a symbolic link to ${destination}, outside ${root}; ${tool} does not write through it.`, {
        fix: `Replace the link with a real folder or file, or point ${tool} at ${destination} directly.`,
      });
    }
  }
}

/** Real path of a location that may not exist yet: the real path of its nearest existing ancestor, plus the rest. */
export async function realLocation(location: string): Promise<string> {
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

/** Whether `candidate` is `boundary` or below it (both absolute). */
export function isWithin(candidate: string, boundary: string): boolean {
  const relative = path.relative(boundary, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
