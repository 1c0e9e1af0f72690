import { describe, expect, test } from 'vitest';
import type { BoardRelease, SliceRecord } from '../../scripts/board/board.js';
import { deriveRelease } from '../../scripts/board/derive-board.js';
import { nextStep } from '../../scripts/board/next-step.js';
import type { TrackState } from '../../scripts/lib/registry.js';
import type { SliceState, VerdictResult } from '../../scripts/lib/status.js';

/** The board's rules, on what was read from git, without git: the tables the board is derived by. */

const REL = '2026-11-21-billing';

interface TrackSpec {
  id: string;
  slices: [string, SliceState, VerdictResult?][];
  dependsOn?: string[];
  state?: TrackState;
}

function record(state: SliceState, verification: VerdictResult | null = null): SliceRecord {
  return { state, track: null, title: null, verification, blockedReason: verification === 'blocked' ? 'the spec contradicts itself' : null, verdictCommit: null, startCommit: null, testCommands: [] };
}

function derive(tracks: TrackSpec[], options: { mergedToIntegration?: boolean; branches?: string[] } = {}): BoardRelease {
  return deriveRelease({
    id: REL,
    registry: {
      release: REL,
      integrationBranch: 'main',
      tracks: tracks.map((track) => ({ id: track.id, slices: track.slices.map(([id]) => id), dependsOn: track.dependsOn ?? [], state: track.state ?? 'in_progress' })),
      problems: [],
    },
    slices: tracks.flatMap((track) => track.slices.map(([id, state, verdict]) => ({ id, record: record(state, verdict ?? null), source: 'main', hasSpec: true }))),
    branches: new Set(options.branches ?? []),
    worktrees: new Map(),
    mergedToIntegration: options.mergedToIntegration ?? false,
    warnings: [],
  });
}

describe('a track: its actionable slice and the next command', () => {
  test.each([
    { name: 'a planned slice is implemented', slices: [['S01-a', 'planned']], actionable: 'S01-a', next: ['implement-slice', 'S01-a', REL] },
    { name: 'an in-progress slice is carried on', slices: [['S01-a', 'in_progress']], actionable: 'S01-a', next: ['implement-slice', 'S01-a', REL] },
    { name: 'a failed slice goes back to its implementer', slices: [['S01-a', 'failed_verification', 'fail']], actionable: 'S01-a', next: ['implement-slice', 'S01-a', REL] },
    { name: 'an implemented slice is verified', slices: [['S01-a', 'implemented']], actionable: 'S01-a', next: ['verify-slice', 'S01-a', REL] },
    { name: 'a BLOCKED slice goes to the planner', slices: [['S01-a', 'implemented', 'blocked']], actionable: 'S01-a', next: ['replan-release', REL] },
    { name: 'the first slice not done, in track order', slices: [['S01-a', 'verified'], ['S02-b', 'deferred'], ['S03-c', 'planned'], ['S04-d', 'implemented']], actionable: 'S03-c', next: ['implement-slice', 'S03-c', REL] },
    { name: 'every slice done: merge the track', slices: [['S01-a', 'verified'], ['S02-b', 'shipped'], ['S03-c', 'deferred']], actionable: null, next: ['merge-track', 'T1-a', REL] },
  ] as { name: string; slices: TrackSpec['slices']; actionable: string | null; next: string[] }[])('$name', ({ slices, actionable, next }) => {
    const [track] = derive([{ id: 'T1-a', slices }]).tracks;
    expect(track?.actionable).toBe(actionable);
    expect(track?.next && [track.next.command, ...track.next.args]).toEqual(next);
    expect(track?.readyToMerge).toBe(next[0] === 'merge-track');
  });

  test('a track waits for the tracks it depends on, and a merged track asks for nothing', () => {
    const release = derive([
      { id: 'T1-a', slices: [['S01-a', 'verified']], state: 'merged' },
      { id: 'T2-b', slices: [['S02-b', 'verified']] },
      { id: 'T3-c', slices: [['S03-c', 'planned']], dependsOn: ['T1-a', 'T2-b'] },
    ]);
    const [t1, t2, t3] = release.tracks;
    expect(t1).toMatchObject({ readyToMerge: false, actionable: null, next: null });
    expect(t2).toMatchObject({ readyToMerge: true, next: { command: 'merge-track', args: ['T2-b', REL] } });
    expect(t3).toMatchObject({ blockedBy: ['T2-b'], actionable: null, next: null });
  });

  test('branch and worktree come from git, under the protocol names', () => {
    const [track] = derive([{ id: 'T1-a', slices: [['S01-a', 'planned']] }], { branches: [`track/${REL}/T1-a`] }).tracks;
    expect(track).toMatchObject({ branch: `track/${REL}/T1-a`, branchExists: true, worktree: null });
  });
});

