import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { runBin, type RunResult } from '../helpers/run.js';
import { git, GIT_ENV, gitdir } from '../helpers/testdir.js';

/**
 * The repository lock, with several real baton processes at once: every state-changing command
 * takes <common git dir>/baton.lock before it reads what it changes, so none loses another's update
 * and none reports a change that is not committed.
 */

const REL = '2026-11-21-billing';
const baton = (cwd: string, args: string[], env: Record<string, string> = {}) => runBin('baton', args, { cwd, env: { ...GIT_ENV, ...env } });
const show = (result: RunResult) => `exit ${result.exitCode}\n${result.stdout}\n${result.stderr}`;
const committed = (repo: string, file: string) => git(repo, 'show', `HEAD:docs/release/${REL}/${file}`);

async function releaseRepo(): Promise<string> {
  const repo = await gitdir({ 'README.md': '# app\n', 'src/app.ts': 'export const app = 1;\n' }, 'baton-lock-');
  expect((await baton(repo, ['new-release', REL])).exitCode).toBe(0);
  return repo;
}

/** Start time of a process as /proc/<pid>/stat field 22 gives it (what baton records in its lock). */
async function startTimeOf(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

const lockFile = (repo: string) => path.join(repo, '.git', 'baton.lock');
const holder = (fields: { pid: number; start: string | null; host?: string }) =>
  `${JSON.stringify({ host: hostname(), command: 'new-slice', since: '2026-01-01T00:00:00.000Z', nonce: '0123456789abcdef', ...fields })}\n`;

const helpers: ChildProcess[] = [];
afterEach(() => {
  for (const child of helpers.splice(0)) child.kill('SIGKILL');
});

describe('concurrent state-changing commands', () => {
  test('five new-slice at once, two slices each: all ten are in the committed tracks:', async () => {
    const repo = await releaseRepo();
    const worker = async (n: number) => {
      const results: RunResult[] = [];
      for (const letter of ['a', 'b']) results.push(await baton(repo, ['new-slice', `S0${n}${letter}-part`, '--release', REL, '--track', `T${n}-work`]));
      return results;
    };
    const results = (await Promise.all([1, 2, 3, 4, 5].map(worker))).flat();
    for (const result of results) expect(result.exitCode, show(result)).toBe(0);
    const index = await committed(repo, 'index.md');
    for (const n of [1, 2, 3, 4, 5]) expect(index).toContain(`slices: [ S0${n}a-part, S0${n}b-part ]`);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });

  test('concurrent evidence on one slice: every process committed its value, none was lost', async () => {
    const repo = await releaseRepo();
    expect((await baton(repo, ['new-slice', 'S01-export', '--release', REL, '--track', 'T1-work'])).exitCode).toBe(0);
    expect((await baton(repo, ['worktree', 'S01-export'])).exitCode).toBe(0);
    expect((await baton(repo, ['start', 'S01-export'])).exitCode).toBe(0);
    // Run from the primary checkout, each command finds the track worktree where the record lives.
    const track = path.join(`${repo}-worktrees`, REL, 'T1-work');
    const runs = [1, 2, 3].flatMap((n) => [
      baton(repo, ['evidence', 'S01-export', '--test-command', `npm test ${n}`]),
      baton(repo, ['evidence', 'S01-export', '--reachability', `src/app.ts — view ${n}`]),
    ]);
    for (const result of await Promise.all(runs)) expect(result.exitCode, show(result)).toBe(0);
    const status = JSON.parse(await committed(track, 'S01-export/status.json')) as { test_commands: string[]; reachability_artifacts: string[] };
    // Each command sets one field; the other field must still hold what another command recorded.
    expect(status.test_commands[0]).toMatch(/^npm test [123]$/);
    expect(status.reachability_artifacts[0]).toMatch(/^src\/app\.ts — view [123]$/);
    expect((await git(track, 'log', '--format=%s')).split('\n').filter((subject) => subject.endsWith('record evidence'))).toHaveLength(6);
    expect(await git(track, 'status', '--porcelain')).toBe('');
  });

  test('two new-release of one id: exactly one succeeds, and what it printed is what is committed', async () => {
    const repo = await gitdir({ 'README.md': '# app\n' }, 'baton-lock-');
    const [main, other] = await Promise.all(['main', 'other'].map((branch) => baton(repo, ['new-release', REL, '--integration-branch', branch])));
    const results = [main as RunResult, other as RunResult];
    expect(results.map((result) => result.exitCode).sort(), results.map(show).join('\n')).toEqual([0, 1]);
    const winner = results.find((result) => result.exitCode === 0) as RunResult;
    const loser = results.find((result) => result.exitCode === 1) as RunResult;
    const branch = /integrating into (\S+)\./.exec(winner.stdout)?.[1];
    expect(await committed(repo, 'index.md')).toContain(`integration_branch: '${branch}'`);
    expect(loser.stderr).toMatch(/Release 2026-11-21-billing already exists/);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });
});

describe('a lock left behind or held', () => {
  test('a lock left by a killed process is taken over', async () => {
    const repo = await releaseRepo();
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    await writeFile(lockFile(repo), holder({ pid: dead.pid as number, start: '1' }));
    const result = await baton(repo, ['new-slice', 'S01-export', '--release', REL, '--track', 'T1-work'], { BATON_LOCK_TIMEOUT: '5' });
    expect(result.exitCode, show(result)).toBe(0);
    await expect(readFile(lockFile(repo))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('five commands that all find the same stale lock: one at a time takes over, every slice is committed', async () => {
    const repo = await releaseRepo();
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    await writeFile(lockFile(repo), holder({ pid: dead.pid as number, start: '1' }));
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => baton(repo, ['new-slice', `S0${n}-part`, '--release', REL, '--track', `T${n}-work`], { BATON_LOCK_TIMEOUT: '10' })));
    for (const result of results) expect(result.exitCode, show(result)).toBe(0);
    const index = await committed(repo, 'index.md');
    for (const n of [1, 2, 3, 4, 5]) expect(index).toContain(`slices: [ S0${n}-part ]`);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });

  test('a lock whose pid is alive but was started at another time (pid reuse) is taken over', async () => {
    const repo = await releaseRepo();
    const start = await startTimeOf(process.pid);
    await writeFile(lockFile(repo), holder({ pid: process.pid, start: `${start}0` }));
    const result = await baton(repo, ['new-slice', 'S01-export', '--release', REL, '--track', 'T1-work'], { BATON_LOCK_TIMEOUT: '5' });
    expect(result.exitCode, show(result)).toBe(0);
  });

  test('a live lock makes the command wait, say so once, then exit 2 naming the lock; nothing is written', async () => {
    const repo = await releaseRepo();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    helpers.push(sleeper);
    const pid = sleeper.pid as number;
    await writeFile(lockFile(repo), holder({ pid, start: await startTimeOf(pid) }));
    const result = await baton(repo, ['new-slice', 'S01-export', '--release', REL, '--track', 'T1-work'], { BATON_LOCK_TIMEOUT: '1' });
    expect(result.exitCode, show(result)).toBe(2);
    expect(result.stderr.match(/^baton: waiting for the repository lock/gm)).toHaveLength(1);
    expect(result.stderr).toContain(`error: Timed out after 1 s waiting for the repository lock ${lockFile(repo)}, held by baton new-slice (pid ${pid}`);
    expect(result.stderr).toMatch(/fix: .*If it is gone .*remove .*baton\.lock/);
    expect(result.stdout).toBe('');
    expect(await git(repo, 'status', '--porcelain')).toBe('');
    expect(await readFile(lockFile(repo), 'utf8')).toContain(`"pid":${pid}`);
  });

  test('a lock from another host is never taken over, even with a pid that is dead here', async () => {
    const repo = await releaseRepo();
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    await writeFile(lockFile(repo), holder({ pid: dead.pid as number, start: '1', host: 'elsewhere.example' }));
    const result = await baton(repo, ['new-slice', 'S01-export', '--release', REL, '--track', 'T1-work'], { BATON_LOCK_TIMEOUT: '0.3' });
    expect(result.exitCode, show(result)).toBe(2);
    expect(result.stderr).toContain('on elsewhere.example');
    expect(await git(repo, 'log', '--format=%s')).not.toContain('plan slice');
  });

  test('an empty lock (its writer died before writing it) is never taken over: exit 2 naming the file', async () => {
    const repo = await releaseRepo();
    await writeFile(lockFile(repo), '');
    const result = await baton(repo, ['new-slice', 'S01-export', '--release', REL, '--track', 'T1-work'], { BATON_LOCK_TIMEOUT: '0.5' });
    expect(result.exitCode, show(result)).toBe(2);
    expect(result.stderr).toContain(`waiting for the repository lock ${lockFile(repo)}, held by a command whose lock file is empty or unreadable`);
    expect(result.stderr).toContain(`remove ${lockFile(repo)}`);
  });

  test('read-only commands take no lock', async () => {
    const repo = await releaseRepo();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    helpers.push(sleeper);
    await writeFile(lockFile(repo), holder({ pid: sleeper.pid as number, start: await startTimeOf(sleeper.pid as number) }));
    const result = await baton(repo, ['board'], { BATON_LOCK_TIMEOUT: '0.3' });
    expect(result.exitCode, show(result)).not.toBe(2);
    expect(result.stderr).not.toMatch(/lock/);
  });
});
