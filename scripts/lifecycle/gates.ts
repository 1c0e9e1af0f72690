import type { BoardRelease } from '../board/board.js';
import { currentBranch, gitText, mergeBase, resolveCommit, runGit, uncommittedChanges } from '../lib/git.js';
import type { Repo } from '../lib/repo.js';
import { isTerminal } from '../lib/status.js';
import { releaseContext, trackContext, type LifecycleIo, type ReleaseContext } from './records.js';

/**
 * The three gates of the integrator commands. Each returns every reason it is closed, so the human
 * sees the whole list at once; an open gate has none. Exit 0 when open, 1 when closed.
 */

export interface GateResult {
  gate: 'merge-track' | 'merge-release' | 'mark-shipped';
  release: string;
  target: string;
  open: boolean;
  reasons: string[];
}

function result(gate: GateResult['gate'], release: string, target: string, reasons: string[]): GateResult {
  return { gate, release, target, open: reasons.length === 0, reasons };
}

function unfinished(release: BoardRelease, slices: string[]): string[] {
  return slices
    .map((id) => release.slices.find((slice) => slice.id === id))
    .filter((slice) => slice !== undefined && !isTerminal(slice.state))
    .map((slice) => `${slice?.id} is ${slice?.state}${slice?.state === 'implemented' && slice.verification === 'blocked' ? ' with an open BLOCKED verdict' : ''}`);
}

export async function gateMergeTrack(io: LifecycleIo, trackId: string, releaseId: string | undefined): Promise<GateResult> {
  const { repo, release, track } = await trackContext(io, trackId, releaseId);
  const reasons: string[] = [];
  if (track.state === 'merged') reasons.push(`${trackId} is already merged into ${release.releaseBranch}`);
  if (track.blockedBy.length > 0) reasons.push(`${trackId} depends on ${track.blockedBy.join(', ')}, not merged yet`);
  if (track.slices.length === 0) reasons.push(`${trackId} has no slices`);
  reasons.push(...unfinished(release, track.slices).map((text) => `${text}; every slice must be verified, deferred or shipped`));
  if (!release.releaseBranchExists) reasons.push(`${release.releaseBranch} does not exist`);
  if (!track.branchExists) reasons.push(`${track.branch} does not exist; there is nothing to merge`);
  if (reasons.length === 0) {
    const verdicts = track.slices.map((id) => release.slices.find((slice) => slice.id === id)).filter((slice) => slice?.state === 'verified' && slice.verdictCommit).map((slice) => slice?.verdictCommit as string);
    reasons.push(...(await codeAfterVerdicts(repo, track.branch, release.releaseBranch, verdicts)));
  }
  return result('merge-track', release.id, trackId, reasons);
}

/**
 * Only what a PASS covered may merge: any commit on the track's own line (merges excluded) after the
 * newest verdict commit that changes a file outside the release docs is a reason to refuse.
 */
async function codeAfterVerdicts(repo: Repo, branch: string, releaseBranch: string, verdicts: string[]): Promise<string[]> {
  const tip = await resolveCommit(repo.root, branch);
  if (!tip) return [`${branch} does not resolve`];
  const line = (await gitText(repo.root, ['rev-list', '--first-parent', tip])).split('\n');
  const known = new Set(verdicts);
  let since = line.find((commit) => known.has(commit));
  let what = 'the newest verdict';
  if (!since) {
    since = await mergeBase(repo.root, tip, releaseBranch);
    what = `the point it left ${releaseBranch}, and no PASS verdict covers them`;
  }
  if (!since) return [`${branch} shares no history with ${releaseBranch}`];
  const log = await gitText(repo.root, ['log', '--first-parent', '--no-merges', '--format=%h %s', `${since}..${tip}`, '--', '.', `:(exclude)${repo.config.releaseDir}`]);
  const commits = log.split('\n').filter(Boolean);
  if (commits.length === 0) return [];
  return [`${branch} has ${commits.length} commit(s) changing code after ${what}: ${commits.slice(0, 5).join('; ')}${commits.length > 5 ? '; …' : ''}. Only what a PASS covered may merge: verify that work first.`];
}

