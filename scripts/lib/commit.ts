import { OperationalError } from './errors.js';
import { gitText, runGit } from './git.js';
import { isReadOnlyRefusal, readOnlyGitDirFix } from './sandbox-fix.js';

/**
 * Commits exactly the given paths (repository-relative to `root`) with a message; other changes,
 * staged or not, stay as they were. `paragraphs` follow the subject, each separated by a blank line;
 * the last one is the receipt, which git then reads as the message's trailers.
 */
export async function commitPaths(root: string, paths: string[], subject: string, paragraphs: string[]): Promise<{ commit: string; subject: string }> {
  await gitText(root, ['add', '--', ...paths]);
  const message = paragraphs.filter((paragraph) => paragraph.trim() !== '').flatMap((paragraph) => ['-m', paragraph]);
  // --no-verify: a receipt commit holds only baton's own record files; a user's pre-commit hook (a
  // linter, a formatter) would judge files it does not own, or rewrite a record after its digest.
  const result = await runGit(root, ['commit', '--quiet', '--no-verify', '--cleanup=whitespace', '-m', subject, ...message, '--', ...paths], { env: { GIT_OPTIONAL_LOCKS: '1' } });
  if (result.exitCode !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(0, 4).join(' ');
    if (/nothing (added )?to commit/i.test(said)) {
      // Every state change writes a record that differs from the last (its timestamp, at least), so
      // git finding nothing new means baton wrote what was already there.
      throw new Error(`git found nothing to commit in ${root} for ${paths.join(', ')}: the command wrote the record as it already was`);
    }
    throw new OperationalError(`git did not commit the change in ${root}: ${said}`, {
      fix: isReadOnlyRefusal(said)
        ? readOnlyGitDirFix(await gitText(root, ['rev-parse', '--path-format=absolute', '--git-common-dir']))
        : 'Remove the cause git names (a held index.lock, a missing user.name or user.email), then run the command again.',
    });
  }
  return { commit: await gitText(root, ['rev-parse', 'HEAD']), subject };
}

/** Puts the index entries of `paths` back to HEAD's (or removes them when HEAD has none). */
export async function unstagePaths(root: string, paths: string[]): Promise<void> {
  const reset = await runGit(root, ['reset', '--quiet', '--', ...paths], { env: { GIT_OPTIONAL_LOCKS: '1' } });
  // An unborn branch has no HEAD to reset to: take the paths out of the index instead.
  if (reset.exitCode !== 0) await runGit(root, ['rm', '--cached', '--quiet', '--ignore-unmatch', '--', ...paths], { env: { GIT_OPTIONAL_LOCKS: '1' } });
}
