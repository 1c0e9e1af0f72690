import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq } from 'yaml';
import type { BoardRelease } from '../board/board.js';
import { FindingError, OperationalError } from '../lib/errors.js';
import { editFrontmatter } from '../lib/frontmatter-edit.js';
import { gitFailure, gitText, isAncestor, resolveCommit, runGit } from '../lib/git.js';
import { assertId } from '../lib/ids.js';
import { assertInsideRoot, isWithin } from '../lib/inside-root.js';
import { pathExists, readTextIfPresent } from '../lib/read-text.js';
import type { TrackState } from '../lib/registry.js';
import type { Repo } from '../lib/repo.js';
import { isReadOnlyRefusal, readOnlyFolderFix } from '../lib/sandbox-fix.js';
import { commitChange, newReceipt, releaseWorktreeFix, sliceContext, trackContext, type ChangeReport, type LockedIo, type RecordWrite } from './records.js';

/**
 * Branches and worktrees: `baton worktree` materialises release-wt/<release> and a track's branch,
 * each with a worktree under the configured root, and records the track as in progress; `baton
 * merged` records a track as merged once its branch is contained in release-wt.
 */

export async function materialiseWorktree(io: LockedIo, options: { slice: string; release?: string | undefined }): Promise<ChangeReport & { releaseWorktree: string; trackWorktree: string }> {
  const { repo, release, track, slice } = await sliceContext(io, assertId('slice', options.slice), options.release);
  if (!track) throw new FindingError(`${slice.id} is in no track of ${release.id}.`, { fix: 'Register it with the replan-release command.' });
  if (track.blockedBy.length > 0 && !track.branchExists) {
    throw new FindingError(`${track.id} depends on ${track.blockedBy.join(', ')}, which ${track.blockedBy.length === 1 ? 'is' : 'are'} not merged into ${release.releaseBranch} yet.`, {
      fix: 'Its branch is created from release-wt once they are merged (merge-track), so that it starts from their work.',
    });
  }
  const report: ChangeReport & { releaseWorktree: string; trackWorktree: string } = { command: 'worktree', changes: [], files: [], commits: [], releaseWorktree: '', trackWorktree: '' };

  // The release assembly branch and its worktree.
  if (!(await ensureBranch(repo, release.releaseBranch, () => startPointForRelease(repo, release)))) {
    report.changes.push(`Created branch ${release.releaseBranch}.`);
  }
  report.releaseWorktree = release.releaseWorktree ?? (await addWorktree(repo, release.releaseBranch, path.join(repo.config.worktreeRoot, release.id, 'release'), report));

  // Record the track as in progress on release-wt.
  if (track.state === 'planned') {
    const file = path.join(report.releaseWorktree, repo.config.releaseDir, release.id, 'index.md');
    report.changes.push(`${track.id}: planned → in_progress in ${release.releaseBranch}'s index.md.`);
    await commitChange(report, {
      worktree: report.releaseWorktree,
      writes: [await trackStateWrite(report.releaseWorktree, file, track.id, 'in_progress')],
      subject: `chore(release/${release.id}): materialise worktree for track ${track.id}`,
      // Where a worktree is checked out is this machine's business: the commit, read in every clone, names branches only.
      body: report.changes.filter((line) => !line.startsWith('Created worktree ')).join('\n'),
      receipt: newReceipt(io, 'worktree', { release: release.id, track: track.id }),
    });
  }

  // The track branch starts from release-wt as it is now, then gets its own worktree.
  if (!(await ensureBranch(repo, track.branch, async () => release.releaseBranch))) report.changes.push(`Created branch ${track.branch} from ${release.releaseBranch}.`);
  report.trackWorktree = track.worktree ?? (await addWorktree(repo, track.branch, path.join(repo.config.worktreeRoot, release.id, track.id), report));
  if (report.changes.length === 0) report.changes.push(`${track.id} is already materialised.`);
  report.changes.push(`Release worktree: ${report.releaseWorktree}`, `Track worktree: ${report.trackWorktree}`);
  return report;
}

/** Makes sure a local branch exists: from its remote-tracking branch if there is one, else from `startPoint`. Returns whether it already existed. */
async function ensureBranch(repo: Repo, branch: string, startPoint: () => Promise<string>): Promise<boolean> {
  if (await resolveCommit(repo.root, `refs/heads/${branch}`)) return true;
  if (await resolveCommit(repo.root, `refs/remotes/origin/${branch}`)) {
    await gitText(repo.root, ['branch', '--track', branch, `origin/${branch}`]);
    return false;
  }
  await gitText(repo.root, ['branch', branch, await startPoint()]);
  return false;
}

async function startPointForRelease(repo: Repo, release: BoardRelease): Promise<string> {
  const integration = release.integrationBranch;
  if (!integration) throw new FindingError(`index.md of ${release.id} names no integration_branch.`, { fix: 'Restore index.md from git; it is set by baton new-release.' });
  for (const ref of [integration, `origin/${integration}`]) if (await resolveCommit(repo.root, ref)) return ref;
  throw new FindingError(`The integration branch ${integration} of ${release.id} does not exist here.`, { fix: `Fetch it (git fetch origin ${integration}) or create it.` });
}

