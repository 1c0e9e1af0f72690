import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import { testdir } from '../helpers/testdir.js';
import { runClaude } from './clients.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

/**
 * Facts about headless Claude Code (`claude -p`) that decide whether a command's `baton` calls run at
 * all (issue 14 builds on them). A scripted model makes the client run a program by its quoted path,
 * as the rendered prompts run `{{baton}}`, from a slash command with each frontmatter below; the tool
 * result says whether it ran or was refused for want of approval, which never comes in -p mode.
 */

let server: RecordingServer;
let results: string[] = [];
let commands: string[] = [];
beforeAll(async () => {
  server = await startRecordingServer({
    script: (conversation) => {
      results = conversation.results;
      return commands[conversation.results.length];
    },
  });
});
afterAll(async () => server?.close());

describe('claude -p runs a slash command\'s shell calls only as its frontmatter allows', () => {
  test.each([
    { frontmatter: (_tool: string) => '', runs: false, why: 'no allowed-tools: a program is refused ("requires approval")' },
    { frontmatter: (_tool: string) => 'allowed-tools: Bash', runs: true, why: 'all of Bash' },
    { frontmatter: (_tool: string) => 'allowed-tools: Bash(git:*)', runs: false, why: 'another program only' },
    { frontmatter: (tool: string) => `allowed-tools: Bash(${tool}:*)`, runs: false, why: 'the bare path of a program whose path has a space does not match its quoted call' },
    { frontmatter: (tool: string) => `allowed-tools: Bash(${shellQuote(tool)}:*)`, runs: true, why: 'the rule written as the call is: the quoted path, a prefix match' },
  ])('$why', async ({ frontmatter, runs }) => {
    const home = await testdir({}, 'baton home with space-');
    const tool = path.join(home, 'bin', 'tool');
    await mkdir(path.dirname(tool), { recursive: true });
    await writeFile(tool, '#!/bin/sh\necho tool-ran\n', { mode: 0o755 });
    await mkdir(path.join(home, '.claude', 'commands'), { recursive: true });
    await writeFile(path.join(home, '.claude', 'commands', 'probe.md'), `---\ndescription: Run the tool.\n${frontmatter(tool)}\n---\nRun the tool.\n`);
    commands = [`${shellQuote(tool)} --json`];
    await runClaude(server, { prompt: '/probe', home, cwd: home });
    if (runs) expect(results[0]).toBe('tool-ran');
    else expect(results[0]).toMatch(/requires approval/);
  });
});
