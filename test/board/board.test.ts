import { chmod, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { Board, BoardRelease } from '../../scripts/board/board.js';
import { readBoard } from '../../scripts/board/read-board.js';
import { readObjects } from '../../scripts/lib/git-objects.js';
import { openRepo } from '../../scripts/lib/repo.js';
import { PASS_GATES, receiptedSlice, verdictBlock } from '../helpers/receipted-slice.js';
import { gitCallsOf, gitRunsOf, REPO_ROOT, runBin } from '../helpers/run.js';
import { commitAll, INDEX, RELEASE, SLICE, SLICE_DIR, SPEC, statusJson, TRACK } from '../helpers/slice-repo.js';
import { git, gitdir, testdir, writeFiles } from '../helpers/testdir.js';

const DIR = `docs/release/${RELEASE}`;

/** Whether this machine lets the tests mark a folder append-only (root, on a file system with chattr). */
async function canMakeAppendOnly(): Promise<boolean> {
  const probe = await testdir();
  const made = await execa('chattr', ['+a', probe], { reject: false });
  if (made.exitCode !== 0) return false;
  await execa('chattr', ['-a', probe]);
  return true;
}

const APPEND_ONLY = await canMakeAppendOnly();

async function board(cwd: string): Promise<Board> {
  return readBoard(await openRepo(cwd, {}));
}

function release(value: Board): BoardRelease {
  const found = value.releases.find((candidate) => candidate.id === RELEASE);
  if (!found) throw new Error('release missing');
  return found;
}

/** A repository with the release planned on main: one slice in one track. */
async function planned(files: Record<string, string> = {}) {
  return gitdir({
    [`${DIR}/index.md`]: INDEX.replace('state: in_progress', 'state: planned'),
    [`${SLICE_DIR}/spec.md`]: SPEC,
    [`${SLICE_DIR}/status.json`]: statusJson({ state: 'planned', test_commands: [], reachability_artifacts: [] }),
    ...files,
  });
}

describe('where each record comes from', () => {
  test('the owning track branch wins over release-wt and the working tree', async () => {
    const dir = await planned();
    await git(dir, 'branch', `release-wt/${RELEASE}`);
    await git(dir, 'checkout', '-q', '-b', `track/${RELEASE}/${TRACK}`);
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'implemented' }) });
    await commitAll(dir, 'implemented on the track');
    await git(dir, 'checkout', '-q', 'main');
    const slice = release(await board(dir)).slices[0];
    expect(slice).toMatchObject({ id: SLICE, state: 'implemented', source: `track/${RELEASE}/${TRACK}`, hasSpec: true });
  });

  test('remote-tracking branches count when there is no local branch', async () => {
    const origin = await planned();
    await git(origin, 'checkout', '-q', '-b', `track/${RELEASE}/${TRACK}`);
    await writeFiles(origin, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'verified' }) });
    await commitAll(origin, 'verified');
    await git(origin, 'checkout', '-q', 'main');
    const clone = path.join(await testdir(), 'clone');
    await git(path.dirname(clone), 'clone', '-q', origin, clone);
    const slice = release(await board(clone)).slices[0];
    expect(slice).toMatchObject({ state: 'verified', source: `origin/track/${RELEASE}/${TRACK}` });
  });

  test('a shipped record wins wherever it is', async () => {
    const dir = await planned();
    await git(dir, 'checkout', '-q', '-b', `track/${RELEASE}/${TRACK}`);
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'verified' }) });
    await commitAll(dir, 'verified');
    await git(dir, 'checkout', '-q', 'main');
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'shipped' }) });
    await commitAll(dir, 'shipped on main');
    expect(release(await board(dir)).slices[0]).toMatchObject({ state: 'shipped', source: 'working tree' });
  });

  test('shipped records on another branch cost no extra git process, however many there are', async () => {
    // Two slices in the track; each is verified on the track branch and then shipped on main.
    const two = INDEX.replace(`slices: [${SLICE}]`, `slices: [${SLICE}, S02-export-filter]`);
    const dir = await planned({ [`${DIR}/index.md`]: two, [`${DIR}/S02-export-filter/spec.md`]: SPEC, [`${DIR}/S02-export-filter/status.json`]: statusJson({ slice_id: 'S02-export-filter', state: 'planned' }) });
    await git(dir, 'checkout', '-q', '-b', `track/${RELEASE}/${TRACK}`);
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'verified' }), [`${DIR}/S02-export-filter/status.json`]: statusJson({ slice_id: 'S02-export-filter', state: 'verified' }) });
    await commitAll(dir, 'verified');
    await git(dir, 'checkout', '-q', 'main');
    const calls = async () => (await gitCallsOf(['board', '--json'], dir)).map((call) => call.split(' ')[0]).sort();
    const before = await calls();
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'shipped' }), [`${DIR}/S02-export-filter/status.json`]: statusJson({ slice_id: 'S02-export-filter', state: 'shipped' }) });
    await commitAll(dir, 'shipped on main');
    expect(release(await board(dir)).slices.map((slice) => [slice.state, slice.hasSpec])).toEqual([['shipped', true], ['shipped', true]]);
    expect(await calls()).toEqual(before);
  });

  test("another track's branch is never read for a slice", async () => {
    // T1 owns S01 and S03, T2 owns S02. T2's branch also changed S01 and holds the only S03 folder.
    const index = INDEX.replace(`slices: [${SLICE}]`, `slices: [${SLICE}, S03-late]`).replace('tracks:\n', `tracks:\n  - id: T2-filters\n    slices: [S02-filter]\n    depends_on: []\n    state: in_progress\n`);
    const dir = await planned({ [`${DIR}/index.md`]: index, [`${DIR}/S02-filter/spec.md`]: SPEC, [`${DIR}/S02-filter/status.json`]: statusJson({ slice_id: 'S02-filter', track: 'T2-filters', state: 'planned' }) });
    await git(dir, 'checkout', '-q', '-b', `track/${RELEASE}/T2-filters`);
    await writeFiles(dir, {
      [`${SLICE_DIR}/status.json`]: statusJson({ state: 'verified' }),
      [`${DIR}/S02-filter/status.json`]: statusJson({ slice_id: 'S02-filter', track: 'T2-filters', state: 'implemented' }),
      [`${DIR}/S03-late/status.json`]: statusJson({ slice_id: 'S03-late', state: 'verified' }),
    });
    await commitAll(dir, 'work on T2, and on slices that are not its own');
    await git(dir, 'checkout', '-q', 'main');
    const found = release(await board(dir));
    expect(found.slices.map((slice) => [slice.id, slice.state, slice.source])).toEqual([
      [SLICE, 'planned', 'working tree'],
      ['S02-filter', 'implemented', `track/${RELEASE}/T2-filters`],
      ['S03-late', 'unknown', null],
    ]);
    // Written by hand, no record here is one a receipt wrote; each warning names where it was read.
    expect(found.warnings).toEqual([
      { kind: 'unreceipted-state', slice: 'S02-filter', message: expect.stringContaining(`S02-filter: no baton receipt in git history wrote its status.json (on track/${RELEASE}/T2-filters)`) },
      { kind: 'unreceipted-state', slice: SLICE, message: expect.stringContaining(`${SLICE}: no baton receipt in git history wrote its status.json (on working tree)`) },
      { kind: 'missing-folder', slice: 'S03-late', message: `index.md lists S03-late in track ${TRACK}, but its folder is on neither that track's branch, release-wt/${RELEASE}, the integration branch nor the working tree` },
    ]);
  });

  test('with the integration branch checked out, an uncommitted record is the one shown, even over a shipped one', async () => {
    const dir = await planned();
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'shipped' }) });
    await commitAll(dir, 'shipped on main');
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'in_progress' }) });
    expect(release(await board(dir)).slices.map((slice) => [slice.state, slice.source])).toEqual([['in_progress', 'working tree']]);
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: '{ "state": "in_pro' });
    const found = release(await board(dir));
    expect(found.slices.map((slice) => [slice.state, slice.source])).toEqual([['unknown', null]]);
    expect(found.warnings.map((warning) => warning.kind)).toEqual(['bad-record']);
  });

  test("an uncommitted record still wins when another track's branch sits on the checked-out commit", async () => {
    // T1's branch was just made from main; S02 belongs to T2, which has no branch.
    const index = INDEX.replace('tracks:\n', `tracks:\n  - id: T2-filters\n    slices: [S02-filter]\n    depends_on: []\n    state: in_progress\n`);
    const s02 = `${DIR}/S02-filter/status.json`;
    const dir = await planned({ [`${DIR}/index.md`]: index, [`${DIR}/S02-filter/spec.md`]: SPEC, [s02]: statusJson({ slice_id: 'S02-filter', track: 'T2-filters', state: 'shipped' }) });
    await git(dir, 'branch', `track/${RELEASE}/${TRACK}`);
    await writeFiles(dir, { [s02]: statusJson({ slice_id: 'S02-filter', track: 'T2-filters', state: 'in_progress' }) });
    expect(release(await board(dir)).slices.find((slice) => slice.id === 'S02-filter')).toMatchObject({ state: 'in_progress', source: 'working tree' });
  });

  test("an integration branch that is also a track's branch is read whole", async () => {
    // S02 belongs to T2, which has no branch; its folder exists only on T1's branch, the integration branch.
    const index = INDEX.replace('integration_branch: main', `integration_branch: track/${RELEASE}/${TRACK}`).replace('tracks:\n', `tracks:\n  - id: T2-filters\n    slices: [S02-filter]\n    depends_on: []\n    state: in_progress\n`);
    const dir = await planned({ [`${DIR}/index.md`]: index });
    await git(dir, 'checkout', '-q', '-b', `track/${RELEASE}/${TRACK}`);
    await writeFiles(dir, { [`${DIR}/S02-filter/spec.md`]: SPEC, [`${DIR}/S02-filter/status.json`]: statusJson({ slice_id: 'S02-filter', track: 'T2-filters', state: 'verified' }) });
    await commitAll(dir, 'S02 lands on the integration branch');
    await git(dir, 'checkout', '-q', 'main');
    const found = release(await board(dir));
    expect(found.slices.find((slice) => slice.id === 'S02-filter')).toMatchObject({ state: 'verified', source: `track/${RELEASE}/${TRACK}`, hasSpec: true });
  });

  test('git output passes through an unlinked temporary file, or a pipe when there is no temporary folder', async () => {
    const dir = await planned();
    const tmp = await testdir();
    const catFiles = async (env: Record<string, string>) => (await gitRunsOf(['board', '--json'], dir, env)).filter((run) => run.call.startsWith('cat-file')).map((run) => run.stdout);
    expect(await catFiles({ TMPDIR: tmp })).toEqual(['file', 'file']);
    expect(await catFiles({ TMPDIR: path.join(tmp, 'missing') })).toEqual(['stream', 'stream']);
    expect(await readdir(tmp)).toEqual([]);
    const throughFile = await runBin('baton', ['board', '--json'], { cwd: dir, env: { TMPDIR: tmp } });
    const throughPipe = await runBin('baton', ['board', '--json'], { cwd: dir, env: { TMPDIR: path.join(tmp, 'missing') } });
    expect(throughFile.exitCode).toBe(1);
    expect(JSON.parse(throughFile.stdout)).toMatchObject({ releases: [{ id: RELEASE, slices: [{ id: SLICE, state: 'planned', hasSpec: true }] }] });
    expect(throughPipe).toEqual(throughFile);
  });

  test('a temporary folder git cannot fill is left for the pipe', async () => {
    // A file size limit of 1 KiB stands in for a full or tiny temporary folder: git dies writing the
    // records (SIGXFSZ), and the same git command is run again through a pipe, which has no limit.
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`${DIR}/S${index + 2}-more/status.json`, statusJson({ slice_id: `S${index + 2}-more`, state: 'planned' })]));
    const dir = await planned(many);
    const baton = path.join(REPO_ROOT, 'dist/baton.mjs');
    const limited = await execa('sh', ['-c', `ulimit -f 2 && exec node '${baton}' board --json`], { cwd: dir, reject: false, env: { PATH: process.env.PATH ?? '' }, extendEnv: false });
    const plain = await runBin('baton', ['board', '--json'], { cwd: dir });
    expect(limited.stderr).toBe('');
    expect(limited.exitCode).toBe(1);
    expect(limited.stdout).toBe(plain.stdout);
    expect(JSON.parse(limited.stdout).releases[0].slices).toHaveLength(13);
  });

  test.skipIf(!APPEND_ONLY)('a temporary folder where files cannot be removed is left for the pipe, after one file', async () => {
    const dir = await planned();
    const tmp = await testdir();
    await execa('chattr', ['+a', tmp]);
    try {
      const result = await runBin('baton', ['board', '--json'], { cwd: dir, env: { TMPDIR: tmp } });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe((await runBin('baton', ['board', '--json'], { cwd: dir })).stdout);
      expect(await readdir(tmp)).toHaveLength(1);
    } finally {
      await execa('chattr', ['-a', tmp]);
    }
  });

  test('a git that refuses its options before reading a large input is reported, not a crash', async () => {
    // git before 2.36 has no cat-file --batch-command; it stops at the option and never reads the requests.
    const shim = await testdir({ 'git': '#!/bin/sh\necho "error: unknown option \\`batch-command\'" >&2\nexit 129\n' });
    await chmod(path.join(shim, 'git'), 0o755);
    const requests = Array.from({ length: 5000 }, (_, index) => ({ kind: 'contents' as const, name: `HEAD:docs/release/${index}/status.json` }));
    const dir = await planned();
    const searchPath = process.env.PATH;
    process.env.PATH = `${shim}:${searchPath ?? ''}`;
    try {
      await expect(readObjects(dir, requests)).rejects.toThrow("git cat-file --batch-command --buffer failed: error: unknown option `batch-command'");
    } finally {
      process.env.PATH = searchPath;
    }
  });

  test('uncommitted changes in the working tree are read from disk', async () => {
    const dir = await planned();
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'in_progress' }) });
    expect(release(await board(dir)).slices[0]?.state).toBe('in_progress');
  });

  test('a CRLF index.md with comments works, and the integration branch is read from it', async () => {
    const dir = await planned({ [`${DIR}/index.md`]: INDEX.replace('integration_branch: main', "integration_branch: 'main' # lands here").replace(/\n/g, '\r\n') });
    const found = release(await board(dir));
    expect(found.integrationBranch).toBe('main');
    expect(found.tracks.map((track) => track.id)).toEqual([TRACK]);
  });
});

