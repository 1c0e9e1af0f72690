import { gitBytes } from './git.js';
import { parseReceipt, type Receipt } from './receipt.js';

/**
 * Reading receipts from git history: one `git log` over the given refs, only commits whose message
 * carries a `Baton-Receipt:` trailer line and that touch the release docs, each with its parents, its
 * parsed receipt and the files it changed (with the blob each now holds). One git process, whatever
 * the number of branches, slices and receipts.
 */

export interface ReceiptCommit {
  commit: string;
  parents: string[];
  /** Committer date, ISO 8601. */
  date: string;
  /** The parsed receipt, when it is well formed. */
  receipt: Receipt | undefined;
  /** Why the trailers are not a valid receipt. */
  problem: string | undefined;
  /** Files the commit changed against its first parent, with the blob each holds after it ('' when deleted). */
  changes: { path: string; blob: string }[];
}

const RECORD = '\x1e';
const FIELD = '\x1f';

/**
 * Receipt commits reachable from `refs`, newest first (topological: a commit before its parents), that
 * change something under `releaseDir`. An empty list of refs reads nothing.
 */
export async function readReceipts(root: string, refs: string[], releaseDir: string): Promise<ReceiptCommit[]> {
  if (refs.length === 0) return [];
  const output = await gitBytes(root, receiptLogArgs(refs, releaseDir));
  return parseReceiptLog(output.toString('utf8'));
}

/** The arguments of that `git log`; npm run bench runs the same command as part of the board's floor. */
export function receiptLogArgs(refs: string[], releaseDir: string): string[] {
  return [
    'log',
    '-z',
    '--no-abbrev',
    '--raw',
    // Every file the commit changes, not only those under releaseDir: a receipt commit that also
    // changes code must be seen to, or it would count.
    '--full-diff',
    '--no-renames',
    '--topo-order',
    '--no-color',
    `--format=${RECORD}%H %cI %P${FIELD}%(trailers:only,unfold)${FIELD}`,
    '--grep=^Baton-Receipt: ',
    // A ref that does not resolve (an unborn HEAD) reads as no receipts rather than an error.
    '--ignore-missing',
    ...refs,
    '--',
    releaseDir,
  ];
}

/** Parses the output of the `git log` above. */
export function parseReceiptLog(text: string): ReceiptCommit[] {
  const commits: ReceiptCommit[] = [];
  for (const record of text.split(RECORD)) {
    if (record === '') continue;
    const [head = '', trailers = '', rest = ''] = record.split(FIELD);
    const [commit = '', date = '', ...parents] = head.trim().split(' ').filter(Boolean);
    const parsed = parseReceipt(trailers);
    const changes: { path: string; blob: string }[] = [];
    // `:<old mode> <new mode> <old blob> <new blob> <status>\0<path>\0`, repeated.
    const tokens = rest.replace(/^\0?\n?/, '').split('\0');
    for (let index = 0; index + 1 < tokens.length; index += 2) {
      const meta = (tokens[index] ?? '').replace(/^\n/, '');
      const path = tokens[index + 1] ?? '';
      const [, , , blob = '', status = ''] = meta.slice(1).split(' ');
      if (!meta.startsWith(':') || path === '') continue;
      changes.push({ path, blob: status === 'D' ? '' : blob });
    }
    commits.push({
      commit,
      date,
      parents,
      receipt: parsed && 'receipt' in parsed ? parsed.receipt : undefined,
      problem: parsed === undefined ? 'its Baton trailers have no Baton-Receipt line' : 'problem' in parsed ? parsed.problem : undefined,
      changes,
    });
  }
  return commits;
}
