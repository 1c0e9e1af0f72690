import { chmod, chown, cp, lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, runBin } from '../helpers/run.js';
import { testdir } from '../helpers/testdir.js';

/**
 * dist/baton.mjs runs dist/baton-program.cjs from a V8 code cache in the user's cache folder. These
 * run the real launcher as a process; each gets its own HOME, so nothing touches the machine's cache.
 */

const VERSION = (JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

async function cacheFiles(folder: string): Promise<string[]> {
  return readdir(folder).catch(() => []);
}

/**
 * A home whose cache file for the real program holds the code of another program of the same length
 * (the version string changed in place), which prints `forged` for --version.
 */
async function forgedCache(): Promise<{ home: string; folder: string; file: string; forged: string }> {
  const root = await testdir();
  await mkdir(path.join(root, 'dist'));
  for (const name of ['baton.mjs', 'baton-program.cjs']) await cp(path.join(REPO_ROOT, 'dist', name), path.join(root, 'dist', name));
  const program = path.join(root, 'dist/baton-program.cjs');
  const forged = VERSION.replace(/\d/g, '7');
  await writeFile(program, (await readFile(program, 'utf8')).replaceAll(JSON.stringify(VERSION), JSON.stringify(forged)));
  const forger = await testdir();
  await execa('node', [path.join(root, 'dist/baton.mjs'), '--version'], { env: { PATH: process.env.PATH ?? '', HOME: forger }, extendEnv: false });
  const [forgedName] = await cacheFiles(path.join(forger, '.cache/baton'));

  const home = await testdir();
  await runBin('baton', ['--version'], { env: { HOME: home } });
  const folder = path.join(home, '.cache/baton');
  const file = path.join(folder, (await cacheFiles(folder))[0] as string);
  await cp(path.join(forger, '.cache/baton', forgedName as string), file);
  return { home, folder, file, forged };
}

describe('the code cache', () => {
  test('the first run saves it (private to the user), later runs use it and leave it as it is', async () => {
    const home = await testdir();
    const first = await runBin('baton', ['--version'], { env: { HOME: home } });
    expect(first).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
    const folder = path.join(home, '.cache/baton');
    const [name] = await cacheFiles(folder);
    expect(await cacheFiles(folder)).toEqual([expect.stringMatching(/^baton-program-[0-9a-f]{16}-v8-.+\.cache$/)]);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    const file = path.join(folder, name as string);
    const saved = await stat(file);
    expect(saved.mode & 0o777).toBe(0o600);

    expect(await runBin('baton', ['--version'], { env: { HOME: home } })).toEqual(first);
    expect((await stat(file)).mtimeMs).toBe(saved.mtimeMs);
  });

  test('XDG_CACHE_HOME, when absolute, is used instead of HOME', async () => {
    const home = await testdir();
    const xdg = await testdir();
    await runBin('baton', ['--version'], { env: { HOME: home, XDG_CACHE_HOME: xdg } });
    expect(await cacheFiles(path.join(xdg, 'baton'))).toHaveLength(1);
    expect(await cacheFiles(path.join(home, '.cache/baton'))).toEqual([]);
    await runBin('baton', ['--version'], { env: { HOME: home, XDG_CACHE_HOME: 'relative/cache' } });
    expect(await cacheFiles(path.join(home, '.cache/baton'))).toHaveLength(1);
  });

  test('a damaged cache is compiled around and replaced', async () => {
    const home = await testdir();
    await runBin('baton', ['--version'], { env: { HOME: home } });
    const folder = path.join(home, '.cache/baton');
    const file = path.join(folder, (await cacheFiles(folder))[0] as string);
    await writeFile(file, 'not a code cache');
    expect(await runBin('baton', ['--version'], { env: { HOME: home } })).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
    const replaced = await stat(file);
    expect(replaced.size).toBeGreaterThan(10_000);
    // The new cache is accepted: the next run does not write it again.
    await runBin('baton', ['--version'], { env: { HOME: home } });
    expect((await stat(file)).mtimeMs).toBe(replaced.mtimeMs);
  });

  test('a program changed in place, same length, never runs the old code', async () => {
    // V8 checks a cache against the source's length only; the cache's name carries the content.
    const root = await testdir();
    await mkdir(path.join(root, 'dist'));
    for (const name of ['baton.mjs', 'baton-program.cjs']) await cp(path.join(REPO_ROOT, 'dist', name), path.join(root, 'dist', name));
    const home = await testdir();
    const launcher = path.join(root, 'dist/baton.mjs');
    const run = async () => execa('node', [launcher, '--version'], { env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false });
    expect((await run()).stdout).toBe(VERSION);
    const program = path.join(root, 'dist/baton-program.cjs');
    const changed = VERSION.replace(/\d/g, '9');
    const text = await readFile(program, 'utf8');
    expect(text).toContain(JSON.stringify(VERSION));
    await writeFile(program, text.replaceAll(JSON.stringify(VERSION), JSON.stringify(changed)));
    expect((await run()).stdout).toBe(changed);
    expect(await cacheFiles(path.join(home, '.cache/baton'))).toHaveLength(2);
  });

  test("V8 runs any cache of the right length, so one that others may write is ignored", async () => {
    const { home, folder, file } = await forgedCache();
    await chmod(folder, 0o777);
    expect((await runBin('baton', ['--version'], { env: { HOME: home } })).stdout).toBe(VERSION);
    await chmod(folder, 0o700);
    await chmod(file, 0o666);
    expect((await runBin('baton', ['--version'], { env: { HOME: home } })).stdout).toBe(VERSION);
    // The run above replaced the file others could write; forged again in a folder and file that are
    // the user's alone, V8 runs it: the checks above are what stop a forged cache.
    const again = await forgedCache();
    expect((await runBin('baton', ['--version'], { env: { HOME: again.home } })).stdout).toBe(again.forged);
  });

  test.skipIf(!IS_ROOT)("another user's cache folder is neither read nor written", async () => {
    const { home, folder, file } = await forgedCache();
    await chown(folder, NOBODY, NOBODY);
    await chown(file, NOBODY, NOBODY);
    const before = await stat(file);
    expect((await runBin('baton', ['--version'], { env: { HOME: home } })).stdout).toBe(VERSION);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  test.skipIf(!IS_ROOT)("root running with another user's HOME makes no folder there", async () => {
    const home = await testdir();
    await chown(home, NOBODY, NOBODY);
    expect(await runBin('baton', ['--version'], { env: { HOME: home } })).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
    expect(await readdir(home)).toEqual([]);
  });

  test('a cache file that is a symbolic link is not followed', async () => {
    const home = await testdir();
    await runBin('baton', ['--version'], { env: { HOME: home } });
    const folder = path.join(home, '.cache/baton');
    const name = (await cacheFiles(folder))[0] as string;
    await rename(path.join(folder, name), path.join(home, 'elsewhere.cache'));
    await symlink(path.join(home, 'elsewhere.cache'), path.join(folder, name));
    expect(await runBin('baton', ['--version'], { env: { HOME: home } })).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
    expect((await lstat(path.join(folder, name))).isFile()).toBe(true);
  });

  test('a cache that cannot be saved leaves no partial file behind', async () => {
    const home = await testdir();
    await runBin('baton', ['--version'], { env: { HOME: home } });
    const folder = path.join(home, '.cache/baton');
    const name = (await cacheFiles(folder))[0] as string;
    await rm(path.join(folder, name));
    await mkdir(path.join(folder, name, 'in the way'), { recursive: true });
    for (let run = 0; run < 2; run += 1) expect(await runBin('baton', ['--version'], { env: { HOME: home } })).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
    expect(await cacheFiles(folder)).toEqual([name]);
  });

  test('caches of other builds are pruned to the newest few', async () => {
    const home = await testdir();
    const folder = path.join(home, '.cache/baton');
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const old = Array.from({ length: 5 }, (_, index) => `baton-program-${String(index).repeat(16)}-v8-old-x64.cache`);
    for (const [index, name] of old.entries()) {
      await writeFile(path.join(folder, name), 'an old build');
      await utimes(path.join(folder, name), 1_000_000 + index, 1_000_000 + index);
    }
    await writeFile(path.join(folder, 'notes.txt'), 'not a cache');
    await runBin('baton', ['--version'], { env: { HOME: home } });
    const left = await cacheFiles(folder);
    expect(left.filter((name) => old.includes(name)).sort()).toEqual(old.slice(2).sort());
    expect(left).toContain('notes.txt');
    expect(left).toHaveLength(5);
  });

  test('without a usable cache folder baton runs as usual and says nothing of it', async () => {
    const home = await testdir({ '.cache': 'a file where the cache folder would go' });
    expect(await runBin('baton', ['--version'], { env: { HOME: home } })).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
    expect(await runBin('baton', ['--version'], {})).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
  });
});

test('a launcher without its program says what is missing and how to get it back', async () => {
  const root = await testdir();
  await cp(path.join(REPO_ROOT, 'dist/baton.mjs'), path.join(root, 'baton.mjs'));
  const result = await execa('node', [path.join(root, 'baton.mjs'), '--version'], { reject: false });
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`baton: ${path.join(root, 'baton-program.cjs')} is missing or unreadable.\nFix: install baton again (npx baton-install), or run npm run build in a clone of baton.`);
  // An agent client reads a stop hook's exit 2 as "block the stop": a broken install must not hold a session.
  const hook = await execa('node', [path.join(root, 'baton.mjs'), 'hook', 'stop'], { reject: false, input: '{}' });
  expect([hook.exitCode, hook.stderr]).toEqual([1, expect.stringContaining('is missing or unreadable')]);
});

test('the program keeps strict mode: "use strict" is its first statement', async () => {
  // esbuild marks the CommonJS bundle strict; anything placed before that line turns it off for all of it.
  expect((await readFile(path.join(REPO_ROOT, 'dist/baton-program.cjs'), 'utf8')).startsWith('"use strict";')).toBe(true);
});
