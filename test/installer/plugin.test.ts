import { chmod, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runInstall, selfContainedPackageWith } from '../helpers/package.js';
import { REPO_ROOT } from '../helpers/run.js';
import { git, testdir, writeFiles } from '../helpers/testdir.js';
import { chownTree, contentOnly, snapshotTree } from '../helpers/tree.js';

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

    const codexMarketplace = JSON.parse(await readFile(path.join(out, '.agents/plugins/marketplace.json'), 'utf8')) as unknown;
    expect(codexMarketplace).toMatchObject({ name: 'baton', plugins: [{ name: 'baton', source: { source: 'local', path: './codex-plugin' } }] });
    expect(JSON.parse(await readFile(path.join(out, 'codex-plugin/.codex-plugin/plugin.json'), 'utf8'))).toMatchObject({ name: 'baton', skills: './skills/' });
    expect((await readdir(path.join(out, 'codex-plugin/skills'))).sort()).toEqual([...COMMANDS, 'implementer', 'integrator', 'planner', 'verifier'].sort());
    const skill = await readFile(path.join(out, 'codex-plugin/skills/merge-track/SKILL.md'), 'utf8');
    expect(skill).toContain('`"<baton-plugin>/baton/bin/baton" gate merge-track <track> <release>`');
    expect(skill).toContain('$baton:merge-release');
    expect(result.stdout).toContain(`codex plugin marketplace add '${out}'`);
    expect(result.stdout).toContain('codex plugin add baton@baton');

    // Gemini CLI has no marketplace: it links (or copies) the extension's own folder.
    expect(result.stdout).toContain(`gemini extensions link '${out}/gemini-extension'`);
    expect(JSON.parse(await readFile(path.join(out, 'gemini-extension/gemini-extension.json'), 'utf8'))).toMatchObject({ name: 'baton', contextFileName: 'GEMINI.md' });
    expect((await readdir(path.join(out, 'gemini-extension/commands/baton'))).sort()).toEqual(COMMANDS.map((name) => `${name}.toml`));
    expect((await readdir(path.join(out, 'gemini-extension/skills'))).sort()).toEqual(['baton-implementer', 'baton-integrator', 'baton-planner', 'baton-verifier']);
    expect((await stat(path.join(out, 'gemini-extension/baton/bin/baton'))).mode & 0o777).toBe(0o755);
    expect(await readFile(path.join(out, 'gemini-extension/commands/baton/merge-track.toml'), 'utf8')).toContain("`'${extensionPath}/baton/bin/baton' gate merge-track <track> <release>`");

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

  test("a second run replaces its own files, keeps the files you added inside plugin/, and leaves the folder's other files alone", async () => {
    const out = path.join(await testdir(), 'plugin-out');
    expect((await runInstall(['--plugin', out], { home: await testdir() })).exitCode).toBe(0);
    // A team shares the folder as a repository with its own README, and adds a command of its own.
    await git(out, 'init', '-q');
    await writeFile(path.join(out, 'NOTES.md'), 'ours\n');
    await writeFiles(out, { 'plugin/commands/team-command.md': '# ours too\n', 'plugin/notes/why.md': '# why\n', 'gemini-extension/commands/team/ship.toml': 'prompt = "ours"\n' });
    // A file an earlier version of baton wrote, and this one no longer does.
    const record = path.join(out, 'plugin/baton/plugin-files.json');
    const listed = JSON.parse(await readFile(record, 'utf8')) as { format: 1; files: string[] };
    await writeFile(record, JSON.stringify({ ...listed, files: [...listed.files, 'commands/old-command.md'] }));
    await writeFile(path.join(out, 'plugin/commands/old-command.md'), '# left over\n');
    const merged = path.join(out, 'plugin/commands/merge-track.md');
    const fresh = await readFile(merged, 'utf8');
    await writeFile(merged, '# stale\n');

    const again = await runInstall(['--plugin', out], { home: await testdir() });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain(`  ${path.join(out, 'plugin/commands/team-command.md')}  (kept: a file of yours, not baton's)`);
    expect(await readFile(path.join(out, 'plugin/commands/team-command.md'), 'utf8')).toBe('# ours too\n');
    expect(await readFile(path.join(out, 'plugin/notes/why.md'), 'utf8')).toBe('# why\n');
    expect(await readdir(path.join(out, 'plugin/commands'))).not.toContain('old-command.md');
    expect(await readFile(merged, 'utf8')).toBe(fresh);
    expect(await readFile(path.join(out, 'gemini-extension/commands/team/ship.toml'), 'utf8')).toBe('prompt = "ours"\n');
    expect((await readdir(out)).sort()).toEqual(['.agents', '.claude-plugin', '.git', 'NOTES.md', 'codex-plugin', 'gemini-extension', 'plugin']);
    expect(await readFile(path.join(out, 'NOTES.md'), 'utf8')).toBe('ours\n');
    // Kept once, kept again: a file of the user's never becomes baton's.
    const third = await runInstall(['--plugin', out, '--json'], { home: await testdir() });
    expect((JSON.parse(third.stdout) as { kept: string[] }).kept.sort()).toEqual([path.join(out, 'gemini-extension/commands/team/ship.toml'), path.join(out, 'plugin/commands/team-command.md'), path.join(out, 'plugin/notes/why.md')]);
  });

  test('a file you added where this version of baton writes its own is refused, and nothing changes', async () => {
    const out = path.join(await testdir(), 'plugin-out');
    expect((await runInstall(['--plugin', out], { home: await testdir() })).exitCode).toBe(0);
    // As if an earlier version had not written merge-track.md and the user had added one there.
    const record = path.join(out, 'plugin/baton/plugin-files.json');
    const listed = JSON.parse(await readFile(record, 'utf8')) as { format: 1; files: string[] };
    await writeFile(record, JSON.stringify({ ...listed, files: listed.files.filter((file) => file !== 'commands/merge-track.md') }));
    await writeFile(path.join(out, 'plugin/commands/merge-track.md'), '# my own merge-track\n');
    const before = await snapshotTree(out);
    const result = await runInstall(['--plugin', out], { home: await testdir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('plugin/ holds plugin/commands/merge-track.md, which baton did not write, and this version of baton writes a file of its own there.');
    expect(await snapshotTree(out)).toEqual(before);
  });

  test('a folder with another marketplace, or a plugin/ baton did not write, is refused and left as it was', async () => {
    const cases: { files: Record<string, string>; message: RegExp }[] = [
      { files: { '.claude-plugin/marketplace.json': '{ "name": "team-tools", "plugins": [{ "name": "baton", "source": "./plugin" }, { "name": "other", "source": "./other" }] }\n', 'other/x.md': 'x\n' }, message: /is not the marketplace file baton writes; this folder holds another marketplace/ },
      { files: { 'plugin/commands/mine.md': '# mine\n' }, message: /holds a plugin\/ or \.claude-plugin\/ folder that baton did not write/ },
      { files: { 'codex-plugin/skills/mine/SKILL.md': '# mine\n' }, message: /holds a codex-plugin\/ or \.agents\/plugins\/ folder that baton did not write/ },
      { files: { '.agents/plugins/marketplace.json': '{ "name": "team-tools", "plugins": [] }\n' }, message: /is not the marketplace file baton writes; this folder holds another marketplace/ },
      { files: { 'gemini-extension/commands/mine.toml': 'prompt = "mine"\n' }, message: /holds a gemini-extension\/ folder that baton did not write/ },
      { files: { 'gemini-extension/gemini-extension.json': '{ "name": "other", "version": "1.0.0" }\n' }, message: /is not the manifest of baton's Gemini CLI extension; gemini-extension\/ holds another extension/ },
    ];
    for (const { files, message } of cases) {
      const out = await testdir(files);
      const before = await snapshotTree(out);
      const result = await runInstall(['--plugin', out], { home: await testdir() });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/fix: Choose a new or empty folder/);
      expect(await snapshotTree(out)).toEqual(before);
    }
    const orphan = path.join(await testdir(), 'missing', 'plugin-out');
    const result = await runInstall(['--plugin', orphan], { home: await testdir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`The folder above ${orphan} does not exist.`);
  });

  test('a failure part-way puts the earlier plugin back', async () => {
    const out = path.join(await testdir(), 'plugin-out');
    expect((await runInstall(['--plugin', out], { home: await testdir() })).exitCode).toBe(0);
    await writeFile(path.join(out, 'plugin/commands/edited.md'), '# the earlier plugin\n');
    // The marketplace file cannot be replaced, which is the last step, after plugin/ was swapped.
    // Root ignores permissions, so when the suite runs as root the installer runs as nobody.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chownTree(path.dirname(out), 65534);
    await chmod(path.join(out, '.claude-plugin'), 0o555);
    const before = await snapshotTree(out);
    const home = await testdir();
    if (asRoot) await chownTree(home, 65534);
    const run = asRoot ? { packageRoot: await selfContainedPackageWith(REPO_ROOT), home, uid: 65534 } : { home };
    const result = await runInstall(['--plugin', out], run);
    await chmod(path.join(out, '.claude-plugin'), 0o755);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Could not put the new plugin in place in ${out}: permission denied (EACCES). The folder is as it was.`);
    const after = await snapshotTree(out);
    expect(contentOnly(after)).toEqual(contentOnly({ ...before, '.claude-plugin': { ...before['.claude-plugin']!, mode: after['.claude-plugin']!.mode } }));
  });

  test('a failure while putting the Codex plugin in place puts the Claude Code plugin back too', async () => {
    const out = path.join(await testdir(), 'plugin-out');
    expect((await runInstall(['--plugin', out], { home: await testdir() })).exitCode).toBe(0);
    await writeFile(path.join(out, 'plugin/commands/edited.md'), '# the earlier plugin\n');
    await writeFile(path.join(out, '.claude-plugin/marketplace.json'), `${await readFile(path.join(out, '.claude-plugin/marketplace.json'), 'utf8')} `);
    // The Codex marketplace file cannot be replaced: the last step before the Gemini CLI extension's.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chownTree(path.dirname(out), 65534);
    await chmod(path.join(out, '.agents/plugins'), 0o555);
    const before = await snapshotTree(out);
    const home = await testdir();
    if (asRoot) await chownTree(home, 65534);
    const run = asRoot ? { packageRoot: await selfContainedPackageWith(REPO_ROOT), home, uid: 65534 } : { home };
    const result = await runInstall(['--plugin', out], run);
    await chmod(path.join(out, '.agents/plugins'), 0o755);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Could not put the new plugin in place in ${out}: permission denied (EACCES). The folder is as it was.`);
    const after = await snapshotTree(out);
    const plugins = after['.agents/plugins'];
    expect(contentOnly(after)).toEqual(contentOnly({ ...before, '.agents/plugins': { ...before['.agents/plugins']!, mode: plugins!.mode } }));
  });

  test('a folder written before the Codex plugin and the Gemini CLI extension existed gets them added, the Claude Code plugin replaced', async () => {
    const out = path.join(await testdir(), 'plugin-out');
    expect((await runInstall(['--plugin', out], { home: await testdir() })).exitCode).toBe(0);
    await rm(path.join(out, 'codex-plugin'), { recursive: true });
    await rm(path.join(out, '.agents'), { recursive: true });
    await rm(path.join(out, 'gemini-extension'), { recursive: true });
    const again = await runInstall(['--plugin', out], { home: await testdir() });
    expect(again.exitCode, again.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['.agents', '.claude-plugin', 'codex-plugin', 'gemini-extension', 'plugin']);
    expect(await readFile(path.join(out, 'codex-plugin/baton/plugin-files.json'), 'utf8')).toContain('skills/verify-slice/SKILL.md');
    expect(await readFile(path.join(out, 'gemini-extension/baton/plugin-files.json'), 'utf8')).toContain('commands/baton/verify-slice.toml');
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
