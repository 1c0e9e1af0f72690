import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runInstall } from '../helpers/package.js';
import { contentOnly, snapshotTree } from '../helpers/tree.js';
import { gitdir, testdir } from '../helpers/testdir.js';

/**
 * Installing for OpenCode and Qwen Code with the real installer and pack: the files land in each
 * tool's folders (moved by its environment variables), a second run changes nothing, and uninstall
 * leaves the home or repository as it was.
 */

const CASES = [
  { target: 'opencode', variable: 'OPENCODE_CONFIG_DIR', folder: '.config/opencode', command: 'commands/baton-plan-release.md', role: 'baton/roles/planner.md' },
  { target: 'qwen', variable: 'QWEN_HOME', folder: '.qwen', command: 'commands/baton-plan-release.md', role: 'skills/baton-planner/SKILL.md' },
] as const;

async function install(args: string[], options: { home: string; env?: Record<string, string>; cwd?: string }): Promise<string> {
  const result = await runInstall(['--yes', ...args], options);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

describe.each(CASES)('$target', ({ target, variable, folder, command, role }) => {
  test('installs into a home whose path has a space, where even ~/.config may be missing; a re-run changes nothing; uninstall leaves the home empty', async () => {
    const home = path.join(await testdir({}, 'baton-oq-'), 'my home');
    await mkdir(home);
    await install(['--target', target], { home });
    const root = path.join(home, folder);
    expect(await readFile(path.join(root, command), 'utf8')).toContain('# Plan a release');
    expect(await readFile(path.join(root, role), 'utf8')).toContain('# The planner');
    expect(await readFile(path.join(root, 'baton/bin/baton'), 'utf8')).toMatch(/^#!\/bin\/sh/);

    const installed = await snapshotTree(home);
    expect(await install(['--target', target], { home })).toMatch(/is up to date: \d+ files unchanged, nothing was written/);
    expect(await snapshotTree(home)).toEqual(installed);

    await install(['--target', target, '--uninstall'], { home });
    expect(await readdir(home)).toEqual([]);
  });

  test(`${variable} moves every file, and the home stays empty`, async () => {
    const base = await testdir({}, 'baton oq override ');
    const home = path.join(base, 'home');
    await mkdir(home);
    const env = { [variable]: path.join(base, `${target} folder`) };
    await install(['--target', target], { home, env });
    expect(await readFile(path.join(base, `${target} folder`, command), 'utf8')).toContain(path.join(base, `${target} folder`, 'baton/bin/baton'));
    expect(await readdir(home)).toEqual([]);
    await install(['--target', target, '--uninstall'], { home, env });
    expect(await readdir(base)).toEqual(['home']);
  });

  test('a project install writes the tool folder and .baton/, and uninstall restores the repository', async () => {
    const repo = await gitdir();
    const home = await testdir();
    const clean = contentOnly(await snapshotTree(repo));
    await install(['--target', target, '--scope', 'project'], { home, cwd: repo });
    const projectFolder = target === 'opencode' ? '.opencode' : '.qwen';
    expect(await readFile(path.join(repo, projectFolder, command), 'utf8')).toContain('`.baton/bin/baton ');
    expect(await readFile(path.join(repo, projectFolder, role), 'utf8')).toContain('# The planner');
    expect(await readdir(home)).toEqual([]);
    await install(['--target', target, '--scope', 'project', '--uninstall'], { home, cwd: repo });
    expect(contentOnly(await snapshotTree(repo))).toEqual(clean);
  });
});

describe('without --target, OpenCode and Qwen Code are found by their folders', () => {
  async function installedFor(options: { home: string; env?: Record<string, string>; cwd?: string }, args: string[] = []): Promise<string[]> {
    const result = await runInstall(['--dry-run', '--json', ...args], options);
    expect(result.exitCode, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { targets: { id: string }[] }).targets.map((target) => target.id);
  }

  test("in the home: OpenCode's config folder (where its variables put it) and Qwen Code's home", async () => {
    expect(await installedFor({ home: await testdir({ '.config/opencode/opencode.json': '{}\n' }) })).toEqual(['opencode']);
    expect(await installedFor({ home: await testdir({ '.qwen/settings.json': '{}\n' }) })).toEqual(['qwen']);
    const base = await testdir({ 'oc/x': '', 'xdg/opencode/x': '', 'q/x': '' });
    expect(await installedFor({ home: await testdir(), env: { OPENCODE_CONFIG_DIR: path.join(base, 'oc') } })).toEqual(['opencode']);
    expect(await installedFor({ home: await testdir(), env: { XDG_CONFIG_HOME: path.join(base, 'xdg') } })).toEqual(['opencode']);
    expect(await installedFor({ home: await testdir(), env: { QWEN_HOME: path.join(base, 'q') } })).toEqual(['qwen']);
  });

  test('in a project: .opencode/ or opencode.json, and .qwen/', async () => {
    const home = await testdir();
    expect(await installedFor({ home, cwd: await gitdir({ 'opencode.json': '{}\n' }) }, ['--scope', 'project'])).toEqual(['opencode']);
    expect(await installedFor({ home, cwd: await gitdir({ '.opencode/agents/x.md': 'x\n', '.qwen/settings.json': '{}\n' }) }, ['--scope', 'project'])).toEqual(['opencode', 'qwen']);
  });
});
