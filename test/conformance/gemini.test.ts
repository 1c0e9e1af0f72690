import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { pathExists } from '../../scripts/lib/read-text.js';
import { installOrFail } from '../helpers/package.js';
import { gitdir, testdir } from '../helpers/testdir.js';
import { GEMINI, geminiEnv, listedSkills, runGemini, type ClientRun, type ListedSkill } from './clients.js';
import { ARGS, COMMANDS } from './command-args.js';
import { checkExpansion, type Expectation } from './expansion-checks.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

/**
 * Conformance in the real Gemini CLI (0.61.0, a devDependency), driven offline against the recording
 * server: the pack installed as users install it, every command typed as `/baton:<command> <args>` in
 * `gemini -p`, and what Gemini CLI sends to the model checked. Also the extension, installed with
 * Gemini CLI's own commands, and what Gemini CLI shows from the folders other tools' installs write.
 */

const ROLES = ['implementer', 'integrator', 'planner', 'verifier'];

let server: RecordingServer;
let project: string;

beforeAll(async () => {
  server = await startRecordingServer();
  project = await gitdir({ 'README.md': '# a project\n' }, 'baton-gemini-project-');
});
afterAll(async () => server?.close());

async function expectConforms(run: ClientRun, expected: Expectation): Promise<void> {
  expect(await checkExpansion(run, expected), `${expected.invocation} ${expected.args}`).toEqual([]);
}

/** The name and description of each role skill, as installed. */
async function roleSkills(skills: string): Promise<ListedSkill[]> {
  return Promise.all(
    ROLES.map(async (role) => {
      const location = path.join(skills, `baton-${role}`, 'SKILL.md');
      const match = /^---\n([\s\S]*?)\n---/.exec(await readFile(location, 'utf8'));
      const { name, description } = parseYaml(match?.[1] ?? '') as { name: string; description: string };
      return { name, description, location };
    }),
  );
}

/** The baton skills a Gemini CLI request lists, by name. */
function batonSkills(run: ClientRun): ListedSkill[] {
  return listedSkills(run)
    .filter((skill) => skill.name.startsWith('baton-'))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Runs `gemini <args>` (not a prompt: extension management) and returns its output, failing on a non-zero exit. */
async function gemini(args: string[], home: string, cwd: string, input = ''): Promise<string> {
  const result = await execa(GEMINI, args, { cwd, env: geminiEnv(server, home), extendEnv: false, reject: false, input });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.exitCode !== 0) throw new Error(`gemini ${args.join(' ')} exited ${result.exitCode}:\n${output}`);
  return output;
}

describe('user scope, default folders, in a home whose path has a space', () => {
  let home: string;
  beforeAll(async () => {
    home = await testdir({}, 'baton gemini home ');
    await installOrFail(['--target', 'gemini'], home);
  });

  for (const command of COMMANDS) {
    test(`/baton:${command} expands with its arguments, every file it names exists, and every role is listed as a skill`, async () => {
      const run = await runGemini(server, { prompt: `/baton:${command} ${ARGS[command]}`, home, cwd: project });
      await expectConforms(run, { tool: 'gemini', invocation: `/baton:${command}`, args: ARGS[command] as string, file: path.join(home, '.gemini/commands/baton', `${command}.toml`), roots: [path.join(home, '.gemini')] });
      const listed = batonSkills(run);
      expect(listed).toEqual(await roleSkills(path.join(home, '.gemini/skills')));
    });
  }

  test('a command typed without its namespace, or a role typed as a command, reaches the model as plain text', async () => {
    for (const prompt of ['/plan-release 2026-11-21-billing', '/baton-planner 2026-11-21-billing']) {
      const run = await runGemini(server, { prompt, home, cwd: project });
      expect(run.texts.at(-1)).toBe(prompt);
    }
  });
});

