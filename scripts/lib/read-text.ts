import { readFile } from 'node:fs/promises';
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
