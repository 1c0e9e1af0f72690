import type { TrackState } from '../lib/registry.js';
import type { SliceState, VerdictResult } from '../lib/status.js';

/**
 * The release board: every release, track and slice as git says they are, with what to do next.
 * `baton board --json` prints this object; the prompts read it as their oracle (docs/cli.md).
 */

/** A protocol command and its arguments: `/verify-slice S01 rel` in Claude Code, `/baton:verify-slice S01 rel` with the plugin, `$baton-verify-slice S01 rel` in Codex. */
export interface NextCommand {
  command: 'implement-slice' | 'verify-slice' | 'replan-release' | 'merge-track' | 'merge-release' | 'mark-shipped';
  args: string[];
}

/** What a slice's status.json says, as the board uses it. */
export interface SliceRecord {
  state: SliceState | 'unknown';
  track: string | null;
  title: string | null;
  /** The latest recorded verdict. */
  verification: VerdictResult | null;
  blockedReason: string | null;
  /** The commit the latest verdict was given on. */
  verdictCommit: string | null;
  startCommit: string | null;
  testCommands: string[];
}

/** What the receipts in git history say about a slice (docs/receipts.md). */
export interface SliceReceipts {
  /** The record (status.json) is the blob a counted receipt wrote, so its fields are vouched for. */
  receipted: boolean;
  /** The state the receipts prove; null when no receipt names the slice. */
  state: SliceState | null;
  /** The implementation attempt (0 before the first start). */
  attempt: number;
  /** FAIL verdicts since the planner last re-opened the slice. */
  failures: number;
  /** FAIL verdicts after which the slice goes back to the planner (.baton/config.json maxAttempts). */
  maxAttempts: number;
  /** failed_verification with failures at maxAttempts: only the planner can re-open it. */
  escalated: boolean;
  lastVerdict: { verdict: 'PASS' | 'FAIL' | 'BLOCKED'; commit: string; candidate: string; date: string } | null;
  /** The receipt the record is (else the newest counted one): the next receipt's Baton-Prev. */
  last: { commit: string; event: string; date: string; statusBlob: string } | null;
  /** The newest implemented receipt: the candidate a verdict must judge. */
  implemented: { commit: string; candidate: string; reportSha256: string; specSha256: string | null; proofSha256: string | null; session: string | null; attempt: number } | null;
}

export interface BoardSlice extends SliceRecord {
  id: string;
  receipts: SliceReceipts;
  /** Where the record was read: a branch name, or "working tree". */
  source: string | null;
  hasSpec: boolean;
  actionable: boolean;
  next: NextCommand | null;
}

export interface BoardTrack {
  id: string;
  state: TrackState;
  slices: string[];
  dependsOn: string[];
  /** Dependencies not merged yet. */
  blockedBy: string[];
  branch: string;
  branchExists: boolean;
  /** The worktree that has the track branch checked out on this machine. */
  worktree: string | null;
  readyToMerge: boolean;
  /**
   * Every slice of the track is deferred: it is done without a merge (there is nothing verified to
   * merge), merge-release does not wait for it, and merge-track refuses it.
   */
  deferred: boolean;
  /** The slice to work on next in this track, if work is possible now. */
  actionable: string | null;
  next: NextCommand | null;
}

export type WarningKind = 'missing-folder' | 'missing-spec' | 'unfilled-spec' | 'not-in-track' | 'bad-record' | 'bad-registry' | 'unreceipted-state' | 'rejected-receipt';

export interface BoardWarning {
  kind: WarningKind;
  slice?: string;
  message: string;
}

export interface BoardRelease {
  id: string;
  integrationBranch: string | null;
  releaseBranch: string;
  releaseBranchExists: boolean;
  releaseWorktree: string | null;
  /**
   * A merge brought the release branch into the integration branch: `mergeCommit`, or, once the
   * release branch is gone, a shipped receipt of the release.
   */
  mergedToIntegration: boolean;
  /** The merge commit on the integration branch's first-parent line that brought the release branch in, or null. */
  mergeCommit: string | null;
  /** Every slice is verified, shipped or deferred (and there is at least one). */
  complete: boolean;
  counts: Record<SliceState | 'total' | 'terminal' | 'unknown', number>;
  tracks: BoardTrack[];
  slices: BoardSlice[];
  warnings: BoardWarning[];
  /** Why index.md's frontmatter could not be read at all (then no track is known), or null. */
  registryError: string | null;
  /** The release-level next step (merge-release, mark-shipped), when no track has one. */
  next: NextCommand | null;
}

export interface Board {
  releaseDir: string;
  /** At least one slice, and every slice verified, shipped or deferred. */
  ready: boolean;
  releases: BoardRelease[];
}
