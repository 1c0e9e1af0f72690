import { statSync } from 'node:fs';
import { errnoCode } from './errors.js';

/**
 * What is wrong with a folder a program is to run in: `does not exist`, `is not a folder`, or
 * undefined when it is a folder. Other failures to look (permission denied on a parent) are thrown:
 * they are not ours to explain here.
 */
export function workingFolderProblem(dir: string): 'does not exist' | 'is not a folder' | undefined {
  try {
    return statSync(dir).isDirectory() ? undefined : 'is not a folder';
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return 'does not exist';
    if (code === 'ENOTDIR') return 'is not a folder';
    throw error;
  }
}
