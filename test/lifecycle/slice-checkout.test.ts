import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { receiptedSlice } from '../helpers/receipted-slice.js';
import { runBin } from '../helpers/run.js';
import { CODE, RELEASE, SLICE, TRACK } from '../helpers/slice-repo.js';
import { git, GIT_ENV } from '../helpers/testdir.js';

/**
 * Commands that read or write a slice's record find the worktree that holds it, or refuse naming the
 * command to run: run from the primary checkout, main's copy of a started slice is stale.
 */

describe('start before worktree', () => {
  test('refuses from the primary checkout, naming baton worktree; after it, start commits on the track branch', async () => {
    const { repo, baton } = await receiptedSlice('planned');
    const head = await git(repo, 'rev-parse', 'HEAD');
    const refused = await baton(['start', SLICE, RELEASE], { exitCode: 1 });
    expect(refused.stderr).toContain(`error: ${TRACK}, the track of ${SLICE}, has no branch yet`);
    expect(refused.stderr).toContain(`fix: Run baton worktree ${SLICE} ${RELEASE} first, then baton start ${SLICE} ${RELEASE} again.`);
    expect(await git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(await git(repo, 'status', '--porcelain')).toBe('');

    await baton(['worktree', SLICE, RELEASE]);
    await baton(['start', SLICE, RELEASE]);
    const track = path.join(`${repo}-worktrees`, RELEASE, TRACK);
    expect(await git(track, 'log', '-1', '--format=%s')).toBe(`docs(release/${RELEASE}/${SLICE}): start implementation`);
    expect(await git(repo, 'rev-parse', 'HEAD')).toBe(head);
  });
});

describe('verify and changed-files from the primary checkout', () => {
  test('check the slice in its track worktree, as with -C, and say so', async () => {
    const { repo, worktree, baton } = await receiptedSlice('verified');
    const there = await baton(['verify', SLICE, RELEASE, '--json'], { cwd: worktree });
    expect(there.stderr).toBe('');
    const here = await baton(['verify', SLICE, RELEASE, '--json'], { cwd: repo });
    expect(here.stdout).toBe(there.stdout);
    expect(JSON.parse(here.stdout)).toMatchObject({ verdict: 'PASS' });
    expect(here.stderr).toBe(`baton: ${SLICE}'s record lives on track/${RELEASE}/${TRACK}; checking it in ${worktree} (as with -C).`);

    const files = await baton(['changed-files', SLICE], { cwd: repo });
    expect(files.stdout).toBe((await baton(['changed-files', SLICE], { cwd: worktree })).stdout);
    expect(files.stdout.trim().split('\n')).toEqual(Object.keys(CODE).sort());
  });

  test('refuse, naming baton worktree, when the track branch is checked out nowhere', async () => {
    const { repo, worktree } = await receiptedSlice('verified');
    await git(repo, 'worktree', 'remove', worktree);
    for (const command of ['verify', 'changed-files']) {
      const result = await runBin('baton', [command, SLICE, RELEASE], { cwd: repo, env: GIT_ENV });
      expect(result.exitCode, result.stdout).toBe(2);
      expect(result.stderr).toContain(`error: The record of ${SLICE} lives on track/${RELEASE}/${TRACK}, which is not checked out in any worktree on this machine.`);
      expect(result.stderr).toContain(`fix: Create its worktree with baton worktree ${SLICE} ${RELEASE}, then run the command again.`);
    }
  });
});
