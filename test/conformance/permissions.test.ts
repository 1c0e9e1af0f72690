import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import { runInstall } from '../helpers/package.js';
import { runBin } from '../helpers/run.js';
import { GIT_ENV, gitdir, testdir } from '../helpers/testdir.js';
import { CLAUDE, runClaude } from './clients.js';
import { commandLines } from './prompt-commands.js';
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

describe('the installed commands run their calls in claude -p with the allowed-tools baton renders', () => {
  const protocol = ['plan-release', 'replan-release', 'mark-shipped'];
  const project = ['implement-slice', 'verify-slice', 'merge-track', 'merge-release'];
  const release = '2026-11-21-billing';
  const slice = 'S01-probe';
  let home: string;
  let repo: string;
  beforeAll(async () => {
    home = await testdir({}, 'baton home with space-');
    repo = await gitdir({ 'package.json': '{"scripts":{"test":"node -e \\"console.log(\'tests-ran\')\\""}}\n' });
    const result = await runInstall(['--yes', '--target', 'claude'], { home });
    if (result.exitCode !== 0) throw new Error(`baton-install failed: ${result.stderr}`);
    // A release with one slice, so that every command's brief has something to brief on.
    for (const args of [['new-release', release, '--integration-branch', 'main'], ['new-slice', slice, '--release', release, '--track', 'T1-probe', '--title', 'Probe']]) {
      const made = await runBin('baton', ['-C', repo, ...args], { env: GIT_ENV });
      if (made.exitCode !== 0) throw new Error(`baton ${args.join(' ')} failed: ${made.stderr}`);
    }
  });

  test.each([...protocol, ...project])('/%s: its own board and brief calls run; the project\'s tests run only where it says shell: project', async (command) => {
    const baton = shellQuote(path.join(home, '.claude/baton/bin/baton'));
    commands = [];
    const { text } = await runClaude(server, { prompt: `/${command} x`, home, cwd: repo });
    // The board and brief calls this command's own text shows, as the agent copies them.
    const call = (what: RegExp) => commandLines(text).filter((line) => line.startsWith(`${baton} `) && what.test(line)).sort((a, b) => a.length - b.length)[0] ?? '';
    const fill = (line: string) => line.replace('"<repo>"', shellQuote(repo)).replace('<release>', release).replace('<slice>', slice);
    const boardCall = call(/ board --json/);
    const briefCall = call(/ brief /);
    expect(boardCall, `/${command} shows a board call with the quoted baton path`).not.toBe('');
    expect(briefCall, `/${command} shows a brief call with the quoted baton path`).not.toBe('');
    commands = [fill(boardCall), fill(briefCall), `npm test --prefix ${shellQuote(repo)}`];
    await runClaude(server, { prompt: `/${command} x`, home, cwd: repo });
    expect(results[0]).toMatch(/"releases"/);
    expect(results[1], fill(briefCall)).toMatch(/^Brief [0-9a-f]{64}: /);
    if (protocol.includes(command)) expect(results[2]).toMatch(/requires approval/);
    else expect(results[2]).toContain('tests-ran');
  });
});

describe('the plugin\'s allowed-tools name baton through ${CLAUDE_PLUGIN_ROOT}, which Claude Code fills in there too', () => {
  test('/baton:mark-shipped runs its board and brief calls and refuses npm; /baton:verify-slice runs all three', async () => {
    const folder = path.join(await testdir({}, 'baton-perm-plugin-'), 'baton plugin');
    const home = await testdir({}, 'baton-perm-plugin-home-');
    const repo = await gitdir();
    const installed = await runInstall(['--yes', '--plugin', folder], { home });
    if (installed.exitCode !== 0) throw new Error(`baton-install --plugin failed: ${installed.stderr}`);
    for (const args of [['plugin', 'marketplace', 'add', folder], ['plugin', 'install', 'baton@baton']]) {
      const result = await execa(CLAUDE, args, { env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false, reject: false });
      expect(result.exitCode, `claude ${args.join(' ')}: ${result.stdout} ${result.stderr}`).toBe(0);
    }
    for (const [command, npmRuns] of [['mark-shipped', false], ['verify-slice', true]] as const) {
      commands = [];
      const { text } = await runClaude(server, { prompt: `/baton:${command} 2026-11-21-billing`, home, cwd: repo });
      const boardCall = commandLines(text).filter((line) => line.includes('/baton/bin/baton" board --json')).sort((a, b) => a.length - b.length)[0] ?? '';
      expect(boardCall).toBe(`${JSON.stringify(path.join(folder, 'plugin/baton/bin/baton'))} board --json`);
      const briefCall = commandLines(text).filter((line) => line.includes('/baton/bin/baton" brief ')).sort((a, b) => a.length - b.length)[0] ?? '';
      expect(briefCall, `/baton:${command} shows a brief call`).not.toBe('');
      commands = [boardCall, briefCall.replace('<release>', '2026-11-21-billing').replace('<slice>', 'S01-probe'), 'npm --version'];
      await runClaude(server, { prompt: `/baton:${command} 2026-11-21-billing`, home, cwd: repo });
      expect(results[0], `/baton:${command}`).toMatch(/"releases"/);
      // The repository has no release: baton ran, and says so.
      expect(results[1], `/baton:${command}`).toMatch(/^Exit code 2\nerror: (Release 2026-11-21-billing was not found|Slice S01-probe is not on the board)/);
      if (npmRuns) expect(results[2]).toMatch(/^\d+\.\d+\.\d+$/);
      else expect(results[2]).toMatch(/requires approval/);
    }
  });
});
