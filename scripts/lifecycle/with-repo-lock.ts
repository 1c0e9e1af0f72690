import path from 'node:path';
import { UsageError } from '../lib/errors.js';
import { acquireRepoLock, describeHolder } from '../lib/repo-lock.js';
import { openRepo } from '../lib/repo.js';
import type { LifecycleIo, LockedIo } from './records.js';

/**
 * The one wrapper every state-changing command runs in: the repository is opened (its `git
 * rev-parse` also gives the common git dir, so the lock costs no git call), the lock is taken before
 * the command reads the state it changes, and held through its writes and its commit.
 */

export interface LockIo extends LifecycleIo {
  env: LifecycleIo['env'] & { BATON_LOCK_TIMEOUT?: string | undefined };
  writeError(text: string): void;
}

/** How long a command waits for the lock by default. */
const DEFAULT_TIMEOUT_SECONDS = 30;

export async function withRepoLock<T, I extends LockIo>(io: I, command: string, change: (io: I & LockedIo) => Promise<T>): Promise<T> {
  const timeoutMs = lockTimeoutSeconds(io.env.BATON_LOCK_TIMEOUT) * 1000;
  const repo = await openRepo(io.cwd, io.env);
  const lock = await acquireRepoLock(path.join(repo.commonDir, 'baton.lock'), {
    command,
    timeoutMs,
    now: io.now,
    onWait: (holder) => io.writeError(`baton: waiting for the repository lock ${path.join(repo.commonDir, 'baton.lock')}, held by ${describeHolder(holder)}.\n`),
  });
  try {
    return await change({ ...io, repo });
  } finally {
    lock.release();
  }
}

function lockTimeoutSeconds(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`BATON_LOCK_TIMEOUT="${value}" is not a number of seconds.`, { fix: 'Set it to a number such as 30, or unset it.' });
  return seconds;
}
