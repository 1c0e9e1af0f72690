import { FindingError, UsageError } from '../lib/errors.js';
import { isAncestor, resolveCommit } from '../lib/git.js';
import { formatGate, markShippedGate } from './gates.js';
import { commitChange, readStatusFile, newReceipt, releaseContext, requireTransition, statusFile, statusWrite, timestamp, type ChangeReport, type RecordWrite, type LockedIo } from './records.js';

/**
 * `baton ship`: after a human attests the deploy, every verified slice of the release becomes
 * shipped, with the deployed commit as evidence. It refuses a deployed commit that does not contain
 * the release merge, because then the verified work is not what was deployed.
 */
export async function shipRelease(io: LockedIo, options: { release: string; deployed: string; deployRef?: string | undefined }): Promise<ChangeReport> {
  const context = await releaseContext(io, options.release);
  const { repo, release } = context;
  const releaseId = release.id;
  const gate = await markShippedGate(context);
  if (!gate.open) throw new FindingError(`Refused: ${formatGate(gate)}`, { fix: 'Resolve every reason listed, then run baton ship again.' });
  const deployed = await resolveCommit(repo.root, options.deployed);
  if (!deployed) throw new UsageError(`--deployed ${options.deployed} does not name a commit in this repository.`, { fix: 'Pass the full commit id that was deployed (fetch it first if needed).' });

  // The merge the board found (read-board.ts): the gate above opened on the same evidence.
  const merge = release.mergeCommit;
  if (!merge) {
    throw new FindingError(`Cannot find the merge commit of ${release.releaseBranch} on ${release.integrationBranch}'s first-parent line.`, {
      fix: `Merge it with the merge-release command (git merge --no-ff ${release.releaseBranch}), then run baton ship again.`,
    });
  }
  if (!(await isAncestor(repo.root, merge, deployed))) {
    throw new FindingError(`The deployed commit ${deployed.slice(0, 12)} does not contain the release merge ${merge.slice(0, 12)}: what was deployed is not the verified work.`, {
      fix: 'Deploy a commit that contains the release merge, then run baton ship with it.',
    });
  }

  const report: ChangeReport = { command: 'ship', changes: [], files: [], commits: [] };
  const now = timestamp(io.now());
  const writes: RecordWrite[] = [];
  for (const slice of release.slices.filter((candidate) => candidate.state === 'verified')) {
    const file = statusFile(repo, repo.root, releaseId, slice.id);
    const { status } = await readStatusFile(file);
    const to = requireTransition(status, 'ship');
    writes.push(statusWrite(repo.root, file, {
      ...status,
      state: to,
      last_updated_by: 'baton ship',
      last_updated_at: now,
      ship: { shipped_at: now, deployed_commit: deployed, deploy_ref: options.deployRef?.trim() || null, shipped_by: 'baton ship' },
    }));
    report.changes.push(`${slice.id}: verified → shipped (deployed ${deployed.slice(0, 12)}).`);
  }
  const body = [`Deployed commit: ${deployed}`, `Deploy reference: ${options.deployRef?.trim() || 'none given'}`, `Release merge: ${merge}`, ...report.changes].join('\n');
  await commitChange(report, {
    worktree: repo.root,
    writes,
    subject: `docs(release/${releaseId}): mark ${writes.length} slices shipped — deployed ${deployed.slice(0, 12)}`,
    body,
    receipt: newReceipt(io, 'shipped', { release: releaseId, candidate: deployed }),
  });
  return report;
}
