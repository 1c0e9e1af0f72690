import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Board, BoardSlice } from '../../scripts/board/board.js';
import { PASS_GATES, receiptedSlice, verdictBlock, type ReceiptedSlice } from '../helpers/receipted-slice.js';
import { RELEASE, SLICE, SLICE_DIR, TRACK } from '../helpers/slice-repo.js';
import { git, testdir, writeFiles } from '../helpers/testdir.js';

/**
 * The forgery suite: what a sloppy or dishonest agent does to claim "done", each in a real repository
 * with the real baton, and what baton makes of it. Each case fails with its protection removed.
 */

async function boardOf(s: ReceiptedSlice, exitCode = 1): Promise<{ board: Board; slice: BoardSlice }> {
  const result = await s.baton(['board', '--json'], { cwd: s.repo, exitCode });
  const board = JSON.parse(result.stdout) as Board;
  return { board, slice: board.releases[0]?.slices.find((candidate) => candidate.id === SLICE) as BoardSlice };
}

/** Rewrites the slice's status.json as a hand edit would, keeping the rest. */
async function editRecord(root: string, change: (status: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(root, SLICE_DIR, 'status.json');
  const status = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  change(status);
  await writeFile(file, `${JSON.stringify(status, null, 2)}\n`);
}

const claimVerified = (head: string) => (status: Record<string, unknown>) => {
  status.state = 'verified';
  status.verification = { result: 'pass', commit: head, verdict_at: '2026-12-01T00:00:00Z', violations: [], blocked_reason: null };
};

async function notesFile(text: string): Promise<string> {
  const file = path.join(await testdir(), 'notes.md');
  await writeFile(file, text);
  return file;
}

/**
 * Commits the record as edited by `change`, with a message made from `commit`'s by `rewrite`: a receipt
 * written by hand, or copied from another commit.
 */
async function forgeReceipt(s: ReceiptedSlice, commit: string, rewrite: (message: string) => string, change: (status: Record<string, unknown>) => void): Promise<void> {
  const message = rewrite(await git(s.worktree, 'log', '-1', '--format=%B', commit));
  await editRecord(s.worktree, change);
  await git(s.worktree, 'commit', '-q', '-a', '--cleanup=verbatim', '-m', message);
}

/** The PASS receipt a verifier's verdict on `implemented` would carry, made from that implemented receipt's message. */
const passOn = (implemented: string) => (message: string) =>
  message
    .replace(/^docs\(([^)]*)\): mark implemented/, 'chore($1): verifier verdict — PASS')
    .replace('Baton-Event: implemented', 'Baton-Event: verdict')
    .replace('Baton-State: implemented', 'Baton-State: verified\nBaton-Verdict: PASS')
    .replace('Baton-Role: implementer', 'Baton-Role: verifier')
    .replace(/Baton-Prev: .*/, `Baton-Prev: ${implemented}`);

const touched = (status: Record<string, unknown>) => {
  status.last_updated_at = '2026-12-02T00:00:00Z';
};

const BOGUS_DIGEST = 'f'.repeat(64);

