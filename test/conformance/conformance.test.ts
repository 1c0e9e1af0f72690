import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { installOrFail } from '../helpers/package.js';
import { gitdir, testdir } from '../helpers/testdir.js';
import { CLAUDE, runClaude, runCodex, type ClientRun } from './clients.js';
import { ARGS, COMMANDS } from './command-args.js';
import { checkExpansion, missingSkills, type Expectation } from './expansion-checks.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

/**
 * The conformance suite: the pack installed the way users install it, the real Claude Code and Codex
 * binaries invoking every command, and what each sends to the model checked. Claude Code is typed
 * `/<command> <args>`, Codex `$baton-<command> <args>`, the plugin `/baton:<command> <args>`.
 */

let server: RecordingServer;
let project: string;

beforeAll(async () => {
  server = await startRecordingServer();
  project = await gitdir({ 'README.md': '# a project\n' }, 'baton-conf-project-');
});
afterAll(async () => server?.close());

/** The name and description of every baton skill in a folder, from each SKILL.md's frontmatter. */
async function installedSkills(dir: string): Promise<{ name: string; description: string }[]> {
  return Promise.all(
    (await batonSkills(dir)).map(async (name) => {
      const match = /^---\n([\s\S]*?)\n---/.exec(await readFile(path.join(dir, name, 'SKILL.md'), 'utf8'));
      return parseYaml(match?.[1] ?? '') as { name: string; description: string };
    }),
  );
}

/** The baton skills' folders in a skills folder (Codex keeps its own `.system` skills beside them). */
async function batonSkills(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('baton-'));
}

/** Codex's own validator (a Python script it installs with its system skills) on every baton skill in a folder. */
async function expectValidSkills(validator: string, skills: string): Promise<void> {
  const names = await batonSkills(skills);
  expect(names).toHaveLength(11);
  for (const name of names) {
    const result = await execa('python3', [validator, path.join(skills, name)], { reject: false });
    expect(`${name}: ${result.stdout}${result.stderr}`.trim()).toBe(`${name}: Skill is valid!`);
  }
}

async function expectConforms(run: ClientRun, expected: Expectation): Promise<void> {
  expect(await checkExpansion(run, expected), `${expected.invocation} ${expected.args}`).toEqual([]);
}

describe('user scope, default homes, in a home whose path has a space', () => {
  let home: string;
  beforeAll(async () => {
    home = await testdir({}, 'baton conf home ');
    await installOrFail([], home);
  });

  for (const command of COMMANDS) {
    test(`Claude Code: /${command} expands with its arguments, and every file it names exists`, async () => {
      const run = await runClaude(server, { prompt: `/${command} ${ARGS[command]}`, home, cwd: project });
      expect(run.text).toContain(`<command-name>/${command}</command-name>`);
      await expectConforms(run, { tool: 'claude', invocation: `/${command}`, args: ARGS[command] as string, file: path.join(home, '.claude/commands', `${command}.md`), roots: [path.join(home, '.claude')] });
    });

    test(`Codex: $baton-${command} arrives with its skill, its arguments and every baton skill listed`, async () => {
      const run = await runCodex(server, { prompt: `$baton-${command} ${ARGS[command]}`, home, codexHome: path.join(home, '.codex'), cwd: project });
      const skills = path.join(home, '.codex/skills');
      await expectConforms(run, { tool: 'codex', invocation: `$baton-${command}`, args: ARGS[command] as string, file: path.join(skills, `baton-${command}`, 'SKILL.md'), roots: [path.join(home, '.codex')] });
      const installed = await installedSkills(skills);
      expect(installed).toHaveLength(11);
      expect(missingSkills(run, installed)).toEqual([]);
    });
  }

  test("Codex's own skill validator accepts every installed baton skill", async () => {
    // Codex installs its system skills, the validator among them, on its first run (the tests above).
    const validator = path.join(home, '.codex/skills/.system/skill-creator/scripts/quick_validate.py');
    await readFile(validator).catch(() => {
      throw new Error(`Codex did not install its skill validator at ${validator}; run the Codex tests above first.`);
    });
    await expectValidSkills(validator, path.join(home, '.codex/skills'));
  });

  test('nothing is written into the shared .agents/skills folder', async () => {
    expect(await readdir(home)).not.toContain('.agents');
  });
});

