import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testdir } from '../helpers/testdir.js';
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
  test('Claude Code sets CLAUDE_CODE_SESSION_ID: one id for every command of a session, another for the next session', async () => {
    const home = await testdir({}, 'baton home with space-');
    const cwd = await testdir({}, 'baton-session-');
    const seen: string[][] = [];
    for (let session = 0; session < 2; session += 1) {
      commands = [PRINT('CLAUDE_CODE_SESSION_ID'), PRINT('CLAUDE_CODE_SESSION_ID')];
      // The tools a command's frontmatter allows are what a user's headless run grants: here, Bash.
      await runClaude(server, { prompt: 'Print the session twice.', home, cwd, args: ['--allowedTools', 'Bash'] });
      seen.push(sessionsPrinted());
    }
    const [first = [], second = []] = seen;
    expect(first).toHaveLength(2);
    expect(first[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(first[1]).toBe(first[0]);
    expect(second[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(second[0]).not.toBe(first[0]);
  });

  test('Codex sets CODEX_THREAD_ID: one id for every command of a session, another for the next session', async () => {
    const home = await testdir({}, 'baton home with space-');
    const codexHome = path.join(home, '.codex');
    await mkdir(codexHome, { recursive: true });
    const cwd = await testdir({}, 'baton-session-');
    const seen: string[][] = [];
    for (let session = 0; session < 2; session += 1) {
      commands = [PRINT('CODEX_THREAD_ID'), PRINT('CODEX_THREAD_ID')];
      await runCodex(server, { prompt: 'Print the session twice.', home, codexHome, cwd });
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
