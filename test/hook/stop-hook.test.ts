import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatAnswer } from '../../scripts/hook/answer-stop-hook.js';
import { PASS_GATES, receiptedSlice, verdictBlock, type ReceiptedSlice } from '../helpers/receipted-slice.js';
import { gitRunsOf, runBin, type RunResult } from '../helpers/run.js';
import { CODE, commitAll, proof, RELEASE, SLICE, SLICE_DIR } from '../helpers/slice-repo.js';
import { git, GIT_ENV, gitdir, testdir, writeFiles } from '../helpers/testdir.js';

/**
 * `baton hook stop`, the stop hook the agent clients run (docs/stop-hook.md), given the JSON a client
 * sends on its standard input. The real clients running it are in test/conformance/stop-hook.test.ts.
 */

const SESSION = '7f1c2d3e-0000-4000-8000-000000000001';
const OTHER = '7f1c2d3e-0000-4000-8000-000000000002';
const AS_IMPLEMENTER = { CLAUDE_CODE_SESSION_ID: SESSION };

interface HookCall {
  cwd: string;
  session?: string;
  client?: string;
  active?: boolean;
  event?: string;
  input?: string;
}

function hookInput({ cwd, session = SESSION, active = false, event = 'Stop' }: HookCall): string {
  return JSON.stringify({ session_id: session, transcript_path: '/nonexistent/transcript.jsonl', cwd, hook_event_name: event, stop_hook_active: active, last_assistant_message: 'Done.' });
}

/** Runs the hook as a client does: the input on stdin, from the session's folder; it must always exit 0. */
async function stopHook(call: HookCall): Promise<RunResult & { answer: Record<string, string> | undefined }> {
  const result = await runBin('baton', ['hook', 'stop', '--client', call.client ?? 'claude'], { cwd: call.cwd, env: GIT_ENV, input: call.input ?? hookInput(call) });
  expect(result.exitCode, result.stderr).toBe(0);
  return { ...result, answer: result.stdout.trim() === '' ? undefined : (JSON.parse(result.stdout) as Record<string, string>) };
}

/** The slice's work as an implementer finishes it: code, proof, evidence; baton verify passes at in_progress. */
async function finishWork(s: ReceiptedSlice): Promise<void> {
  await writeFiles(s.worktree, CODE);
  await commitAll(s.worktree, `feat(export): land ${SLICE} — CSV export`);
  await writeFile(path.join(s.worktree, SLICE_DIR, 'proof.md'), proof(Object.keys(CODE)));
  await commitAll(s.worktree, `docs(release/${RELEASE}/${SLICE}): proof bundle`);
  await s.baton(['evidence', SLICE, RELEASE, '--test-command', 'npm test', '--reachability', 'test/export.test.ts:3 — clicks Export and gets a CSV']);
}

