import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import type { BoardRelease } from '../board/board.js';
import { commitPaths, unstagePaths } from '../lib/commit.js';
import { FindingError } from '../lib/errors.js';
import { editFrontmatter } from '../lib/frontmatter-edit.js';
import { gitText, listWorktrees, runGit } from '../lib/git.js';
import { assertId } from '../lib/ids.js';
import { assertInsideRoot } from '../lib/inside-root.js';
import { readTextIfPresent } from '../lib/read-text.js';
import { formatReceipt, type Receipt } from '../lib/receipt.js';
import type { Repo } from '../lib/repo.js';
import { shellQuote } from '../lib/shell-quote.js';
import { commitChange, newReceipt, recordWorktree, releaseDocsWorktree, sliceContext, trackContext, writeRecords, type ChangeReport, type LockedIo, type RecordWrite } from './records.js';

/**
 * The planner's changes to a plan under way, each a receipted commit: `baton track-deps` sets the
 * tracks a track depends on (a `track-changed` receipt, index.md only), and `baton drop-slice`
 * removes a slice that was never started from `tracks:` and removes its folder (a `slice-dropped`
 * receipt, index.md and that folder only).
 */

export async function setTrackDependencies(io: LockedIo, options: { track: string; release?: string | undefined; dependsOn: string[] }): Promise<ChangeReport> {
  const { repo, release, track } = await trackContext(io, options.track, options.release);
  const wanted = [...new Set(options.dependsOn.map((id) => assertId('track', id)))];
  if (track.state === 'merged') throw new FindingError(`${track.id} is already merged into ${release.releaseBranch}; its dependencies no longer matter.`, { fix: 'Put new work in a new track (baton new-slice --track <new> --depends-on ...).' });
  for (const dependency of wanted) {
    if (!release.tracks.some((candidate) => candidate.id === dependency)) throw new FindingError(`${dependency}: no such track in ${release.id}.`, { fix: `Tracks: ${release.tracks.map((t) => t.id).join(', ')}.` });
    const cycle = dependencyPath(release, dependency, track.id);
    if (cycle) throw new FindingError(`${track.id} cannot depend on ${dependency}: ${[track.id, ...cycle].join(' → ')} would be a cycle, and no track of it could ever start.`, { fix: 'Make the other track depend on this one instead, or leave the dependency out.' });
  }
  const added = wanted.filter((id) => !track.dependsOn.includes(id));
  const removed = track.dependsOn.filter((id) => !wanted.includes(id));
  if (added.length === 0 && removed.length === 0) throw new FindingError(`${track.id} already depends on ${wanted.join(', ') || 'nothing'}.`, { fix: 'Nothing to do.' });
  // A started track's branch was cut from release-wt without the new dependency's work, and its
  // slices are under way: ordering it after that track now would not give it what it depends on.
  if (added.length > 0 && track.branchExists) {
    throw new FindingError(`${track.id} has started (its branch ${track.branch} exists), so it cannot take on a dependency: its work did not start from ${added.join(', ')}.`, {
      fix: `Make ${added.join(', ')} depend on ${track.id} instead if ${added.length === 1 ? 'it has' : 'they have'} not started, or defer the colliding slice (baton defer) and plan it again in a new track with --depends-on.`,
    });
  }
  const root = await releaseDocsWorktree(repo, release);
  const file = path.join(root, repo.config.releaseDir, release.id, 'index.md');
  const write = await indexEdit(root, file, (document) => {
    const entry = trackEntry(document, file, track.id);
    const list = document.createNode(wanted) as YAMLSeq;
    list.flow = true;
    entry.set('depends_on', list);
  });
  const report: ChangeReport = { command: 'track-deps', changes: [`${track.id} now depends on ${wanted.join(', ') || 'nothing'} (was ${track.dependsOn.join(', ') || 'nothing'}).`], files: [], commits: [] };
  await commitChange(report, {
    worktree: root,
    writes: [write],
    subject: `docs(release/${release.id}): set dependencies of track ${track.id}`,
    body: report.changes.join('\n'),
    receipt: newReceipt(io, 'track-changed', { release: release.id, track: track.id }),
  });
  return report;
}