describe('environment overrides in folders whose paths contain spaces', () => {
  let base: string;
  let home: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    base = await testdir({}, 'baton conf overrides ');
    home = path.join(base, 'my home');
    await mkdir(home);
    env = { CLAUDE_CONFIG_DIR: path.join(base, 'claude config'), CODEX_HOME: path.join(base, 'codex home') };
    await installOrFail([], home, env);
  });

  for (const command of COMMANDS) {
    test(`/${command} and $baton-${command} with CLAUDE_CONFIG_DIR and CODEX_HOME set`, async () => {
      const claude = await runClaude(server, { prompt: `/${command} ${ARGS[command]}`, home, cwd: project, env: { CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR as string } });
      await expectConforms(claude, { tool: 'claude', invocation: `/${command}`, args: ARGS[command] as string, file: path.join(env.CLAUDE_CONFIG_DIR as string, 'commands', `${command}.md`), roots: [env.CLAUDE_CONFIG_DIR as string] });
      const codex = await runCodex(server, { prompt: `$baton-${command} ${ARGS[command]}`, home, codexHome: env.CODEX_HOME as string, cwd: project });
      await expectConforms(codex, { tool: 'codex', invocation: `$baton-${command}`, args: ARGS[command] as string, file: path.join(env.CODEX_HOME as string, 'skills', `baton-${command}`, 'SKILL.md'), roots: [env.CODEX_HOME as string] });
      const skills = path.join(env.CODEX_HOME as string, 'skills');
      expect(missingSkills(codex, await installedSkills(skills))).toEqual([]);
    });
  }

  test("Codex's skill validator accepts the skills under CODEX_HOME", async () => {
    await expectValidSkills(path.join(env.CODEX_HOME as string, 'skills/.system/skill-creator/scripts/quick_validate.py'), path.join(env.CODEX_HOME as string, 'skills'));
  });
});

describe('project scope', () => {
  let repo: string;
  let home: string;
  beforeAll(async () => {
    repo = await gitdir({ 'README.md': '# shared project\n' }, 'baton-conf-shared-');
    home = await testdir({}, 'baton-conf-empty-home-');
    await installOrFail(['--scope', 'project'], home, {}, repo);
  });

  for (const command of COMMANDS) {
    test(`/${command} and $baton-${command} come from the repository's .claude/ and .codex/`, async () => {
      const claude = await runClaude(server, { prompt: `/${command} ${ARGS[command]}`, home, cwd: repo });
      await expectConforms(claude, { tool: 'claude', invocation: `/${command}`, args: ARGS[command] as string, file: path.join(repo, '.claude/commands', `${command}.md`), roots: [], projectRoot: repo });
      const codex = await runCodex(server, { prompt: `$baton-${command} ${ARGS[command]}`, home, codexHome: path.join(home, '.codex'), cwd: repo });
      await expectConforms(codex, { tool: 'codex', invocation: `$baton-${command}`, args: ARGS[command] as string, file: path.join(repo, '.codex/skills', `baton-${command}`, 'SKILL.md'), roots: [], projectRoot: repo });
      const skills = path.join(repo, '.codex/skills');
      expect(missingSkills(codex, await installedSkills(skills))).toEqual([]);
    });
  }

  test("Codex's skill validator accepts the project's skills", async () => {
    const validator = path.join(home, '.codex/skills/.system/skill-creator/scripts/quick_validate.py');
    await expectValidSkills(validator, path.join(repo, '.codex/skills'));
  });
});

