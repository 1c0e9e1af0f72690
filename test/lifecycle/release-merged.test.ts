import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Board, BoardRelease } from '../../scripts/board/board.js';
import { receiptedSlice } from '../helpers/receipted-slice.js';
import { runBin } from '../helpers/run.js';
import { RELEASE, SLICE, TRACK } from '../helpers/slice-repo.js';
import { git, GIT_ENV, gitdir, testdir } from '../helpers/testdir.js';

/**
 * "Merged into main" means a merge happened: a merge commit on main's first-parent line that brought
 * release-wt in (or, once release-wt is gone, the release's shipped receipt), not that main contains
 * release-wt's tip, which a branch just created from main also is.
 */

async function board(cwd: string): Promise<BoardRelease> {
  const result = await runBin('baton', ['board', '--json'], { cwd, env: GIT_ENV });
  expect([0, 1], result.stderr).toContain(result.exitCode);
  return (JSON.parse(result.stdout) as Board).releases.find((release) => release.id === RELEASE) as BoardRelease;
}

describe('mergedToIntegration', () => {
  test('a release branch just created from main is not merged into it', async () => {
    const repo = await gitdir({ 'README.md': '# app\n' }, 'baton-merged-');
    const run = (args: string[]) => runBin('baton', args, { cwd: repo, env: GIT_ENV });
    expect((await run(['new-release', RELEASE])).exitCode).toBe(0);
    expect((await run(['new-slice', SLICE, '--release', RELEASE, '--track', TRACK, '--title', 'Export'])).exitCode).toBe(0);
    // baton worktree creates release-wt from main, then stops before its first commit there (the
    // release worktree's folder is taken): release-wt is main's commit.
    await mkdir(path.join(`${repo}-worktrees`, RELEASE, 'release', 'taken'), { recursive: true });
    expect((await run(['worktree', SLICE, RELEASE])).exitCode).toBe(1);
    expect(await git(repo, 'rev-parse', `release-wt/${RELEASE}`)).toBe(await git(repo, 'rev-parse', 'main'));

    expect(await board(repo)).toMatchObject({ releaseBranchExists: true, mergedToIntegration: false, mergeCommit: null, next: null });
    expect((await run(['board'])).stdout).toContain('0/1 tracks merged');
    const gate = await run(['gate', 'merge-release', RELEASE]);
    expect(gate.stdout).not.toContain('already merged');
  });

  test('merged by the merge commit; shipped with no next step once release-wt is deleted, and in a clone of main alone', async () => {
    const { repo, worktree, baton } = await receiptedSlice('verified');
    const releaseWorktree = path.join(`${repo}-worktrees`, RELEASE, 'release');
    await git(releaseWorktree, 'merge', '--no-ff', '-q', '-m', `Merge track ${TRACK}`, `track/${RELEASE}/${TRACK}`);
    await baton(['merged', TRACK, RELEASE], { cwd: repo });
    expect(await board(repo)).toMatchObject({ mergedToIntegration: false, next: { command: 'merge-release' } });

    await git(repo, 'merge', '--no-ff', '-q', '-m', `chore(main): merge release-wt/${RELEASE} — 1 slices verified, 0 deferred`, `release-wt/${RELEASE}`);
    const merge = await git(repo, 'rev-parse', 'HEAD');
    expect(await board(repo)).toMatchObject({ mergedToIntegration: true, mergeCommit: merge, next: { command: 'mark-shipped', args: [RELEASE] } });

    // A clone with only main, before the ship: the merge is the one whose subject names release-wt.
    const early = path.join(await testdir(), 'clone');
    await git(repo, 'clone', '-q', '--single-branch', '--branch', 'main', repo, early);
    expect(await board(early)).toMatchObject({ releaseBranchExists: false, mergedToIntegration: true, mergeCommit: merge, next: { command: 'mark-shipped', args: [RELEASE] } });

    await baton(['ship', RELEASE, '--deployed', 'HEAD'], { cwd: repo });
    // mark-shipped's clean-up: the worktrees and the branches go.
    await git(repo, 'worktree', 'remove', releaseWorktree);
    await git(repo, 'worktree', 'remove', worktree);
    await git(repo, 'branch', '-d', `release-wt/${RELEASE}`, `track/${RELEASE}/${TRACK}`);
    const after = await board(repo);
    expect(after).toMatchObject({ releaseBranchExists: false, mergedToIntegration: true, mergeCommit: merge, next: null });
    expect(after.slices.map((slice) => slice.state)).toEqual(['shipped']);
    expect((await baton(['board'], { cwd: repo })).stdout).toContain(`merged into main`);

    const clone = path.join(await testdir(), 'clone');
    await git(repo, 'clone', '-q', '--single-branch', '--branch', 'main', repo, clone);
    const cloned = await board(clone);
    expect(cloned).toMatchObject({ releaseBranchExists: false, mergedToIntegration: true, next: null });
    expect(cloned.slices.map((slice) => slice.state)).toEqual(['shipped']);
  });

  test('a merge whose subject does not name the release counts once its shipped receipt is on main', async () => {
    const { repo, worktree, baton } = await receiptedSlice('verified');
    const releaseWorktree = path.join(`${repo}-worktrees`, RELEASE, 'release');
    await git(releaseWorktree, 'merge', '--no-ff', '-q', '-m', `Merge track ${TRACK}`, `track/${RELEASE}/${TRACK}`);
    await baton(['merged', TRACK, RELEASE], { cwd: repo });
    await git(repo, 'merge', '--no-ff', '-q', '-m', 'Merge the billing work', `release-wt/${RELEASE}`);
    await baton(['ship', RELEASE, '--deployed', 'HEAD'], { cwd: repo });
    await git(repo, 'worktree', 'remove', releaseWorktree);
    await git(repo, 'worktree', 'remove', worktree);
    await git(repo, 'branch', '-D', `release-wt/${RELEASE}`, `track/${RELEASE}/${TRACK}`);
    expect(await board(repo)).toMatchObject({ mergedToIntegration: true, mergeCommit: null, next: null });
  });

  test('a commit on release-wt after its merge is not merged', async () => {
    const { repo, baton } = await receiptedSlice('verified');
    const releaseWorktree = path.join(`${repo}-worktrees`, RELEASE, 'release');
    await git(releaseWorktree, 'merge', '--no-ff', '-q', '-m', `Merge track ${TRACK}`, `track/${RELEASE}/${TRACK}`);
    await baton(['merged', TRACK, RELEASE], { cwd: repo });
    await git(repo, 'merge', '--no-ff', '-q', '-m', `chore(main): merge release-wt/${RELEASE}`, `release-wt/${RELEASE}`);
    await git(releaseWorktree, 'commit', '-q', '--allow-empty', '-m', 'later work');
    expect(await board(repo)).toMatchObject({ mergedToIntegration: false, mergeCommit: null, next: { command: 'merge-release' } });
  });
});