describe('warnings', () => {
  test('listed without a folder, a folder in no track, a slice without a spec, an unreadable record', async () => {
    const index = INDEX.replace(`slices: [${SLICE}]`, `slices: [${SLICE}, S02-ghost]`);
    const dir = await planned({
      [`${DIR}/index.md`]: index,
      [`${DIR}/S03-stray/status.json`]: statusJson({ slice_id: 'S03-stray', state: 'planned' }),
      [`${DIR}/S04-broken/status.json`]: '{ not json',
    });
    await rm(path.join(dir, SLICE_DIR, 'spec.md'));
    await commitAll(dir, 'problems');
    const found = release(await board(dir));
    const kinds = found.warnings.map((warning) => `${warning.kind} ${warning.slice ?? ''}`).sort();
    // The records that could be read were written by hand, so no receipt vouches for them; the unreadable one is skipped.
    expect(kinds).toEqual(['bad-record S04-broken', 'missing-folder S02-ghost', 'missing-spec S01-export-csv', 'not-in-track S03-stray', 'unreceipted-state S01-export-csv', 'unreceipted-state S03-stray']);
    expect(found.slices.find((slice) => slice.id === 'S02-ghost')?.state).toBe('unknown');
  });
});

describe('baton board on the command line', () => {
  test('an empty board is "nothing planned", exit 1', async () => {
    const dir = await gitdir();
    const result = await runBin('baton', ['board'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/NOTHING PLANNED/);
  });

  test('exit 0 only when every slice is verified, shipped or deferred, by its receipts', async () => {
    const { repo, baton } = await receiptedSlice('planned');
    expect((await runBin('baton', ['board'], { cwd: repo })).exitCode).toBe(1);
    // A deferral written by hand is not one: the slice keeps its receipted state and the board names the record.
    const file = path.join(repo, SLICE_DIR, 'status.json');
    const deferral = { reason: 'r', tracking: 't', acknowledged: 'a', deferred_at: '2026-11-21T10:00:00Z' };
    await writeFile(file, statusJson({ state: 'deferred', deferral }));
    const forged = await runBin('baton', ['board', '--json'], { cwd: repo });
    expect(forged.exitCode).toBe(1);
    const doubted = (JSON.parse(forged.stdout) as Board).releases[0];
    expect(doubted?.slices.map((slice) => slice.state)).toEqual(['planned']);
    expect(doubted?.warnings).toEqual([{ kind: 'unreceipted-state', slice: SLICE, message: expect.stringContaining('has uncommitted changes') }]);
    expect((await runBin('baton', ['board'], { cwd: repo })).stdout).toMatch(/NOT READY/);
    await git(repo, 'checkout', '--', file);
    const notes = path.join(await testdir(), 'card.md');
    await writeFile(notes, 'Reason: not needed this release\nTracking: ISSUE-9\nAcknowledged: Ana, 2026-11-21\n');
    await baton(['defer', SLICE, RELEASE, '--notes-file', notes]);
    const result = await runBin('baton', ['board'], { cwd: repo });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/READY: all 1 slices are verified, shipped or deferred/);
  });

  test('--verbose lists every slice with its next command; --release narrows; errors exit 2', async () => {
    const dir = await planned({ 'docs/release/2026-12-01-other/index.md': INDEX.replace(RELEASE, '2026-12-01-other') });
    const verbose = await runBin('baton', ['board', '--verbose', '--release', RELEASE], { cwd: dir });
    expect(verbose.stdout).toContain(`    ${SLICE}  planned  A user exports invoices as CSV  -> /implement-slice ${SLICE} ${RELEASE}`);
    expect(verbose.stdout).not.toContain('2026-12-01-other');
    const unknown = await runBin('baton', ['board', '--release', '2026-01-01-nope'], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/Release 2026-01-01-nope was not found[\s\S]*Known releases: 2026-11-21-billing, 2026-12-01-other/);
    const outside = await runBin('baton', ['board'], { cwd: await testdir() });
    expect(outside.exitCode).toBe(2);
  });

  test('a reader that stops early (| head) ends the output quietly; the exit code still says the verdict', async () => {
    const dir = await planned();
    // `true` exits at once, long before baton has its board, so every write meets a closed pipe.
    const script = `node '${path.join(REPO_ROOT, 'dist/baton.mjs')}' board --json | true; echo "exit \${PIPESTATUS[0]}"`;
    const result = await execa('bash', ['-c', script], { cwd: dir, reject: false });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('exit 1');
  });

  test('baton next names the command and why', async () => {
    const dir = await planned();
    const next = await runBin('baton', ['next', SLICE, '--json'], { cwd: dir });
    expect(JSON.parse(next.stdout)).toEqual({ slice: SLICE, release: RELEASE, next: { command: 'implement-slice', args: [SLICE, RELEASE] }, reason: `${SLICE} is planned` });
  });
});

