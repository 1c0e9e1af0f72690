import { sliceOwners, type Registry } from '../lib/registry.js';
import { isTerminal, SLICE_STATES, type SliceState } from '../lib/status.js';
import type { BoardRelease, BoardSlice, BoardTrack, BoardWarning, NextCommand, SliceReceipts, SliceRecord } from './board.js';

/**
 * From what was read (the registry, one chosen record per slice, which branches and worktrees exist)
 * to the board: tracks with their blockers and readiness, the actionable slice of each track and the
 * next command. Pure, so every rule here is tested with tables.
 */

export interface SliceInput {
  id: string;
  record: SliceRecord | undefined;
  source: string | null;
  hasSpec: boolean;
  /** What the receipts say; a slice without any is unreceipted. */
  receipts?: SliceReceipts;
}

/** The receipts of a slice no baton command has recorded anything for. */
export function noReceipts(maxAttempts = 3): SliceReceipts {
  return { receipted: false, state: null, attempt: 0, failures: 0, maxAttempts, escalated: false, lastVerdict: null, last: null, implemented: null };
}

export interface ReleaseInput {
  id: string;
  registry: Registry;
  slices: SliceInput[];
  /** Branch names that exist, locally or as remote-tracking branches. */
  branches: ReadonlySet<string>;
  /** Branch name to the worktree that has it checked out. */
  worktrees: ReadonlyMap<string, string>;
  mergedToIntegration: boolean;
  /** The merge commit that brought the release branch into the integration branch (read-board.ts). */
  mergeCommit?: string | null;
  warnings: BoardWarning[];
}

/** Reads the fields the board needs from a parsed status.json, whatever else is wrong with it. */
export function toSliceRecord(value: unknown): SliceRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const status = value as Record<string, unknown>;
  const verification = (typeof status.verification === 'object' && status.verification !== null ? status.verification : {}) as Record<string, unknown>;
  const text = (field: unknown) => (typeof field === 'string' && field !== '' ? field : null);
  const result = verification.result;
  return {
    state: (SLICE_STATES as readonly unknown[]).includes(status.state) ? (status.state as SliceState) : 'unknown',
    track: text(status.track),
    title: text(status.title),
    verification: result === 'pass' || result === 'fail' || result === 'blocked' ? result : null,
    blockedReason: text(verification.blocked_reason),
    verdictCommit: text(verification.commit),
    startCommit: text(status.start_commit),
    testCommands: Array.isArray(status.test_commands) ? status.test_commands.filter((item): item is string => typeof item === 'string') : [],
  };
}

/** The command that moves a slice on, from its state and its latest verdict. */
function nextForSlice(slice: BoardSlice, release: string): NextCommand | null {
  const args = [slice.id, release];
  if (slice.receipts.escalated) return { command: 'replan-release', args: [release] };
  if (slice.state === 'planned' || slice.state === 'in_progress' || slice.state === 'failed_verification') return { command: 'implement-slice', args };
  if (slice.state === 'implemented') return slice.verification === 'blocked' ? { command: 'replan-release', args: [release] } : { command: 'verify-slice', args };
  return null;
}