describe('a release: counts, completeness and its next command', () => {
  test.each([
    { name: 'work remains', tracks: [{ id: 'T1-a', slices: [['S01-a', 'implemented']] }], merged: false, complete: false, next: null },
    { name: 'every track merged: merge the release', tracks: [{ id: 'T1-a', slices: [['S01-a', 'verified']], state: 'merged' }], merged: false, complete: true, next: 'merge-release' },
    { name: 'merged into the integration branch with verified slices: mark it shipped', tracks: [{ id: 'T1-a', slices: [['S01-a', 'verified'], ['S02-b', 'deferred']], state: 'merged' }], merged: true, complete: true, next: 'mark-shipped' },
    { name: 'shipped: nothing left', tracks: [{ id: 'T1-a', slices: [['S01-a', 'shipped'], ['S02-b', 'deferred']], state: 'merged' }], merged: true, complete: true, next: null },
    { name: 'no slice at all is not complete', tracks: [], merged: false, complete: false, next: null },
  ] as { name: string; tracks: TrackSpec[]; merged: boolean; complete: boolean; next: string | null }[])('$name', ({ tracks, merged, complete, next }) => {
    const release = derive(tracks, { mergedToIntegration: merged });
    expect(release.complete).toBe(complete);
    expect(release.next?.command ?? null).toBe(next);
    expect(release.counts.total).toBe(tracks.flatMap((track) => track.slices).length);
  });

  test('slices are listed by number (S2 before S10, S3 before S3a), and counted by state', () => {
    const release = derive([{ id: 'T1-a', slices: [['S10-j', 'planned'], ['S3a-c', 'verified'], ['S2-b', 'deferred'], ['S3-c', 'shipped']] }]);
    expect(release.slices.map((slice) => slice.id)).toEqual(['S2-b', 'S3-c', 'S3a-c', 'S10-j']);
    expect(release.counts).toMatchObject({ planned: 1, verified: 1, deferred: 1, shipped: 1, total: 4, terminal: 3 });
  });

  test('warnings: a folder in no track, a track slice with no folder, a record without a spec', () => {
    const release = deriveRelease({
      id: REL,
      registry: { release: REL, integrationBranch: 'main', tracks: [{ id: 'T1-a', slices: ['S01-a', 'S02-b'], dependsOn: [], state: 'planned' }], problems: ['tracks[1] has no id'] },
      slices: [
        { id: 'S01-a', record: record('planned'), source: 'main', hasSpec: false },
        { id: 'S09-stray', record: record('planned'), source: 'main', hasSpec: true },
      ],
      branches: new Set(),
      worktrees: new Map(),
      mergedToIntegration: false,
      warnings: [],
    });
    expect(release.warnings.map((warning) => [warning.kind, warning.slice ?? null])).toEqual([
      ['bad-registry', null],
      ['missing-spec', 'S01-a'],
      ['not-in-track', 'S09-stray'],
      ['missing-folder', 'S02-b'],
    ]);
    expect(release.slices.find((slice) => slice.id === 'S02-b')).toMatchObject({ state: 'unknown', track: 'T1-a', source: null });
  });
});

describe('baton next: the next command for one slice, and why', () => {
  const board = (release: BoardRelease) => ({ releaseDir: 'docs/release', ready: false, releases: [release] });
  const release = derive([
    { id: 'T1-a', slices: [['S01-a', 'verified'], ['S02-b', 'implemented'], ['S03-c', 'planned']] },
    { id: 'T2-b', slices: [['S04-d', 'planned']], dependsOn: ['T1-a'] },
  ]);

  test.each([
    { slice: 'S02-b', next: ['verify-slice', 'S02-b', REL], reason: 'S02-b is implemented' },
    { slice: 'S03-c', next: ['verify-slice', 'S02-b', REL], reason: 'S02-b comes first in T1-a' },
    { slice: 'S01-a', next: ['verify-slice', 'S02-b', REL], reason: 'S02-b is next in T1-a' },
    { slice: 'S04-d', next: null, reason: 'T2-b waits for T1-a to be merged first' },
  ])('$slice', ({ slice, next, reason }) => {
    const step = nextStep(board(release), slice, undefined);
    expect(step.next && [step.next.command, ...step.next.args]).toEqual(next);
    expect(step.reason).toBe(reason);
  });

  test('a slice on no board, or on two, is an error that says what to do', () => {
    expect(() => nextStep(board(release), 'S99-none', undefined)).toThrow(/Slice S99-none is not on the board/);
    const other = { ...release, id: '2026-12-01-later' };
    expect(() => nextStep({ ...board(release), releases: [release, other] }, 'S02-b', undefined)).toThrow(/several releases: 2026-11-21-billing, 2026-12-01-later/);
  });
});