describe('BLOCKED, resolved by the planner', () => {
  test('a BLOCKED verdict routes to replan-release until baton unblock, which needs the spec amended; defer needs a full card', async () => {
    const { repo, worktree, baton } = await receiptedSlice('implemented');
    const candidate = await git(worktree, 'rev-parse', 'HEAD');
    const notes = path.join(await testdir(), 'notes.md');
    await writeFile(notes, 'BLOCKED: the spec asks for a PDF renderer that the project forbids.\n');
    expect((await baton(['verdict', SLICE, 'BLOCKED', '--notes-file', notes], { exitCode: 2 })).stderr).toMatch(/not a BLOCKED verdict block: they need a first line "VERDICT: BLOCKED"/);
    await writeFile(notes, verdictBlock('BLOCKED', candidate, 'Reason: the spec asks for a PDF renderer that the project forbids.\n'));
    await baton(['verdict', SLICE, 'BLOCKED', '--notes-file', notes]);
    let slice = release(await board(repo)).slices[0];
    expect(slice).toMatchObject({ state: 'implemented', verification: 'blocked', next: { command: 'replan-release', args: [RELEASE] } });
    expect(slice?.blockedReason).toMatch(/PDF renderer/);
    await writeFile(notes, verdictBlock('PASS', candidate, PASS_GATES));
    expect((await baton(['verdict', SLICE, 'PASS', '--notes-file', notes], { exitCode: 1 })).stderr).toMatch(/open BLOCKED verdict[\s\S]*replan-release/);
    await writeFile(notes, 'Amended the spec: export as HTML instead.\n');
    // The planner answers a BLOCKED verdict with a committed change to spec.md (or says why none is needed).
    expect((await baton(['unblock', SLICE, '--state', 'failed_verification', '--notes-file', notes], { exitCode: 1 })).stderr).toMatch(/spec\.md is the same as when the BLOCKED verdict was given/);
    await writeFile(path.join(worktree, SLICE_DIR, 'spec.md'), SPEC.replace('receives a CSV file.', 'receives an HTML table to save.'));
    await commitAll(worktree, `docs(release/${RELEASE}/${SLICE}): amend spec — HTML instead of PDF`);
    await baton(['unblock', SLICE, '--state', 'failed_verification', '--notes-file', notes]);
    slice = release(await board(repo)).slices[0];
    expect(slice).toMatchObject({ state: 'failed_verification', verification: null, next: { command: 'implement-slice' } });
    await writeFile(notes, 'Reason: not needed this release\nTracking: ISSUE-9\n');
    expect((await baton(['defer', SLICE, '--notes-file', notes], { exitCode: 2 })).stderr).toMatch(/The deferral card lacks acknowledged/);
    await writeFile(notes, 'Reason: not needed this release\nTracking: ISSUE-9\nAcknowledged: Ana, 2026-11-21\n');
    await baton(['defer', SLICE, '--notes-file', notes]);
    expect(release(await board(repo)).slices[0]?.state).toBe('deferred');
    expect(release(await board(repo)).warnings).toEqual([]);
  });
});