describe('GEMINI_CLI_HOME, a folder whose path has a space, stands for the home folder', () => {
  let home: string;
  let geminiHome: string;
  beforeAll(async () => {
    const base = await testdir({}, 'baton gemini override ');
    home = path.join(base, 'my home');
    geminiHome = path.join(base, 'gemini home');
    await mkdir(home);
    await mkdir(geminiHome);
    await installOrFail(['--target', 'gemini'], home, { GEMINI_CLI_HOME: geminiHome });
  });

  test('baton installs into $GEMINI_CLI_HOME/.gemini and nothing into HOME', async () => {
    expect(await readdir(home)).toEqual([]);
    expect((await readdir(path.join(geminiHome, '.gemini'))).sort()).toEqual(['baton', 'commands', 'skills']);
  });

  for (const command of COMMANDS) {
    test(`/baton:${command} comes from $GEMINI_CLI_HOME/.gemini`, async () => {
      const run = await runGemini(server, { prompt: `/baton:${command} ${ARGS[command]}`, home, cwd: project, env: { GEMINI_CLI_HOME: geminiHome } });
      const root = path.join(geminiHome, '.gemini');
      await expectConforms(run, { tool: 'gemini', invocation: `/baton:${command}`, args: ARGS[command] as string, file: path.join(root, 'commands/baton', `${command}.toml`), roots: [root] });
    });
  }
});

describe('project scope', () => {
  let repo: string;
  let home: string;
  beforeAll(async () => {
    repo = await gitdir({ 'README.md': '# shared project\n' }, 'baton-gemini-shared-');
    home = await testdir({}, 'baton-gemini-empty-home-');
    await installOrFail(['--scope', 'project', '--target', 'gemini'], home, {}, repo);
  });

  for (const command of COMMANDS) {
    test(`/baton:${command} comes from the repository's .gemini/, and its roles are listed from .gemini/skills`, async () => {
      const run = await runGemini(server, { prompt: `/baton:${command} ${ARGS[command]}`, home, cwd: repo });
      await expectConforms(run, { tool: 'gemini', invocation: `/baton:${command}`, args: ARGS[command] as string, file: path.join(repo, '.gemini/commands/baton', `${command}.toml`), roots: [], projectRoot: repo });
      expect(batonSkills(run)).toEqual(await roleSkills(path.join(repo, '.gemini/skills')));
    });
  }

  test('with baton also installed for the user, Gemini CLI renames both commands and /baton:<command> stops expanding', async () => {
    await installOrFail(['--target', 'gemini'], home);
    try {
      const plain = await runGemini(server, { prompt: '/baton:plan-release 2026-11-21-billing', home, cwd: repo });
      expect(plain.texts.at(-1)).toBe('/baton:plan-release 2026-11-21-billing');
      const workspace = await runGemini(server, { prompt: '/workspace.baton:plan-release 2026-11-21-billing', home, cwd: repo });
      expect(workspace.texts.at(-1)).toContain('# Plan a release');
    } finally {
      await installOrFail(['--target', 'gemini', '--uninstall'], home);
    }
  });
});