describe('a hand-edited record', () => {
  test('an implemented slice edited to verified and committed with the PASS subject: the board keeps implemented, is not READY, and the gate stays closed', async () => {
    const s = await receiptedSlice('implemented');
    await editRecord(s.worktree, claimVerified(await git(s.worktree, 'rev-parse', 'HEAD')));
    await git(s.worktree, 'commit', '-q', '-am', `chore(release/${RELEASE}/${SLICE}): verifier verdict — PASS`);

    const { board, slice } = await boardOf(s, 1);
    expect(board.ready).toBe(false);
    expect(slice).toMatchObject({ state: 'implemented', verification: null, receipts: { receipted: false, state: 'implemented' } });
    expect(board.releases[0]?.warnings.map((warning) => warning.kind)).toContain('unreceipted-state');
    const gate = await s.baton(['gate', 'merge-track', TRACK, RELEASE], { cwd: s.repo, exitCode: 1 });
    expect(gate.stdout).toMatch(/S01-export-csv is implemented; every slice must be verified/);
    const verify = await s.baton(['verify', SLICE, RELEASE, '--json'], { exitCode: 1 });
    expect(JSON.parse(verify.stdout).checks.find((check: { id: string }) => check.id === 'receipts')).toMatchObject({ status: 'fail' });
    // Building on it is refused too: no receipt launders the edit.
    const refused = await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', await notesFile(verdictBlock('PASS', await git(s.worktree, 'rev-parse', 'HEAD'), PASS_GATES))], { exitCode: 1 });
    expect(refused.stderr).toMatch(/not the one its newest receipt wrote/);
  });

  test('a slice never started, edited to verified: the board keeps planned and is not READY', async () => {
    const s = await receiptedSlice('planned');
    await editRecord(s.repo, claimVerified(await git(s.repo, 'rev-parse', 'HEAD')));
    await git(s.repo, 'commit', '-q', '-am', `chore(release/${RELEASE}/${SLICE}): verifier verdict — PASS`);
    const { board, slice } = await boardOf(s, 1);
    expect(board.ready).toBe(false);
    expect(slice).toMatchObject({ state: 'planned', receipts: { receipted: false, state: 'planned' } });
  });

  test("a slice never started, edited to verified and committed with its own slice-planned receipt: the board keeps planned and is not READY", async () => {
    const s = await receiptedSlice('planned');
    const planned = await git(s.repo, 'log', '-1', '--format=%H', '--grep=^Baton-Event: slice-planned');
    await git(s.repo, 'commit', '-q', '--allow-empty', '-m', 'a commit to copy the receipt onto');
    await editRecord(s.repo, claimVerified(await git(s.repo, 'rev-parse', 'HEAD')));
    // The copy names the slice-planned receipt as the one before it, so the chain holds: only the
    // state it claims is left to give it away.
    const copy = (await git(s.repo, 'log', '-1', '--format=%B', planned)).replace(/(Baton-State: planned)/, `$1\nBaton-Prev: ${planned}`);
    await git(s.repo, 'commit', '-q', '-a', '--cleanup=verbatim', '-m', copy);

    const { board, slice } = await boardOf(s, 1);
    expect(board.ready).toBe(false);
    expect(slice).toMatchObject({ state: 'planned', receipts: { receipted: false, state: 'planned' } });
    expect(board.releases[0]?.warnings.map((warning) => warning.message).join('\n')).toMatch(/its status\.json on working tree says verified, but the receipt committed with it \(slice-planned in [0-9a-f]{12}\) says planned/);
    const verify = await s.baton(['verify', SLICE, RELEASE, '--json', '--base', 'HEAD~1'], { cwd: s.repo, exitCode: 1 });
    expect(JSON.parse(verify.stdout).checks.find((check: { id: string }) => check.id === 'receipts')).toMatchObject({ status: 'fail' });
  });

  test('an uncommitted edit to the record: the command refuses to build on it', async () => {
    const s = await receiptedSlice('in_progress');
    await editRecord(s.worktree, (status) => {
      status.test_commands = ['true'];
    });
    const refused = await s.baton(['evidence', SLICE, RELEASE, '--test-command', 'npm test'], { exitCode: 1 });
    expect(refused.stderr).toMatch(/has uncommitted changes: it is not the record its newest receipt wrote/);
  });
});

