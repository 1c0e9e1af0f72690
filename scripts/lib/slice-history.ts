import type { ReceiptCommit } from './read-receipts.js';
import { isSliceEvent, type Receipt, type ReceiptVerdict } from './receipt.js';
import type { SliceState } from './status.js';

/**
 * A slice's history from its receipts: which receipt commits count, which do not and why, and what
 * they add up to (state, attempt, failures, last verdict). Pure: the receipts come from
 * readReceipts, so the board reads them for every slice with one git process.
 *
 * A receipt counts only when it is consistent with the commit that carries it:
 *  - its commit changes only files its event may change: a slice event only that slice's record
 *    folder (and index.md when the slice is planned), a release or track event only index.md and
 *    intake.md, a ship only status.json and journal.md of the release's slices, a drop only index.md
 *    and deletions in that slice's folder;
 *  - a slice event changes that slice's status.json, whose new blob is what the receipt vouches for;
 *  - `implemented` is committed directly on its candidate (its parent is the candidate);
 *  - a verdict is committed directly on the `implemented` receipt it judges (its parent, named as its
 *    Baton-Prev), for the same candidate and the same verify-report digest.
 * A receipt copied onto another commit, or naming another slice than the folder it changes, fails
 * one of these.
 */

export interface HistoryEntry {
  commit: string;
  parents: string[];
  date: string;
  receipt: Receipt;
  /** The status.json blob this receipt wrote for the slice. */
  statusBlob: string;
}

export interface RejectedReceipt {
  commit: string;
  date: string;
  release: string | undefined;
  slice: string | undefined;
  why: string;
}

export interface SliceHistory {
  release: string;
  slice: string;
  /** The receipts that count, oldest first. */
  entries: HistoryEntry[];
  /** Receipts naming this slice that do not count. */
  rejected: RejectedReceipt[];
}

export interface Histories {
  /** By `<release>/<slice>`. */
  slices: Map<string, SliceHistory>;
  /** Receipts that name no slice baton could attribute them to, or that are malformed. */
  rejected: RejectedReceipt[];
}

export function historyKey(release: string, slice: string): string {
  return `${release}/${slice}`;
}

/** Sorts receipt commits (newest first, as git log gives them) into per-slice histories. */
export function sliceHistories(commits: ReceiptCommit[], releaseDir: string): Histories {
  const result: Histories = { slices: new Map(), rejected: [] };
  const history = (release: string, slice: string): SliceHistory => {
    const key = historyKey(release, slice);
    let found = result.slices.get(key);
    if (!found) {
      found = { release, slice, entries: [], rejected: [] };
      result.slices.set(key, found);
    }
    return found;
  };
  for (const commit of [...commits].reverse()) {
    const { receipt } = commit;
    const reject = (why: string, release = receipt?.release, slice = receipt?.slice) => {
      const rejected = { commit: commit.commit, date: commit.date, release, slice, why };
      if (release && slice) history(release, slice).rejected.push(rejected);
      else result.rejected.push(rejected);
    };
    if (!receipt) {
      reject(`it carries a Baton-Receipt line but is not a valid receipt: ${commit.problem ?? 'unreadable'}`);
      continue;
    }
    const releaseFolder = `${releaseDir}/${receipt.release}/`;
    const outside = commit.changes.find((change) => !allowedChange(receipt, releaseFolder, change.path, change.blob === ''));
    if (outside) {
      reject(`its commit changes ${outside.path}, which a ${receipt.event} receipt does not cover`);
      continue;
    }
    if (receipt.event === 'shipped') {
      for (const change of commit.changes) {
        const slice = /^([^/]+)\/status\.json$/.exec(change.path.slice(releaseFolder.length))?.[1];
        if (slice && change.blob) history(receipt.release, slice).entries.push({ commit: commit.commit, parents: commit.parents, date: commit.date, receipt: { ...receipt, slice, state: 'shipped' }, statusBlob: change.blob });
      }
      continue;
    }
    // A dropped slice is gone: a slice planned later under the same id starts a history of its own.
    if (receipt.event === 'slice-dropped' && receipt.slice) history(receipt.release, receipt.slice).entries = [];
    if (!isSliceEvent(receipt.event) || !receipt.slice) continue;
    const target = history(receipt.release, receipt.slice);
    const status = commit.changes.find((change) => change.path === `${releaseFolder}${receipt.slice}/status.json`);
    if (!status?.blob) {
      reject(`its commit does not write ${receipt.slice}'s status.json, the record it vouches for`);
      continue;
    }
    const why = chainProblem(receipt, commit, target.entries);
    if (why) {
      reject(why);
      continue;
    }
    target.entries.push({ commit: commit.commit, parents: commit.parents, date: commit.date, receipt, statusBlob: status.blob });
  }
  return result;
}