/** The tracks from `from` to `to` along depends_on (`from` first), or undefined when `to` is not reached. */
function dependencyPath(release: BoardRelease, from: string, to: string): string[] | undefined {
  const direct = new Map(release.tracks.map((track) => [track.id, track.dependsOn]));
  const walk = (at: string, seen: Set<string>): string[] | undefined => {
    if (at === to) return [at];
    if (seen.has(at)) return undefined;
    seen.add(at);
    for (const next of direct.get(at) ?? []) {
      const rest = walk(next, seen);
      if (rest) return [at, ...rest];
    }
    return undefined;
  };
  return walk(from, new Set());
}

export async function dropSlice(io: LockedIo, options: { slice: string; release?: string | undefined }): Promise<ChangeReport> {
  const context = await sliceContext(io, assertId('slice', options.slice), options.release);
  const { repo, release, slice, track } = context;
  const started = slice.receipts.attempt > 0 || slice.startCommit !== null || (slice.receipts.state !== null && slice.receipts.state !== 'planned');
  if (slice.state !== 'planned' || started) {
    throw new FindingError(`${slice.id} is ${slice.state}${started && slice.state === 'planned' ? ', but it was started before' : ''}: only a planned slice that was never started can be dropped.`, {
      fix: `Take it out of the release with baton defer ${slice.id} ${release.id} --notes-file <card>: started work keeps its history.`,
    });
  }
  const dependents = track && track.slices.length === 1 ? release.tracks.filter((candidate) => candidate.dependsOn.includes(track.id)) : [];
  if (track && dependents.length > 0) {
    throw new FindingError(`${slice.id} is the last slice of ${track.id}, which ${dependents.map((t) => t.id).join(', ')} ${dependents.length === 1 ? 'depends' : 'depend'} on; dropping it would remove the track.`, {
      fix: dependents.map((t) => `baton track-deps ${t.id} ${release.id} ${t.dependsOn.filter((id) => id !== track.id).map((id) => `--depends-on ${id}`).join(' ') || '--none'}`).join('; then ') + ', then drop it again.',
    });
  }

  // Every checkout whose branch the board reads this slice from: its track's, release-wt's (or the
  // integration checkout before release-wt exists), and the integration branch's own copy.
  const indexRoot = await releaseDocsWorktree(repo, release);
  const places = new Set<string>([...(track?.branchExists ? [await recordWorktree(context)] : []), indexRoot]);
  const integration = await integrationCheckout(repo, release, slice.id);
  if (integration) places.add(integration);

  const relative = `${repo.config.releaseDir}/${release.id}/${slice.id}`;
  const report: ChangeReport = { command: 'drop-slice', changes: [], files: [], commits: [] };
  const receipt = newReceipt(io, 'slice-dropped', { release: release.id, ...(track ? { track: track.id } : {}), slice: slice.id });
  const subject = `docs(release/${release.id}/${slice.id}): drop slice`;
  for (const worktree of places) {
    const dirty = (await gitText(worktree, ['status', '--porcelain=v1', '--untracked-files=all', '--', relative])).trim();
    if (dirty !== '') throw new FindingError(`${slice.id}'s folder in ${worktree} has uncommitted changes:\n${dirty}`, { fix: `Commit or restore them first (git -C ${shellQuote(worktree)} status -- ${relative}).` });
  }
  let registry: RecordWrite | undefined;
  if (track) {
    const file = path.join(indexRoot, repo.config.releaseDir, release.id, 'index.md');
    const last = track.slices.length === 1;
    registry = await indexEdit(indexRoot, file, (document) => unregisterSlice(document, file, track.id, slice.id, last));
    report.changes.push(last ? `${slice.id} removed from index.md with its track ${track.id}, which held nothing else${track.branchExists ? ` (its branch ${track.branch} is left as it is)` : ''}.` : `${slice.id} removed from ${track.id} in index.md.`);
  }
  for (const worktree of places) {
    const tracked = (await gitText(worktree, ['ls-files', '--', relative])).trim() !== '';
    const writes = worktree === indexRoot && registry ? [registry] : [];
    if (!tracked && writes.length === 0) continue;
    report.changes.push(`${slice.id}'s folder removed in ${worktree}.`);
    await commitRemoval(report, { worktree, folder: tracked ? relative : undefined, writes, subject, body: report.changes.join('\n'), receipt });
  }
  return report;
}