describe('a copied receipt', () => {
  test('the PASS receipt copied onto a later commit does not count', async () => {
    const s = await receiptedSlice('verified');
    const message = await git(s.worktree, 'log', '-1', '--format=%B');
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = () => "changed after PASS";\n' });
    await git(s.worktree, 'commit', '-q', '-am', 'fix: after the PASS');
    await editRecord(s.worktree, (status) => {
      status.last_updated_at = '2026-12-02T00:00:00Z';
    });
    await git(s.worktree, 'commit', '-q', '-a', '--cleanup=verbatim', '-m', message);

    const { board, slice } = await boardOf(s, 1);
    expect(board.ready).toBe(false);
    expect(slice.receipts.receipted).toBe(false);
    expect(board.releases[0]?.warnings.map((warning) => warning.kind)).toEqual(expect.arrayContaining(['rejected-receipt', 'unreceipted-state']));
    const log = (await s.baton(['log', SLICE, RELEASE], { cwd: s.repo })).stdout;
    expect(log).toMatch(/does not count \([0-9a-f]{12}\): it does not follow S01-export-csv's previous receipt \(it names [0-9a-f]{12}; the previous is verdict in [0-9a-f]{12}\)/);
  });

  test("another slice's PASS receipt on this slice's record does not count", async () => {
    const s = await receiptedSlice('verified');
    await s.baton(['new-slice', 'S02-export-filter', '--release', RELEASE, '--track', TRACK, '--title', 'The export honours the filter']);
    const message = await git(s.worktree, 'log', '-1', '--format=%B', `HEAD~1`);
    expect(message).toContain(`Baton-Slice: ${SLICE}`);
    const other = path.join(s.worktree, 'docs/release', RELEASE, 'S02-export-filter', 'status.json');
    const status = JSON.parse(await readFile(other, 'utf8')) as Record<string, unknown>;
    await writeFile(other, `${JSON.stringify({ ...status, state: 'verified', verification: { result: 'pass', commit: null, verdict_at: null, violations: [], blocked_reason: null } }, null, 2)}\n`);
    await git(s.worktree, 'commit', '-q', '-a', '--cleanup=verbatim', '-m', message);

    const result = await s.baton(['board', '--json'], { cwd: s.repo, exitCode: 1 });
    const board = JSON.parse(result.stdout) as Board;
    expect(board.releases[0]?.slices.find((entry) => entry.id === 'S02-export-filter')).toMatchObject({ state: 'planned', receipts: { receipted: false } });
    expect(board.releases[0]?.warnings.map((warning) => warning.message).join('\n')).toMatch(/does not count: its commit changes docs\/release\/.*S02-export-filter\/status\.json, which a verdict receipt does not cover/);
  });

  test('a PASS receipt whose commit also changes code does not count', async () => {
    const s = await receiptedSlice('verified');
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = () => "slipped into the verdict commit";\n' });
    await git(s.worktree, 'commit', '-q', '-a', '--amend', '--no-edit');

    const { board, slice } = await boardOf(s, 1);
    expect(board.ready).toBe(false);
    expect(slice).toMatchObject({ state: 'implemented', receipts: { receipted: false, lastVerdict: null } });
    expect(board.releases[0]?.warnings.map((warning) => warning.message).join('\n')).toMatch(/does not count: its commit changes src\/export\.ts, which a verdict receipt does not cover/);
  });

  test('the implemented receipt copied onto later code does not count', async () => {
    const s = await receiptedSlice('implemented');
    const claimed = await git(s.worktree, 'rev-parse', 'HEAD');
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = () => "written after the claim";\n' });
    await git(s.worktree, 'commit', '-q', '-am', 'fix: after implemented');
    // Its Baton-Prev set right, so that only the rule it breaks is left to refuse it.
    await forgeReceipt(s, claimed, (message) => message.replace(/Baton-Prev: .*/, `Baton-Prev: ${claimed}`), touched);

    const { board, slice } = await boardOf(s, 1);
    expect(slice).toMatchObject({ state: 'implemented', receipts: { receipted: false, implemented: { commit: claimed } } });
    expect(board.releases[0]?.warnings.map((warning) => warning.message).join('\n')).toMatch(/does not count: it is a implemented receipt whose commit does not sit directly on the candidate it names/);
  });

  test('a PASS written by hand on the implemented receipt, for another verify report, does not count', async () => {
    const s = await receiptedSlice('implemented');
    const implemented = await git(s.worktree, 'rev-parse', 'HEAD');
    await forgeReceipt(s, implemented, (message) => passOn(implemented)(message).replace(/Baton-Report-Sha256: .*/, `Baton-Report-Sha256: ${BOGUS_DIGEST}`), claimVerified(implemented));

    const { board, slice } = await boardOf(s, 1);
    expect(board.ready).toBe(false);
    expect(slice).toMatchObject({ state: 'implemented', receipts: { receipted: false, lastVerdict: null } });
    expect(board.releases[0]?.warnings.map((warning) => warning.message).join('\n')).toMatch(/does not count: it is a verdict on another candidate or another verify report than the implemented receipt it follows/);
  });
});

describe('a receipt chain written by hand', () => {
  test('an implemented receipt whose report digest baton verify does not give: the verdict refuses it; with a PASS written on it too, the merge gate stays closed', async () => {
    const s = await receiptedSlice('implemented');
    const claimed = await git(s.worktree, 'rev-parse', 'HEAD');
    // The claim made again by hand on the same candidate, with a digest of the agent's choosing.
    await git(s.worktree, 'reset', '-q', '--hard', 'HEAD~1');
    await forgeReceipt(s, claimed, (message) => message.replace(/Baton-Report-Sha256: .*/, `Baton-Report-Sha256: ${BOGUS_DIGEST}`), (status) => {
      status.state = 'implemented';
    });
    const forged = await git(s.worktree, 'rev-parse', 'HEAD');
    expect((await boardOf(s, 1)).slice).toMatchObject({ state: 'implemented', receipts: { receipted: true, implemented: { commit: forged, reportSha256: BOGUS_DIGEST } } });

    const notes = await notesFile(verdictBlock('PASS', forged, PASS_GATES));
    const refused = await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', notes], { exitCode: 1 });
    expect(refused.stderr).toMatch(/baton verify does not give, at the candidate [0-9a-f]{12}, the report that was recorded when S01-export-csv was marked implemented/);
    expect(await git(s.worktree, 'rev-parse', 'HEAD')).toBe(forged);

    // The verdict written by hand as well, consistent with the forged claim: the board counts the
    // chain (docs/receipts.md says what this does not stop), but the gate recomputes the report.
    await forgeReceipt(s, forged, passOn(forged), claimVerified(forged));
    expect((await boardOf(s, 0)).slice).toMatchObject({ state: 'verified', receipts: { receipted: true } });
    const gate = await s.baton(['gate', 'merge-track', TRACK, RELEASE], { cwd: s.repo, exitCode: 1 });
    expect(gate.stdout).toMatch(/the spec, the proof or the baton verify report at S01-export-csv's candidate [0-9a-f]{12} is not what its PASS receipt vouches for/);
  });
});

describe('the exact candidate', () => {
  test('code committed after PASS closes the merge gate, next names the planner, and reopen is the way forward', async () => {
    const s = await receiptedSlice('verified');
    expect((await s.baton(['gate', 'merge-track', TRACK, RELEASE], { cwd: s.repo })).stdout).toMatch(/OPEN/);
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = () => "changed after PASS";\n' });
    await git(s.worktree, 'commit', '-q', '-am', 'fix: after the PASS');

    const gate = await s.baton(['gate', 'merge-track', TRACK, RELEASE], { cwd: s.repo, exitCode: 1 });
    expect(gate.stdout).toMatch(/1 commit\(s\) after S01-export-csv's PASS \(its candidate [0-9a-f]{12}\) that no PASS covered: [0-9a-f]+ fix: after the PASS/);
    const next = JSON.parse((await s.baton(['next', SLICE, RELEASE, '--json'])).stdout) as { next: { command: string } };
    expect(next.next.command).toBe('replan-release');

    await s.baton(['reopen', SLICE, RELEASE, '--notes-file', await notesFile('The export changed after its PASS: verify it again.')]);
    expect(JSON.parse((await s.baton(['next', SLICE, RELEASE, '--json'])).stdout).next.command).toBe('implement-slice');
    expect((await s.baton(['start', SLICE, RELEASE])).stdout).toMatch(/failed_verification → in_progress, attempt 2/);
  });
});

describe('the exact candidate: merges and records', () => {
  test('a merge of a branch other than the release branch after PASS closes the merge gate', async () => {
    const s = await receiptedSlice('verified');
    await git(s.repo, 'checkout', '-q', '-b', 'side');
    await writeFiles(s.repo, { 'src/side.ts': 'export const side = 1;\n' });
    await git(s.repo, 'add', 'src/side.ts');
    await git(s.repo, 'commit', '-q', '-m', 'feat: side work no verifier saw');
    await git(s.repo, 'checkout', '-q', 'main');
    await git(s.worktree, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side');

    const gate = await s.baton(['gate', 'merge-track', TRACK, RELEASE], { cwd: s.repo, exitCode: 1 });
    expect(gate.stdout).toMatch(/1 commit\(s\) after S01-export-csv's PASS .* that no PASS covered: [0-9a-f]{12} merges [0-9a-f]{12}, which is not on release-wt\/2026-11-21-billing/);
  });

  test('a verified slice whose record is then edited by hand: its track is not ready to merge', async () => {
    const s = await receiptedSlice('verified');
    await editRecord(s.worktree, (status) => {
      status.title = 'Renamed by hand';
    });
    await git(s.worktree, 'commit', '-q', '-am', 'docs: rename the slice');

    const { board, slice } = await boardOf(s, 1);
    expect(slice).toMatchObject({ state: 'verified', receipts: { receipted: false, state: 'verified' } });
    expect(board.releases[0]?.tracks[0]).toMatchObject({ readyToMerge: false, next: null });
    expect(JSON.parse((await s.baton(['next', SLICE, RELEASE, '--json'])).stdout).next).toBeNull();
  });
});

describe('a state change git does not commit', () => {
  test('leaves the record as it was, and nothing staged', async () => {
    const s = await receiptedSlice('in_progress');
    const file = path.join(s.worktree, SLICE_DIR, 'status.json');
    const before = await readFile(file, 'utf8');
    const refused = await s.baton(['evidence', SLICE, RELEASE, '--test-command', 'npm run e2e'], { exitCode: 2, env: { GIT_AUTHOR_NAME: '', GIT_COMMITTER_NAME: '' } });
    expect(refused.stderr).toMatch(/git did not commit the change in .*: .*empty ident name/);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await git(s.worktree, 'status', '--porcelain')).toBe('');
  });
});

describe('verdicts that cannot be given carelessly', () => {
  test('with uncommitted or untracked changes in the worktree: refused, nothing recorded', async () => {
    const s = await receiptedSlice('implemented');
    const head = await git(s.worktree, 'rev-parse', 'HEAD');
    const notes = await notesFile(verdictBlock('PASS', head, PASS_GATES));
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = () => "edited, not committed";\n' });
    expect((await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', notes], { exitCode: 1 })).stderr).toMatch(/uncommitted or untracked changes: src\/export\.ts/);
    await git(s.worktree, 'checkout', '--', 'src/export.ts');
    await writeFiles(s.worktree, { 'scratch.txt': 'left behind\n' });
    expect((await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', notes], { exitCode: 1 })).stderr).toMatch(/uncommitted or untracked changes: scratch\.txt/);
    expect(await git(s.worktree, 'rev-parse', 'HEAD')).toBe(head);
  });

  test('implemented claimed with uncommitted or untracked changes in the worktree: refused, nothing recorded', async () => {
    const s = await receiptedSlice('implemented');
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = (rows: string[][]) => rows.join("\\n");\n' });
    await git(s.worktree, 'commit', '-q', '-am', 'fix: join the rows');
    const head = await git(s.worktree, 'rev-parse', 'HEAD');
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = () => "edited, not committed";\n' });
    const refused = await s.baton(['transition', SLICE, 'implemented', RELEASE], { exitCode: 1 });
    expect(refused.stderr).toMatch(/S01-export-csv is claimed implemented at its HEAD, but .* has uncommitted or untracked changes: src\/export\.ts/);
    expect(await git(s.worktree, 'rev-parse', 'HEAD')).toBe(head);
  });

  test('notes that are not a verdict block ("looks good") are refused', async () => {
    const s = await receiptedSlice('implemented');
    const refused = await s.baton(['verdict', SLICE, 'pass', RELEASE, '--notes-file', await notesFile('looks good\n')], { exitCode: 2 });
    expect(refused.stderr).toMatch(/are not a PASS verdict block: they need a first line "VERDICT: PASS"/);
  });

  test('after a commit on top of the implemented candidate: refused, until the implementer claims the new work', async () => {
    const s = await receiptedSlice('implemented');
    expect((await s.baton(['transition', SLICE, 'implemented', RELEASE], { exitCode: 1 })).stderr).toMatch(/already implemented at [0-9a-f]{12}, and nothing was committed since/);
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = (rows: string[][]) => rows.map((row) => row.join(",")).join("\\n");\n' });
    await git(s.worktree, 'commit', '-q', '-am', 'fix: after implemented');
    const late = await notesFile(verdictBlock('PASS', await git(s.worktree, 'rev-parse', 'HEAD'), PASS_GATES));
    expect((await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', late], { exitCode: 1 })).stderr).toMatch(/something was committed since, and that is not what was claimed/);
    // The implementer claims the new work: a new candidate, which a verdict can then judge.
    const candidate = await git(s.worktree, 'rev-parse', 'HEAD');
    expect((await s.baton(['transition', SLICE, 'implemented', RELEASE])).stdout).toMatch(/implemented → implemented again, on work committed after the last claim; candidate/);
    expect((await git(s.worktree, 'log', '-1', '--format=%(trailers:key=Baton-Candidate,valueonly)')).trim()).toBe(candidate);
    await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', await notesFile(verdictBlock('PASS', await git(s.worktree, 'rev-parse', 'HEAD'), PASS_GATES))]);
    expect((await boardOf(s, 0)).slice.state).toBe('verified');
  });

  test('a PASS from the session that marked the slice implemented is refused; another session is accepted', async () => {
    const s = await receiptedSlice('implemented', { env: { CODEX_THREAD_ID: 'thread-implementer' } });
    expect(await git(s.worktree, 'log', '-1', '--format=%(trailers:key=Baton-Session,valueonly)')).toBe('codex:thread-implementer\n');
    const notes = await notesFile(verdictBlock('PASS', await git(s.worktree, 'rev-parse', 'HEAD'), PASS_GATES));
    const same = await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', notes], { exitCode: 1, env: { CODEX_THREAD_ID: 'thread-implementer' } });
    expect(same.stderr).toMatch(/A PASS cannot be recorded from session codex:thread-implementer: the same session marked S01-export-csv implemented/);
    await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', notes], { env: { CODEX_THREAD_ID: 'thread-verifier' } });
    expect((await boardOf(s, 0)).slice.state).toBe('verified');
  });
});

describe('bounded retries', () => {
  test('three FAILs: next names the planner, start refuses, the board shows it escalated; reopen gives a fresh budget', async () => {
    const s = await receiptedSlice('implemented');
    const fail = async () => {
      const notes = await notesFile(verdictBlock('FAIL', await git(s.worktree, 'rev-parse', 'HEAD'), 'Violations:\n1. Gate 3 — the test does not drive the page.\n'));
      await s.baton(['verdict', SLICE, 'FAIL', RELEASE, '--notes-file', notes]);
    };
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await fail();
      if (attempt < 3) {
        await s.baton(['start', SLICE, RELEASE]);
        await s.baton(['transition', SLICE, 'implemented', RELEASE]);
      }
    }
    const next = JSON.parse((await s.baton(['next', SLICE, RELEASE, '--json'])).stdout) as { next: { command: string } };
    expect(next.next.command).toBe('replan-release');
    expect((await s.baton(['start', SLICE, RELEASE], { exitCode: 1 })).stderr).toMatch(/failed verification 3 times \(maxAttempts is 3\)/);
    const { slice } = await boardOf(s, 1);
    expect(slice.receipts).toMatchObject({ escalated: true, failures: 3, attempt: 3, lastVerdict: { verdict: 'FAIL' } });

    await s.baton(['reopen', SLICE, RELEASE, '--notes-file', await notesFile('The spec now asks for the page test; try again.')]);
    expect((await s.baton(['start', SLICE, RELEASE])).stdout).toMatch(/attempt 4/);
    expect((await boardOf(s, 1)).slice.receipts).toMatchObject({ escalated: false, failures: 0, attempt: 4 });
  });
});

describe('an older record put back', () => {
  test('after three FAILs, the record of the last claim checked out again: in doubt, still escalated, and nothing builds on it', async () => {
    const s = await receiptedSlice('implemented');
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const notes = await notesFile(verdictBlock('FAIL', await git(s.worktree, 'rev-parse', 'HEAD'), 'Violations:\n1. Gate 3 — the test does not drive the page.\n'));
      await s.baton(['verdict', SLICE, 'FAIL', RELEASE, '--notes-file', notes]);
      if (attempt < 3) {
        await s.baton(['start', SLICE, RELEASE]);
        await s.baton(['transition', SLICE, 'implemented', RELEASE]);
      }
    }
    // The last claim's record, as baton wrote it, put back and committed: it says implemented.
    await git(s.worktree, 'checkout', 'HEAD~1', '--', `${SLICE_DIR}/status.json`);
    await git(s.worktree, 'commit', '-q', '-m', `docs(release/${RELEASE}/${SLICE}): mark implemented`);

    const { board, slice } = await boardOf(s, 1);
    expect(slice).toMatchObject({ state: 'failed_verification', receipts: { receipted: false, escalated: true } });
    expect(board.releases[0]?.warnings.map((warning) => warning.message).join('\n')).toMatch(/is the record of an older receipt \(implemented in [0-9a-f]{12}\), not of the newest \(verdict in [0-9a-f]{12}\)/);
    expect(JSON.parse((await s.baton(['next', SLICE, RELEASE, '--json'])).stdout).next.command).toBe('replan-release');
    const notes = await notesFile(verdictBlock('PASS', await git(s.worktree, 'rev-parse', 'HEAD'), PASS_GATES));
    expect((await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', notes], { exitCode: 1 })).stderr).toMatch(/not the one its newest receipt wrote/);
  });
});

describe('unblock', () => {
  test('without a spec amendment it is refused; with one committed, accepted', async () => {
    const s = await receiptedSlice('implemented');
    const head = await git(s.worktree, 'rev-parse', 'HEAD');
    await s.baton(['verdict', SLICE, 'BLOCKED', RELEASE, '--notes-file', await notesFile(verdictBlock('BLOCKED', head, 'Reason: check 2 needs a file another track owns.\n'))]);
    const answer = await notesFile('Check 2 now excludes archived invoices.');
    expect((await s.baton(['unblock', SLICE, RELEASE, '--state', 'failed_verification', '--notes-file', answer], { exitCode: 1 })).stderr).toMatch(/spec\.md is the same as when the BLOCKED verdict was given/);
    const spec = path.join(s.worktree, SLICE_DIR, 'spec.md');
    await writeFile(spec, `${await readFile(spec, 'utf8')}\nArchived invoices are out of scope.\n`);
    await git(s.worktree, 'commit', '-q', '-am', `docs(release/${RELEASE}/${SLICE}): amend spec — archived invoices out of scope`);
    // Not straight back to the verifier: the proof was written against the old spec.
    expect((await s.baton(['unblock', SLICE, RELEASE, '--state', 'implemented', '--notes-file', answer], { exitCode: 2 })).stderr).toMatch(/Invalid values:[\s\S]*"implemented"/);
    await s.baton(['unblock', SLICE, RELEASE, '--state', 'failed_verification', '--notes-file', answer]);
    expect((await boardOf(s, 1)).slice.state).toBe('failed_verification');
    // The verdict is answered, but the next verifier still reads what it said.
    const status = JSON.parse(await readFile(path.join(s.worktree, SLICE_DIR, 'status.json'), 'utf8')) as { verification: Record<string, unknown> };
    expect(status.verification).toMatchObject({ result: null, blocked_reason: expect.stringContaining('check 2 needs a file another track owns') });
  });
});
