import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readSliceChanges } from '../../scripts/lib/slice-changes.js';
import { commitAll } from '../helpers/slice-repo.js';
import { git, gitdir, writeFiles } from '../helpers/testdir.js';

/** A repository on branch `track` branched from main, with its base commit. */
async function trackRepo(files: Record<string, string> = { 'README.md': '# app\n', 'src/a.ts': 'one\ntwo\nthree\n' }) {
  const dir = await gitdir(files);
  await git(dir, 'checkout', '--quiet', '-b', 'track');
  return { dir, base: await git(dir, 'rev-parse', 'HEAD') };
}

async function changes(dir: string, base: string) {
  const result = await readSliceChanges(dir, base);
  return Object.fromEntries(result.files.map((file) => [file.path, file]));
}

describe('what counts as the slice\'s changes', () => {
  test('its own commits, uncommitted edits and untracked files, with added lines at their current numbers', async () => {
    const { dir, base } = await trackRepo();
    await writeFiles(dir, { 'src/a.ts': 'one\nnew\ntwo\nthree\n' });
    await commitAll(dir, 'own commit');
    await writeFiles(dir, { 'src/a.ts': 'zero\none\nnew\ntwo\nthree\n', 'src/b.ts': 'b1\nb2\n' });
    await git(dir, 'add', 'src/a.ts');
    await writeFiles(dir, { 'notes/untracked.txt': 'hello\n' });
    const files = await changes(dir, base);
    expect(Object.keys(files)).toEqual(['notes/untracked.txt', 'src/a.ts', 'src/b.ts']);
    expect(files['src/a.ts']?.addedLines).toEqual([{ line: 1, text: 'zero' }, { line: 3, text: 'new' }]);
    expect(files['src/b.ts']).toMatchObject({ status: 'added', addedLines: [{ line: 1, text: 'b1' }, { line: 2, text: 'b2' }] });
  });

  test('what a merge from another branch brought in is not counted, and the slice\'s lines keep their numbers', async () => {
    const { dir, base } = await trackRepo();
    await writeFiles(dir, { 'src/a.ts': 'one\ntwo\nthree\nmine\n' });
    await commitAll(dir, 'own');
    await git(dir, 'checkout', '--quiet', 'main');
    await writeFiles(dir, { 'src/a.ts': 'first\none\ntwo\nthree\n', 'src/theirs.ts': 'theirs\n' });
    await commitAll(dir, 'another track, merged into release-wt');
    await git(dir, 'checkout', '--quiet', 'track');
    await git(dir, 'merge', '--quiet', '--no-ff', '-m', 'sync', 'main');
    const files = await changes(dir, base);
    expect(Object.keys(files)).toEqual(['src/a.ts']);
    expect(files['src/a.ts']?.addedLines).toEqual([{ line: 5, text: 'mine' }]);
  });

  test('a line added and removed again, and a file created and deleted again, are not counted', async () => {
    const { dir, base } = await trackRepo();
    await writeFiles(dir, { 'src/a.ts': 'one\ntemp\ntwo\nthree\n', 'src/tmp.ts': 'x\n' });
    await commitAll(dir, 'wip');
    await writeFiles(dir, { 'src/a.ts': 'one\ntwo\nthree\n' });
    await git(dir, 'rm', '--quiet', 'src/tmp.ts');
    await commitAll(dir, 'undo');
    expect(await changes(dir, base)).toEqual({});
  });

  test('renamed, deleted and binary files are listed by their current path', async () => {
    const { dir, base } = await trackRepo({ 'src/a.ts': 'a\n', 'src/old.ts': 'same content\nline two\n', 'src/gone.ts': 'bye\n' });
    await git(dir, 'mv', 'src/old.ts', 'src/new.ts');
    await git(dir, 'rm', '--quiet', 'src/gone.ts');
    await writeFile(path.join(dir, 'img.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
    await commitAll(dir, 'moves');
    const files = await changes(dir, base);
    expect(files['src/new.ts']).toMatchObject({ status: 'renamed', renamedFrom: 'src/old.ts', addedLines: [] });
    expect(files['src/gone.ts']).toMatchObject({ status: 'deleted' });
    expect(files['img.png']).toMatchObject({ status: 'added', binary: true, addedLines: [] });
    expect(Object.keys(files)).toHaveLength(3);
  });
});

describe('awkward files', () => {
  test('paths with spaces, unicode and quotes', async () => {
    const { dir, base } = await trackRepo();
    await writeFiles(dir, { 'my dir/sp ace.ts': 'x TODO\n', 'ünï/cödé.ts': 'y\n', 'q"uote\'s.ts': 'z\n' });
    await commitAll(dir, 'odd names');
    await writeFiles(dir, { 'un tracked/é.ts': 'w\n' });
    const files = await changes(dir, base);
    expect(Object.keys(files).sort()).toEqual(['my dir/sp ace.ts', 'q"uote\'s.ts', 'un tracked/é.ts', 'ünï/cödé.ts']);
    expect(files['my dir/sp ace.ts']?.addedLines).toEqual([{ line: 1, text: 'x TODO' }]);
  });

  test('CRLF lines lose their carriage return; invalid UTF-8 is read, not fatal', async () => {
    const { dir, base } = await trackRepo();
    await writeFile(path.join(dir, 'win.txt'), 'a\r\nb FIXME\r\n');
    await writeFile(path.join(dir, 'latin1.ts'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await commitAll(dir, 'encodings');
    const files = await changes(dir, base);
    expect(files['win.txt']?.addedLines).toEqual([{ line: 1, text: 'a' }, { line: 2, text: 'b FIXME' }]);
    expect(files['latin1.ts']?.addedLines).toEqual([{ line: 1, text: 'caf\ufffd' }]);
  });

  test('symbolic links, committed and untracked', async () => {
    const { dir, base } = await trackRepo();
    await symlink('src/a.ts', path.join(dir, 'link-committed'));
    await commitAll(dir, 'link');
    await symlink('/etc/hostname', path.join(dir, 'link-untracked'));
    const files = await changes(dir, base);
    expect(files['link-committed']).toMatchObject({ status: 'added' });
    expect(files['link-untracked']).toMatchObject({ status: 'added', binary: true, addedLines: [] });
  });

  test('a detached HEAD works like a branch', async () => {
    const { dir, base } = await trackRepo();
    await writeFiles(dir, { 'src/c.ts': 'c\n' });
    await commitAll(dir, 'c');
    await git(dir, 'checkout', '--quiet', '--detach');
    expect(Object.keys(await changes(dir, base))).toEqual(['src/c.ts']);
  });
});