export function deriveRelease(input: ReleaseInput): BoardRelease {
  const warnings: BoardWarning[] = [...input.warnings, ...input.registry.problems.map((message) => ({ kind: 'bad-registry' as const, message }))];
  const owner = sliceOwners(input.registry);

  const slices = new Map<string, BoardSlice>();
  for (const { id, record, source, hasSpec, receipts } of input.slices) {
    slices.set(id, {
      id,
      receipts: receipts ?? noReceipts(),
      // Only the registry puts a slice in a track; an orphan's record may claim one (named in its warning).
      track: owner.get(id) ?? null,
      state: record?.state ?? 'unknown',
      title: record?.title ?? null,
      verification: record?.verification ?? null,
      blockedReason: record?.blockedReason ?? null,
      verdictCommit: record?.verdictCommit ?? null,
      startCommit: record?.startCommit ?? null,
      testCommands: record?.testCommands ?? [],
      source,
      hasSpec,
      actionable: false,
      next: null,
    });
    if (!owner.has(id)) {
      const claimed = record?.track ? ` (its record names ${record.track})` : '';
      const never = (record?.state ?? 'planned') === 'planned' && (receipts?.attempt ?? 0) === 0;
      const fix = never
        ? `remove it with baton drop-slice ${id} ${input.id}, then plan it again with baton new-slice if it is wanted`
        : `the registry lost a started slice: restore index.md's tracks: entry from git (git log -p -- <releaseDir>/${input.id}/index.md shows the change)`;
      warnings.push({ kind: 'not-in-track', slice: id, message: `${id} has a folder but no track in index.md lists it${claimed}; ${fix}` });
    }
    else if (!hasSpec && record) warnings.push({ kind: 'missing-spec', slice: id, message: `${id} has no spec.md (read from ${source ?? 'nowhere'})` });
  }
  for (const slice of owner.keys()) {
    if (slices.has(slice)) continue;
    warnings.push({ kind: 'missing-folder', slice, message: `index.md lists ${slice} in track ${owner.get(slice)}, but its folder is on neither that track's branch, release-wt/${input.id}, the integration branch nor the working tree` });
    slices.set(slice, { id: slice, receipts: noReceipts(), track: owner.get(slice) ?? null, state: 'unknown', title: null, verification: null, blockedReason: null, verdictCommit: null, startCommit: null, testCommands: [], source: null, hasSpec: false, actionable: false, next: null });
  }

  // A slice whose record no receipt vouches for is in doubt: nothing that depends on it is ready.
  const inDoubt = new Set(warnings.filter((warning) => warning.kind === 'unreceipted-state').map((warning) => warning.slice));
  const stateOf = new Map(input.registry.tracks.map((track) => [track.id, track.state]));
  const tracks: BoardTrack[] = input.registry.tracks.map((entry) => {
    const branch = `track/${input.id}/${entry.id}`;
    const owned = entry.slices.map((id) => slices.get(id)).filter((slice): slice is BoardSlice => slice !== undefined);
    const blockedBy = entry.dependsOn.filter((dependency) => stateOf.get(dependency) !== 'merged');
    const merged = entry.state === 'merged';
    const settled = owned.length > 0 && owned.every((slice) => isTerminal(slice.state) && !inDoubt.has(slice.id));
    // A track of deferred slices only has nothing to merge: it is done without a merge.
    const deferred = !merged && settled && owned.every((slice) => slice.state === 'deferred');
    const readyToMerge = !merged && !deferred && blockedBy.length === 0 && settled;
    const actionableSlice = merged || blockedBy.length > 0 ? undefined : owned.find((slice) => !isTerminal(slice.state));
    let next: NextCommand | null = null;
    if (actionableSlice) {
      actionableSlice.actionable = true;
      actionableSlice.next = nextForSlice(actionableSlice, input.id);
      next = actionableSlice.next;
    } else if (readyToMerge) {
      next = { command: 'merge-track', args: [entry.id, input.id] };
    }
    return {
      id: entry.id,
      state: entry.state,
      slices: entry.slices,
      dependsOn: entry.dependsOn,
      blockedBy,
      branch,
      branchExists: input.branches.has(branch),
      worktree: input.worktrees.get(branch) ?? null,
      readyToMerge,
      deferred,
      actionable: actionableSlice?.id ?? null,
      next,
    };
  });

  const sliceList = [...slices.values()].sort((a, b) => compareIds(a.id, b.id));
  const counts = Object.fromEntries([...SLICE_STATES, 'unknown', 'total', 'terminal'].map((key) => [key, 0])) as BoardRelease['counts'];
  for (const slice of sliceList) {
    counts[slice.state] += 1;
    counts.total += 1;
    if (isTerminal(slice.state)) counts.terminal += 1;
  }
  const complete = counts.total > 0 && counts.terminal === counts.total && inDoubt.size === 0;
  // Tracks of deferred slices only need no merge; at least one track must have been merged.
  const allMerged = tracks.some((track) => track.state === 'merged') && tracks.every((track) => track.state === 'merged' || track.deferred);
  let next: NextCommand | null = null;
  if (allMerged && !input.mergedToIntegration) next = { command: 'merge-release', args: [input.id] };
  else if (input.mergedToIntegration && counts.verified > 0) next = { command: 'mark-shipped', args: [input.id] };

  const releaseBranch = `release-wt/${input.id}`;
  return {
    id: input.id,
    integrationBranch: input.registry.integrationBranch ?? null,
    releaseBranch,
    releaseBranchExists: input.branches.has(releaseBranch),
    releaseWorktree: input.worktrees.get(releaseBranch) ?? null,
    mergedToIntegration: input.mergedToIntegration,
    mergeCommit: input.mergeCommit ?? null,
    complete,
    counts,
    tracks,
    slices: sliceList,
    warnings,
    registryError: input.registry.unreadable ?? null,
    next,
  };
}

/** S2 before S10, S3 before S3a: ids compared by their number, then the rest. */
function compareIds(a: string, b: string): number {
  const number = (id: string) => Number(/^[ST](\d+)/.exec(id)?.[1] ?? 0);
  return number(a) - number(b) || (a < b ? -1 : a > b ? 1 : 0);
}
