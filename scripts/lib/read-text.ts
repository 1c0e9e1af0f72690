import { readFile, stat } from 'node:fs/promises';
import { errnoCode, OperationalError } from './errors.js';

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
