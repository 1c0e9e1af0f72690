import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Board, BoardRelease } from '../../scripts/board/board.js';
import { runBin } from '../helpers/run.js';
import { git, GIT_ENV, gitdir, testdir, writeFiles } from '../helpers/testdir.js';

const REL = '2026-11-21-billing';

/**
 * One release through its whole life, driven only by baton commands and plain git, with the board
 * checked after every step: three slices in two tracks, a FAIL and its fix, gates, merges, ship.
 */
describe('a release from planning to shipped', () => {
  test('every step moves the board as the protocol says', async () => {
    const repo = await gitdir({ 'README.md': '# app\n', 'src/app.ts': 'export const app = 1;\n' }, 'baton-life-');
    const worktrees = await testdir({}, 'baton-wt-');
    await writeFiles(repo, { '.baton/config.json': JSON.stringify({ worktreeRoot: worktrees }) });
    await git(repo, 'add', '.baton/config.json');
    await git(repo, 'commit', '-q', '-m', 'configure baton');

    const baton = async (args: string[], cwd = repo, expectExit = 0) => {
      const result = await runBin('baton', args, { cwd, env: GIT_ENV });
      expect(result.exitCode, `baton ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(expectExit);
      return result;
    };
    const board = async (exitCode = 1): Promise<BoardRelease> => {
      const result = await baton(['board', '--json'], repo, exitCode);
      const parsed = JSON.parse(result.stdout) as Board;
      return parsed.releases.find((release) => release.id === REL) as BoardRelease;
    };
    const states = (release: BoardRelease) => Object.fromEntries(release.slices.map((slice) => [slice.id, slice.state]));
    const track = (release: BoardRelease, id: string) => release.tracks.find((candidate) => candidate.id === id);
    /** The board after a step: every slice's state and every track's state, as expected. */
    const expectBoard = async (slices: Record<string, string>, tracks: Record<string, string>, exitCode = 1): Promise<BoardRelease> => {
      const read = await board(exitCode);
      expect(states(read)).toEqual(slices);
      expect(Object.fromEntries(read.tracks.map((entry) => [entry.id, entry.state]))).toEqual(tracks);
      return read;
    };
    /** The subject of the newest commit in a checkout: every state change commits with the protocol's subject line. */
    const subject = async (cwd: string) => git(cwd, 'log', '-1', '--format=%s');
    /** The receipt event of the newest commit in a checkout. */
    const event = async (cwd: string) => (await git(cwd, 'log', '-1', '--format=%(trailers:key=Baton-Event,valueonly)')).trim();
    const S1 = 'S01-export-csv';
    const S2 = 'S02-export-filter';
    const S3 = 'S03-pdf';

    // Plan: the release, three slices in two tracks, T2 depending on T1.
    await baton(['new-release', REL]);
    expect(await subject(repo)).toBe(`docs(release/${REL}): open release`);
    expect(await event(repo)).toBe('release-opened');
    let now = await expectBoard({}, {});
    await baton(['new-slice', 'S01-export-csv', '--release', REL, '--track', 'T1-exports', '--title', 'An accountant exports invoices as CSV']);
    expect(await subject(repo)).toBe(`docs(release/${REL}/${S1}): plan slice in T1-exports`);
    await expectBoard({ [S1]: 'planned' }, { 'T1-exports': 'planned' });
    await baton(['new-slice', 'S02-export-filter', '--release', REL, '--track', 'T1-exports', '--title', 'The export honours the filter']);
    await expectBoard({ [S1]: 'planned', [S2]: 'planned' }, { 'T1-exports': 'planned' });
    await baton(['new-slice', 'S03-pdf', '--release', REL, '--track', 'T2-pdf', '--depends-on', 'T1-exports', '--title', 'Invoices export as PDF']);
    now = await expectBoard({ [S1]: 'planned', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'planned', 'T2-pdf': 'planned' });
    expect(track(now, 'T1-exports')).toMatchObject({ state: 'planned', actionable: 'S01-export-csv', next: { command: 'implement-slice', args: ['S01-export-csv', REL] } });
    expect(track(now, 'T2-pdf')).toMatchObject({ blockedBy: ['T1-exports'], next: null });
    for (const slice of ['S01-export-csv', 'S02-export-filter', 'S03-pdf']) await planSpec(repo, slice, slice === 'S03-pdf' ? ['src/pdf.ts'] : slice === 'S01-export-csv' ? ['src/export.ts'] : ['src/filter.ts']);
    const matrix = await baton(['matrix', REL]);
    expect(matrix.stdout).toContain('| `src/export.ts` | ✓ |  |');

    // T1: materialise and start S01.
    await baton(['worktree', 'S01-export-csv']);
    now = await expectBoard({ [S1]: 'planned', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' });
    const t1 = track(now, 'T1-exports')?.worktree as string;
    expect(t1).toBe(path.join(worktrees, REL, 'T1-exports'));
    expect(now.releaseWorktree).toBe(path.join(worktrees, REL, 'release'));
    expect(await subject(now.releaseWorktree as string)).toBe(`chore(release/${REL}): materialise worktree for track T1-exports`);
    // Out of order and out of state, the commands refuse with the reason (exit 1) and change nothing.
    expect((await baton(['-C', t1, 'start', S2], repo, 1)).stderr).toMatch(/S01-export-csv comes before S02-export-filter in T1-exports/);
    expect((await baton(['-C', t1, 'transition', S1, 'implemented'], repo, 1)).stderr).toMatch(/Refused for S01-export-csv: .*planned/);
    await baton(['-C', t1, 'start', 'S01-export-csv']);
    expect(await subject(t1)).toBe(`docs(release/${REL}/${S1}): start implementation`);
    now = await expectBoard({ [S1]: 'in_progress', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' });
    const started = now.slices.find((slice) => slice.id === 'S01-export-csv');
    expect(started).toMatchObject({ state: 'in_progress', source: `track/${REL}/T1-exports` });
    const startCommit = started?.startCommit;

    // The work, a first pass that catches a leftover marker, then the claim.
    await writeFiles(t1, { 'src/export.ts': 'export const toCsv = (rows: string[][]) => rows.join("\\n"); // TODO escape\n' });
    await git(t1, 'add', '-A');
    await git(t1, 'commit', '-q', '-m', 'feat(export): land S01-export-csv — CSV export');
    await writeProof(t1, 'S01-export-csv', baton);
    await baton(['-C', t1, 'evidence', 'S01-export-csv', '--test-command', 'npm test', '--reachability', 'src/export.ts — the exporter']);
    expect(await subject(t1)).toBe(`docs(release/${REL}/${S1}): record evidence`);
    now = await expectBoard({ [S1]: 'in_progress', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' });
    expect(now.slices.find((slice) => slice.id === S1)?.testCommands).toEqual(['npm test']);
    const refused = await baton(['-C', t1, 'transition', 'S01-export-csv', 'implemented'], repo, 1);
    expect(refused.stderr).toMatch(/baton verify fails at implemented \(dark-code\)/);
    await expectBoard({ [S1]: 'in_progress', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' });
    await writeFiles(t1, { 'src/export.ts': 'export const toCsv = (rows: string[][]) => rows.join("\\n");\n' });
    await git(t1, 'commit', '-q', '-am', 'fix(export): S01-export-csv — no leftover marker');
    await writeProof(t1, 'S01-export-csv', baton);
    await baton(['-C', t1, 'verify', 'S01-export-csv']);
    await baton(['-C', t1, 'transition', 'S01-export-csv', 'implemented']);
    expect(await subject(t1)).toBe(`docs(release/${REL}/${S1}): mark implemented`);
    expect(await event(t1)).toBe('implemented');
    // The receipt names the candidate: the commit it sits on.
    expect((await git(t1, 'log', '-1', '--format=%(trailers:key=Baton-Candidate,valueonly)')).trim()).toBe(await git(t1, 'rev-parse', 'HEAD~1'));
    expect((await statusOf(t1, S1)).actual_files).toEqual(['src/export.ts']);
    now = await expectBoard({ [S1]: 'implemented', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' });
    expect(now.slices.find((slice) => slice.id === 'S01-export-csv')).toMatchObject({ state: 'implemented', next: { command: 'verify-slice', args: ['S01-export-csv', REL] } });

    // A FAIL, its fix, and a PASS. start_commit is kept, so the second verifier sees the whole slice.
    const notes = path.join(await testdir(), 'verdict.md');
    await writeFile(notes, verdictBlock('FAIL', S1, await git(t1, 'rev-parse', 'HEAD'), 'Violations:\n1. Gate 3 — no test drives the export button.\n2. Gate 4 — the artefact shows no gesture.\nRequired fixes:\n1. Gate 3 — drive it.\n'));
    await baton(['-C', t1, 'verdict', 'S01-export-csv', 'FAIL', '--notes-file', notes]);
    expect(await subject(t1)).toBe(`chore(release/${REL}/${S1}): verifier verdict — FAIL`);
    expect((await statusOf(t1, S1)).verification).toMatchObject({ result: 'fail', violations: ['Gate 3 — no test drives the export button.', 'Gate 4 — the artefact shows no gesture.'] });
    now = await expectBoard({ [S1]: 'failed_verification', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' });
    expect(now.slices.find((slice) => slice.id === 'S01-export-csv')).toMatchObject({ state: 'failed_verification', verification: 'fail', next: { command: 'implement-slice' } });
    await baton(['-C', t1, 'start', 'S01-export-csv']);
    expect((await expectBoard({ [S1]: 'in_progress', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' })).slices.find((slice) => slice.id === 'S01-export-csv')).toMatchObject({ state: 'in_progress', startCommit });
    await writeFiles(t1, { 'test/export.test.ts': 'test("clicks Export", () => {});\n' });
    await git(t1, 'add', '-A');
    await git(t1, 'commit', '-q', '-m', 'fix(export): S01-export-csv — test through the button');
    await planSpec(t1, 'S01-export-csv', ['src/export.ts', 'test/export.test.ts']);
    await writeProof(t1, 'S01-export-csv', baton);
    await baton(['-C', t1, 'transition', 'S01-export-csv', 'implemented']);
    await expectBoard({ [S1]: 'implemented', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' });
    await writeFile(notes, verdictBlock('PASS', S1, await git(t1, 'rev-parse', 'HEAD'), PASS_GATES));
    await baton(['-C', t1, 'verdict', 'S01-export-csv', 'PASS', '--notes-file', notes]);
    now = await expectBoard({ [S1]: 'verified', [S2]: 'planned', [S3]: 'planned' }, { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' });
    expect(now.slices.find((slice) => slice.id === 'S01-export-csv')).toMatchObject({ state: 'verified', verification: 'pass' });
    expect(track(now, 'T1-exports')).toMatchObject({ actionable: 'S02-export-filter', next: { command: 'implement-slice', args: ['S02-export-filter', REL] } });
    const journal = await readFile(path.join(t1, 'docs/release', REL, 'S01-export-csv', 'journal.md'), 'utf8');
    expect(journal).toMatch(/### .* — FAIL on [0-9a-f]{12}\n\nVERDICT: FAIL\n[\s\S]*1\. Gate 3/);
    // The timeline of the slice, from its receipts.
    const log = (await baton(['log', S1, REL])).stdout;
    expect(log.split('\n').map((line) => line.replace(/^\S+ \S+\s+\S+ \S+\s+/, '').split('  by ')[0])).toEqual(['slice-planned', 'started', 'evidence', 'implemented', 'verdict FAIL', 'started', 'implemented', 'verdict PASS']);
    expect(log).toMatch(/verdict PASS  by verifier  → verified  attempt 2  candidate [0-9a-f]{12}/);
    const ndjson = (await baton(['log', S1, REL, '--json'])).stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; counts: boolean; receipt: { attempt?: number; verdict?: string } });
    expect(ndjson.map((entry) => [entry.event, entry.counts, entry.receipt.attempt ?? null, entry.receipt.verdict ?? null])).toEqual([
      ['slice-planned', true, null, null],
      ['started', true, 1, null],
      ['evidence', true, 1, null],
      ['implemented', true, 1, null],
      ['verdict', true, 1, 'FAIL'],
      ['started', true, 2, null],
      ['implemented', true, 2, null],
      ['verdict', true, 2, 'PASS'],
    ]);
    expect(journal).toMatch(/### .* — PASS on [0-9a-f]{12}/);

    // S02 straight through, the board checked after each command.
    const t1Open = { 'T1-exports': 'in_progress', 'T2-pdf': 'planned' };
    await implement(t1, S2, { 'src/filter.ts': 'export const filter = true;\n' }, baton, notes, (state) => expectBoard({ [S1]: 'verified', [S2]: state, [S3]: 'planned' }, t1Open));
    now = await board();
    expect(track(now, 'T1-exports')).toMatchObject({ readyToMerge: true, next: { command: 'merge-track', args: ['T1-exports', REL] } });

    // The merge-track gate refuses code that no PASS covered, then opens.
    await writeFiles(t1, { 'src/late.ts': 'export const late = 1;\n' });
    await git(t1, 'add', '-A');
    await git(t1, 'commit', '-q', '-m', 'feat: a late change');
    const closed = await baton(['gate', 'merge-track', 'T1-exports', REL], repo, 1);
    expect(closed.stdout).toMatch(/1 commit\(s\) after S02-export-filter's PASS \(its candidate [0-9a-f]{12}\) that no PASS covered: [0-9a-f]+ feat: a late change/);
    await expectBoard({ [S1]: 'verified', [S2]: 'verified', [S3]: 'planned' }, t1Open);
    await git(t1, 'reset', '-q', '--hard', 'HEAD~1');
    expect((await baton(['gate', 'merge-track', 'T1-exports', REL])).stdout).toBe(`gate merge-track T1-exports (release ${REL}): OPEN`);
    // The later gates list every reason they are closed.
    const early = await baton(['gate', 'merge-release', REL], repo, 1);
    expect(early.stdout).toContain('S03-pdf is planned; every slice must be verified, deferred or shipped');
    expect(early.stdout).toContain(`T1-exports, T2-pdf are not merged into release-wt/${REL} (merge-track)`);
    expect((await baton(['gate', 'mark-shipped', REL], repo, 1)).stdout).toContain(`release-wt/${REL} is not merged into main (merge-release)`);

    // Merge T1 into release-wt, record it; T2 is unblocked.
    const releaseWorktree = now.releaseWorktree as string;
    await git(releaseWorktree, 'merge', '--no-ff', '-q', '-m', `Merge track T1-exports into release-wt/${REL} — 2 slices verified`, `track/${REL}/T1-exports`);
    await expectBoard({ [S1]: 'verified', [S2]: 'verified', [S3]: 'planned' }, t1Open);
    await baton(['merged', 'T1-exports', REL]);
    expect(await subject(releaseWorktree)).toBe(`docs(release/${REL}): record track T1-exports merge to release-wt`);
    now = await expectBoard({ [S1]: 'verified', [S2]: 'verified', [S3]: 'planned' }, { 'T1-exports': 'merged', 'T2-pdf': 'planned' });
    expect(track(now, 'T2-pdf')).toMatchObject({ blockedBy: [], next: { command: 'implement-slice', args: ['S03-pdf', REL] } });

    // T2: its branch starts from release-wt, so it has T1's work.
    await baton(['worktree', 'S03-pdf', REL]);
    const t2Open = { 'T1-exports': 'merged', 'T2-pdf': 'in_progress' };
    const t2 = track(await expectBoard({ [S1]: 'verified', [S2]: 'verified', [S3]: 'planned' }, t2Open), 'T2-pdf')?.worktree as string;
    expect(await readFile(path.join(t2, 'src/export.ts'), 'utf8')).toContain('toCsv');
    await implement(t2, S3, { 'src/pdf.ts': 'export const pdf = true;\n' }, baton, notes, (state) => expectBoard({ [S1]: 'verified', [S2]: 'verified', [S3]: state }, t2Open, state === 'verified' ? 0 : 1));
    await baton(['gate', 'merge-track', 'T2-pdf']);
    await git(releaseWorktree, 'merge', '--no-ff', '-q', '-m', `Merge track T2-pdf into release-wt/${REL} — 1 slice verified`, `track/${REL}/T2-pdf`);
    await expectBoard({ [S1]: 'verified', [S2]: 'verified', [S3]: 'verified' }, t2Open, 0);
    await baton(['merged', 'T2-pdf']);
    now = await board(0);
    expect(now.complete).toBe(true);
    expect(now.next).toEqual({ command: 'merge-release', args: [REL] });

    // Merge the release into main; mark it shipped against a deploy that contains the merge.
    await baton(['gate', 'merge-release', REL]);
    const beforeMerge = await git(repo, 'rev-parse', 'HEAD');
    await git(repo, 'merge', '--no-ff', '-q', '-m', `chore(main): merge release-wt/${REL} — 3 slices verified, 0 deferred`, `release-wt/${REL}`);
    now = await board(0);
    expect(now.mergedToIntegration).toBe(true);
    expect(now.next).toEqual({ command: 'mark-shipped', args: [REL] });
    await baton(['gate', 'mark-shipped', REL]);
    const tooEarly = await baton(['ship', REL, '--deployed', beforeMerge], repo, 1);
    expect(tooEarly.stderr).toMatch(/does not contain the release merge/);
    await expectBoard({ [S1]: 'verified', [S2]: 'verified', [S3]: 'verified' }, { 'T1-exports': 'merged', 'T2-pdf': 'merged' }, 0);
    await baton(['ship', REL, '--deployed', 'HEAD', '--deploy-ref', 'v1.4.0']);
    now = await board(0);
    expect(states(now)).toEqual({ 'S01-export-csv': 'shipped', 'S02-export-filter': 'shipped', 'S03-pdf': 'shipped' });
    expect(now.next).toBeNull();
    expect(await git(repo, 'log', '-1', '--format=%s')).toMatch(new RegExp(`^docs\\(release/${REL}\\): mark 3 slices shipped — deployed [0-9a-f]{12}$`));
    // The shipped records win over the track branches' verified copies, which still exist.
    expect(now.slices.every((slice) => slice.source === 'working tree' || slice.source === 'main')).toBe(true);

    // A release branch without a worktree: the fix names the real folders, runnable from anywhere.
    await git(repo, 'worktree', 'remove', releaseWorktree);
    const noWorktree = await baton(['new-slice', 'S04-later', '--release', REL, '--track', 'T3-later', '--title', 'Later'], repo, 1);
    expect(noWorktree.stderr).toContain(`release-wt/${REL} exists but is not checked out in any worktree on this machine.`);
    expect(noWorktree.stderr).toContain(`fix: Check it out: git -C ${repo} worktree add ${releaseWorktree} release-wt/${REL}`);
  });
});

/** A verdict block in the verifier skill's format. */
function verdictBlock(verdict: string, slice: string, commit: string, rest: string): string {
  return `VERDICT: ${verdict}\nSlice: ${slice} (release ${REL})\nCommit verified: ${commit}\nSession: fresh session, artefacts only\n${rest}`;
}

const PASS_GATES = 'Gates:\n1. Reachable outcome: seen.\n2. Touchpoints: as planned.\n3. Tests: pass in my run.\n4. Reachability artefact: present.\n5. No silent deferrals: none.\n6. Scope: as claimed.\n';

/** Fills a spec in the checkout where the slice's record lives: no placeholders, the given touchpoints. */
async function planSpec(root: string, slice: string, touchpoints: string[]): Promise<void> {
  const file = path.join(root, 'docs/release', REL, slice, 'spec.md');
  const list = touchpoints.map((touchpoint) => `- \`${touchpoint}\` — changes`).join('\n');
  const text = (await readFile(file, 'utf8'))
    .replace(/(## Planned touchpoints\n\n[^\n]*\n[^\n]*\n\n)[\s\S]*?\n\n(## )/, `$1${list}\n\n$2`)
    .replace(/\[fill:[^\]]*\]/g, 'Written.');
  await writeFile(file, text);
  await git(root, 'add', file);
  await git(root, 'commit', '-q', '-m', `docs(release/${REL}/${slice}): write spec`);
}

type Baton = (args: string[], cwd?: string, expectExit?: number) => Promise<{ stdout: string; stderr: string }>;

/** Writes the proof bundle from the live changed-file list, then commits it. */
async function writeProof(root: string, slice: string, baton: Baton): Promise<void> {
  const files = (await baton(['-C', root, 'changed-files', slice, REL])).stdout.trim();
  const file = path.join(root, 'docs/release', REL, slice, 'proof.md');
  const [head = '', firstPass = ''] = (await readFile(file, 'utf8')).split('## First-pass output');
  const filled = head
    .replace(/(## Files changed[\s\S]*?```text\n\$ [^\n]*\n)[\s\S]*?(```)/, `$1${files}\n$2`)
    .replace(/\[fill: each acceptance check that is not met[^\]]*\]/, 'Nothing: every acceptance check is delivered.')
    .replace(/\[fill: files changed that the spec did not plan[^\]]*\]/, 'None')
    .replace(/\[fill:[^\]]*\]/g, 'Done.');
  await writeFile(file, `${filled}## First-pass output${firstPass}`);
  await git(root, 'add', file);
  if ((await git(root, 'status', '--porcelain')) !== '') await git(root, 'commit', '-q', '-m', `docs(release/${REL}/${slice}): proof bundle`);
}

/** One slice from planned to verified; `expectState` checks the board after each command. */
async function implement(root: string, slice: string, files: Record<string, string>, baton: Baton, notes: string, expectState: (state: string) => Promise<unknown>): Promise<void> {
  await baton(['-C', root, 'start', slice]);
  await expectState('in_progress');
  await writeFiles(root, files);
  await git(root, 'add', '-A');
  await git(root, 'commit', '-q', '-m', `feat: land ${slice}`);
  await writeProof(root, slice, baton);
  await expectState('in_progress');
  await baton(['-C', root, 'evidence', slice, '--test-command', 'npm test', '--reachability', `${Object.keys(files)[0]} — it`]);
  await expectState('in_progress');
  await baton(['-C', root, 'transition', slice, 'implemented']);
  await expectState('implemented');
  await writeFile(notes, verdictBlock('PASS', slice, await git(root, 'rev-parse', 'HEAD'), PASS_GATES));
  await baton(['-C', root, 'verdict', slice, 'PASS', '--notes-file', notes]);
  await expectState('verified');
}

/** A slice's status.json as written in a checkout. */
async function statusOf(root: string, slice: string): Promise<{ actual_files: string[]; verification: Record<string, unknown> }> {
  return JSON.parse(await readFile(path.join(root, 'docs/release', REL, slice, 'status.json'), 'utf8')) as { actual_files: string[]; verification: Record<string, unknown> };
}
