import { sliceContext } from '../lifecycle/records.js';
import { OperationalError } from '../lib/errors.js';
import { gitText, runGit } from '../lib/git.js';
import { openRepo, type Repo } from '../lib/repo.js';
import { workingFolderProblem } from '../lib/working-folder.js';
import { parseReceipt, RECEIPT_EVENTS } from '../lib/receipt.js';
import { verifySlice } from '../verify/verify-slice.js';
import type { VerifyReport } from '../verify/report.js';
import { countBlock, forgetBlocks } from './block-count.js';
import type { StopHookInput } from './hook-input.js';
import { blockReason, releaseNote } from './stop-messages.js';

/**
 * The stop hook's decision: may the agent end its turn? Only one session is ever held: the one that
 * implements a slice that is in_progress (its id is on one of the slice's implementer receipts of
 * the current attempt) while `baton verify` fails for that slice. Every other session stops at once,
 * after two git calls at most. See docs/stop-hook.md.
 */

export type StopDecision =
  /** End the turn; `note`, when set, is shown to the human (never to the agent). */
  | { kind: 'stop'; note?: string }
  /** Send the agent back with `reason` as its next instruction. */
  | { kind: 'block'; reason: string };

export interface StopHookIo {
  env: Record<string, string | undefined>;
  now(): Date;
  /** The shell word that runs this baton, for the commands the reason tells the agent to run. */
  baton: string;
}

/**
 * Blocks a turn at most this many times (the count starts again with each turn the human starts).
 * Claude Code ends the turn itself after 8 blocks in a row; Codex 0.169 has no such limit, so the
 * bound is baton's. An agent that cannot make the check pass has a way out (baton stopped); the
 * bound is for one that ignores it, so that no session is held for ever.
 */
export const MAX_BLOCKS_PER_TURN = 5;

/** A slice this session holds receipts for, with the attempt they were made in. */
interface Implemented {
  release: string;
  slice: string;
  attempt: number;
}

export async function decideStop(input: StopHookInput, io: StopHookIo): Promise<StopDecision> {
  const root = await repositoryAround(input.cwd);
  if (root === undefined) return { kind: 'stop' };
  const implemented = await slicesImplementedBy(root, input.session);
  if (implemented.length === 0) return { kind: 'stop' };
  const repo = await openRepo(root, io.env);
  for (const candidate of implemented) {
    const held = await holdingCheck(repo, candidate, io);
    if (held === undefined) continue;
    const blocks = await countBlock(repo.commonDir, input.session, input.stopHookActive);
    if (blocks > MAX_BLOCKS_PER_TURN) {
      await forgetBlocks(repo.commonDir, input.session);
      return { kind: 'stop', note: releaseNote(held.report, MAX_BLOCKS_PER_TURN) };
    }
    return { kind: 'block', reason: blockReason(held.report, held.worktree, io.baton) };
  }
  await forgetBlocks(repo.commonDir, input.session);
  return { kind: 'stop' };
}

/**
 * The top of the working tree around `cwd`; undefined when it is not in a git repository, or no longer
 * exists (nothing to hold there). A git that cannot run at all is an error: baton could not check.
 */
async function repositoryAround(cwd: string): Promise<string | undefined> {
  if (workingFolderProblem(cwd) !== undefined) return undefined;
  const result = await runGit(cwd, ['rev-parse', '--show-toplevel']);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/**
 * The slices this session recorded implementer receipts for, newest first. A session implements a
 * slice once it has run `baton start` (or `evidence`, `stopped`) for it, and those receipts sit on
 * the slice's track branch until the track is merged: so only commits on track branches that no other
 * branch holds are read, and a repository without track branches costs one `for-each-ref`.
 */
async function slicesImplementedBy(root: string, session: string): Promise<Implemented[]> {
  const tracks = await gitText(root, ['for-each-ref', '--count=1', '--format=%(refname)', 'refs/heads/track/']);
  if (tracks === '') return [];
  const log = await gitText(root, [
    'log',
    '--fixed-strings',
    '--all-match',
    '--grep=Baton-Receipt: ',
    `--grep=Baton-Session: ${session}`,
    '--format=%x1e%(trailers:only,unfold)',
    '--branches=track/',
    '--not',
    '--exclude=track/*',
    '--branches',
    '--',
  ]);
  const found: Implemented[] = [];
  for (const record of log.split('\x1e')) {
    const parsed = parseReceipt(record);
    if (!parsed || !('receipt' in parsed)) continue;
    const { receipt } = parsed;
    if (receipt.session !== session || RECEIPT_EVENTS[receipt.event] !== 'implementer' || !receipt.slice || receipt.attempt === undefined) continue;
    if (found.some((seen) => seen.slice === receipt.slice && seen.release === receipt.release)) continue;
    found.push({ release: receipt.release, slice: receipt.slice, attempt: receipt.attempt });
  }
  return found;
}

/**
 * The failing report that holds the session, or undefined when this slice does not hold it: it is no
 * longer in_progress, its current attempt is another session's, its implementer recorded a stop and
 * committed nothing since, or `baton verify` passes.
 */
async function holdingCheck(repo: Repo, implemented: Implemented, io: StopHookIo): Promise<{ report: VerifyReport; worktree: string } | undefined> {
  const { slice, track, release } = await sliceContext({ cwd: repo.root, env: io.env, now: io.now, repo }, implemented.slice, implemented.release);
  const { receipts } = slice;
  if (receipts.state !== 'in_progress' || receipts.attempt !== implemented.attempt) return undefined;
  // An in_progress slice's record lives on its track branch (baton start requires it), checked out in the track's worktree.
  const worktree = track?.worktree;
  if (!worktree) {
    throw new OperationalError(`${slice.id} is in_progress, but its track branch is checked out in no worktree on this machine, so its work cannot be checked.`, {
      fix: `Create the worktree with baton worktree ${slice.id} ${release.id}.`,
    });
  }
  if (receipts.last?.event === 'stopped' && (await gitText(worktree, ['rev-parse', 'HEAD'])) === receipts.last.commit) return undefined;
  const { report } = await verifySlice({ cwd: worktree, env: io.env, slice: slice.id, release: release.id });
  return report.verdict === 'PASS' ? undefined : { report, worktree };
}
