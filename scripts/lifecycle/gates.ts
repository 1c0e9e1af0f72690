import type { Board, BoardRelease, BoardSlice, BoardTrack } from '../board/board.js';
import { nextStep, type NextStep } from '../board/next-step.js';
import { examineCandidate, failedChecks } from './candidate.js';
import { currentBranch, gitText, isAncestor, mergeBase, resolveCommit, runGit, uncommittedChanges } from '../lib/git.js';
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
  if (track.deferred) reasons.push(`every slice of ${trackId} is deferred: the track is done without a merge, and merge-release does not wait for it`);
  reasons.push(...unfinished(release, track.slices).map((text) => `${text}; every slice must be verified, deferred or shipped`));
  reasons.push(...release.warnings.filter((warning) => warning.kind === 'unreceipted-state' && warning.slice !== undefined && track.slices.includes(warning.slice)).map((warning) => `board warning: ${warning.message}`));
  if (!release.releaseBranchExists) reasons.push(`${release.releaseBranch} does not exist`);
  if (!track.branchExists && !track.deferred) reasons.push(`${track.branch} does not exist; there is nothing to merge`);
  if (reasons.length === 0) reasons.push(...(await exactCandidates(io, repo, release, track)));
  return result('merge-track', release.id, trackId, reasons);
}

/**
 * Only the exact candidates a PASS covered may merge. Each verified slice's PASS must still stand:
 * `baton verify` at its candidate gives the report its receipts recorded, and passes. And the track
 * branch may hold nothing after the newest PASS's candidate but record files and merges from the
 * release branch (the sync merges the protocol makes).
 */
async function exactCandidates(io: LifecycleIo, repo: Repo, release: BoardRelease, track: BoardTrack): Promise<string[]> {
  const reasons: string[] = [];
  const passed = track.slices
    .map((id) => release.slices.find((slice) => slice.id === id))
    .filter((slice): slice is BoardSlice => slice?.state === 'verified');
  const tip = await resolveCommit(repo.root, track.branch);
  if (!tip) return [`${track.branch} does not resolve`];
  for (const slice of passed) {
    const { lastVerdict, implemented } = slice.receipts;
    if (lastVerdict?.verdict !== 'PASS' || !implemented) {
      reasons.push(`${slice.id} is verified, but no counted PASS receipt says so (baton log ${slice.id} ${release.id})`);
      continue;
    }
    if (!(await isAncestor(repo.root, lastVerdict.candidate, tip))) {
      reasons.push(`${slice.id}'s PASS covers ${lastVerdict.candidate.slice(0, 12)}, which is not on ${track.branch}`);
      continue;
    }
    const candidate = await examineCandidate({ cwd: repo.root, env: io.env, slice: slice.id, release: release.id, commit: lastVerdict.candidate });
    if (candidate.reportSha256 !== implemented.reportSha256 || (candidate.specSha256 ?? null) !== implemented.specSha256 || (candidate.proofSha256 ?? null) !== implemented.proofSha256) {
      reasons.push(`the spec, the proof or the baton verify report at ${slice.id}'s candidate ${lastVerdict.candidate.slice(0, 12)} is not what its PASS receipt vouches for`);
    }
    else if (candidate.report.verdict !== 'PASS') reasons.push(`baton verify fails at ${slice.id}'s candidate ${lastVerdict.candidate.slice(0, 12)} (${failedChecks(candidate).join(', ')})`);
  }
  const newest = await newestPass(repo, release, track);
  const since = newest?.candidate ?? (await mergeBase(repo.root, tip, release.releaseBranch));
  if (!since) return [...reasons, `${track.branch} shares no history with ${release.releaseBranch}`];
  const what = newest ? `${newest.slice}'s PASS (its candidate ${since.slice(0, 12)})` : `the point it left ${release.releaseBranch}, and no PASS covers them`;
  const unverified = await codeSince(repo, since, tip, release.releaseBranch);
  if (unverified.length > 0) {
    reasons.push(`${track.branch} has ${unverified.length} commit(s) after ${what} that no PASS covered: ${unverified.slice(0, 5).join('; ')}${unverified.length > 5 ? '; …' : ''}. Only what a PASS covered may merge: the planner re-opens the slice (baton reopen) so it is implemented and verified again`);
  }
  return reasons;
}

/**
 * The next protocol command for a slice, as `baton next` and `baton brief` give it: the board's, with
 * the exact-candidate rule as the merge-track gate applies it. Work after the newest PASS of the
 * slice's track is not what was verified, so the planner re-opens the slice instead.
 */
