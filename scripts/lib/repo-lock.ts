import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode, OperationalError } from './errors.js';
import { readOnlyGitDirFix } from './sandbox-fix.js';

/**
 * One exclusive lock per repository, the way git takes index.lock: a file created with O_EXCL in the
 * common git dir, so every worktree of the repository shares it. It names its holder (pid, the
 * process's start time, host, command, since when) so that a lock left by a crashed process can be
 * told from a live one. A live lock is never taken over: only a lock on this host whose pid is gone,
 * or whose pid now belongs to a process started at another time, is removed.
 */

/** What the lock file holds. `nonce` tells this lock apart from any earlier or later one. */
export interface LockHolder {
  pid: number;
  /** The process's start time as the kernel counts it (Linux: /proc/<pid>/stat field 22); null where unknown. */
  start: string | null;
  host: string;
  command: string;
  since: string;
  nonce: string;
}

export interface RepoLock {
  file: string;
  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): void;
}

export interface LockOptions {
  command: string;
  timeoutMs: number;
  now(): Date;
  /** Called once, when the lock is held by another command and this one starts waiting. */
  onWait(holder: LockHolder | undefined): void;
}

/** Takes the lock at `file`, waiting up to the timeout for its holder; exit 2 when it does not come free. */
export async function acquireRepoLock(file: string, options: LockOptions): Promise<RepoLock> {
  const me: LockHolder = { pid: process.pid, start: processStartTime(process.pid), host: hostname(), command: options.command, since: options.now().toISOString(), nonce: randomBytes(8).toString('hex') };
  const deadline = Date.now() + options.timeoutMs;
  let announced = false;
  let unreadableSince: number | undefined;
  let delay = 5;
  for (;;) {
    if (tryCreate(file, me)) return hold(file, me);
    const holder = readHolder(file);
    if (holder === 'gone') continue; // released between our attempt and the read: try again at once
    if (holder !== 'unreadable' && isStale(holder) && removeStaleLock(file, holder)) continue;
    const known = holder === 'unreadable' ? undefined : holder;
    // A lock is empty for the instant between its creation and its write: name the holder once it can be read.
    unreadableSince = known ? undefined : (unreadableSince ?? Date.now());
    if (!announced && (known || Date.now() - (unreadableSince ?? 0) >= 200)) {
      options.onWait(known);
      announced = true;
    }
    if (Date.now() >= deadline) throw timedOut(file, known, options.timeoutMs);
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** A holder in words: `baton new-slice (pid 123 on host, since 2026-...)`. */
export function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `baton ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'a command whose lock file is empty or unreadable (it may be writing it right now)';
}

function tryCreate(file: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new OperationalError(`Cannot create the repository lock ${file}.`, {
      cause: error,
      fix: errnoCode(error) === 'EROFS' ? readOnlyGitDirFix(path.dirname(file)) : 'Check that the git directory is writable.',
    });
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } catch (error) {
    closeSync(fd);
    unlinkSync(file);
    throw new OperationalError(`Cannot write the repository lock ${file}.`, { cause: error, fix: 'Check that the disk is not full and the git directory is writable.' });
  }
  closeSync(fd);
  return true;
}

/** The lock as held: released when the command ends, fails, or is interrupted. */
function hold(file: string, me: LockHolder): RepoLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    // Never remove a lock that is no longer ours (it cannot be taken from a live process, but be sure).
    const current = readHolder(file);
    if (typeof current === 'object' && current.nonce === me.nonce) unlinkIfPresent(file);
  };
  // Released, then the signal raised again with our handler gone, so the process ends as it would have.
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    process.kill(process.pid, signal);
  };
  process.on('exit', release);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return { file, release };
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The holder named in the lock file; `gone` when there is none, `unreadable` while it is being written or when it is damaged. */
function readHolder(file: string): LockHolder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'gone';
    throw new OperationalError(`Cannot read the repository lock ${file}.`, { cause: error, fix: 'Check its permissions.' });
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    const valid = Number.isInteger(value.pid) && (value.start === null || typeof value.start === 'string') && typeof value.host === 'string'
      && typeof value.command === 'string' && typeof value.since === 'string' && typeof value.nonce === 'string' && /^[0-9a-f]{16}$/.test(value.nonce);
    return valid ? (value as LockHolder) : 'unreadable';
  } catch (error) {
    if (error instanceof SyntaxError) return 'unreadable';
    throw error;
  }
}

/**
 * Whether a lock was left by a process that is gone. Only judged on this host (a pid means nothing
 * elsewhere). A pid that is alive counts as the holder unless both start times are known and differ,
 * which means the pid was reused; where start times are unknown, a live pid always holds.
 */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (!isAlive(holder.pid)) return true;
  const start = processStartTime(holder.pid);
  return holder.start !== null && start !== null && start !== holder.start;
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(error) !== 'ESRCH';
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    // No /proc (macOS, Windows) or the process just ended: unknown, which never makes a live lock stale.
    if (['ENOENT', 'ESRCH', 'EACCES'].includes(errnoCode(error) ?? '')) return null;
    throw error;
  }
  // Field 2 (the command name) may hold spaces and parentheses; the fields after its last ")" start at field 3.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

/**
 * Removes a stale lock without ever removing a live one. Waiters that judged the same lock stale
 * race for a guard file named after that lock's nonce (O_EXCL, so one wins); the winner reads the
 * lock again and removes it only if it is still that same lock. A later waiter holding the guard
 * again finds another nonce and removes nothing. Returns false when another waiter holds the guard.
 */
function removeStaleLock(file: string, stale: LockHolder): boolean {
  const guard = `${file}.steal-${stale.nonce}`;
  try {
    closeSync(openSync(guard, 'wx', 0o644));
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new OperationalError(`Cannot create ${guard}.`, { cause: error, fix: 'Check that the git directory is writable.' });
  }
  try {
    const current = readHolder(file);
    if (typeof current === 'object' && current.nonce === stale.nonce) unlinkIfPresent(file);
  } finally {
    unlinkIfPresent(guard);
  }
  return true;
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

function timedOut(file: string, holder: LockHolder | undefined, timeoutMs: number): OperationalError {
  return new OperationalError(`Timed out after ${timeoutMs / 1000} s waiting for the repository lock ${file}, held by ${describeHolder(holder)}.`, {
    fix: `If that command is still running, wait for it and run again (BATON_LOCK_TIMEOUT=<seconds> waits longer). If it is gone (killed, or its machine is down), remove ${file} (and any ${file}.steal-* beside it) and run again.`,
  });
}
