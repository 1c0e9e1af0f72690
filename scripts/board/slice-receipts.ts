import type { SliceState } from '../lib/status.js';
import { summarise, type SliceHistory } from '../lib/slice-history.js';
import type { BoardWarning, SliceRecord, SliceReceipts } from './board.js';

/**
 * What the receipts say about one slice, and the record the board uses for it. The record on disk
 * (status.json) is a view: when it is the blob a counted receipt wrote, its fields are what that
 * receipt vouches for. When it is not (edited by hand, written outside baton, uncommitted), the
 * slice keeps the state its receipts prove and the board reports the record as in doubt.
 */

export interface ReceiptedSlice {
  record: SliceRecord | undefined;
  receipts: SliceReceipts;
  warnings: BoardWarning[];
}

export function receiptedSlice(input: {
  slice: string;
  record: SliceRecord | undefined;
  /** The blob id of the record's status.json; undefined when it was read from uncommitted changes. */
  blob: string | undefined;
  source: string | null;
  history: SliceHistory | undefined;
  maxAttempts: number;
}): ReceiptedSlice {
  const { slice, record, blob, source, history, maxAttempts } = input;
  const entries = history?.entries ?? [];
  const warnings: BoardWarning[] = (history?.rejected ?? []).map((rejected) => ({
    kind: 'rejected-receipt' as const,
    slice,
    message: `${slice}: the receipt in commit ${rejected.commit.slice(0, 12)} does not count: ${rejected.why}`,
  }));
  const found = blob === undefined ? -1 : entries.findLastIndex((entry) => entry.statusBlob === blob);
  // A receipt vouches for the state it names. A record claiming another state was not written by it,
  // whatever commit holds it: a receipt's message copied onto a hand-edited record is not a receipt.
  const writer = entries[found];
  const contradicted = writer !== undefined && record !== undefined && record.state !== writer.receipt.state;
  // Only the newest receipt's record stands: an older one put back (git checkout of an earlier
  // status.json) would undo what came after it, such as the FAIL verdicts that escalated the slice.
  const stale = writer !== undefined && found !== entries.length - 1;
  const matched = contradicted || stale ? -1 : found;
  const counted = matched === -1 ? entries : entries.slice(0, matched + 1);
  const summary = summarise(counted);
  const receipted = matched !== -1;
  if (record && !receipted) {
    const newest = entries.at(-1);
    const why = contradicted
      ? `its status.json on ${source ?? 'no branch'} says ${record.state}, but the receipt committed with it (${writer.receipt.event} in ${writer.commit.slice(0, 12)}) says ${writer.receipt.state ?? 'nothing'}`
      : stale && newest
        ? `its status.json on ${source ?? 'no branch'} is the record of an older receipt (${writer.receipt.event} in ${writer.commit.slice(0, 12)}), not of the newest (${newest.receipt.event} in ${newest.commit.slice(0, 12)})`
        : blob === undefined ? `its status.json on ${source ?? 'the working tree'} has uncommitted changes` : entries.length === 0 ? `no baton receipt in git history wrote its status.json (on ${source ?? 'no branch'})` : `its status.json on ${source ?? 'no branch'} is not one a baton receipt wrote`;
    const keeps = summary ? `; it keeps the state its receipts prove, ${summary.state}` : '';
    warnings.push({ kind: 'unreceipted-state', slice, message: `${slice}: ${why}${keeps}. Restore it with git (git log -- <its folder> shows who changed it), or record the change with the baton command for it` });
  }
  const escalated = summary !== undefined && summary.state === 'failed_verification' && summary.failures >= maxAttempts;
  const receipts: SliceReceipts = {
    receipted,
    state: summary?.state ?? null,
    attempt: summary?.attempt ?? 0,
    failures: summary?.failures ?? 0,
    maxAttempts,
    escalated,
    lastVerdict: summary?.lastVerdict ?? null,
    last: summary ? { commit: summary.last.commit, event: summary.last.receipt.event, date: summary.last.date, statusBlob: summary.last.statusBlob } : null,
    implemented: summary?.implemented
      ? {
          commit: summary.implemented.commit,
          candidate: summary.implemented.receipt.candidate ?? '',
          reportSha256: summary.implemented.receipt.reportSha256 ?? '',
          specSha256: summary.implemented.receipt.specSha256 ?? null,
          proofSha256: summary.implemented.receipt.proofSha256 ?? null,
          session: summary.implemented.receipt.session ?? null,
          attempt: summary.implemented.receipt.attempt ?? 0,
        }
      : null,
  };
  return { record: receipted || !summary ? record : provenRecord(record, summary.state, receipts), receipts, warnings };
}

/** The record as the receipts prove it: their state and verdict, never what an unreceipted file claims. */
function provenRecord(record: SliceRecord | undefined, state: SliceState, receipts: SliceReceipts): SliceRecord {
  const verdict = receipts.lastVerdict;
  const verification = state === 'verified' || state === 'shipped' ? 'pass' : state === 'failed_verification' ? 'fail' : state === 'implemented' && verdict?.verdict === 'BLOCKED' && receipts.last?.event === 'verdict' ? 'blocked' : null;
  return {
    state,
    track: record?.track ?? null,
    title: record?.title ?? null,
    verification,
    blockedReason: verification === 'blocked' ? record?.blockedReason ?? null : null,
    verdictCommit: verification === null ? null : verdict?.candidate ?? null,
    startCommit: record?.startCommit ?? null,
    testCommands: record?.testCommands ?? [],
  };
}