export async function checkedNextStep(repo: Repo, board: Board, slice: string, release: string | undefined): Promise<NextStep> {
  const step = nextStep(board, slice, release);
  const onBoard = board.releases.find((candidate) => candidate.id === step.release);
  const track = onBoard?.tracks.find((candidate) => candidate.slices.includes(slice));
  if (!onBoard || !track || (step.next?.command !== 'merge-track' && onBoard.slices.find((entry) => entry.id === slice)?.state !== 'verified')) return step;
  const uncovered = await uncoveredCommits(repo, onBoard, track);
  if (!uncovered) return step;
  return { ...step, next: { command: 'replan-release', args: [onBoard.id] }, reason: `${track.branch} has ${uncovered.commits.length} commit(s) after ${uncovered.slice}'s PASS that no PASS covered (${uncovered.commits[0]}); the planner re-opens the slice with baton reopen` };
}

/**
 * For `baton next`: the commits on a track after its newest PASS that no PASS covered, when the track
 * is not merged yet; empty when there are none (or nothing is verified).
 */
export async function uncoveredCommits(repo: Repo, release: BoardRelease, track: BoardTrack): Promise<{ slice: string; commits: string[] } | undefined> {
  if (track.state === 'merged' || !track.branchExists) return undefined;
  const [tip, newest] = await Promise.all([resolveCommit(repo.root, track.branch), newestPass(repo, release, track)]);
  if (!tip || !newest) return undefined;
  const commits = await codeSince(repo, newest.candidate, tip, release.releaseBranch);
  return commits.length > 0 ? { slice: newest.slice, commits } : undefined;
}

/**
 * The track's newest PASS: of its verified slices' PASS candidates, the one the others lead to. Not
 * simply the last slice in track order: a slice re-opened and verified again comes after the next one.
 */
async function newestPass(repo: Repo, release: BoardRelease, track: BoardTrack): Promise<{ slice: string; candidate: string } | undefined> {
  let newest: { slice: string; candidate: string } | undefined;
  for (const id of track.slices) {
    const verdict = release.slices.find((slice) => slice.id === id && slice.state === 'verified')?.receipts.lastVerdict;
    if (verdict?.verdict !== 'PASS') continue;
    if (!newest || (await isAncestor(repo.root, newest.candidate, verdict.candidate))) newest = { slice: id, candidate: verdict.candidate };
  }
  return newest;
}

/**
 * Commits on the first-parent line from `since` to `tip` that bring in work no PASS covered: a commit
 * that changes anything outside the release docs, or a merge of anything but the release branch.
 */
export async function codeSince(repo: Repo, since: string, tip: string, releaseBranch: string): Promise<string[]> {
  const [code, merges] = await Promise.all([
    gitText(repo.root, ['log', '--first-parent', '--no-merges', '--format=%h %s', `${since}..${tip}`, '--', '.', `:(exclude)${repo.config.releaseDir}`]),
    gitText(repo.root, ['log', '--first-parent', '--merges', '--format=%H %P', `${since}..${tip}`]),
  ]);
  const found = code.split('\n').filter(Boolean);
  for (const line of merges.split('\n').filter(Boolean)) {
    const [commit = '', , ...merged] = line.split(' ');
    for (const parent of merged) {
      // A sync merge brings in the release branch (or what it already holds); anything else is new work.
      if (!(await isAncestor(repo.root, parent, releaseBranch))) found.push(`${commit.slice(0, 12)} merges ${parent.slice(0, 12)}, which is not on ${releaseBranch}`);
    }
  }
  return found;
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
  // A spec not (fully) written is the planner's to finish; it does not put a record in doubt.
  return release.warnings.filter((warning) => warning.kind !== 'missing-spec' && warning.kind !== 'unfilled-spec').map((warning) => `board warning: ${warning.message}`);
}

export async function gateMergeRelease(io: LifecycleIo, releaseId: string): Promise<GateResult> {
  const { repo, release } = await releaseContext(io, releaseId);
  const reasons: string[] = [];
  if (release.mergedToIntegration) reasons.push(`${release.releaseBranch} is already merged into ${release.integrationBranch}${release.mergeCommit ? ` (merge commit ${release.mergeCommit.slice(0, 12)})` : ''}`);
  if (release.slices.length === 0) reasons.push('the release has no slices: nothing is planned');
  reasons.push(...unfinished(release, release.slices.map((slice) => slice.id)).map((text) => `${text}; every slice must be verified, deferred or shipped`));
  const open = release.tracks.filter((track) => track.state !== 'merged' && !track.deferred);
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
  const integration = release.integrationBranch ?? 'the integration branch';
  if (!release.mergedToIntegration) reasons.push(`${release.releaseBranch} is not merged into ${integration} (merge-release): no merge commit on ${integration}'s first-parent line has its tip as a parent`);
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
