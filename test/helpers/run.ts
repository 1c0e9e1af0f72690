import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The repository root, where package.json and dist/ live. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built program of this package (dist/<name>.mjs) as a real process. The environment is
 * reduced to what the program needs, so a developer's own ~/.claude or CODEX_HOME never leaks in.
 */
export async function runBin(
  name: 'baton-install' | 'baton',
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<RunResult> {
  const result = await execa('node', [path.join(REPO_ROOT, 'dist', `${name}.mjs`), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    extendEnv: false,
    reject: false,
    input: options.input ?? '',
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `baton <args>` with a git on PATH that logs each of its invocations; returns the git command lines. */
export async function gitCallsOf(args: string[], cwd: string): Promise<string[]> {
  return (await gitRunsOf(args, cwd)).map((run) => run.call);
}

/**
 * Runs `baton <args>` with a git on PATH that logs each of its invocations and whether its standard
 * output is a file (`file`) or a pipe or socket (`stream`); `input` is baton's standard input.
 */
export async function gitRunsOf(args: string[], cwd: string, env: Record<string, string> = {}, input = ''): Promise<{ call: string; stdout: 'file' | 'stream' }[]> {
  const shim = await mkdtemp(path.join(tmpdir(), 'baton-git-shim-'));
  const log = path.join(shim, 'calls.log');
  const realGit = (await execa('sh', ['-c', 'command -v git'])).stdout.trim();
  await mkdir(path.join(shim, 'bin'));
  const script = [
    '#!/bin/sh',
    'if [ -f /dev/stdout ]; then kind=file; else kind=stream; fi',
    `printf '%s %s\\n' "$kind" "$*" >> '${log}'`,
    `exec '${realGit}' "$@"`,
    '',
  ].join('\n');
  await writeFile(path.join(shim, 'bin', 'git'), script);
  await chmod(path.join(shim, 'bin', 'git'), 0o755);
  const result = await runBin('baton', args, { cwd, input, env: { ...env, PATH: `${path.join(shim, 'bin')}:${process.env.PATH ?? ''}` } });
  if (result.exitCode === 2) throw new Error(`baton ${args.join(' ')} failed: ${result.stderr}`);
  return (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => {
      const [kind, ...call] = line.split(' ');
      return { call: call.join(' '), stdout: kind === 'file' ? 'file' : 'stream' };
    });
}
