import { isTerminal } from '../lib/status.js';
import type { BoardRelease, BoardSlice, BoardTrack } from './board.js';

/**
 * What a team lead asks of a track on the dashboard: how far it is, and, when it has no next step,
 * why not; and of a slice that is not done, why it waits. Pure: computed from the board alone.
 */

/** The order of states in bars and legends: done first, then work in hand, then work not started. */
export const STATE_ORDER = ['shipped', 'verified', 'deferred', 'implemented', 'in_progress', 'failed_verification', 'planned', 'unknown'] as const;

/** Lookups over one release, built once, so that a board of 2,000 slices renders in linear time. */
export interface ReleaseIndex {
  release: BoardRelease;
  slices: Map<string, BoardSlice>;
  trackOf: Map<string, BoardTrack>;
  /** Slices whose record no receipt wrote (an `unreceipted-state` warning). */
  inDoubt: Set<string>;
}

export function indexRelease(release: BoardRelease): ReleaseIndex {
  const trackOf = new Map<string, BoardTrack>();
  for (const track of release.tracks) for (const id of track.slices) trackOf.set(id, track);
  const inDoubt = new Set(release.warnings.flatMap((warning) => (warning.kind === 'unreceipted-state' && warning.slice ? [warning.slice] : [])));
  return { release, slices: new Map(release.slices.map((slice) => [slice.id, slice])), trackOf, inDoubt };
}

export interface TrackProgress {
  /** Slices verified, shipped or deferred. */
  done: number;
  total: number;
  /** How many of the track's slices are in each state, in STATE_ORDER. */
  states: Map<string, number>;
}

export function trackProgress(index: ReleaseIndex, track: BoardTrack): TrackProgress {
  const states = new Map<string, number>(STATE_ORDER.map((state) => [state, 0]));
  let done = 0;
  for (const id of track.slices) {
    const state = index.slices.get(id)?.state ?? 'unknown';
    states.set(state, (states.get(state) ?? 0) + 1);
    if (isTerminal(state)) done += 1;
  }
  return { done, total: track.slices.length, states };
}

/**
 * Why the track has no next step, or undefined when it has one. A track that waits for others says
 * which, whatever else is true of it: that is what blocks it.
 */
export function trackWaitReason(index: ReleaseIndex, track: BoardTrack): string | undefined {
  if (track.blockedBy.length > 0) return `waits for ${listed(track.blockedBy)} to be merged first`;
  if (track.next) return undefined;
  if (track.state === 'merged') return `merged into ${index.release.releaseBranch}; nothing left to do`;
  if (track.deferred) return 'every slice is deferred: nothing to merge';
  if (track.slices.length === 0) return 'no slice is planned in this track';
  const actionable = track.actionable === null ? undefined : index.slices.get(track.actionable);
  if (actionable?.state === 'unknown') return `the record of ${actionable.id} cannot be read (see the warnings)`;
  const inDoubt = track.slices.filter((id) => index.inDoubt.has(id));
  if (inDoubt.length > 0) return `the record of ${listed(inDoubt)} is in doubt: no receipt wrote it (see the warnings)`;
  return 'no step is possible now (see the warnings)';
}

/** Why a slice that is not done has no next step of its own, or undefined when it has one (or is done). */
export function sliceWaitReason(index: ReleaseIndex, slice: BoardSlice): string | undefined {
  if (slice.next || isTerminal(slice.state)) return undefined;
  const track = index.trackOf.get(slice.id);
  if (!track) return 'in no track: the planner must register it';
  if (track.blockedBy.length > 0) return `${track.id} waits for ${listed(track.blockedBy)}`;
  if (track.actionable && track.actionable !== slice.id) return `after ${track.actionable} in ${track.id}`;
  return trackWaitReason(index, track);
}

function listed(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
