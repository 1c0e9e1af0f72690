import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Brief } from '../../scripts/brief/brief.js';
import type { LogEntry } from '../../scripts/lifecycle/receipt-log.js';
import { receiptedSlice, verdictBlock } from '../helpers/receipted-slice.js';
import { CODE, commitAll, proof, RELEASE, SLICE, SLICE_DIR } from '../helpers/slice-repo.js';
import { git, testdir, writeFiles } from '../helpers/testdir.js';

/**
 * A session names the brief it started from with --brief on its state changes: the receipt records
 * it as Baton-Brief, and baton log shows, receipt by receipt, which handoff each session worked from.
 */

const IMPLEMENTER = { CLAUDE_CODE_SESSION_ID: 'implementer-session-1' };
const VERIFIER = { CODEX_THREAD_ID: 'verifier-thread-2' };

const trailer = async (cwd: string, key: string) => (await git(cwd, 'log', '-1', `--format=%(trailers:key=${key},valueonly)`)).trim();

describe('acknowledging a brief', () => {
  test('each receipt of a session records the digest of the brief it started from, and baton log shows it', async () => {
    const slice = await receiptedSlice('in_progress');
    const digestOf = async (args: string[], env: Record<string, string>) => (JSON.parse((await slice.baton(['brief', SLICE, RELEASE, ...args, '--json'], { env })).stdout) as Brief).digest;

    // The implementer's session: its brief, its work, its two state changes.
    const implementerBrief = await digestOf([], IMPLEMENTER);
    await writeFiles(slice.worktree, CODE);
    await commitAll(slice.worktree, `feat(export): land ${SLICE}`);
    await writeFile(path.join(slice.worktree, SLICE_DIR, 'proof.md'), proof(Object.keys(CODE)));
    await commitAll(slice.worktree, `docs(release/${RELEASE}/${SLICE}): proof bundle`);
    await slice.baton(['evidence', SLICE, RELEASE, '--test-command', 'npm test', '--reachability', 'test/export.test.ts:3 — clicks Export', '--brief', implementerBrief], { env: IMPLEMENTER });
    expect(await trailer(slice.worktree, 'Baton-Brief')).toBe(implementerBrief);
    await slice.baton(['transition', SLICE, 'implemented', RELEASE, '--brief', implementerBrief.toUpperCase()], { env: IMPLEMENTER });
    expect(await trailer(slice.worktree, 'Baton-Brief')).toBe(implementerBrief);

    // The verifier's session starts from its own brief, of the slice as the implementer left it.
    const verifierBrief = await digestOf(['--role', 'verifier'], VERIFIER);
    expect(verifierBrief).not.toBe(implementerBrief);
    const notes = path.join(await testdir(), 'verdict.md');
    await writeFile(notes, verdictBlock('FAIL', await git(slice.worktree, 'rev-parse', 'HEAD'), 'Violations:\n1. Gate 3 — the test does not click Export.\n'));
    await slice.baton(['verdict', SLICE, 'FAIL', RELEASE, '--notes-file', notes, '--brief', verifierBrief], { env: VERIFIER });
    expect(await trailer(slice.worktree, 'Baton-Brief')).toBe(verifierBrief);

    // Receipts that name a brief still count: the board vouches for the record they wrote.
    const board = JSON.parse((await slice.baton(['board', '--json'], { exitCode: 1 })).stdout) as { releases: { slices: { receipts: { receipted: boolean; state: string } }[] }[] };
    expect(board.releases[0]?.slices[0]?.receipts).toMatchObject({ receipted: true, state: 'failed_verification' });

    const log = (await slice.baton(['log', SLICE, '--json'])).stdout.split('\n').map((line) => JSON.parse(line) as LogEntry);
    expect(log.map((entry) => [entry.event, entry.receipt?.session, entry.receipt?.brief])).toEqual([
      ['slice-planned', undefined, undefined],
      ['started', undefined, undefined],
      ['evidence', 'claude:implementer-session-1', implementerBrief],
      ['implemented', 'claude:implementer-session-1', implementerBrief],
      ['verdict', 'codex:verifier-thread-2', verifierBrief],
    ]);
    const lines = (await slice.baton(['log', SLICE])).stdout.split('\n');
    expect(lines[2]).toMatch(new RegExp(`evidence .*session claude:implementer-session-1  brief ${implementerBrief.slice(0, 12)}$`));
    expect(lines[4]).toMatch(new RegExp(`verdict FAIL .*session codex:verifier-thread-2  brief ${verifierBrief.slice(0, 12)}$`));
    expect(lines[1]).not.toContain('brief');
  });

  test.each([
    ['not hexadecimal', 'not-a-digest'],
    ['too short', 'abc123'],
    ['a commit id', '4f9c2e1d7a0b6c3e8f51d2a9b7c4e6f0a1d3b5c7'],
  ])('a --brief that is %s is refused before anything is written', async (_, value) => {
    const slice = await receiptedSlice('planned');
    const head = await git(slice.repo, 'rev-parse', 'HEAD');
    const result = await slice.baton(['worktree', SLICE, RELEASE, '--brief', value], { exitCode: 2 });
    expect(result.stderr).toContain(`--brief "${value}" is not the digest of a brief.`);
    expect(result.stderr).toContain('Pass the digest from the first line of baton brief');
    expect(await git(slice.repo, 'rev-parse', 'HEAD')).toBe(head);
  });
});