describe('the Gemini CLI extension, written by baton-install --plugin beside the other plugins', () => {
  let home: string;
  let plugins: string;
  let folder: string;
  beforeAll(async () => {
    home = await testdir({}, 'baton gemini ext home ');
    plugins = path.join(await testdir({}, 'baton-gemini-ext-'), 'baton plugins');
    folder = path.join(plugins, 'gemini-extension');
    await installOrFail(['--plugin', plugins], home);
  });

  test("gemini extensions validate accepts it, with neither errors nor warnings", async () => {
    const output = await gemini(['extensions', 'validate', folder], home, project);
    expect(output.trim()).toBe(`Extension ${folder} has been successfully validated.`);
  });

  test('installed with gemini extensions install, every /baton:<command> expands and names files of the installed copy', async () => {
    await gemini(['extensions', 'install', folder, '--consent'], home, project);
    const installed = path.join(home, '.gemini/extensions/baton');
    for (const command of COMMANDS) {
      const run = await runGemini(server, { prompt: `/baton:${command} ${ARGS[command]}`, home, cwd: project });
      // The agent finds the folder it puts for ${extensionPath} on GEMINI.md's "Context from:" line.
      expect(run.text).toContain(`--- Context from: ${path.join(installed, 'GEMINI.md')} ---`);
      await expectConforms(run, { tool: 'gemini', invocation: `/baton:${command}`, args: ARGS[command] as string, file: path.join(installed, 'commands/baton', `${command}.toml`), roots: [installed], pluginRoot: installed, pluginWord: '${extensionPath}' });
      expect(batonSkills(run)).toEqual(await roleSkills(path.join(installed, 'skills')));
    }
    // The copy keeps the tool runnable: Gemini CLI copied bin/ with its modes.
    const version = await execa(path.join(installed, 'baton/bin/baton'), ['--version'], { reject: false });
    expect(version.exitCode, version.stderr).toBe(0);
  });

  test('rewritten by baton-install, gemini extensions update brings a new version in; uninstall removes it', async () => {
    const installed = path.join(home, '.gemini/extensions/baton');
    await writeFile(path.join(folder, 'NOTES.md'), 'a file of the user\n');
    await writeFile(path.join(folder, 'commands/baton/plan-release.toml'), 'prompt = "stale"\n');
    await installOrFail(['--plugin', plugins], home);
    expect(await readFile(path.join(folder, 'NOTES.md'), 'utf8')).toBe('a file of the user\n');
    expect(await readFile(path.join(folder, 'commands/baton/plan-release.toml'), 'utf8')).toContain('# Plan a release');
    // Gemini CLI updates a local extension only when its version changed: make the installed copy an older baton.
    const manifest = path.join(installed, 'gemini-extension.json');
    const current = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
    await writeFile(manifest, JSON.stringify({ ...current, version: '0.0.0' }));
    // update has no --consent: it asks, and with no answer it exits 0 having changed nothing.
    const output = await gemini(['extensions', 'update', 'baton'], home, project, 'y\n');
    expect(output).toContain(`Extension "baton" successfully updated: 0.0.0 → ${current.version}.`);
    expect(JSON.parse(await readFile(manifest, 'utf8'))).toMatchObject({ version: current.version });
    expect(await pathExists(path.join(installed, 'NOTES.md'))).toBe(true);
    await gemini(['extensions', 'uninstall', 'baton'], home, project);
    expect(await pathExists(installed)).toBe(false);
    const run = await runGemini(server, { prompt: '/baton:plan-release 2026-11-21-billing', home, cwd: project });
    expect(run.texts.at(-1)).toBe('/baton:plan-release 2026-11-21-billing');
  });

  test('linked with gemini extensions link, the commands name files of the linked folder, and a rewritten folder takes effect', async () => {
    await gemini(['extensions', 'link', folder, '--consent'], home, project);
    const expectServed = async (command: string) => {
      const run = await runGemini(server, { prompt: `/baton:${command} ${ARGS[command]}`, home, cwd: project });
      expect(run.text).toContain(`--- Context from: ${path.join(folder, 'GEMINI.md')} ---`);
      await expectConforms(run, { tool: 'gemini', invocation: `/baton:${command}`, args: ARGS[command] as string, file: path.join(folder, 'commands/baton', `${command}.toml`), roots: [folder], pluginRoot: folder, pluginWord: '${extensionPath}' });
    };
    try {
      // Two commands are enough here: the installed copy above ran every one from the same files.
      for (const command of ['plan-release', 'verify-slice']) await expectServed(command);
      // baton-install --plugin swaps a new folder in; the link names the path, so the next session reads it.
      await writeFile(path.join(folder, 'commands/baton/plan-release.toml'), 'description = "stale"\nprompt = "stale"\n');
      expect((await runGemini(server, { prompt: '/baton:plan-release x', home, cwd: project })).texts.at(-1)).toMatch(/^stale\n/);
      await installOrFail(['--plugin', plugins], home);
      await expectServed('plan-release');
    } finally {
      await gemini(['extensions', 'uninstall', 'baton'], home, project);
    }
  });
});

