import { isId } from '../lib/ids.js';
import { readReceipts } from '../lib/read-receipts.js';
import { isSliceEvent, type Receipt } from '../lib/receipt.js';
import type { Repo } from '../lib/repo.js';
import { sliceHistories, type HistoryEntry, type RejectedReceipt } from '../lib/slice-history.js';

/**
 * `baton log`: the lifecycle timeline of each slice from its receipts, oldest first, as git history
 * holds them on every local and remote-tracking branch. Receipts that do not count are listed too,
 * with the reason, since a forged or copied receipt is exactly what a reader of the log looks for.
 */

export interface LogEntry {
  date: string;
  commit: string;
  release: string | null;
  slice: string | null;
  event: string;
  /** False for a receipt that does not count; `why` says why. */
  counts: boolean;
  why?: string;
  receipt?: Receipt;
}

/**
 * `within` narrows the reading to the commits that change that folder (a release's, for a brief):
 * receipts of other releases are not read at all. `baton log` reads the whole release-docs root, so
 * it also lists a receipt that names a release but changes none of its files (and does not count).
 */
export async function readReceiptLog(repo: Repo, filter: { release?: string | undefined; slice?: string | undefined }, within: string = repo.config.releaseDir): Promise<LogEntry[]> {
  const commits = await readReceipts(repo.root, ['--branches', '--remotes'], within);
  const histories = sliceHistories(commits, repo.config.releaseDir);
  const entries: LogEntry[] = [];
  const counted = (entry: HistoryEntry): LogEntry => ({
    date: entry.date,
    commit: entry.commit,
    release: entry.receipt.release,
    slice: entry.receipt.slice ?? null,
    event: entry.receipt.event,
    counts: true,
    receipt: entry.receipt,
  });
  const rejected = (entry: RejectedReceipt): LogEntry => ({ date: entry.date, commit: entry.commit, release: entry.release ?? null, slice: entry.slice ?? null, event: 'rejected', counts: false, why: entry.why });
  for (const history of histories.slices.values()) entries.push(...history.entries.map(counted), ...history.rejected.map(rejected));
  entries.push(...histories.rejected.map(rejected));
  // Release and track events, and drops (which leave no record), come from the commits directly.
  for (const commit of commits) {
    const receipt = commit.receipt;
    if (receipt && !isSliceEvent(receipt.event) && receipt.event !== 'shipped' && !entries.some((entry) => entry.commit === commit.commit)) {
      entries.push({ date: commit.date, commit: commit.commit, release: receipt.release, slice: receipt.slice ?? null, event: receipt.event, counts: true, receipt });
    }
  }
  // git log's topological order, oldest first: a receipt after the one it follows, even within one second.
  const order = new Map(commits.map((commit, index) => [commit.commit, commits.length - index]));
  return entries
    .filter((entry) => (filter.release === undefined || entry.release === filter.release) && (filter.slice === undefined || entry.slice === filter.slice))
    .sort((a, b) => (order.get(a.commit) ?? 0) - (order.get(b.commit) ?? 0));
}

/** `<release>`, `<slice>` or `<slice> <release>`, as the positionals of baton log. */
export function logFilter(first: string | undefined, second: string | undefined): { release?: string; slice?: string } {
  if (first === undefined) return {};
  if (isId('release', first)) return { release: first };
  return { slice: first, ...(second === undefined ? {} : { release: second }) };
}

/** One line per receipt: when, which slice, what, by whom, attempt, commit, session, and the brief the session started from. */
export function formatReceiptLog(entries: LogEntry[]): string {
  if (entries.length === 0) return 'No receipts: no baton command has recorded a state change here yet.';
  return entries
    .map((entry) => {
      const when = entry.date.replace('T', ' ').slice(0, 16);
      const where = `${entry.release ?? '?'}${entry.slice ? ` ${entry.slice}` : ''}`;
      if (!entry.counts) return `${when}  ${where}  does not count (${entry.commit.slice(0, 12)}): ${entry.why ?? ''}`;
      const receipt = entry.receipt as Receipt;
      const what = receipt.verdict ? `${receipt.event} ${receipt.verdict}` : receipt.event;
      const parts = [
        `${when}  ${where}  ${what}`,
        `by ${receipt.role}`,
        receipt.state ? `→ ${receipt.state}` : '',
        receipt.attempt ? `attempt ${receipt.attempt}` : '',
        receipt.candidate ? `candidate ${receipt.candidate.slice(0, 12)}` : '',
        `commit ${entry.commit.slice(0, 12)}`,
        receipt.session ? `session ${receipt.session}` : '',
        receipt.brief ? `brief ${receipt.brief.slice(0, 12)}` : '',
      ];
      return parts.filter(Boolean).join('  ');
    })
    .join('\n');
}
