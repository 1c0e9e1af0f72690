import { commandFormsSentence } from '../../installer/targets/index.js';
import { isTerminal } from '../lib/status.js';
import type { Board, BoardRelease, BoardSlice, NextCommand } from './board.js';

/** The board for a terminal: deterministic text, no colours. */

export function formatNext(next: NextCommand): string {
  return `/${next.command} ${next.args.join(' ')}`;
}

export function boardVerdict(board: Board): { exitCode: 0 | 1; line: string } {
  const slices = board.releases.flatMap((release) => release.slices);
  if (slices.length === 0) return { exitCode: 1, line: 'NOTHING PLANNED: no release has a slice yet. Plan one with the plan-release command.' };
  if (board.ready) return { exitCode: 0, line: `READY: all ${slices.length} slices are verified, shipped or deferred.` };
  const remaining = slices.filter((slice) => !isTerminal(slice.state)).length;
  const doubt = inDoubt(board.releases);
  const doubtText = doubt === 0 ? '' : `${doubt} slice record${doubt === 1 ? ' is' : 's are'} in doubt (no receipt wrote ${doubt === 1 ? 'it' : 'them'}; see the warnings)`;
  if (remaining === 0 && doubt > 0) return { exitCode: 1, line: `NOT READY: ${doubtText}.` };
  return { exitCode: 1, line: `NOT READY: ${remaining} of ${slices.length} slices are not verified, shipped or deferred${doubt > 0 ? `, and ${doubtText}` : ''}.` };
}

/** Slices whose record no receipt vouches for. */
function inDoubt(releases: BoardRelease[]): number {
  return releases.reduce((sum, release) => sum + release.warnings.filter((warning) => warning.kind === 'unreceipted-state').length, 0);
}

export function formatBoard(board: Board, options: { verbose: boolean }): string {
  const lines: string[] = [`Release board, read from git (${board.releaseDir})`];
  if (board.releases.length === 0) lines.push('', `No releases under ${board.releaseDir}.`);
  for (const release of board.releases) lines.push(...formatRelease(release, options.verbose));
  const warnings = board.releases.flatMap((release) => release.warnings.map((warning) => `  ${release.id}: ${warning.message}`));
  if (warnings.length > 0) lines.push('', 'Warnings:', ...warnings);
  const nexts = board.releases.some((release) => release.next || release.tracks.some((track) => track.next));
  lines.push('', boardVerdict(board).line);
  if (nexts) lines.push(commandFormsSentence());
  if (!options.verbose && board.releases.some((release) => !release.complete)) lines.push('Run baton board --verbose for every slice.');
  return lines.join('\n');
}

function formatRelease(release: BoardRelease, verbose: boolean): string[] {
  const { counts } = release;
  const merged = release.tracks.filter((track) => track.state === 'merged').length;
  const doubt = inDoubt([release]);
  const status = release.complete ? (counts.shipped === counts.total - counts.deferred ? 'SHIPPED' : 'COMPLETE') : `${counts.total - counts.terminal} remaining${doubt > 0 ? `, ${doubt} in doubt` : ''}`;
  const deferred = release.tracks.filter((track) => track.deferred).length;
  const where = release.mergedToIntegration ? `merged into ${release.integrationBranch}` : `${merged}/${release.tracks.length - deferred} tracks merged${deferred > 0 ? ` (${deferred} deferred, no merge needed)` : ''}`;
  const lines = ['', `${release.id}  ${counts.terminal}/${counts.total} slices done, ${where}  ${status}`];
  if (release.next) lines.push(`  next: ${formatNext(release.next)}`);
  for (const track of release.tracks) {
    const done = track.slices.filter((id) => isTerminal(release.slices.find((slice) => slice.id === id)?.state ?? 'unknown')).length;
    const detail = track.blockedBy.length > 0 ? `needs ${track.blockedBy.join(', ')}` : track.next ? `next: ${formatNext(track.next)}` : '';
    if (!verbose && track.state === 'merged') continue;
    lines.push(`  ${track.id}  ${track.deferred ? 'deferred' : track.state}  ${done}/${track.slices.length}${detail ? `  ${detail}` : ''}`);
    if (!verbose) continue;
    for (const id of track.slices) {
      const slice = release.slices.find((candidate) => candidate.id === id);
      if (slice) lines.push(`    ${formatSlice(slice)}`);
    }
  }
  if (verbose) {
    for (const slice of release.slices.filter((candidate) => candidate.track === null || !release.tracks.some((track) => track.slices.includes(candidate.id)))) {
      lines.push(`  (no track)  ${formatSlice(slice)}`);
    }
  }
  return lines;
}

function formatSlice(slice: BoardSlice): string {
  const verdict = slice.verification === 'blocked' && slice.state === 'implemented' ? ' (BLOCKED)' : '';
  const title = slice.title ? `  ${slice.title}` : '';
  const next = slice.next ? `  -> ${formatNext(slice.next)}` : '';
  return `${slice.id}  ${slice.state}${verdict}${title}${next}`;
}
