import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { errnoCode, OperationalError } from './errors.js';
import { workingFolderProblem } from './working-folder.js';

/**
 * One-command git wrappers. Every call passes an argument array (never a shell string) and a working
 * directory. Read-only calls set GIT_OPTIONAL_LOCKS=0 so a check never fights an editor's git for the
 * index lock.
 *
 * These call node:child_process directly rather than execa: execa costs the bundled tool about 16 ms of
 * start-up and 8 ms per call, and `baton verify` and `baton board` are measured against the git calls
 * they make (npm run bench). The installer uses them too; only the tests use execa.
 */

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const READ_ENV = { GIT_OPTIONAL_LOCKS: '0' };
const MAX_BUFFER = 1024 * 1024 * 1024;

/** Starts git; a working folder that is a file makes Node throw here (spawn ENOTDIR) rather than emit 'error'. */
function launch<T>(cwd: string, start: () => T): T {
  try {
    return start();
  } catch (error) {
    throw startFailure(cwd, error);
  }
}

/**
 * Why git could not be started. Node reports a working folder that does not exist as `spawn git
 * ENOENT`, exactly as it reports a missing git, so the folder is looked at before git is blamed.
 */
function startFailure(cwd: string, error: unknown): OperationalError {
  const code = errnoCode(error);
  const problem = code === 'ENOENT' || code === 'ENOTDIR' ? folderProblem(cwd) : undefined;
  if (problem) return new OperationalError(`Could not run git in ${cwd}: that path ${problem}.`, { cause: error, fix: 'Run baton inside a repository, or pass one with -C <folder>.' });
  if (code === 'ENOENT') return new OperationalError('Could not run git: it is not on PATH.', { cause: error, fix: 'Install git and make sure it is on your PATH.' });
  return new OperationalError('Could not run git.', { cause: error, fix: `Check that git runs in ${cwd} (git status).` });
}

function folderProblem(cwd: string): string | undefined {
  try {
    return workingFolderProblem(cwd);
  } catch {
    // The folder cannot even be looked at (EACCES on a parent): report the start failure itself.
    return undefined;
  }
}

