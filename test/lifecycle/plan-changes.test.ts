import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Board, BoardRelease } from '../../scripts/board/board.js';
import { receiptedSlice } from '../helpers/receipted-slice.js';
import { RELEASE, SLICE, TRACK } from '../helpers/slice-repo.js';
import { git, testdir } from '../helpers/testdir.js';

/**
 * The planner changing a plan that is under way: deferring work out of the release, setting a
 * track's dependencies, dropping a slice never started. Real commands, real git.
 */

const S2 = 'S02-export-pdf';
const T2 = 'T2-pdf';

async function releaseOf(baton: Awaited<ReturnType<typeof receiptedSlice>>['baton'], cwd: string, exitCode = 1): Promise<BoardRelease> {
  const board = JSON.parse((await baton(['board', '--json'], { cwd, exitCode })).stdout) as Board;
  return board.releases.find((release) => release.id === RELEASE) as BoardRelease;
}

/** Writes a slice's spec with the given touchpoints and no placeholder, and commits it. */
async function writeSpec(root: string, slice: string, touchpoints: string[]): Promise<void> {
  const file = path.join(root, 'docs/release', RELEASE, slice, 'spec.md');
  const list = touchpoints.map((touchpoint) => `- \`${touchpoint}\` — changes`).join('\n');
  const text = (await readFile(file, 'utf8')).replace(/(## Planned touchpoints\n\n[^\n]*\n[^\n]*\n\n)[\s\S]*?\n\n(## )/, `$1${list}\n\n$2`).replace(/\[fill:[^\]]*\]/g, 'Written.');
  await writeFile(file, text);
  await git(root, 'add', file);
  await git(root, 'commit', '-q', '-m', `docs(release/${RELEASE}/${slice}): write spec`);
}

describe('deferred work is out of the way', () => {
  test('a deferred slice leaves the matrix, and a track of deferred slices only needs no merge: the release merges and ships', async () => {
    const { repo, baton } = await receiptedSlice('verified');
    const releaseWorktree = path.join(`${repo}-worktrees`, RELEASE, 'release');
    await baton(['new-slice', S2, '--release', RELEASE, '--track', T2, '--title', 'Invoices export as PDF'], { cwd: repo });
    await writeSpec(releaseWorktree, S2, ['src/export.ts']);

    const collision = await baton(['matrix', RELEASE], { cwd: repo, exitCode: 1 });
    expect(collision.stdout).toContain(`- \`src/export.ts\`: ${TRACK}, ${T2}.`);
    const card = path.join(await testdir(), 'card.md');
    await writeFile(card, 'Reason: PDF needs a library we have not chosen.\nTracking: issue 42\nAcknowledged: the product owner, 2026-11-22\n');
    await baton(['defer', S2, RELEASE, '--notes-file', card], { cwd: repo });
    const clear = await baton(['matrix', RELEASE], { cwd: repo });
    expect(clear.stdout).not.toContain('Collisions');
    expect(clear.stdout).toContain(`| \`src/export.ts\` | ✓ |  |`);

    let release = await releaseOf(baton, repo, 0);
    expect(release.tracks.find((track) => track.id === T2)).toMatchObject({ deferred: true, readyToMerge: false, next: null });
    const trackGate = await baton(['gate', 'merge-track', T2, RELEASE], { cwd: repo, exitCode: 1 });
    expect(trackGate.stdout).toContain(`every slice of ${T2} is deferred: the track is done without a merge`);
    expect(trackGate.stdout).not.toContain('does not exist');
    expect((await baton(['merged', T2, RELEASE], { cwd: repo, exitCode: 1 })).stderr).toContain(`Every slice of ${T2} is deferred, so there is nothing to merge.`);

    await baton(['gate', 'merge-track', TRACK, RELEASE], { cwd: repo });
    await git(releaseWorktree, 'merge', '--no-ff', '-q', '-m', `Merge track ${TRACK}`, `track/${RELEASE}/${TRACK}`);
    await baton(['merged', TRACK, RELEASE], { cwd: repo });
    release = await releaseOf(baton, repo, 0);
    expect(release.next).toEqual({ command: 'merge-release', args: [RELEASE] });
    expect((await baton(['board'], { cwd: repo, exitCode: 0 })).stdout).toContain('1/1 tracks merged (1 deferred, no merge needed)');
    await baton(['gate', 'merge-release', RELEASE], { cwd: repo });
    await git(repo, 'merge', '--no-ff', '-q', '-m', `chore(main): merge release-wt/${RELEASE}`, `release-wt/${RELEASE}`);
    await baton(['gate', 'mark-shipped', RELEASE], { cwd: repo });
    await baton(['ship', RELEASE, '--deployed', 'HEAD'], { cwd: repo });
    release = await releaseOf(baton, repo, 0);
    expect(Object.fromEntries(release.slices.map((slice) => [slice.id, slice.state]))).toEqual({ [SLICE]: 'shipped', [S2]: 'deferred' });
    expect(release.next).toBeNull();
  });
});

describe('a spec that still holds its placeholders', () => {
  test('is a board warning, from git and from the working tree, while hasSpec stays true', async () => {
    const { repo, baton } = await receiptedSlice('planned');
    await baton(['new-slice', S2, '--release', RELEASE, '--track', T2, '--title', 'Invoices export as PDF']);
    // Committed: read through git cat-file.
    let release = await releaseOf(baton, repo);
    expect(release.slices.find((slice) => slice.id === S2)?.hasSpec).toBe(true);
    expect(release.warnings.map((warning) => [warning.kind, warning.slice])).toEqual([['unfilled-spec', S2]]);
    expect(release.warnings[0]?.message).toBe(`${S2}'s spec.md (read from working tree) still holds [fill: ...] placeholders; the planner fills every section`);

    await writeSpec(repo, S2, ['src/pdf.ts']);
    expect((await releaseOf(baton, repo)).warnings).toEqual([]);
    // An uncommitted edit is read from disk.
    const spec = path.join(repo, 'docs/release', RELEASE, SLICE, 'spec.md');
    await writeFile(spec, `${await readFile(spec, 'utf8')}\n## Risks\n\n[fill: what could go wrong]\n`);
    release = await releaseOf(baton, repo);
    expect(release.warnings.filter((warning) => warning.kind === 'unfilled-spec').map((warning) => warning.slice)).toEqual([SLICE]);
    expect((await baton(['board'], { cwd: repo, exitCode: 1 })).stdout).toContain(`${SLICE}'s spec.md (read from working tree) still holds [fill: ...] placeholders`);
  });
});
