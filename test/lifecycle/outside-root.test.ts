import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runBin, type RunResult } from '../helpers/run.js';
import { git, GIT_ENV, gitdir, testdir } from '../helpers/testdir.js';

/**
 * A repository is untrusted input: a committed link or config must not make a lifecycle command
 * write outside the repository (records) or outside the worktree root it allows (worktrees).
 */

const REL = '2026-11-21-billing';
const baton = (cwd: string, args: string[]) => runBin('baton', args, { cwd, env: GIT_ENV });
const show = (result: RunResult) => `exit ${result.exitCode}\n${result.stdout}\n${result.stderr}`;

/** Every file below a folder, with its content, to show that nothing there changed. */
async function contents(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[path.relative(folder, path.join(entry.parentPath, entry.name))] = await readFile(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return files;
}

async function commitAll(repo: string, message: string): Promise<void> {
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '-m', message);
}

describe('record folders that lead outside the repository', () => {
  test('a committed docs/release linked to an outside folder: new-release exits 2 and writes nothing there', async () => {
    const outside = await testdir({}, 'baton-outside-');
    const repo = await gitdir({ 'README.md': '# app\n' }, 'baton-link-');
    await mkdir(path.join(repo, 'docs'));
    await symlink(outside, path.join(repo, 'docs/release'));
    await commitAll(repo, 'docs/release is a link');
    const result = await baton(repo, ['new-release', REL]);
    expect(result.exitCode, show(result)).toBe(2);
    expect(result.stderr).toContain(`error: ${path.join(repo, 'docs/release')} is a symbolic link to ${outside}, outside ${repo}; baton does not write through it.`);
    expect(await readdir(outside)).toEqual([]);
    expect(result.stdout).toBe('');
  });

  test('a slice folder linked outside: start and evidence refuse, and the outside record is unchanged', async () => {
    const outside = await testdir({}, 'baton-outside-');
    const repo = await gitdir({ 'README.md': '# app\n' }, 'baton-link-');
    for (const args of [['new-release', REL], ['new-slice', 'S01-a', '--release', REL, '--track', 'T1-a'], ['new-slice', 'S02-b', '--release', REL, '--track', 'T2-b'], ['worktree', 'S02-b'], ['start', 'S02-b']]) {
      expect((await baton(repo, args)).exitCode).toBe(0);
    }
    // Both slice folders become links to copies outside, where each record lives: S01 planned (for
    // start) on release-wt, S02 in progress (for evidence) on its track's branch.
    for (const [slice, worktree] of [['S01-a', 'release'], ['S02-b', 'T2-b']] as const) {
      const checkout = path.join(`${repo}-worktrees`, REL, worktree);
      const folder = path.join(checkout, 'docs/release', REL, slice);
      await cp(folder, path.join(outside, slice), { recursive: true });
      await rm(folder, { recursive: true });
      await symlink(path.join(outside, slice), folder);
      await commitAll(checkout, 'slice folder is a link');
    }
    const before = await contents(outside);
    // The committed link replaced the records the receipts wrote, so no command builds on what it leads to.
    // S01's track has no branch, so start refuses it before reading any record; S02's linked record
    // is not the one its newest receipt wrote (the board reads release-wt's copy, which is).
    for (const [args, error] of [[['start', 'S01-a'], 'error: T1-a, the track of S01-a, has no branch yet'], [['evidence', 'S02-b', '--test-command', 'npm test'], 'its newest receipt wrote']] as const) {
      const result = await baton(repo, [...args]);
      expect(result.exitCode, show(result)).toBe(1);
      expect(result.stderr).toContain(error);
    }
    expect(await contents(outside)).toEqual(before);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });

  test('a receipted slice whose journal.md is a committed link outside: defer exits 2, writes nothing and commits nothing', async () => {
    const outside = await testdir({ 'journal.md': '# Journal kept elsewhere\n' }, 'baton-outside-');
    const repo = await gitdir({ 'README.md': '# app\n' }, 'baton-link-');
    for (const args of [['new-release', REL], ['new-slice', 'S01-a', '--release', REL, '--track', 'T1-a']]) expect((await baton(repo, args)).exitCode).toBe(0);
    const journal = path.join(repo, 'docs/release', REL, 'S01-a', 'journal.md');
    await rm(journal);
    await symlink(path.join(outside, 'journal.md'), journal);
    await commitAll(repo, 'the journal is a link');
    const notes = path.join(await testdir(), 'deferral.md');
    await writeFile(notes, 'Reason: not this release.\nTracking: issue 12\nAcknowledged: the owner, today\n');
    const head = await git(repo, 'rev-parse', 'HEAD');
    const before = await contents(outside);
    // status.json is still the record its receipt wrote, so the command reaches its writes: the link stops it there.
    const result = await baton(repo, ['defer', 'S01-a', '--notes-file', notes]);
    expect(result.exitCode, show(result)).toBe(2);
    expect(result.stderr).toContain(`error: ${journal} is a symbolic link to ${path.join(outside, 'journal.md')}, outside ${repo}; baton does not write through it.`);
    expect(await contents(outside)).toEqual(before);
    expect(await git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });
});

describe('worktreeRoot from a committed .baton/config.json', () => {
  const configured = async (worktreeRoot: string) => {
    return gitdir({ 'README.md': '# app\n', '.baton/config.json': JSON.stringify({ worktreeRoot }) }, 'baton-wtroot-');
  };

  test.each(['/var/tmp/baton-elsewhere', '../../baton-elsewhere', '../.ssh', '..'])('"%s" is refused by every command, naming the rule', async (worktreeRoot) => {
    const repo = await configured(worktreeRoot);
    const result = await baton(repo, ['new-release', REL]);
    expect(result.exitCode, show(result)).toBe(2);
    expect(result.stderr).toContain(`error: worktreeRoot "${worktreeRoot}" in ${path.join(repo, '.baton/config.json')} leads to`);
    expect(result.stderr).toContain('may only put worktrees inside the repository (such as ".worktrees") or in one folder beside it');
    expect(await readdir(path.join(repo))).not.toContain('docs');
  });

  test('inside the repository, and beside it, worktrees are created there', async () => {
    for (const beside of [false, true]) {
      // A folder beside the repository is named after it, so that runs never share one.
      const name = `baton-wtroot-${Math.random().toString(36).slice(2)}`;
      const worktreeRoot = beside ? `../${name}-worktrees` : '.worktrees';
      const repo = await configured(worktreeRoot);
      for (const args of [['new-release', REL], ['new-slice', 'S01-a', '--release', REL, '--track', 'T1-a'], ['worktree', 'S01-a']]) {
        const result = await baton(repo, args);
        expect(result.exitCode, show(result)).toBe(0);
      }
      const root = path.resolve(repo, worktreeRoot);
      expect((await git(repo, 'worktree', 'list')).split('\n').map((line) => line.split(' ')[0]).sort()).toEqual([repo, path.join(root, REL, 'T1-a'), path.join(root, REL, 'release')].sort());
    }
  });

  test('a worktree root inside the repository that is a committed link to outside: worktree exits 2, nothing is checked out there', async () => {
    const outside = await testdir({}, 'baton-outside-');
    const repo = await configured('.worktrees');
    await symlink(outside, path.join(repo, '.worktrees'));
    await commitAll(repo, '.worktrees is a link');
    for (const args of [['new-release', REL], ['new-slice', 'S01-a', '--release', REL, '--track', 'T1-a']]) expect((await baton(repo, args)).exitCode).toBe(0);
    const result = await baton(repo, ['worktree', 'S01-a']);
    expect(result.exitCode, show(result)).toBe(2);
    expect(result.stderr).toContain(`${path.join(repo, '.worktrees')} is a symbolic link to ${outside}`);
    expect(await readdir(outside)).toEqual([]);
  });
});
