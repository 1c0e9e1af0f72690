import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { packageWith, runInstall } from '../helpers/package.js';
import { REPO_ROOT } from '../helpers/run.js';
import { VERSION } from '../../scripts/lib/version.js';
import { gitdir, testdir } from '../helpers/testdir.js';

/**
 * Which tools an install is for: `--target` names one, several or all; without it, the tools whose
 * folder exists here, or every tool when none does. The plan says which were found and which not.
 */

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/packs/valid');

interface JsonPlan {
  targets: { id: string }[];
  files: { action: string; path: string }[];
  selection: { how: string; found?: { id: string; folder: string }[]; notFound?: { id: string; folders: string[] }[] };
}

async function plan(args: string[], options: { home: string; cwd?: string; env?: Record<string, string> }): Promise<JsonPlan> {
  const result = await runInstall(['--dry-run', '--json', ...args], { packageRoot: await packageWith(FIXTURE), ...options });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as JsonPlan;
}

const ids = (json: JsonPlan) => json.targets.map((target) => target.id);

describe('without --target', () => {
  test('a fresh machine gets every tool, and the plan says no tool was found and how to choose', async () => {
    const home = await testdir();
    const result = await runInstall(['--dry-run'], { packageRoot: await packageWith(FIXTURE), home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      `No tool's folder was found: Claude Code (${home}/.claude), Codex (${home}/.codex), Gemini CLI (${home}/.gemini), OpenCode (${home}/.config/opencode), Qwen Code (${home}/.qwen), GitHub Copilot (${home}/.copilot), Cursor (${home}/.cursor). This installs for every tool; choose with --target <id>[,<id>...] (claude, codex, gemini, opencode, qwen, copilot, cursor).`,
    );
    for (const file of ['.claude/commands/check-thing.md', '.codex/skills/baton-check-thing/SKILL.md', '.gemini/commands/baton/check-thing.toml', '.config/opencode/commands/baton-check-thing.md', '.qwen/commands/baton-check-thing.md', '.copilot/skills/baton-check-thing/SKILL.md', '.cursor/commands/check-thing.md']) {
      expect(result.stdout).toContain(`  create     ${path.join(home, file)}\n`);
    }
    expect(await readdir(home)).toEqual([]);
  });

  test('only the tools whose home folder exists (or whose variable points at one); the plan names the others', async () => {
    const home = await testdir({ '.codex/config.toml': '', '.cursor/argv.json': '{}' });
    const found = await runInstall(['--dry-run'], { packageRoot: await packageWith(FIXTURE), home });
    expect(found.stdout.split('\n').slice(0, 3)).toEqual([
      `Tools found: Codex (${home}/.codex), Cursor (${home}/.cursor).`,
      `Not found: Claude Code (${home}/.claude), Gemini CLI (${home}/.gemini), OpenCode (${home}/.config/opencode), Qwen Code (${home}/.qwen), GitHub Copilot (${home}/.copilot). To install for one of them too, name the tools: --target codex,cursor,claude (or --target all).`,
      `baton-install ${VERSION}: install for Codex and Cursor (user scope)`,
    ]);
    const copilotHome = await testdir({}, 'copilot home ');
    const moved = await plan([], { home, env: { COPILOT_HOME: copilotHome } });
    expect(ids(moved)).toEqual(['codex', 'copilot', 'cursor']);
    expect(moved.selection.found).toContainEqual({ id: 'copilot', folder: copilotHome });
    expect(moved.files.every((file) => !file.path.includes('/.claude/'))).toBe(true);
  });

  test('in a project: the tools whose project folder exists, or that an earlier baton install there has', async () => {
    const repo = await gitdir({ 'README.md': '# r\n', '.github/copilot-instructions.md': '# ours\n', '.github/workflows/ci.yml': 'on: push\n' });
    const home = await testdir();
    expect(ids(await plan(['--scope', 'project'], { home, cwd: repo }))).toEqual(['copilot']);
    // A .github folder alone (workflows) is not Copilot.
    const plain = await gitdir({ 'README.md': '# r\n', '.github/workflows/ci.yml': 'on: push\n', '.cursor/rules/x.mdc': 'x\n' });
    expect(ids(await plan(['--scope', 'project'], { home, cwd: plain }))).toEqual(['cursor']);
    // Codex installed earlier leaves .baton/manifest.json; its skills folder may be gone or elsewhere.
    const installed = await runInstall(['--yes', '--scope', 'project', '--target', 'codex'], { packageRoot: await packageWith(FIXTURE), home, cwd: plain });
    expect(installed.exitCode, installed.stderr).toBe(0);
    const again = await plan(['--scope', 'project'], { home, cwd: plain });
    expect(ids(again)).toEqual(['codex', 'cursor']);
    expect(again.selection.found).toContainEqual({ id: 'codex', folder: path.join(plain, '.codex') });
  });

  test('Gemini CLI is found by ~/.gemini, or $GEMINI_CLI_HOME/.gemini (the variable moves the home), and in a project by .gemini/', async () => {
    const home = await testdir({ '.gemini/settings.json': '{}' });
    expect((await plan([], { home })).selection.found).toEqual([{ id: 'gemini', folder: path.join(home, '.gemini') }]);
    const geminiHome = await testdir({ '.gemini/settings.json': '{}' }, 'gemini home ');
    const moved = await plan([], { home: await testdir(), env: { GEMINI_CLI_HOME: geminiHome } });
    expect(moved.selection.found).toEqual([{ id: 'gemini', folder: path.join(geminiHome, '.gemini') }]);
    // The variable points at a home without .gemini: ~/.gemini does not count then.
    const empty = await testdir();
    const elsewhere = await plan([], { home, env: { GEMINI_CLI_HOME: empty } });
    expect(elsewhere.selection.how).toBe('none-found');
    expect(elsewhere.selection.notFound).toContainEqual({ id: 'gemini', folders: [path.join(empty, '.gemini')] });
    const repo = await gitdir({ 'README.md': '# r\n', '.gemini/settings.json': '{}' });
    expect(ids(await plan(['--scope', 'project'], { home: await testdir(), cwd: repo }))).toEqual(['gemini']);
  });

  test('an uninstall removes what every tool has', async () => {
    const home = await testdir();
    const pkg = await packageWith(FIXTURE);
    expect((await runInstall(['--yes', '--target', 'claude,cursor'], { packageRoot: pkg, home })).exitCode).toBe(0);
    const removed = await runInstall(['--yes', '--uninstall'], { packageRoot: pkg, home });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(await readdir(home)).toEqual([]);
  });
});

describe('--target', () => {
  test('one id, a comma-separated list (in any order, listed in the order of the tools), or all', async () => {
    const home = await testdir({ '.codex/config.toml': '' });
    expect(ids(await plan(['--target', 'cursor'], { home }))).toEqual(['cursor']);
    expect(ids(await plan(['--target', 'cursor, claude'], { home }))).toEqual(['claude', 'cursor']);
    const all = await plan(['--target', 'all'], { home });
    expect(ids(all)).toEqual(['claude', 'codex', 'gemini', 'opencode', 'qwen', 'copilot', 'cursor']);
    expect(all.selection).toEqual({ how: 'listed' });
    const text = await runInstall(['--dry-run', '--target', 'all'], { packageRoot: await packageWith(FIXTURE), home });
    expect(text.stdout).not.toMatch(/found/);
  });

  test('a tool folder is created when a named tool has none yet', async () => {
    const home = await testdir();
    await mkdir(path.join(home, '.claude'));
    const result = await runInstall(['--yes', '--target', 'copilot'], { packageRoot: await packageWith(FIXTURE), home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readFile(path.join(home, '.copilot/skills/baton-check-thing/SKILL.md'), 'utf8')).toContain('name: baton-check-thing');
    expect((await readdir(home)).sort()).toEqual(['.claude', '.copilot']);
  });
});
