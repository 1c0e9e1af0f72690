import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { packageWith, runInstall } from '../helpers/package.js';
import { REPO_ROOT } from '../helpers/run.js';
import { snapshotTree } from '../helpers/tree.js';
import { gitdir, testdir } from '../helpers/testdir.js';

/**
 * A project install's manifest is committed in the repository, so whoever wrote the repository wrote
 * it. Whatever it says, baton-install must not remove, back up or write anything outside its root.
 */

let pack: string;
beforeAll(async () => {
  pack = await packageWith(path.join(REPO_ROOT, 'test/fixtures/packs/valid'));
});

interface Manifest {
  files: { root: string; path: string; sha256: string; targets: string[]; kind: string }[];
  dirs: { root: string; path: string; targets: string[] }[];
}

/** A repository with baton installed in project scope, and a victim file beside it, outside the repository. */
async function installedRepo(): Promise<{ repo: string; victim: string; manifestFile: string; manifest: Manifest }> {
  const base = await testdir({ 'victim/secret.txt': 'do not touch\n' });
  const repo = await gitdir();
  const install = await runInstall(['--yes', '--scope', 'project'], { packageRoot: pack, home: base, cwd: repo });
  expect(install.exitCode, install.stderr).toBe(0);
  const manifestFile = path.join(repo, '.baton/manifest.json');
  return { repo, victim: path.join(base, 'victim'), manifestFile, manifest: JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('a hostile project manifest', () => {
  const cases: { name: string; args: string[]; tamper: (manifest: Manifest, victimFile: string) => void }[] = [
    {
      name: 'a file entry with ".." pointing at a real file, with its true hash',
      args: [],
      tamper: (manifest) => manifest.files.push({ root: 'project', path: '../victim/secret.txt', sha256: sha256('do not touch\n'), targets: ['claude'], kind: 'rule' }),
    },
    {
      name: 'the same entry, with --force (whose backup path would leave its stamp folder)',
      args: ['--force'],
      tamper: (manifest) => manifest.files.push({ root: 'project', path: '../victim/secret.txt', sha256: '0'.repeat(64), targets: ['claude'], kind: 'rule' }),
    },
    {
      name: 'the same entry, with --uninstall',
      args: ['--uninstall'],
      tamper: (manifest) => manifest.files.push({ root: 'project', path: '../victim/secret.txt', sha256: sha256('do not touch\n'), targets: ['claude'], kind: 'rule' }),
    },
    {
      name: 'a dirs entry with ".." naming an empty folder outside, with --uninstall',
      args: ['--uninstall'],
      tamper: (manifest) => manifest.dirs.push({ root: 'project', path: '../victim/empty', targets: ['claude'] }),
    },
    {
      name: 'an absolute path entry',
      args: ['--uninstall', '--force'],
      tamper: (manifest, victimFile) => manifest.files.push({ root: 'project', path: victimFile, sha256: sha256('do not touch\n'), targets: ['claude'], kind: 'rule' }),
    },
  ];

  for (const { name, args, tamper } of cases) {
    test(`${name}: refused as damaged, exit 2, nothing touched`, async () => {
      const { repo, victim, manifestFile, manifest } = await installedRepo();
      await mkdir(path.join(victim, 'empty'));
      // A missing command the install would restore, so "nothing touched" covers the good entries too.
      await rm(path.join(repo, '.claude/commands/check-thing.md'));
      tamper(manifest, path.join(victim, 'secret.txt'));
      await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
      const repoBefore = await snapshotTree(repo);
      const victimBefore = await snapshotTree(victim);

      const result = await runInstall(['--yes', '--scope', 'project', ...args], { packageRoot: pack, home: path.dirname(victim), cwd: repo });
      expect(result.exitCode, result.stdout).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^error: The install manifest ${manifestFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged: the entry ".*victim.*" \\(root project\\) is not a plain path inside its root\\.\\nfix: Restore it from a backup`));
      expect(await snapshotTree(victim)).toEqual(victimBefore);
      expect(await snapshotTree(repo)).toEqual(repoBefore);
    });
  }

  test('a manifest larger than the bound is refused before it is parsed', async () => {
    const { repo, manifestFile } = await installedRepo();
    await writeFile(manifestFile, `{"format":1,"version":"x","files":[],"dirs":[],"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    const before = await snapshotTree(repo);
    const result = await runInstall(['--yes', '--scope', 'project', '--uninstall'], { packageRoot: pack, home: repo, cwd: repo });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`The install manifest ${manifestFile} is damaged: it is larger than 4 MB.`);
    expect(await snapshotTree(repo)).toEqual(before);
  });

  test('a manifest with an absurd number of entries is refused', async () => {
    const { repo, manifestFile } = await installedRepo();
    const dirs = Array.from({ length: 20_000 }, (_, index) => ({ root: 'project', path: `d${index}`, targets: ['claude'] }));
    await writeFile(manifestFile, JSON.stringify({ format: 1, version: 'x', files: [], dirs }));
    const before = await snapshotTree(repo);
    const result = await runInstall(['--yes', '--scope', 'project', '--uninstall'], { packageRoot: pack, home: repo, cwd: repo });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is damaged: it lists 20000 entries, more than the 10000 baton ever writes.');
    expect(await snapshotTree(repo)).toEqual(before);
  });
});
