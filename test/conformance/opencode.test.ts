import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installOrFail } from '../helpers/package.js';
import { gitdir, testdir } from '../helpers/testdir.js';
import { runOpenCode, startOpenCode, type ClientRun, type OpenCodeServer, type OpenCodeSkill } from './clients.js';
import { ARGS, COMMANDS } from './command-args.js';
import { checkExpansion, expansionMarker, type Expectation } from './expansion-checks.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';
import { codexSkillsInSharedFolder } from './shared-skills.js';

/**
 * The pack in the real OpenCode (opencode-ai 1.18.33), driven offline: every command typed
 * `/baton-<command> <args>` as the TUI sends it (through `opencode serve`, the TUI's engine, one server
 * per install, the commands at once) and through `opencode run --command`, with what reaches the model
 * checked.
 */

const ROLES = ['implementer', 'integrator', 'planner', 'verifier'];
/** For a test that runs a client several times: on a shared, loaded machine one run may take 20 s. */
const SLOW = 240_000;

let server: RecordingServer;
let project: string;

beforeAll(async () => {
  server = await startRecordingServer();
  project = await gitdir({ 'README.md': '# a project\n' }, 'baton-oc-project-');
});
afterAll(async () => server?.close());

async function expectConforms(run: ClientRun, expected: Omit<Expectation, 'tool' | 'invocation' | 'args'> & { command: string }): Promise<void> {
  const invocation = `/baton-${expected.command}`;
  const args = ARGS[expected.command] as string;
  expect(await checkExpansion(run, { ...expected, tool: 'opencode', invocation, args }), `${invocation} ${args}`).toEqual([]);
}

/** Whether OpenCode found a skill in Claude Code's or Codex's skills folder under `root`. */
function fromClaudeOrCodex(root: string, skill: OpenCodeSkill): boolean {
  return ['.claude/skills', '.agents/skills'].some((folder) => skill.location === path.join(root, folder, skill.name, 'SKILL.md'));
}

/** Every command at once in one server: what OpenCode sent for each must conform. */
async function expectEveryCommand(opencode: OpenCodeServer, where: (command: string) => Omit<Expectation, 'tool' | 'invocation' | 'args'>): Promise<void> {
  await Promise.all(
    COMMANDS.map(async (command) => {
      const run = await opencode.command(`baton-${command}`, ARGS[command] as string, expansionMarker(`/baton-${command}`));
      await expectConforms(run, { command, ...where(command) });
    }),
  );
}

describe("user scope, every tool installed, Codex's skills also in ~/.agents/skills, in a home whose path has a space", () => {
  let home: string;
  let config: string;
  let opencode: OpenCodeServer;
  beforeAll(async () => {
    home = await testdir({}, 'baton oc home ');
    config = path.join(home, '.config/opencode');
    await installOrFail([], home);
    await codexSkillsInSharedFolder(path.join(home, '.codex/skills'), path.join(home, '.agents/skills'));
    opencode = await startOpenCode(server, { home, cwd: project });
  }, SLOW);
  afterAll(() => opencode?.close());

  test('every /baton-<command> expands with its arguments, and every file it names exists', async () => {
    await expectEveryCommand(opencode, (command) => ({ file: path.join(config, 'commands', `baton-${command}.md`), roots: [config] }));
  }, SLOW);

  test("/baton-<command> is baton's OpenCode command, though Codex's skill of that name is in ~/.agents/skills", async () => {
    const commands = await opencode.commands();
    for (const command of COMMANDS) {
      const found = commands.filter((entry) => entry.name === `baton-${command}`);
      expect(found, command).toHaveLength(1);
      expect(found[0]?.source).toBe('command');
      expect(String(found[0]?.template)).toContain(`exactly as OpenCode received it`);
    }
  });

  test('OpenCode makes every skill in ~/.claude/skills and ~/.agents/skills a command; a name in both folders appears once', async () => {
    const skills = (await opencode.skills()).filter((skill) => skill.name.startsWith('baton-'));
    const names = skills.map((skill) => skill.name).sort();
    // Claude Code's four role skills and Codex's eleven, the roles among them under the same names;
    // nothing from Codex's, Copilot's or Cursor's own folders.
    expect(names).toEqual([...COMMANDS, ...ROLES].map((name) => `baton-${name}`).sort());
    // Which folder's copy is kept varies from run to run; OpenCode's own folder holds no baton skill.
    for (const skill of skills) expect(fromClaudeOrCodex(home, skill), `${skill.name} at ${skill.location}`).toBe(true);
    const commands = await opencode.commands();
    for (const role of ROLES) {
      expect(commands.find((entry) => entry.name === `baton-${role}`)?.source, role).toBe('skill');
    }
  });

  test('opencode run --command baton-verify-slice expands the same way', async () => {
    const run = await runOpenCode(server, { command: 'baton-verify-slice', args: ARGS['verify-slice'] as string, marker: expansionMarker('/baton-verify-slice'), home, cwd: project });
    await expectConforms(run, { command: 'verify-slice', file: path.join(config, 'commands/baton-verify-slice.md'), roots: [config] });
  }, SLOW);
});