/** The checkout must be on the integration branch, clean, and not behind its remote-tracking branch. */
async function integrationCheckout(repo: Repo, release: BoardRelease): Promise<string[]> {
  const reasons: string[] = [];
  const integration = release.integrationBranch;
  if (!integration) return [`index.md of ${release.id} names no integration_branch`];
  const branch = await currentBranch(repo.root);
  if (branch !== integration) reasons.push(`this checkout (${repo.root}) is on ${branch ?? 'a detached HEAD'}, not on ${integration}`);
  const dirty = await uncommittedChanges(repo.root);
  if (dirty.length > 0) reasons.push(`this checkout has uncommitted changes (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', …' : ''}); commit or stash them first`);
  const behind = await runGit(repo.root, ['rev-list', '--count', `refs/heads/${integration}..refs/remotes/origin/${integration}`]);
  if (behind.exitCode === 0 && Number(behind.stdout.trim()) > 0) reasons.push(`${integration} is ${behind.stdout.trim()} commit(s) behind origin/${integration}; run git pull --ff-only first`);
  return reasons;
}

function boardProblems(release: BoardRelease): string[] {
  return release.warnings.filter((warning) => warning.kind !== 'missing-spec').map((warning) => `board warning: ${warning.message}`);
}

export async function gateMergeRelease(io: LifecycleIo, releaseId: string): Promise<GateResult> {
  const { repo, release } = await releaseContext(io, releaseId);
  const reasons: string[] = [];
  if (release.mergedToIntegration) reasons.push(`${release.releaseBranch} is already merged into ${release.integrationBranch}`);
  if (release.slices.length === 0) reasons.push('the release has no slices: nothing is planned');
  reasons.push(...unfinished(release, release.slices.map((slice) => slice.id)).map((text) => `${text}; every slice must be verified, deferred or shipped`));
  const open = release.tracks.filter((track) => track.state !== 'merged');
  if (open.length > 0) reasons.push(`${open.map((track) => track.id).join(', ')} ${open.length === 1 ? 'is' : 'are'} not merged into ${release.releaseBranch} (merge-track)`);
  if (!release.releaseBranchExists) reasons.push(`${release.releaseBranch} does not exist; nothing was implemented`);
  reasons.push(...boardProblems(release), ...(await integrationCheckout(repo, release)));
  return result('merge-release', release.id, release.id, reasons);
}

export async function gateMarkShipped(io: LifecycleIo, releaseId: string): Promise<GateResult> {
  return markShippedGate(await releaseContext(io, releaseId));
}

/** The mark-shipped gate on a release already read, so baton ship reads the board once. */
export async function markShippedGate({ repo, release }: ReleaseContext): Promise<GateResult> {
  const reasons: string[] = [];
  if (!release.mergedToIntegration) reasons.push(`${release.releaseBranch} is not merged into ${release.integrationBranch ?? 'the integration branch'} (merge-release)`);
  reasons.push(...unfinished(release, release.slices.map((slice) => slice.id)).map((text) => `${text}; every slice must be verified, shipped or deferred`));
  if (!release.slices.some((slice) => slice.state === 'verified')) reasons.push('no slice is verified: there is nothing to mark shipped');
  reasons.push(...boardProblems(release), ...(await integrationCheckout(repo, release)));
  return result('mark-shipped', release.id, release.id, reasons);
}

export function formatGate(gate: GateResult): string {
  const title = `gate ${gate.gate} ${gate.target}${gate.target === gate.release ? '' : ` (release ${gate.release})`}`;
  if (gate.open) return `${title}: OPEN`;
  return [`${title}: CLOSED`, ...gate.reasons.map((reason) => `  - ${reason}`)].join('\n');
}
