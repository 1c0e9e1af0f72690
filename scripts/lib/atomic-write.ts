import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, OperationalError } from './errors.js';
import { readOnlyFolderFix } from './sandbox-fix.js';

/** Writes a file by writing a temporary file beside it and renaming it over the old one. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temporary = `${file}.baton-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined); // best effort: the write already failed
    const fix = errnoCode(error) === 'EROFS' ? readOnlyFolderFix(path.dirname(file)) : 'Check that the folder exists and is writable.';
    throw new OperationalError(`Could not write ${file}.`, { cause: error, fix });
  }
}
