import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/** A fresh temporary directory holding the given files (`{ 'a/b.md': 'text' }`); `prefix` may contain spaces. */
export async function testdir(files: Record<string, string> = {}, prefix = 'baton-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFiles(dir, files);
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** Git with a fixed identity and no user or system configuration, so tests do not depend on the machine. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Baton Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Baton Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await execa('git', args, { cwd, env: GIT_ENV });
  return result.stdout;
}

/** A temporary git repository on branch `main` with the given files in its first commit. */
export async function gitdir(files: Record<string, string> = { 'README.md': '# test\n' }, prefix = 'baton-git-'): Promise<string> {
  const dir = await testdir(files, prefix);
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--allow-empty', '-m', 'initial commit');
  return dir;
}
