import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runInstall } from '../helpers/package.js';
import { git, testdir, writeFiles } from '../helpers/testdir.js';
import { snapshotTree } from '../helpers/tree.js';

/** `baton-install --gemini-extension <folder>`; Gemini CLI's own acceptance of the result is in test/conformance/gemini.test.ts. */

const COMMANDS = ['implement-slice', 'mark-shipped', 'merge-release', 'merge-track', 'plan-release', 'replan-release', 'verify-slice'];

async function writeExtension(folder: string, args: string[] = []) {
  return runInstall(['--gemini-extension', folder, ...args], { home: await testdir() });
}

describe('baton-install --gemini-extension', () => {
  test('writes an extension whose files name no folder of this machine', async () => {
    const home = await testdir();
    const out = path.join(await testdir(), 'baton extension');
    const result = await runInstall(['--gemini-extension', out], { home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`gemini extensions install '${out}'`);
    expect(JSON.parse(await readFile(path.join(out, 'gemini-extension.json'), 'utf8'))).toMatchObject({ name: 'baton', contextFileName: 'GEMINI.md' });
    expect((await readdir(path.join(out, 'commands/baton'))).sort()).toEqual(COMMANDS.map((name) => `${name}.toml`));
    expect((await readdir(path.join(out, 'skills'))).sort()).toEqual(['baton-implementer', 'baton-integrator', 'baton-planner', 'baton-verifier']);
    expect((await stat(path.join(out, 'baton/bin/baton'))).mode & 0o777).toBe(0o755);
    expect(await readFile(path.join(out, 'commands/baton/merge-track.toml'), 'utf8')).toContain("`'${extensionPath}/baton/bin/baton' gate merge-track <track> <release>`");
    // Gemini CLI copies an extension, or clones it from a repository: no file may name where it was written.
    const files = Object.entries(await snapshotTree(out)).filter(([, entry]) => entry.type === 'file');
    expect(files.length).toBeGreaterThan(20);
    for (const [file] of files) expect(await readFile(path.join(out, file), 'utf8'), file).not.toContain(out);
    expect(await readdir(home)).toEqual([]);
  });

  test("a second run replaces baton's files and keeps yours, a repository's .git included", async () => {
    const out = path.join(await testdir(), 'ext');
    expect((await writeExtension(out)).exitCode).toBe(0);
    await git(out, 'init', '-q');
    await writeFiles(out, { 'NOTES.md': 'ours\n', 'commands/team/ship.toml': 'prompt = "ours"\n' });
    const record = path.join(out, 'baton/extension-files.json');
    const listed = JSON.parse(await readFile(record, 'utf8')) as { format: 1; files: string[] };
    await writeFile(record, JSON.stringify({ ...listed, files: [...listed.files, 'commands/baton/old.toml'] }));
    await writeFile(path.join(out, 'commands/baton/old.toml'), 'prompt = "left over"\n');
    const command = path.join(out, 'commands/baton/plan-release.toml');
    const fresh = await readFile(command, 'utf8');
    await writeFile(command, 'prompt = "stale"\n');

    const again = await writeExtension(out);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain(`  ${path.join(out, 'NOTES.md')}  (kept: a file of yours, not baton's)`);
    expect(await readFile(command, 'utf8')).toBe(fresh);
    expect(await readdir(path.join(out, 'commands/baton'))).not.toContain('old.toml');
    expect(await readFile(path.join(out, 'commands/team/ship.toml'), 'utf8')).toBe('prompt = "ours"\n');
    expect(await git(out, 'status', '--porcelain', '--', 'NOTES.md')).toBe('?? NOTES.md');
    expect((await readdir(path.dirname(out))).filter((name) => name.startsWith('.'))).toEqual([]);
    // A folder of the user's is kept as one entry; kept once, kept again.
    const third = await writeExtension(out, ['--json']);
    expect((JSON.parse(third.stdout) as { kept: string[] }).kept).toEqual([`${out}/.git/`, `${out}/NOTES.md`, `${out}/commands/team/`]);
  });

  test("a folder that holds files but no baton extension, or a file of yours where baton writes one, is refused and left as it was", async () => {
    const foreign = await testdir({ 'gemini-extension.json': '{"name":"other","version":"1.0.0"}\n' });
    const refused = await writeExtension(foreign);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('is not the Gemini CLI extension baton wrote before');
    expect(await readdir(foreign)).toEqual(['gemini-extension.json']);

    const out = path.join(await testdir(), 'ext');
    expect((await writeExtension(out)).exitCode).toBe(0);
    const record = path.join(out, 'baton/extension-files.json');
    const listed = JSON.parse(await readFile(record, 'utf8')) as { format: 1; files: string[] };
    await writeFile(record, JSON.stringify({ ...listed, files: listed.files.filter((file) => file !== 'GEMINI.md') }));
    await writeFile(path.join(out, 'GEMINI.md'), '# my own context\n');
    const before = await snapshotTree(out);
    const clash = await writeExtension(out);
    expect(clash.exitCode).toBe(2);
    expect(clash.stderr).toContain('holds GEMINI.md, which baton did not write, where this version of baton writes a file of its own');
    expect(await snapshotTree(out)).toEqual(before);
  });

  test('options that belong to an install are refused with --gemini-extension', async () => {
    for (const extra of [['--target', 'gemini'], ['--scope', 'project'], ['--dry-run'], ['--uninstall'], ['--force']]) {
      const result = await writeExtension(path.join(await testdir(), 'ext'), extra);
      expect(result.exitCode, extra.join(' ')).toBe(2);
      expect(result.stderr).toContain('--gemini-extension writes an extension folder');
    }
  });
});
