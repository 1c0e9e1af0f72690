import type { BoardRelease, BoardSlice } from '../board/board.js';
import type { BriefLevel, BriefRole, SectionId } from './brief.js';

/**
 * What each role needs to start, in priority order, and the lowest level that holds each part. The
 * position (where the work stands and the next command) is always held. A part the repository does
 * not have (no verdict yet, no proof) is not listed at all.
 *
 * The verifier is never given a journal: it judges from the spec, the proof and the repository, and
 * its skill forbids reading the implementer's log (skills/verifier/SKILL.md, "What you may not read").
 */
export const SLICE_PLANS: Record<BriefRole, [SectionId, BriefLevel][]> = {
  // The violations of a FAIL are the work list; then the contract, the log of earlier sessions, the files.
  implementer: [['position', 'minimal'], ['verdict', 'minimal'], ['spec', 'standard'], ['journal', 'standard'], ['files', 'standard'], ['timeline', 'standard'], ['proof', 'full']],
  // The contract and the claim first; the previous verdict tells whether a check fails a second time.
  verifier: [['position', 'minimal'], ['spec', 'standard'], ['proof', 'standard'], ['files', 'standard'], ['verdict', 'standard'], ['timeline', 'full']],
  // A BLOCKED verdict or an escalation is what the planner answers, by amending the spec.
  planner: [['position', 'minimal'], ['verdict', 'minimal'], ['spec', 'standard'], ['journal', 'standard'], ['timeline', 'standard'], ['files', 'full'], ['proof', 'full']],
  integrator: [['position', 'minimal'], ['verdict', 'minimal'], ['timeline', 'standard'], ['files', 'standard'], ['spec', 'full'], ['proof', 'full']],
};

/** A release's brief: the board of the release, then what the planner or the integrator reads of it. */
export const RELEASE_PLANS: Record<'planner' | 'integrator', [SectionId, BriefLevel][]> = {
  planner: [['position', 'minimal'], ['warnings', 'minimal'], ['slices', 'standard'], ['intake', 'standard'], ['index', 'standard'], ['timeline', 'standard']],
  integrator: [['position', 'minimal'], ['warnings', 'minimal'], ['slices', 'standard'], ['timeline', 'standard'], ['index', 'full'], ['intake', 'full']],
};

export function levelHolds(asked: BriefLevel, needed: BriefLevel): boolean {
  const order: BriefLevel[] = ['minimal', 'standard', 'full'];
  return order.indexOf(needed) <= order.indexOf(asked);
}

/**
 * The role a brief is for when none is asked: the one whose command moves the slice on from its
 * state (the board's next command), and for a release the integrator once something is ready to
 * merge, else the planner.
 */
export function defaultRole(release: BoardRelease, slice: BoardSlice | undefined): BriefRole {
  if (!slice) return release.next || release.tracks.some((track) => track.readyToMerge) ? 'integrator' : 'planner';
  if (slice.receipts.escalated) return 'planner';
  switch (slice.state) {
    case 'planned':
    case 'in_progress':
    case 'failed_verification':
      return 'implementer';
    case 'implemented':
      return slice.verification === 'blocked' ? 'planner' : 'verifier';
    case 'verified':
    case 'shipped':
      return 'integrator';
    default:
      return 'planner';
  }
}