describe('the session that implements an in_progress slice', () => {
  test('is sent back while baton verify fails, with the failing checks and both ways out', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    // The session's folder is the primary checkout, where the session started; the work is in the track worktree.
    const { answer } = await stopHook({ cwd: s.repo });
    expect(answer?.decision).toBe('block');
    const reason = answer?.reason ?? '';
    expect(reason).toContain(`baton: this session implements ${SLICE} (release ${RELEASE}), which is in_progress, and baton verify fails for it:`);
    expect(reason).toMatch(/FAIL diff-nonempty: /);
    expect(reason).toMatch(/FAIL proof-files: /);
    expect(reason).toContain(`-C "${s.worktree}" verify ${SLICE} ${RELEASE}\``);
    expect(reason).toContain(`-C "${s.worktree}" stopped ${SLICE} ${RELEASE} --reason "<what blocks it, what works, and what is needed from whom>"\``);
  });

  test('Codex gets the same block, for its own sessions only', async () => {
    const s = await receiptedSlice('in_progress', { env: { CODEX_THREAD_ID: SESSION } });
    expect((await stopHook({ cwd: s.worktree, client: 'codex' })).answer?.decision).toBe('block');
    // The session ids of receipts name their client: a Claude Code session with the same id is another session.
    expect((await stopHook({ cwd: s.worktree, client: 'claude' })).answer).toBeUndefined();
  });

  test.each([
    { client: 'claude', decision: { kind: 'block', reason: 'fix it' }, answer: '{"decision":"block","reason":"fix it"}\n' },
    { client: 'codex', decision: { kind: 'block', reason: 'fix it' }, answer: '{"decision":"block","reason":"fix it"}\n' },
    // Gemini CLI 0.61.0's AfterAgent retries the turn on "deny" (docs/stop-hook.md).
    { client: 'gemini', decision: { kind: 'block', reason: 'fix it' }, answer: '{"decision":"deny","reason":"fix it"}\n' },
    { client: 'gemini', decision: { kind: 'stop', note: 'let go' }, answer: '{"systemMessage":"let go"}\n' },
    { client: 'claude', decision: { kind: 'stop' }, answer: '' },
  ] as const)('$client, $decision.kind: $answer', ({ client, decision, answer }) => {
    expect(formatAnswer(decision, client)).toBe(answer);
  });

  test('stops once baton verify passes, and once the slice is claimed implemented', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    await finishWork(s);
    const passing = await stopHook({ cwd: s.repo });
    expect(passing.stdout).toBe('');
    await s.baton(['transition', SLICE, 'implemented', RELEASE]);
    // Something left uncommitted after the claim fails no check at implemented that holds the session: it is not in_progress.
    await writeFiles(s.worktree, { 'src/export.ts': '// TODO: more\n' });
    expect((await stopHook({ cwd: s.repo })).stdout).toBe('');
  });

  test('stops after it records the stop with baton stopped, until it commits more work', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    const recorded = await s.baton(['stopped', SLICE, RELEASE, '--reason', 'The CSV format needs a decision from the accountant: commas or semicolons.']);
    expect(recorded.stdout).toContain(`${SLICE}: stays in_progress; the implementation stopped: The CSV format needs a decision`);
    expect((await git(s.worktree, 'log', '-1', '--format=%s%n%(trailers:key=Baton-Event,valueonly)%(trailers:key=Baton-State,valueonly)')).trim()).toBe(`docs(release/${RELEASE}/${SLICE}): implementation stopped\nstopped\nin_progress`);
    expect(await git(s.worktree, 'show', 'HEAD:' + `${SLICE_DIR}/journal.md`)).toMatch(/### \S+ — stopped\n\nThe CSV format needs a decision from the accountant: commas or semicolons\.$/);
    expect((await stopHook({ cwd: s.repo })).stdout).toBe('');

    // Work committed after the stop is work the session may claim again: the hook holds it again.
    await writeFiles(s.worktree, { 'src/export.ts': 'export const toCsv = () => "";\n' });
    await commitAll(s.worktree, `feat(export): ${SLICE} — start the exporter`);
    expect((await stopHook({ cwd: s.repo })).answer?.decision).toBe('block');
  });

  test('is sent back at most 5 times in one turn, then let stop with a note for the human; a new turn counts again', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    for (let block = 1; block <= 5; block += 1) {
      expect((await stopHook({ cwd: s.repo, active: block > 1 })).answer?.decision, `block ${block}`).toBe('block');
    }
    const released = await stopHook({ cwd: s.repo, active: true });
    expect(released.answer?.systemMessage).toMatch(
      new RegExp(`^baton: ${SLICE} is still in_progress and baton verify fails \\(diff-nonempty, [a-z, -]+\\); the agent was sent back 5 times in this turn and is now let stop\\. Run baton verify ${SLICE} ${RELEASE} to see what fails\\.$`),
    );
    // The human's next message starts a turn: the client reports stop_hook_active false again.
    expect((await stopHook({ cwd: s.repo, active: false })).answer?.decision).toBe('block');
  });
});

describe('every other session stops at once', () => {
  test('another session, in the same repository', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    expect((await stopHook({ cwd: s.worktree, session: OTHER })).stdout).toBe('');
  });

  test('a session outside any repository, and one in a repository without track branches', async () => {
    expect((await stopHook({ cwd: await testdir() })).stdout).toBe('');
    expect((await stopHook({ cwd: await gitdir() })).stdout).toBe('');
    const gone = path.join(await testdir(), 'gone');
    expect((await stopHook({ cwd: await testdir(), input: hookInput({ cwd: gone }) })).stdout).toBe('');
  });

  test('the implementer of an earlier attempt, once a FAIL sent the slice to a new session', async () => {
    const s = await receiptedSlice('implemented', { env: AS_IMPLEMENTER });
    const notes = path.join(await testdir(), 'verdict.md');
    await writeFile(notes, verdictBlock('FAIL', await git(s.worktree, 'rev-parse', 'HEAD'), 'Violations:\n1. The export ignores the filter.\n'));
    await s.baton(['verdict', SLICE, 'FAIL', RELEASE, '--notes-file', notes], { env: { CLAUDE_CODE_SESSION_ID: OTHER } });
    await s.baton(['start', SLICE, RELEASE], { env: { CLAUDE_CODE_SESSION_ID: OTHER } });
    await writeFiles(s.worktree, { 'src/export.ts': '// TODO: the filter\n' });
    expect((await stopHook({ cwd: s.repo, session: SESSION })).stdout).toBe('');
    expect((await stopHook({ cwd: s.repo, session: OTHER })).answer?.decision).toBe('block');
  });

  test('a stop of a subagent, or any event that is not a stop', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    for (const event of ['SubagentStop', 'PreToolUse']) expect((await stopHook({ cwd: s.repo, event })).stdout, event).toBe('');
  });

  test('a session not implementing anything costs two git calls, in a repository with track branches', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    const calls = await gitRunsOf(['hook', 'stop', '--client', 'claude'], s.repo, {}, hookInput({ cwd: s.repo, session: OTHER }));
    expect(calls.map((run) => run.call.split(' ').slice(0, 2).join(' '))).toEqual(['rev-parse --show-toplevel', 'for-each-ref --count=1', 'log --fixed-strings']);
  });
});

