import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASS_GATES, receiptedSlice, verdictBlock } from '../helpers/receipted-slice.js';
import { REPO_ROOT } from '../helpers/run.js';
import { RELEASE, SLICE } from '../helpers/slice-repo.js';
import { git, GIT_ENV, testdir } from '../helpers/testdir.js';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import { runClaude, runCodex } from './clients.js';
import { startRecordingServer, type ModelScript, type RecordingServer } from './recording-server.js';

/**
 * Which session the real clients tell the commands their shell tool runs: the fact behind baton's
 * Baton-Session trailer and its refusal of a PASS from the session that implemented the slice
 * (docs/receipts.md). A scripted model has each client run the same command twice in one session, and
 * again in a second session; the tool results the client sends back are what the command printed.
 */

const PRINT = (variable: string) => `printf 'session=%s\\n' "$${variable}"`;

let server: RecordingServer;
/** The commands the scripted model runs in the current conversation, in order. */
let commands: string[] = [];
/** The tool results of the last conversation, as the client sent them. */
let results: string[] = [];
const script: ModelScript = (conversation) => {
  results = conversation.results;
  return commands[conversation.results.length];
};

beforeAll(async () => {
  server = await startRecordingServer({ script });
});
afterAll(async () => server?.close());

/** The session ids printed by the two commands of one conversation. */
function sessionsPrinted(): string[] {
  return results.map((result) => /session=([^\s"\\]*)/.exec(result)?.[1] ?? `(nothing printed in: ${result.slice(0, 200)})`);
}

describe('the session id each client gives its commands', () => {
  /** Each client, run once for a fresh session in the same home and folder. */
  const clients = [
    {
      client: 'Claude Code',
      variable: 'CLAUDE_CODE_SESSION_ID',
      // The tools a command's frontmatter allows are what a user's headless run grants: here, Bash.
      run: (home: string, cwd: string) => runClaude(server, { prompt: 'Print the session twice.', home, cwd, args: ['--allowedTools', 'Bash'] }),
    },
    {
      client: 'Codex',
      variable: 'CODEX_THREAD_ID',
      run: async (home: string, cwd: string) => {
        const codexHome = path.join(home, '.codex');
        await mkdir(codexHome, { recursive: true });
        return runCodex(server, { prompt: 'Print the session twice.', home, codexHome, cwd });
      },
    },
  ];

  test.each(clients)('$client sets $variable: one id for every command of a session, another for the next session', async ({ variable, run }) => {
    const home = await testdir({}, 'baton home with space-');
    const cwd = await testdir({}, 'baton-session-');
    const seen: string[][] = [];
    for (let session = 0; session < 2; session += 1) {
      commands = [PRINT(variable), PRINT(variable)];
      await run(home, cwd);
      seen.push(sessionsPrinted());
    }
    const [first = [], second = []] = seen;
    expect(first).toHaveLength(2);
    expect(first[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(first[1]).toBe(first[0]);
    expect(second[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(second[0]).not.toBe(first[0]);
  });
});

describe('no builder certifies its own work, in the real client', () => {
  test('Claude Code: a PASS in the session that claimed the slice is refused; the next session records it', async () => {
    const home = await testdir({}, 'baton home with space-');
    const s = await receiptedSlice('implemented');
    const baton = `node ${shellQuote(path.join(REPO_ROOT, 'dist/baton.mjs'))} -C ${shellQuote(s.worktree)}`;
    const notes = path.join(await testdir(), 'verdict.md');
    const writeNotes = `printf '${verdictBlock('PASS', '%s', PASS_GATES).replace(/\n/g, '\\n')}' "$(git -C ${shellQuote(s.worktree)} rev-parse HEAD)" > ${shellQuote(notes)}`;
    const verdict = `${writeNotes} && ${baton} verdict ${SLICE} PASS ${RELEASE} --notes-file ${shellQuote(notes)}`;
    const env = { ...GIT_ENV };

    // Session 1 is the implementer: it commits more work, claims it, then tries to pass it itself.
    commands = [
      `cd ${shellQuote(s.worktree)} && printf 'export const toCsv = (rows: string[][]) => rows.map((row) => row.join(",")).join("\\\\n");\\n' > src/export.ts && git commit -qam "fix: join the fields" && ${baton} transition ${SLICE} implemented ${RELEASE}`,
      verdict,
    ];
    await runClaude(server, { prompt: 'Implement, then verify.', home, cwd: s.worktree, env, args: ['--allowedTools', 'Bash'] });
    expect(results[0]).toMatch(/implemented → implemented again/);
    expect(results[1]).toMatch(/A PASS cannot be recorded from session claude:[0-9a-f-]{36}: the same session marked S01-export-csv implemented/);
    const claimedBy = (await git(s.worktree, 'log', '-1', '--format=%(trailers:key=Baton-Session,valueonly)')).trim();
    expect(claimedBy).toMatch(/^claude:[0-9a-f-]{36}$/);

    // Session 2, fresh: the verdict is recorded, with its own session in the receipt.
    commands = [verdict];
    await runClaude(server, { prompt: 'Verify.', home, cwd: s.worktree, env, args: ['--allowedTools', 'Bash'] });
    expect(results[0]).toMatch(/verifier verdict — PASS/);
    const verifiedBy = (await git(s.worktree, 'log', '-1', '--format=%(trailers:key=Baton-Session,valueonly)')).trim();
    expect(verifiedBy).toMatch(/^claude:[0-9a-f-]{36}$/);
    expect(verifiedBy).not.toBe(claimedBy);
  });
});