/** Runs git and returns its output whatever the exit code. */
function spawnGit(cwd: string, args: string[], options: { input?: string; env?: Record<string, string> }): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = launch(cwd, () => execFile(
      'git',
      args,
      { cwd, encoding: 'buffer', maxBuffer: MAX_BUFFER, env: { ...process.env, ...READ_ENV, ...options.env } },
      (error, stdout, stderr) => {
        const code = error && typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : error ? -1 : 0;
        if (error && code === -1) {
          reject(startFailure(cwd, error));
          return;
        }
        resolve({ exitCode: code, stdout, stderr: stderr.toString('utf8') });
      },
    ));
    // A git that stops before reading its input (an option it does not know) would fail the write with
    // EPIPE; its exit code and message say what went wrong.
    child.stdin?.on('error', () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs git and returns its result whatever the exit code. */
export async function runGit(cwd: string, args: string[], options: { env?: Record<string, string> } = {}): Promise<GitResult> {
  const result = await spawnGit(cwd, args, options);
  return { exitCode: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr };
}

/** Runs git and returns stdout with the final newline removed; a non-zero exit is an operational error. */
export async function gitText(cwd: string, args: string[]): Promise<string> {
  const result = await runGit(cwd, args);
  if (result.exitCode !== 0) throw gitFailure(args, result);
  return result.stdout.replace(/\n$/, '');
}

/**
 * Runs git and returns stdout as bytes, for output that may not be valid UTF-8 (diffs of arbitrary
 * files, blobs from cat-file); `input` goes to its standard input.
 *
 * The output goes to a temporary file rather than a pipe. git writes `cat-file --batch` answers and
 * patches a few hundred bytes at a time, and through a pipe Node wakes for every piece: thousands of
 * wake-ups for the board's 2.8 MB of records, which cost more than git's own work. A file takes them
 * at disk speed and is read once. It is unlinked as soon as it is open, so nothing is left behind.
 */
export async function gitBytes(cwd: string, args: string[], options: { input?: string } = {}): Promise<Buffer> {
  let result = await spawnGitToFile(cwd, args, options);
  // git cannot write to a full (or tiny) temporary folder, and the pipe does not need one. A git that
  // failed for another reason fails the same way again, and that is the failure reported.
  if (result?.exitCode !== 0) result = await spawnGit(cwd, args, options);
  if (result.exitCode !== 0) throw gitFailure(args, { exitCode: result.exitCode, stdout: '', stderr: result.stderr });
  return result.stdout;
}

/** Cleared when the temporary folder lets a file be made but not removed, so only one is left there. */
let temporaryFilesRemovable = true;

/** git with its output in a temporary file; undefined when no such file can be made. */
async function spawnGitToFile(cwd: string, args: string[], options: { input?: string }): Promise<{ exitCode: number; stdout: Buffer; stderr: string } | undefined> {
  if (!temporaryFilesRemovable) return undefined;
  const file = path.join(tmpdir(), `baton-git-${randomUUID()}`);
  let output: number;
  try {
    output = openSync(file, 'wx+', 0o600);
  } catch {
    return undefined;
  }
  try {
    unlinkSync(file);
  } catch {
    // A folder where files can be made but not removed (append-only): leave it, and use the pipe.
    closeSync(output);
    temporaryFilesRemovable = false;
    return undefined;
  }
  return new Promise<{ exitCode: number; stdout: Buffer; stderr: string }>((resolve, reject) => {
    const child = launch(cwd, () => spawn('git', args, { cwd, env: { ...process.env, ...READ_ENV }, stdio: [options.input === undefined ? 'ignore' : 'pipe', output, 'pipe'] }));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    // A git that stops early closes its input; its exit code says why, so the write error adds nothing.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
    child.on('error', (error) => reject(startFailure(cwd, error)));
    child.on('close', (code) => {
      try {
        resolve({ exitCode: code ?? -1, stdout: readWhole(output), stderr });
      } catch (error) {
        reject(error);
      }
    });
  }).finally(() => closeSync(output));
}

/** The whole content of an open file, read from its start (git moved the shared offset to its end). */
function readWhole(fd: number): Buffer {
  const bytes = Buffer.allocUnsafe(fstatSync(fd).size);
  let filled = 0;
  while (filled < bytes.length) {
    const read = readSync(fd, bytes, filled, bytes.length - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  return bytes.subarray(0, filled);
}

/**
 * Runs git and hands its standard output to `onText` as it arrives, decoded as UTF-8 (invalid bytes
 * replaced), so a large output is processed while git is still producing it.
 */
export function gitStream(cwd: string, args: string[], onText: (text: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = launch(cwd, () => spawn('git', args, { cwd, env: { ...process.env, ...READ_ENV }, stdio: ['ignore', 'pipe', 'pipe'] }));
    const decoder = new StringDecoder('utf8');
    let stderr = '';
    let failed: Error | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        onText(decoder.write(chunk));
      } catch (error) {
        failed = error instanceof Error ? error : new Error(String(error));
        child.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => reject(startFailure(cwd, error)));
    child.on('close', (code) => {
      if (failed) return reject(failed);
      if (code !== 0) return reject(gitFailure(args, { exitCode: code ?? -1, stdout: '', stderr }));
      try {
        onText(decoder.end());
        resolve();
      } catch (error) {
        reject(error);
      }
    });
  });
}

export function gitFailure(args: string[], result: GitResult): OperationalError {
  const detail = result.stderr.trim().split('\n')[0] ?? '';
  return new OperationalError(`git ${args.join(' ')} failed: ${detail || `exit code ${result.exitCode}`}`, {
    fix: 'Check the repository state named in the message, then run again.',
  });
}

/** The top-level directory of the working tree around `cwd`, and the repository's common git directory. */
export async function repoRoot(cwd: string): Promise<{ root: string; commonDir: string }> {
  const result = await runGit(cwd, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir']);
  const [root, commonDir] = result.stdout.trim().split('\n');
  if (result.exitCode !== 0 || !root || !commonDir) {
    throw new OperationalError(`${cwd} is not inside a git repository (or its working tree).`, {
      fix: 'Run baton from inside the repository, or pass -C <directory>.',
    });
  }
  return { root, commonDir };
}

/** The full commit id a revision names, or undefined when it does not resolve to a commit. */
export async function resolveCommit(cwd: string, revision: string): Promise<string | undefined> {
  // "--end-of-options" keeps a revision that starts with "-" from being read as an option.
  const result = await runGit(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The best common ancestor of two commits, or undefined when they share none. */
export async function mergeBase(cwd: string, a: string, b: string): Promise<string | undefined> {
  const result = await runGit(cwd, ['merge-base', a, b]);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Whether `ancestor` is reachable from `descendant`. */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await runGit(cwd, ['merge-base', '--is-ancestor', ancestor, descendant]);
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw gitFailure(['merge-base', '--is-ancestor', ancestor, descendant], result);
}

/** The checked-out branch's short name, or undefined for a detached HEAD. */
export async function currentBranch(cwd: string): Promise<string | undefined> {
  const result = await runGit(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Paths with uncommitted changes (staged, unstaged or untracked), as `git status --porcelain` lists them. */
export async function uncommittedChanges(cwd: string): Promise<string[]> {
  const output = await gitText(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const entries = output.split('\0').filter(Boolean);
  const paths: string[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] as string;
    paths.push(entry.slice(3));
    // A rename or copy is followed by its source path as a separate entry.
    if (entry[0] === 'R' || entry[0] === 'C') index += 1;
  }
  return paths;
}

/** A worktree as `git worktree list --porcelain` describes it. */
export interface Worktree {
  path: string;
  head: string | undefined;
  /** Short branch name, or undefined when detached. */
  branch: string | undefined;
  bare: boolean;
}

export async function listWorktrees(cwd: string): Promise<Worktree[]> {
  const output = await gitText(cwd, ['worktree', 'list', '--porcelain', '-z']);
  const worktrees: Worktree[] = [];
  let current: Worktree | undefined;
  for (const field of output.split('\0')) {
    if (field.startsWith('worktree ')) {
      current = { path: field.slice('worktree '.length), head: undefined, branch: undefined, bare: false };
      worktrees.push(current);
    } else if (current && field.startsWith('HEAD ')) {
      current.head = field.slice(5);
    } else if (current && field.startsWith('branch ')) {
      current.branch = field.slice('branch '.length).replace(/^refs\/heads\//, '');
    } else if (current && field === 'bare') {
      current.bare = true;
    }
  }
  return worktrees;
}
