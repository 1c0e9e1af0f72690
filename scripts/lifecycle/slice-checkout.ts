import path from 'node:path';
import { BatonError, OperationalError } from '../lib/errors.js';
import { currentBranch } from '../lib/git.js';
import { assertId } from '../lib/ids.js';
import { readTextIfPresent } from '../lib/read-text.js';
import { parseRegistry, sliceOwners } from '../lib/registry.js';
import { locateSlice, openRepo, releasePath, type Repo } from '../lib/repo.js';
import { releaseWorktreeFix, sliceContext } from './records.js';

/**
 * Where `baton verify` and `baton changed-files` check a slice: the worktree that holds its record
 * (its track's, else the release worktree's, else this checkout), wherever they are run from. Run
 * from the primary checkout, main's copy of a started slice is stale, and checking it gives FAILs for
 * a slice the board calls verified.
 */

export interface SliceCheckout {
  /** The worktree to check the slice in. */
  root: string;
  /** The branch its record lives on, when that is not this checkout's. */
  movedFrom?: { here: string; branch: string };
}

export async function sliceCheckout(options: { cwd: string; env: Record<string, string | undefined>; now(): Date; slice: string; release?: string | undefined }): Promise<SliceCheckout> {
  const slice = assertId('slice', options.slice);
  const repo = await openRepo(options.cwd, options.env);
  // This checkout is the slice's track branch (the usual case, and the verify benchmark's): no board.
  const [branch, local] = await Promise.all([currentBranch(repo.root), localTrack(repo, slice, options.release)]);
  if ('track' in local && branch === `track/${local.release}/${local.track}`) return { root: repo.root };

  const context = await sliceContext({ cwd: repo.root, env: options.env, now: options.now, repo }, slice, options.release).catch((error: unknown) => {
    // Neither here nor on the board: this checkout's search says which releases it looked in.
    throw 'error' in local ? local.error : error;
  });
  const { release } = context;
  let home = repo.root;
  let holder: string | undefined;
  if (context.track?.branchExists) {
    holder = context.track.branch;
    if (!context.track.worktree) {
      throw new OperationalError(`The record of ${slice} lives on ${holder}, which is not checked out in any worktree on this machine.`, {
        fix: `Create its worktree with baton worktree ${slice} ${release.id}, then run the command again.`,
      });
    }
    home = context.track.worktree;
  } else if (release.releaseBranchExists) {
    holder = release.releaseBranch;
    if (!release.releaseWorktree) throw new OperationalError(`The record of ${slice} lives on ${holder}, which is not checked out in any worktree on this machine.`, { fix: releaseWorktreeFix(repo, release) });
    home = release.releaseWorktree;
  }
  if (holder === undefined || path.resolve(home) === path.resolve(repo.root)) return { root: repo.root };
  return { root: home, movedFrom: { here: repo.root, branch: holder } };
}

/** The slice's release and track as this checkout's index.md registers them, or why it is not here. */
async function localTrack(repo: Repo, slice: string, release: string | undefined): Promise<{ release: string; track?: string } | { error: BatonError }> {
  let found: string;
  try {
    found = await locateSlice(repo, slice, release === undefined ? undefined : assertId('release', release));
  } catch (error) {
    // Not in this checkout (or in several releases): the board decides.
    if (error instanceof BatonError) return { error };
    throw error;
  }
  const index = await readTextIfPresent(path.join(repo.root, releasePath(repo, found), 'index.md'));
  const track = index === undefined ? undefined : sliceOwners(parseRegistry(index)).get(slice);
  return track === undefined ? { release: found } : { release: found, track };
}
