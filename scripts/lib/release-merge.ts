import { gitText } from './git.js';

/**
 * Finding the merge that brought a release into its integration branch. "Merged" means a merge
 * happened: a merge commit on the integration branch's first-parent line, not an ancestor test (a
 * release branch just created from the integration branch is contained in it, and was merged into
 * nothing). One `git log` per integration branch, whatever the number of releases.
 */

/** A merge commit on a branch's first-parent line. */
export interface FirstParentMerge {
  commit: string;
  /** Its parents, the first one the branch's previous commit. */
  parents: string[];
  subject: string;
}

const FIELD = '\x1f';

/** The merge commits on `ref`'s first-parent line, newest first. */
export async function readFirstParentMerges(root: string, ref: string): Promise<FirstParentMerge[]> {
  return parseFirstParentMerges(await gitText(root, ['log', '--first-parent', '--merges', '--no-color', `--format=%H %P${FIELD}%s`, ref, '--']));
}

export function parseFirstParentMerges(output: string): FirstParentMerge[] {
  const merges: FirstParentMerge[] = [];
  for (const line of output.split('\n')) {
    const [head = '', subject = ''] = line.split(FIELD);
    const [commit, ...parents] = head.trim().split(' ').filter(Boolean);
    if (commit) merges.push({ commit, parents, subject });
  }
  return merges;
}

/**
 * The merge commit that brought `release-wt/<release>` into the integration branch, newest first.
 * While the release branch exists, the merge must have its tip as a merged parent: a commit made on the
 * release branch since is not merged. Once the branch is gone (deleted after the ship, or a clone that
 * has only the integration branch), the merge is the one whose subject names it, as the merge-release
 * command's message, git's own ("Merge branch 'release-wt/…'") and a pull request's do.
 */
export function findReleaseMerge(merges: readonly FirstParentMerge[], release: string, releaseTip: string | undefined): string | undefined {
  if (releaseTip !== undefined) return merges.find((merge) => merge.parents.slice(1).includes(releaseTip))?.commit;
  // Release ids are digits, lower-case letters and hyphens, so the id is literal in the pattern; a
  // longer id that starts with this one (…-billing-v2) names another release.
  const named = new RegExp(`release-wt/${release}(?![A-Za-z0-9-])`);
  return merges.find((merge) => named.test(merge.subject))?.commit;
}