/** A new worktree of `branch` at `folder`, for a branch the board found checked out nowhere. */
async function addWorktree(repo: Repo, branch: string, folder: string, report: ChangeReport): Promise<string> {
  await assertWorktreeFolderInside(repo, folder);
  if (await pathExists(folder)) {
    throw new FindingError(`${folder} already exists and is not a worktree of ${branch}.`, { fix: 'Move it away, or set another worktreeRoot in .baton/config.json.' });
  }
  const args = ['worktree', 'add', '--quiet', folder, branch];
  const added = await runGit(repo.root, args);
  if (added.exitCode !== 0) {
    if (!isReadOnlyRefusal(added.stderr)) throw gitFailure(args, added);
    throw new OperationalError(`git could not create the worktree ${folder}: ${added.stderr.trim().split('\n')[0] ?? ''}`, { fix: readOnlyFolderFix(repo.config.worktreeRoot) });
  }
  if (isWithin(repo.config.worktreeRoot, repo.primaryRoot)) await excludeFromStatus(repo);
  report.changes.push(`Created worktree ${folder} on ${branch}.`);
  return folder;
}

/**
 * A worktree root inside the primary checkout (such as `.worktrees`, which keeps the worktrees where
 * Codex's sandbox may write) would show in its `git status` as untracked; baton lists it in the
 * repository's own exclude file, which is not committed, unless git already ignores it.
 */
async function excludeFromStatus(repo: Repo): Promise<void> {
  const relative = path.relative(repo.primaryRoot, repo.config.worktreeRoot).split(path.sep).join('/');
  const ignored = await runGit(repo.primaryRoot, ['check-ignore', '--quiet', '--no-index', '--', `${relative}/`]);
  if (ignored.exitCode === 0) return;
  const exclude = path.join(repo.commonDir, 'info', 'exclude');
  const text = (await readTextIfPresent(exclude)) ?? '';
  await mkdir(path.dirname(exclude), { recursive: true });
  await appendFile(exclude, `${text === '' || text.endsWith('\n') ? '' : '\n'}# baton's worktrees (worktreeRoot in .baton/config.json)\n/${relative}/\n`);
}

/**
 * A worktree folder inside the checkout must not lead outside it through a committed link (such as
 * `.worktrees` → elsewhere); one beside the checkout must stay under the worktree root.
 */
async function assertWorktreeFolderInside(repo: Repo, folder: string): Promise<void> {
  const root = isWithin(repo.config.worktreeRoot, repo.primaryRoot) ? repo.primaryRoot : repo.config.worktreeRoot;
  await assertInsideRoot(root, path.relative(root, folder).split(path.sep).join('/'));
}

/** The index.md in `worktree` with one track's state set in its `tracks:` registry, the rest kept as written. */
async function trackStateWrite(worktree: string, file: string, trackId: string, state: TrackState): Promise<RecordWrite> {
  const text = await readTextIfPresent(file);
  if (text === undefined) throw new FindingError(`${file} does not exist.`, { fix: 'Restore it from git.' });
  const edited = editFrontmatter(text, file, (document) => {
    const tracks = document.get('tracks');
    const entry = isSeq(tracks) ? tracks.items.find((item) => isMap(item) && item.get('id') === trackId) : undefined;
    if (!entry || !isMap(entry)) throw new FindingError(`${file} has no track ${trackId} in its tracks: registry.`, { fix: 'Register the track with baton new-slice.' });
    entry.set('state', state);
  });
  return { root: worktree, file, content: edited };
}

export async function recordTrackMerged(io: LockedIo, options: { track: string; release?: string | undefined }): Promise<ChangeReport> {
  const trackId = options.track;
  const { repo, release, track } = await trackContext(io, trackId, options.release);
  if (track.state === 'merged') throw new FindingError(`${trackId} is already recorded as merged.`, { fix: 'Nothing to do.' });
  if (track.deferred) throw new FindingError(`Every slice of ${trackId} is deferred, so there is nothing to merge.`, { fix: 'Nothing to do: the track is done without a merge, and merge-release does not wait for it.' });
  if (!release.releaseWorktree) throw new FindingError(`${release.releaseBranch} is not checked out on this machine.`, { fix: releaseWorktreeFix(repo, release) });
  const tip = await resolveCommit(repo.root, track.branch);
  if (!tip) throw new FindingError(`${track.branch} does not exist.`, { fix: 'There is nothing to merge.' });
  if (!(await isAncestor(release.releaseWorktree, tip, 'HEAD'))) {
    throw new FindingError(`${track.branch} is not merged into ${release.releaseBranch}: its tip ${tip.slice(0, 12)} is not contained in the release worktree's HEAD.`, {
      fix: `Merge it first (the merge-track command), then run baton merged ${trackId} ${release.id}.`,
    });
  }
  const file = path.join(release.releaseWorktree, repo.config.releaseDir, release.id, 'index.md');
  const report: ChangeReport = { command: 'merged', changes: [`${trackId}: ${track.state} → merged in ${release.releaseBranch}'s index.md (its branch tip ${tip.slice(0, 12)} is contained).`], files: [], commits: [] };
  await commitChange(report, {
    worktree: release.releaseWorktree,
    writes: [await trackStateWrite(release.releaseWorktree, file, trackId, 'merged')],
    subject: `docs(release/${release.id}): record track ${trackId} merge to release-wt`,
    body: report.changes.join('\n'),
    receipt: newReceipt(io, 'track-merged', { release: release.id, track: trackId }),
  });
  return report;
}