describe('OPENCODE_CONFIG_DIR and XDG_CONFIG_HOME, in folders whose paths contain spaces', () => {
  test('with OPENCODE_CONFIG_DIR set, the commands go there and every one expands', async () => {
    const base = await testdir({}, 'baton oc override ');
    const home = path.join(base, 'my home');
    await mkdir(home);
    const env = { OPENCODE_CONFIG_DIR: path.join(base, 'opencode config') };
    await installOrFail(['--target', 'opencode'], home, env);
    const opencode = await startOpenCode(server, { home, cwd: project, env });
    try {
      await expectEveryCommand(opencode, (command) => ({ file: path.join(env.OPENCODE_CONFIG_DIR, 'commands', `baton-${command}.md`), roots: [env.OPENCODE_CONFIG_DIR] }));
    } finally {
      opencode.close();
    }
  }, SLOW);

  test('with XDG_CONFIG_HOME set, the commands go to its opencode folder', async () => {
    const base = await testdir({}, 'baton oc xdg ');
    const home = path.join(base, 'my home');
    await mkdir(home);
    const env = { XDG_CONFIG_HOME: path.join(base, 'xdg config') };
    await installOrFail(['--target', 'opencode'], home, env);
    const config = path.join(env.XDG_CONFIG_HOME, 'opencode');
    const run = await runOpenCode(server, { command: 'baton-plan-release', args: ARGS['plan-release'] as string, marker: expansionMarker('/baton-plan-release'), home, cwd: project, env });
    await expectConforms(run, { command: 'plan-release', file: path.join(config, 'commands/baton-plan-release.md'), roots: [config] });
  }, SLOW);
});

describe('project scope', () => {
  test("every /baton-<command> comes from the repository's .opencode/commands, beside Codex's skills in .agents/skills", async () => {
    const repo = await gitdir({ 'README.md': '# shared project\n' }, 'baton-oc-shared-');
    const home = await testdir({}, 'baton-oc-empty-home-');
    await installOrFail(['--scope', 'project'], home, {}, repo);
    await codexSkillsInSharedFolder(path.join(repo, '.codex/skills'), path.join(repo, '.agents/skills'));
    const opencode = await startOpenCode(server, { home, cwd: repo });
    try {
      await expectEveryCommand(opencode, (command) => ({ file: path.join(repo, '.opencode/commands', `baton-${command}.md`), roots: [], projectRoot: repo }));
      // The roles are documents the commands read, not skills: only Codex's and Claude Code's copies are listed.
      const skills = (await opencode.skills()).filter((skill) => skill.name.startsWith('baton-'));
      for (const skill of skills) expect(fromClaudeOrCodex(repo, skill), `${skill.name} at ${skill.location}`).toBe(true);
    } finally {
      opencode.close();
    }
  }, SLOW);
});

describe('why the OpenCode output check refuses $1, !`…` and @file in a command', () => {
  test('OpenCode gives $1 the arguments, runs !`…` and attaches @README.md, and the expansion check sees the change', async () => {
    const home = await testdir({}, 'baton-oc-broken-');
    await installOrFail(['--target', 'opencode'], home);
    const config = path.join(home, '.config/opencode');
    const file = path.join(config, 'commands/baton-verify-slice.md');
    await appendFile(file, "\nCount with awk '{print $1}'. Status: !`echo SHELL-RAN`. Read @README.md.\n");
    const opencode = await startOpenCode(server, { home, cwd: project });
    try {
      const args = ARGS['verify-slice'] as string;
      const run = await opencode.command('baton-verify-slice', args, expansionMarker('/baton-verify-slice'));
      // The highest-numbered positional takes every remaining argument; the shell's output keeps its line break.
      expect(run.text).toContain(`Count with awk '{print ${args}}'. Status: SHELL-RAN\n. Read @README.md.`);
      expect(run.texts.some((text) => text.includes('# a project'))).toBe(true);
      const problems = await checkExpansion(run, { tool: 'opencode', invocation: '/baton-verify-slice', args, file, roots: [config] });
      expect(problems).toContain(`the text that reached the model is not the installed ${file} as the tool fills it in`);
    } finally {
      opencode.close();
    }
  }, SLOW);
});