describe("what Gemini CLI shows from the folders other tools' installs write", () => {
  test('with every target installed into one home, it lists each baton role once, its own, no Codex skill, and reports no skill conflict', async () => {
    const home = await testdir({}, 'baton gemini all home ');
    await installOrFail(['--target', 'all'], home);
    // Gemini CLI reads ~/.agents/skills beside ~/.gemini/skills (and lets a skill there win); baton writes nothing there.
    expect(await pathExists(path.join(home, '.agents'))).toBe(false);
    const run = await runGemini(server, { prompt: '/baton:plan-release 2026-11-21-billing', home, cwd: project });
    await expectConforms(run, { tool: 'gemini', invocation: '/baton:plan-release', args: ARGS['plan-release'] as string, file: path.join(home, '.gemini/commands/baton/plan-release.toml'), roots: [path.join(home, '.gemini')] });
    expect(batonSkills(run)).toEqual(await roleSkills(path.join(home, '.gemini/skills')));
    for (const other of ['.claude', '.codex', '.config/opencode', '.qwen', '.copilot', '.cursor']) expect(run.text).not.toContain(path.join(home, other));
    expect(run.exit.stderr).not.toContain('Skill conflict detected');
    await rm(home, { recursive: true, force: true });
  });
});

describe("Gemini CLI's hook for the end of a turn, for a stop hook to build on", () => {
  test('an extension\'s AfterAgent hook gets the turn as JSON, and {"decision":"block"} sends its reason back as a new prompt', async () => {
    const home = await testdir({}, 'baton gemini hook home ');
    const extension = await testdir({
      'gemini-extension.json': '{ "name": "stop-probe", "version": "1.0.0" }\n',
      // ${extensionPath} is filled in by Gemini CLI in hooks.json.
      'hooks/hooks.json': `${JSON.stringify({ hooks: { AfterAgent: [{ hooks: [{ type: 'command', name: 'probe', command: 'node "${extensionPath}/after-agent.mjs"' }] }] } })}\n`,
      'after-agent.mjs': [
        "import { appendFileSync, readFileSync } from 'node:fs';",
        "const input = JSON.parse(readFileSync(0, 'utf8'));",
        "appendFileSync(new URL('./inputs.jsonl', import.meta.url), JSON.stringify(input) + '\\n');",
        "process.stdout.write(input.stop_hook_active ? '{}' : JSON.stringify({ decision: 'block', reason: 'BATON: the turn has no end-of-turn block yet.' }));",
        '',
      ].join('\n'),
    }, 'baton-gemini-hook-ext-');
    await gemini(['extensions', 'link', extension, '--consent'], home, project);
    const before = server.requests.length;
    const run = await runGemini(server, { prompt: 'hello', home, cwd: project });
    expect(run.exit.stderr).toContain('Agent execution blocked: BATON: the turn has no end-of-turn block yet.');
    const inputs = (await readFile(path.join(extension, 'inputs.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inputs.map((input) => Object.keys(input).sort())).toEqual(Array(2).fill(['cwd', 'hook_event_name', 'prompt', 'prompt_response', 'session_id', 'stop_hook_active', 'timestamp', 'transcript_path']));
    expect(inputs.map(({ hook_event_name, prompt, prompt_response, stop_hook_active, cwd }) => ({ hook_event_name, prompt, prompt_response, stop_hook_active, cwd }))).toEqual([
      { hook_event_name: 'AfterAgent', prompt: 'hello', prompt_response: 'ok', stop_hook_active: false, cwd: project },
      { hook_event_name: 'AfterAgent', prompt: 'hello', prompt_response: 'ok\nok', stop_hook_active: true, cwd: project },
    ]);
    // The reason went back to the model as the user's next message, after the first answer.
    const retry = server.requests.slice(before).filter((request) => request.url.includes(':streamGenerateContent'))[1];
    const turns = (JSON.parse(retry?.body ?? '{}') as { contents?: { role: string; parts: { text?: string }[] }[] }).contents ?? [];
    expect(turns.map((turn) => [turn.role, turn.parts.at(-1)?.text])).toEqual([['user', 'hello'], ['model', 'ok'], ['user', 'BATON: the turn has no end-of-turn block yet.']]);
  });
});
