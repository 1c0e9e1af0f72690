import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';

/**
 * How many times the stop hook has sent a session back in the current turn, kept in a small file per
 * session beside baton.lock in the repository's common git folder. A turn begins when the client
 * reports stop_hook_active false (no stop hook has sent the agent back in it yet).
 */

function countFile(commonDir: string, session: string): string {
  // A session is `<client>:<id>` with a checked id (letters, digits, . _ -): safe as a file name once the colon goes.
  return path.join(commonDir, 'baton', 'stop-hook', `${session.replace(':', '-')}.json`);
}

/** Counts one more block in this turn and returns the count, this one included. */
export async function countBlock(commonDir: string, session: string, continuingTurn: boolean): Promise<number> {
  const file = countFile(commonDir, session);
  const blocks = (continuingTurn ? await readCount(file) : 0) + 1;
  await writeFileAtomic(file, `${JSON.stringify({ blocks })}\n`);
  return blocks;
}

/** Forgets the count: the session was let go. */
export async function forgetBlocks(commonDir: string, session: string): Promise<void> {
  await rm(countFile(commonDir, session), { force: true });
}

async function readCount(file: string): Promise<number> {
  try {
    const blocks = (JSON.parse(await readFile(file, 'utf8')) as { blocks?: unknown }).blocks;
    return typeof blocks === 'number' && Number.isInteger(blocks) && blocks >= 0 ? blocks : 0;
  } catch {
    // No count yet, or one that cannot be read: the turn counts from here.
    return 0;
  }
}