/** The checkout of the integration branch, when that branch holds its own copy of the slice's folder. */
async function integrationCheckout(repo: Repo, release: BoardRelease, slice: string): Promise<string | undefined> {
  const branch = release.integrationBranch;
  if (!branch || !release.releaseBranchExists) return undefined;
  const copy = await runGit(repo.root, ['cat-file', '-e', `refs/heads/${branch}:${repo.config.releaseDir}/${release.id}/${slice}`]);
  if (copy.exitCode !== 0) return undefined;
  const checkout = (await listWorktrees(repo.root)).find((worktree) => worktree.branch === branch);
  if (!checkout) throw new FindingError(`${slice}'s folder is also on ${branch}, which is not checked out on this machine.`, { fix: `Check ${branch} out (git -C ${shellQuote(repo.primaryRoot)} checkout ${branch}), then run it again.` });
  return checkout.path;
}

/**
 * Removes a slice's committed folder (repository-relative) and writes `writes`, in one commit with
 * the receipt. If git does not commit, the folder comes back from HEAD and the files as they were.
 */
async function commitRemoval(report: ChangeReport, change: { worktree: string; folder: string | undefined; writes: RecordWrite[]; subject: string; body: string; receipt: Receipt }): Promise<void> {
  const { worktree, folder, writes } = change;
  if (folder) await assertInsideRoot(worktree, folder);
  const previous = await Promise.all(writes.map((write) => readTextIfPresent(write.file)));
  const paths = [...(folder ? [folder] : []), ...writes.map((write) => path.relative(worktree, write.file).split(path.sep).join('/'))];
  await writeRecords(writes);
  if (folder) await rm(path.join(worktree, folder), { recursive: true, force: true });
  try {
    const done = await commitPaths(worktree, paths, change.subject, [change.body, formatReceipt(change.receipt)]);
    report.files.push(...(folder ? [path.join(worktree, folder)] : []), ...writes.map((write) => write.file));
    report.commits.push({ ...done, worktree });
  } catch (error) {
    await unstagePaths(worktree, paths);
    if (folder) await runGit(worktree, ['checkout', 'HEAD', '--', folder]);
    await writeRecords(writes.flatMap((write, index) => (previous[index] === undefined ? [] : [{ ...write, content: previous[index] as string }])));
    throw error;
  }
}

async function indexEdit(root: string, file: string, edit: (document: Document) => void): Promise<RecordWrite> {
  const text = await readTextIfPresent(file);
  if (text === undefined) throw new FindingError(`${file} does not exist.`, { fix: 'Restore it from git.' });
  return { root, file, content: editFrontmatter(text, file, edit) };
}

function trackEntry(document: Document, file: string, trackId: string): YAMLMap {
  const tracks = document.get('tracks');
  const entry = isSeq(tracks) ? tracks.items.find((item) => isMap(item) && item.get('id') === trackId) : undefined;
  if (!entry || !isMap(entry)) throw new FindingError(`${file} has no track ${trackId} in its tracks: registry.`, { fix: 'Restore index.md from git.' });
  return entry;
}

function unregisterSlice(document: Document, file: string, trackId: string, slice: string, removeTrack: boolean): void {
  const tracks = document.get('tracks') as YAMLSeq;
  const entry = trackEntry(document, file, trackId);
  if (removeTrack) {
    tracks.items.splice(tracks.items.indexOf(entry), 1);
    return;
  }
  const slices = entry.get('slices');
  if (isSeq(slices)) slices.items = slices.items.filter((item) => !(isScalar(item) && item.value === slice));
}