describe('the Claude Code plugin', () => {
  let folder: string;
  let home: string;
  beforeAll(async () => {
    folder = path.join(await testdir({}, 'baton-conf-plugin-'), 'baton plugin');
    home = await testdir({}, 'baton-conf-plugin-home-');
    await installOrFail(['--plugin', folder], home);
  });

  test('claude plugin validate --strict --json accepts the plugin and its marketplace', async () => {
    for (const target of [path.join(folder, 'plugin'), folder]) {
      const result = await execa(CLAUDE, ['plugin', 'validate', '--strict', '--json', target], { env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false, reject: false });
      const report = JSON.parse(result.stdout) as { success: boolean; manifest: { errors: unknown[]; warnings: unknown[] }; provides?: { commands: string[]; skills: string[] } };
      expect(report.manifest, target).toMatchObject({ errors: [], warnings: [] });
      expect(report.success, target).toBe(true);
      expect(result.exitCode).toBe(0);
      if (target !== folder) {
        expect(report.provides?.commands.sort()).toEqual(COMMANDS.map((command) => `baton:${command}`).sort());
        expect(report.provides?.skills.sort()).toEqual(['baton:baton-implementer', 'baton:baton-integrator', 'baton:baton-planner', 'baton:baton-verifier']);
      }
    }
  });

  test('added with claude plugin marketplace add and claude plugin install, every /baton:<command> expands', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: home };
    for (const args of [['plugin', 'marketplace', 'add', folder], ['plugin', 'install', 'baton@baton']]) {
      const result = await execa(CLAUDE, args, { env, extendEnv: false, reject: false });
      expect(result.exitCode, `claude ${args.join(' ')}: ${result.stdout} ${result.stderr}`).toBe(0);
    }
    for (const command of COMMANDS) {
      const run = await runClaude(server, { prompt: `/baton:${command} ${ARGS[command]}`, home, cwd: project });
      // Claude Code fills in ${CLAUDE_PLUGIN_ROOT}; for a local marketplace it is the plugin's own folder.
      expect(run.text).not.toContain('${CLAUDE_PLUGIN_ROOT}');
      await expectConforms(run, { tool: 'claude', invocation: `/baton:${command}`, args: ARGS[command] as string, file: path.join(folder, 'plugin/commands', `${command}.md`), roots: [path.join(folder, 'plugin')], pluginRoot: path.join(folder, 'plugin') });
    }
  });
});

describe('a broken install fails these checks for the right reason', () => {
  test('a $1 left in a command and a missing referenced file are both reported', async () => {
    const home = await testdir({}, 'baton-conf-broken-');
    await installOrFail(['--target', 'claude'], home);
    const command = path.join(home, '.claude/commands/verify-slice.md');
    await appendFile(command, "\nCount the lines with awk '{print $1}'.\n");
    await rm(path.join(home, '.claude/skills/baton-verifier/SKILL.md'));
    const expected = { tool: 'claude' as const, invocation: '/verify-slice', file: command, roots: [path.join(home, '.claude')] };

    // One argument: Claude Code leaves the unfilled positional as it is.
    const one = await runClaude(server, { prompt: '/verify-slice S03a-export-csv', home, cwd: project });
    const problems = await checkExpansion(one, { ...expected, args: 'S03a-export-csv' });
    expect(problems.some((problem) => /holds "\$1", a positional placeholder/.test(problem))).toBe(true);
    expect(problems).toContain(`the text names ${path.join(home, '.claude/skills/baton-verifier/SKILL.md')}, which does not exist`);

    // Two arguments: Claude Code replaces $1 with the second one (positionals are 0-indexed), silently.
    // No check of the output could see that; this is why the installer refuses $1 in any source.
    const two = await runClaude(server, { prompt: '/verify-slice S03a-export-csv 2026-11-21-billing', home, cwd: project });
    expect(two.text).toContain("awk '{print 2026-11-21-billing}'");
  });
});
