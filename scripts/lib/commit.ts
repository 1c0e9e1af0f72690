import { gitText, runGit } from './git.js';
import { FindingError } from './errors.js';

/**
 * Commits exactly the given paths (repository-relative to `root`) with a subject and a body; other
 * changes, staged or not, stay as they were.
 */
export async function commitPaths(root: string, paths: string[], subject: string, body: string): Promise<{ commit: string; subject: string }> {
  await gitText(root, ['add', '--', ...paths]);
  const result = await runGit(root, ['commit', '--quiet', '-m', subject, ...(body ? ['-m', body] : []), '--', ...paths], { env: { GIT_OPTIONAL_LOCKS: '1' } });
  if (result.exitCode !== 0) {
    throw new FindingError(`The files were written, but git did not commit them: ${result.stderr.trim() || result.stdout.trim()}`, {
      fix: `Commit them yourself: git -C "${root}" commit -m "${subject}" -- ${paths.join(' ')}`,
    });
  }
  return { commit: await gitText(root, ['rev-parse', 'HEAD']), subject };
}
