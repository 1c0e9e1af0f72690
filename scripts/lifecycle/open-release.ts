import type { Board, BoardRelease } from '../board/board.js';
import { readBoard } from '../board/read-board.js';
import { UsageError } from '../lib/errors.js';
import { openRepo, type Repo } from '../lib/repo.js';

/**
 * The release a command means when it is not named: the one open release of the repository. A
 * release is open until it has shipped (every slice shipped or deferred, at least one shipped).
 * With none or several open, the command cannot guess: the error lists them.
 */

function isShipped(release: BoardRelease): boolean {
  const { shipped, deferred, total } = release.counts;
  return shipped > 0 && shipped + deferred === total;
}

/** `given` when it is set; else the id of the one open release; a usage error naming the choices otherwise. */
export async function releaseOrOnlyOpen(io: { cwd: string; env: Record<string, string | undefined>; repo?: Repo | undefined }, given: string | undefined, usage: string): Promise<string> {
  if (given !== undefined) return given;
  return onlyOpenRelease(await readBoard(io.repo ?? (await openRepo(io.cwd, io.env))), usage);
}

/** The id of the one open release on a board read whole; a usage error naming the choices otherwise. */
export function onlyOpenRelease(board: Board, usage: string): string {
  const open = board.releases.filter((release) => !isShipped(release)).map((release) => release.id);
  if (open.length === 1) return open[0] as string;
  if (open.length === 0) {
    throw new UsageError(`No release is open in this repository, so baton cannot tell which one you mean.`, {
      fix: board.releases.length > 0 ? `Name it: baton ${usage.replace('<release>', board.releases.map((release) => release.id).join(' | '))}` : 'Create one with baton new-release <YYYY-MM-DD-name>.',
    });
  }
  throw new UsageError(`${open.length} releases are open (${open.join(', ')}), so baton cannot tell which one you mean.`, {
    fix: `Name one of them, for example baton ${usage.replace('<release>', open[0] as string)}`,
  });
}