/** Which files each kind of receipt's commit may change. */
function allowedChange(receipt: Receipt, releaseFolder: string, file: string, deleted: boolean): boolean {
  if (!file.startsWith(releaseFolder)) return false;
  const inside = file.slice(releaseFolder.length);
  switch (receipt.event) {
    case 'release-opened':
      return inside === 'index.md' || inside === 'intake.md';
    case 'track-changed':
    case 'worktree':
    case 'track-merged':
      return inside === 'index.md';
    case 'shipped':
      return /^[^/]+\/(status\.json|journal\.md)$/.test(inside);
    case 'slice-planned':
      return inside === 'index.md' || inside.startsWith(`${receipt.slice}/`);
    case 'slice-dropped':
      // It takes the slice out of tracks: and removes its folder; it writes nothing into it.
      return inside === 'index.md' || (deleted && inside.startsWith(`${receipt.slice}/`));
    default:
      return inside.startsWith(`${receipt.slice}/`);
  }
}

/** Rules that tie implemented and verdict receipts to the commits around them. */
function chainProblem(receipt: Receipt, commit: ReceiptCommit, earlier: HistoryEntry[]): string | undefined {
  // Each receipt of a slice names the one before it, as the command read it: a receipt copied from
  // elsewhere in the history names another, and one written beside the chain (on a side branch)
  // forks it.
  const previous = earlier.at(-1);
  if (previous ? receipt.prev !== previous.commit : receipt.event !== 'slice-planned') {
    return previous
      ? `it does not follow ${receipt.slice}'s previous receipt (it names ${receipt.prev?.slice(0, 12) ?? 'none'}; the previous is ${previous.receipt.event} in ${previous.commit.slice(0, 12)})`
      : `it is a ${receipt.event} receipt, but no receipt planned ${receipt.slice} before it`;
  }
  if (isCandidateReceipt(receipt) && commit.parents[0] !== receipt.candidate) {
    return `it is a ${receipt.event} receipt whose commit does not sit directly on the candidate it names`;
  }
  if (receipt.event !== 'verdict') return undefined;
  const judged = earlier.findLast((entry) => isCandidateReceipt(entry.receipt));
  if (!judged || receipt.prev !== judged.commit || commit.parents[0] !== judged.commit) {
    return 'it is a verdict that does not sit directly on the implemented receipt it judges';
  }
  if (receipt.candidate !== judged.receipt.candidate || receipt.reportSha256 !== judged.receipt.reportSha256) {
    return 'it is a verdict on another candidate or another verify report than the implemented receipt it follows';
  }
  return undefined;
}

/** A receipt that puts a candidate up for verification. */
export function isCandidateReceipt(receipt: Receipt): boolean {
  return receipt.event === 'implemented';
}

/** What a slice's receipts add up to. */
export interface SliceSummary {
  /** The state after the newest receipt that counts. */
  state: SliceState;
  /** The implementation attempt now (0 before the first start). */
  attempt: number;
  /** FAIL verdicts since the planner last re-opened the slice. */
  failures: number;
  lastVerdict: { verdict: ReceiptVerdict; commit: string; candidate: string; date: string } | null;
  /** The newest receipt that put a candidate up for verification (see isCandidateReceipt). */
  implemented: HistoryEntry | null;
  /** The newest receipt that counts. */
  last: HistoryEntry;
}

export function summarise(entries: HistoryEntry[]): SliceSummary | undefined {
  const last = entries.at(-1);
  if (!last) return undefined;
  let attempt = 0;
  let failures = 0;
  let lastVerdict: SliceSummary['lastVerdict'] = null;
  let implemented: HistoryEntry | null = null;
  for (const entry of entries) {
    const { receipt } = entry;
    if (receipt.attempt !== undefined) attempt = receipt.attempt;
    if (isCandidateReceipt(receipt)) implemented = entry;
    if (receipt.event === 'reopened') failures = 0;
    if (receipt.event === 'verdict' && receipt.verdict) {
      if (receipt.verdict === 'FAIL') failures += 1;
      lastVerdict = { verdict: receipt.verdict, commit: entry.commit, candidate: receipt.candidate ?? '', date: entry.date };
    }
  }
  return { state: last.receipt.state ?? 'planned', attempt, failures, lastVerdict, implemented, last };
}
