import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runInstall } from '../helpers/package.js';
import { snapshotTree } from '../helpers/tree.js';
import { testdir } from '../helpers/testdir.js';

/** `baton-install --plugin <dir>`; Claude Code's own acceptance of the result is in test/conformance. */

const COMMANDS = ['implement-slice', 'mark-shipped', 'merge-release', 'merge-track', 'plan-release', 'replan-release', 'verify-slice'];

describe('baton-install --plugin', () => {
  test('writes a marketplace with one plugin whose files name nothing outside the plugin', async () => {
    const home = await testdir();
    const out = path.join(await testdir(), 'baton plugin');
    const result = await runInstall(['--plugin', out], { home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`claude plugin marketplace add '${out}'`);
    expect(result.stdout).toContain('claude plugin install baton@baton');

    const marketplace = JSON.parse(await readFile(path.join(out, '.claude-plugin/marketplace.json'), 'utf8')) as { name: string; plugins: { name: string; source: string }[] };
    expect(marketplace).toMatchObject({ name: 'baton', plugins: [{ name: 'baton', source: './plugin' }] });
    expect((await readdir(path.join(out, 'plugin/commands'))).sort()).toEqual(COMMANDS.map((name) => `${name}.md`));
    expect((await readdir(path.join(out, 'plugin/skills'))).sort()).toEqual(['baton-implementer', 'baton-integrator', 'baton-planner', 'baton-verifier']);
    expect((await stat(path.join(out, 'plugin/baton/bin/baton'))).mode & 0o777).toBe(0o755);

    const command = await readFile(path.join(out, 'plugin/commands/merge-track.md'), 'utf8');
    expect(command).toContain('`"${CLAUDE_PLUGIN_ROOT}/baton/bin/baton" gate merge-track <track> <release>`');
    expect(command).toContain('/baton:merge-release');
    // Claude Code reads a local marketplace in place but copies a hosted one to its cache, so no file
    // may name the folder the plugin was written to.
    const files = Object.entries(await snapshotTree(out)).filter(([, entry]) => entry.type === 'file');
    expect(files.length).toBeGreaterThan(20);
    for (const [file] of files) {
      expect(await readFile(path.join(out, file), 'utf8'), file).not.toContain(out);
    }
    expect(await readdir(home)).toEqual([]);
  });

  test('a second run replaces its own earlier plugin whole', async () => {
    const out = path.join(await testdir(), 'plugin-out');
    expect((await runInstall(['--plugin', out], { home: await testdir() })).exitCode).toBe(0);
    await writeFile(path.join(out, 'plugin/commands/old-command.md'), '# left over\n');
    const again = await runInstall(['--plugin', out], { home: await testdir() });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await readdir(path.join(out, 'plugin/commands'))).not.toContain('old-command.md');
    expect((await readdir(path.dirname(out))).filter((name) => name.includes('.baton-'))).toEqual([]);
  });

  test('a folder holding anything else is refused and left exactly as it was', async () => {
    const out = await testdir({ 'notes.md': 'mine\n', '.claude-plugin/marketplace.json': '{ "name": "someone-else" }\n' });
    const before = await snapshotTree(out);
    const result = await runInstall(['--plugin', out], { home: await testdir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${out} already holds other files.`);
    expect(result.stderr).toMatch(/fix: Choose a new or empty folder/);
    expect(await snapshotTree(out)).toEqual(before);
  });

  test('options that belong to an install are refused with --plugin', async () => {
    for (const extra of [['--target', 'codex'], ['--scope', 'project'], ['--uninstall'], ['--dry-run'], ['--force']]) {
      const out = path.join(await testdir(), 'out');
      const result = await runInstall(['--plugin', out, ...extra], { home: await testdir() });
      expect(result.exitCode, extra.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/--plugin writes a plugin folder; it does not combine with/);
      await expect(stat(out)).rejects.toThrow();
    }
  });
});