describe('a hook that cannot check lets the session stop and tells the human', () => {
  test.each([
    { name: 'input that is not JSON', input: 'not json', note: 'the hook input is not JSON' },
    { name: 'no input at all', input: '', note: 'the client sent no hook input' },
    { name: 'no session id', input: JSON.stringify({ cwd: '/tmp', hook_event_name: 'Stop' }), note: 'the hook input has no session_id baton can read' },
    { name: 'a session id that is not one', input: JSON.stringify({ session_id: '../../etc', cwd: '/tmp', hook_event_name: 'Stop' }), note: 'the hook input has no session_id baton can read' },
    { name: 'input larger than 4 MB', input: JSON.stringify({ session_id: SESSION, cwd: '/tmp', hook_event_name: 'Stop', last_assistant_message: 'x'.repeat(4_200_000) }), note: 'the input is larger than 4194304 bytes' },
  ])('$name', async ({ input, note }) => {
    const { answer } = await stopHook({ cwd: await testdir(), input });
    expect(answer).toEqual({ systemMessage: `baton: the stop hook could not check this session (${note}), so it let the session stop.` });
  });

  test('a hook wired to an unknown client or event, or with an option baton does not know, never blocks', async () => {
    const cwd = await testdir();
    expect((await stopHook({ cwd, client: 'cursor' })).answer?.systemMessage).toContain('(--client cursor: the clients are claude, codex, gemini)');
    const start = await runBin('baton', ['hook', 'start'], { cwd, input: '{}' });
    expect([start.exitCode, JSON.parse(start.stdout)]).toEqual([0, { systemMessage: expect.stringContaining('(baton hook start: the only hook is stop)') }]);
    // Exit 2 is "block" to Claude Code and Codex: a parse error of the hook command is exit 1, which they only report.
    const unknown = await runBin('baton', ['hook', 'stop', '--colour'], { cwd, input: '{}' });
    expect([unknown.exitCode, unknown.stderr]).toEqual([1, expect.stringContaining('Unknown argument: colour')]);
  });

  test('a slice whose track worktree was removed', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    await git(s.repo, 'worktree', 'remove', '--force', s.worktree);
    const { answer } = await stopHook({ cwd: s.repo });
    expect(answer?.systemMessage).toBe(
      `baton: the stop hook could not check this session (${SLICE} is in_progress, but its track branch is checked out in no worktree on this machine, so its work cannot be checked.), so it let the session stop. Create the worktree with baton worktree ${SLICE} ${RELEASE}.`,
    );
  });
});

describe('baton stopped', () => {
  test('refuses a slice that is not in_progress, and an empty reason', async () => {
    const planned = await receiptedSlice('planned');
    const refused = await planned.baton(['stopped', SLICE, RELEASE, '--reason', 'blocked'], { exitCode: 1 });
    expect(refused.stderr).toContain('the slice is planned, not in_progress: there is no implementation to stop');
    const started = await receiptedSlice('in_progress');
    expect((await started.baton(['stopped', SLICE, RELEASE, '--reason', '  '], { exitCode: 2 })).stderr).toContain('The stop reason is empty.');
  });

  test('keeps the slice in_progress for the next session, which finishes it as usual', async () => {
    const s = await receiptedSlice('in_progress', { env: AS_IMPLEMENTER });
    await s.baton(['stopped', SLICE, RELEASE, '--reason', 'Waiting for the billing API key.']);
    const board = JSON.parse((await s.baton(['board', '--json'], { exitCode: 1 })).stdout) as { releases: { slices: { id: string; state: string; receipts: { state: string; last: { event: string } } }[] }[] };
    expect(board.releases[0]?.slices[0]).toMatchObject({ state: 'in_progress', receipts: { state: 'in_progress', last: { event: 'stopped' } } });
    await finishWork(s);
    await s.baton(['transition', SLICE, 'implemented', RELEASE]);
    const log = (await s.baton(['log', SLICE, RELEASE])).stdout;
    expect(log).toMatch(/stopped/);
    expect(log).not.toMatch(/does not count/);
    // And a fresh verifier can pass it: the stop is part of the chain, not a break in it.
    const notes = path.join(await testdir(), 'verdict.md');
    await writeFile(notes, verdictBlock('PASS', await git(s.worktree, 'rev-parse', 'HEAD'), PASS_GATES));
    await s.baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', notes], { env: { CLAUDE_CODE_SESSION_ID: OTHER } });
  });
});
