import { isTerminal } from '../lib/status.js';
import type { BoardRelease, BoardSlice, BoardTrack } from './board.js';

/**
 * What a team lead asks of a track on the dashboard: how far it is, and, when it has no next step,
 * why not. Pure: computed from the board alone.
 */

export interface TrackProgress {
  /** Slices verified, shipped or deferred. */
  done: number;
  total: number;
  /** How many of the track's slices are in each state, in the board's order of states. */
  states: Map<string, number>;
}

export function trackProgress(release: BoardRelease, track: BoardTrack): TrackProgress {
  const states = new Map<string, number>();
  let done = 0;
  for (const id of track.slices) {
    const state = release.slices.find((slice) => slice.id === id)?.state ?? 'unknown';
    states.set(state, (states.get(state) ?? 0) + 1);
    if (isTerminal(state)) done += 1;
  }
  return { done, total: track.slices.length, states };
}

/**
 * Why the track has no next step, or undefined when it has one. A track that waits for others says
 * which, whatever else is true of it: that is what blocks it.
 */
export function trackWaitReason(release: BoardRelease, track: BoardTrack): string | undefined {
  if (track.blockedBy.length > 0) return `waits for ${listed(track.blockedBy)} to be merged first`;
  if (track.next) return undefined;
  if (track.state === 'merged') return `merged into ${release.releaseBranch}; nothing left to do`;
  if (track.deferred) return 'every slice is deferred: nothing to merge';
  if (track.slices.length === 0) return 'no slice is planned in this track';
  const actionable = release.slices.find((slice) => slice.id === track.actionable);
  if (actionable?.state === 'unknown') return `the record of ${actionable.id} cannot be read (see the warnings)`;
  const doubted = new Set(release.warnings.filter((warning) => warning.kind === 'unreceipted-state').map((warning) => warning.slice));
  const inDoubt = track.slices.filter((id) => doubted.has(id));
  if (inDoubt.length > 0) return `the record of ${listed(inDoubt)} is in doubt: no receipt wrote it (see the warnings)`;
  return 'no step is possible now (see the warnings)';
}

function listed(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Why a slice that is not done has no next step of its own, or undefined when it has one (or is done).
 */
export function sliceWaitReason(release: BoardRelease, slice: BoardSlice): string | undefined {
  if (slice.next || isTerminal(slice.state)) return undefined;
  const track = release.tracks.find((candidate) => candidate.slices.includes(slice.id));
  if (!track) return 'in no track: the planner must register it';
  if (track.blockedBy.length > 0) return `${track.id} waits for ${listed(track.blockedBy)}`;
  if (track.actionable && track.actionable !== slice.id) return `after ${track.actionable} in ${track.id}`;
  return trackWaitReason(release, track);
}
