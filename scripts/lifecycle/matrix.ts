import path from 'node:path';
import type { BoardRelease } from '../board/board.js';
import { readObjects } from '../lib/git-objects.js';
import { findSection, readSections } from '../lib/markdown.js';
import { readTextIfPresent } from '../lib/read-text.js';
import { plannedTouchpoints } from '../verify/checks-work.js';
import { releaseContext, type LifecycleIo } from './records.js';

/**
 * The touchpoint matrix: which track plans to write which file, computed from every spec's "Planned
 * touchpoints". A file in two tracks is a collision unless one track depends on the other (directly
 * or through others), because only then do their changes reach release-wt in a known order. A
 * deferred slice's touchpoints are left out: its work is not part of the release.
 */

export interface Matrix {
  release: string;
  tracks: string[];
  /** File to the tracks that plan to change it, in track order. */
  files: { file: string; tracks: string[] }[];
  collisions: { file: string; tracks: string[] }[];
}

export async function readMatrix(io: LifecycleIo, releaseId: string): Promise<Matrix> {
  const { repo, release } = await releaseContext(io, releaseId);
  const specs = await readSpecs(repo.root, repo.config.releaseDir, release);
  const byFile = new Map<string, Set<string>>();
  for (const track of release.tracks) {
    for (const slice of track.slices) {
      // A deferred slice leaves the release: its touchpoints collide with nothing.
      if (release.slices.find((candidate) => candidate.id === slice)?.state === 'deferred') continue;
      const text = specs.get(slice);
      const section = text === undefined ? undefined : findSection(readSections(text), 'Planned touchpoints');
      for (const file of section ? plannedTouchpoints(section) : []) byFile.set(file, (byFile.get(file) ?? new Set()).add(track.id));
    }
  }
  const order = release.tracks.map((track) => track.id);
  const files = [...byFile].map(([file, tracks]) => ({ file, tracks: order.filter((id) => tracks.has(id)) })).sort((a, b) => a.file.localeCompare(b.file));
  const reaches = dependencyClosure(release);
  const collisions = files.filter(({ tracks }) => tracks.some((a, i) => tracks.slice(i + 1).some((b) => !reaches(a, b) && !reaches(b, a))));
  return { release: releaseId, tracks: order, files, collisions };
}

/** Whether track `a` depends on track `b`, directly or through other tracks. */
function dependencyClosure(release: BoardRelease): (a: string, b: string) => boolean {
  const direct = new Map(release.tracks.map((track) => [track.id, track.dependsOn]));
  return (a, b) => {
    const seen = new Set<string>();
    const stack = [...(direct.get(a) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (next === b) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(direct.get(next) ?? []));
    }
    return false;
  };
}

/** Each slice's spec from where the board read its record. */
async function readSpecs(root: string, dir: string, release: BoardRelease): Promise<Map<string, string>> {
  const specs = new Map<string, string>();
  const fromGit = release.slices.filter((slice) => slice.source && slice.source !== 'working tree');
  const answers = await readObjects(root, fromGit.map((slice) => ({ kind: 'contents', name: `${slice.source}:${dir}/${release.id}/${slice.id}/spec.md` })));
  fromGit.forEach((slice, index) => {
    const text = answers[index]?.content?.toString('utf8');
    if (text !== undefined) specs.set(slice.id, text);
  });
  for (const slice of release.slices.filter((candidate) => candidate.source === 'working tree')) {
    const text = await readTextIfPresent(path.join(root, dir, release.id, slice.id, 'spec.md'));
    if (text !== undefined) specs.set(slice.id, text);
  }
  return specs;
}

export function formatMatrix(matrix: Matrix): string {
  const lines = [`| File | ${matrix.tracks.join(' | ')} |`, `| --- | ${matrix.tracks.map(() => '---').join(' | ')} |`];
  for (const { file, tracks } of matrix.files) lines.push(`| \`${file}\` | ${matrix.tracks.map((id) => (tracks.includes(id) ? '✓' : '')).join(' | ')} |`);
  if (matrix.files.length === 0) lines.push('', 'No spec of this release plans a touchpoint yet.');
  if (matrix.collisions.length > 0) {
    lines.push('', 'Collisions (a file in two tracks, neither depending on the other):');
    for (const { file, tracks } of matrix.collisions) lines.push(`- \`${file}\`: ${tracks.join(', ')}. Put these slices in one track (baton drop-slice, then baton new-slice), make one track depend on the other (baton track-deps), or defer one (baton defer).`);
  }
  return lines.join('\n');
}
