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

describe("setting a track's dependencies", () => {
  test('the matrix advice works: track-deps clears a collision with a receipt; cycles, unknown tracks and a started track taking on a dependency are refused', async () => {
    const { repo, baton } = await receiptedSlice('planned');
    await baton(['new-slice', S2, '--release', RELEASE, '--track', T2, '--title', 'Invoices export as PDF']);
    await writeSpec(repo, S2, ['src/export.ts']);
    expect((await baton(['matrix', RELEASE], { exitCode: 1 })).stdout).toContain('make one track depend on the other (baton track-deps)');

    const set = await baton(['track-deps', T2, RELEASE, '--depends-on', TRACK]);
    expect(set.stdout).toContain(`${T2} now depends on ${TRACK} (was nothing).`);
    expect((await git(repo, 'log', '-1', '--format=%s%n%(trailers:key=Baton-Event,valueonly)')).trim()).toBe(`docs(release/${RELEASE}): set dependencies of track ${T2}\ntrack-changed`);
    await baton(['matrix', RELEASE]);
    let release = await releaseOf(baton, repo);
    expect(release.tracks.find((track) => track.id === T2)).toMatchObject({ dependsOn: [TRACK], blockedBy: [TRACK], next: null });
    expect(release.warnings).toEqual([]);
    expect((await baton(['log', RELEASE])).stdout).toMatch(/track-changed/);

    expect((await baton(['track-deps', TRACK, RELEASE, '--depends-on', T2], { exitCode: 1 })).stderr).toContain(`${TRACK} cannot depend on ${T2}: ${TRACK} → ${T2} → ${TRACK} would be a cycle`);
    expect((await baton(['track-deps', TRACK, RELEASE, '--depends-on', TRACK], { exitCode: 1 })).stderr).toContain('would be a cycle');
    expect((await baton(['track-deps', T2, RELEASE, '--depends-on', 'T9-nope'], { exitCode: 1 })).stderr).toContain('T9-nope: no such track');
    expect((await baton(['track-deps', 'T9-nope', RELEASE, '--none'], { exitCode: 2 })).stderr).toContain('No release has a track T9-nope');
    expect((await baton(['track-deps', T2, RELEASE], { exitCode: 2 })).stderr).toContain('--depends-on <track> (repeatable), or --none');

    // Once T1 has its branch, it may lose a dependency but not take one on.
    await baton(['new-slice', 'S03-audit', '--release', RELEASE, '--track', 'T3-audit', '--title', 'Exports are audited']);
    await baton(['worktree', SLICE, RELEASE]);
    expect((await baton(['track-deps', TRACK, RELEASE, '--depends-on', 'T3-audit'], { exitCode: 1 })).stderr).toContain(`${TRACK} has started (its branch track/${RELEASE}/${TRACK} exists), so it cannot take on a dependency`);
    await baton(['track-deps', T2, RELEASE, '--none']);
    release = await releaseOf(baton, repo);
    expect(release.tracks.map((track) => [track.id, track.dependsOn])).toEqual([[TRACK, []], [T2, []], ['T3-audit', []]]);
    expect(release.warnings.filter((warning) => warning.kind === 'rejected-receipt')).toEqual([]);
  });
});

describe('dropping a slice that was never started', () => {
  test('removes it from tracks: and its folder from every branch the board reads it from, with a receipt that counts', async () => {
    const { repo, baton } = await receiptedSlice('planned');
    const S3 = 'S03-export-filter';
    await baton(['new-slice', S2, '--release', RELEASE, '--track', T2, '--title', 'Invoices export as PDF']);
    await baton(['new-slice', S3, '--release', RELEASE, '--track', TRACK, '--title', 'The export honours the filter']);
    await baton(['worktree', SLICE, RELEASE]);
    const trackWorktree = path.join(`${repo}-worktrees`, RELEASE, TRACK);
    const releaseWorktree = path.join(`${repo}-worktrees`, RELEASE, 'release');
    await baton(['start', SLICE, RELEASE], { cwd: trackWorktree });

    expect((await baton(['drop-slice', SLICE, RELEASE], { exitCode: 1 })).stderr).toContain(`${SLICE} is in_progress: only a planned slice that was never started can be dropped.`);

    // S03 is in a started track: its folder is on the track branch, release-wt and main.
    const dropped = await baton(['drop-slice', S3, RELEASE]);
    expect(dropped.stdout).toContain(`${S3} removed from ${TRACK} in index.md.`);
    for (const checkout of [trackWorktree, releaseWorktree, repo]) {
      expect(await git(checkout, 'ls-files', '--', `docs/release/${RELEASE}/${S3}`)).toBe('');
      expect((await git(checkout, 'log', '-1', '--format=%s%n%(trailers:key=Baton-Event,valueonly)')).trim()).toBe(`docs(release/${RELEASE}/${S3}): drop slice\nslice-dropped`);
    }
    let release = await releaseOf(baton, repo);
    expect(release.tracks.find((track) => track.id === TRACK)?.slices).toEqual([SLICE]);
    expect(release.slices.map((slice) => slice.id)).toEqual([SLICE, S2]);
    expect(release.warnings.filter((warning) => warning.kind !== 'unfilled-spec')).toEqual([]);

    // S02 is the last slice of T2: the track goes with it.
    expect((await baton(['drop-slice', S2, RELEASE])).stdout).toContain(`${S2} removed from index.md with its track ${T2}, which held nothing else.`);
    release = await releaseOf(baton, repo);
    expect(release.tracks.map((track) => track.id)).toEqual([TRACK]);
    expect(release.slices.map((slice) => slice.id)).toEqual([SLICE]);
    expect(release.warnings.filter((warning) => warning.kind !== 'unfilled-spec')).toEqual([]);
    expect((await baton(['log', RELEASE])).stdout.match(/slice-dropped/g)).toHaveLength(5);
  });

  test("the board's advice for a folder no track lists works, and text and JSON agree that it has no track", async () => {
    const { repo, baton } = await receiptedSlice('planned');
    await baton(['new-slice', S2, '--release', RELEASE, '--track', T2, '--title', 'Invoices export as PDF']);
    const index = path.join(repo, 'docs/release', RELEASE, 'index.md');
    await writeFile(index, (await readFile(index, 'utf8')).replace(/\n {2}- id: T2-pdf\n[\s\S]*?state: planned/, ''));
    await git(repo, 'commit', '-q', '-am', 'index.md loses T2');

    const release = await releaseOf(baton, repo);
    expect(release.slices.find((slice) => slice.id === S2)?.track).toBeNull();
    const warning = release.warnings.find((candidate) => candidate.kind === 'not-in-track');
    expect(warning?.message).toBe(`${S2} has a folder but no track in index.md lists it (its record names ${T2}); remove it with baton drop-slice ${S2} ${RELEASE}, then plan it again with baton new-slice if it is wanted`);
    expect((await baton(['board', '--verbose'], { exitCode: 1 })).stdout).toContain(`  (no track)  ${S2}  planned`);

    await baton(['drop-slice', S2, RELEASE]);
    expect((await releaseOf(baton, repo)).warnings.filter((candidate) => candidate.kind === 'not-in-track')).toEqual([]);
    await baton(['new-slice', S2, '--release', RELEASE, '--track', T2, '--title', 'Invoices export as PDF']);
    expect((await releaseOf(baton, repo)).slices.find((slice) => slice.id === S2)).toMatchObject({ track: T2, state: 'planned', receipts: { receipted: true } });
  });
});
