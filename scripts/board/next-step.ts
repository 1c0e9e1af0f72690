import { OperationalError } from '../lib/errors.js';
import { isTerminal } from '../lib/status.js';
import type { Board, BoardRelease, NextCommand } from './board.js';

export interface NextStep {
  slice: string;
  release: string;
  next: NextCommand | null;
  /** Why this is the next step, or why there is none. */
  reason: string;
}

/** Finds a slice on the board; without a release, the one release that has it. */
export function findOnBoard(board: Board, slice: string, release: string | undefined): BoardRelease {
  const holding = board.releases.filter((candidate) => (release === undefined || candidate.id === release) && candidate.slices.some((s) => s.id === slice));
  if (holding.length === 1) return holding[0] as BoardRelease;
  if (holding.length > 1) throw new OperationalError(`Slice ${slice} is on the board of several releases: ${holding.map((r) => r.id).join(', ')}.`, { fix: 'Name the release.' });
  throw new OperationalError(`Slice ${slice} is not on the board${release ? ` of release ${release}` : ''}.`, { fix: 'Check the id with baton board --verbose.' });
}

/** The next protocol command for the human, computed from the board. */
export function nextStep(board: Board, slice: string, releaseId: string | undefined): NextStep {
  const release = findOnBoard(board, slice, releaseId);
  const entry = release.slices.find((candidate) => candidate.id === slice);
  const track = release.tracks.find((candidate) => candidate.slices.includes(slice));
  const base = { slice, release: release.id };
  if (!entry || !track) return { ...base, next: { command: 'replan-release', args: [release.id] }, reason: `${slice} is in no track; the planner must register it` };
  if (entry.actionable && entry.next) {
    const why = entry.receipts.escalated
      ? `${slice} failed verification ${entry.receipts.failures} times (maxAttempts ${entry.receipts.maxAttempts}); the planner amends the spec or the plan and re-opens it with baton reopen`
      : entry.next.command === 'replan-release'
        ? `${slice} has an open BLOCKED verdict: ${entry.blockedReason ?? 'see its journal'}`
        : `${slice} is ${entry.state}`;
    return { ...base, next: entry.next, reason: why };
  }
  if (track.state === 'merged' || isTerminal(entry.state)) {
    if (track.next) return { ...base, next: track.next, reason: track.readyToMerge ? `every slice of ${track.id} is done` : `${track.actionable} is next in ${track.id}` };
    if (release.next) return { ...base, next: release.next, reason: release.next.command === 'merge-release' ? 'every track is merged' : 'the release is merged; mark it shipped once it is deployed' };
    return { ...base, next: null, reason: `${slice} is ${entry.state}; nothing is waiting on it` };
  }
  if (track.blockedBy.length > 0) return { ...base, next: null, reason: `${track.id} waits for ${track.blockedBy.join(', ')} to be merged first` };
  return { ...base, next: track.next, reason: `${track.actionable ?? 'an earlier slice'} comes first in ${track.id}` };
}
