import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, OperationalError } from '../lib/errors.js';
import { readObjects } from '../lib/git-objects.js';
import { readReceipts } from '../lib/read-receipts.js';
import { gitBlobId } from '../lib/receipt.js';
import { historyKey, sliceHistories } from '../lib/slice-history.js';
import { mergeBase, resolveCommit } from '../lib/git.js';
import { assertId } from '../lib/ids.js';
import { JsonError } from '../lib/json-file.js';
import { readTextIfPresent } from '../lib/read-text.js';
import { locateSlice, openRepo, releasePath, slicePath, type Repo } from '../lib/repo.js';
import { readSliceChanges, type ReadChangesOptions, type SliceChanges } from '../lib/slice-changes.js';
import { parseStatus, type SliceState, type SliceStatus } from '../lib/status.js';
import { markers, type Markers } from './markers.js';
import { pass, type CheckResult, type VerifyReport } from './report.js';

export interface VerifyOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  slice: string;
  release?: string | undefined;
  /** `--base`: overrides the slice's start_commit. */
  base?: string | undefined;
  /**
   * Check as if the slice were already `implemented` (used by `baton transition`, which must not let
   * a slice claim `implemented` that would fail the checks made at that state).
   */
  asImplemented?: boolean;
  /**
   * Check the slice as it is in this commit rather than in the working tree: its record files are read
   * from the commit and its changes end there. The receipts use it: `implemented`, the verdict and the
   * merge-track gate each compute the report at the candidate commit, so the three agree byte for byte.
   * Needs `release`.
   */
  at?: string | undefined;
}

/** Everything the checks read, gathered once. */
export interface VerifyContext {
  repo: Repo;
  release: string;
  slice: string;
  /** Repository-relative folder of the slice. */
  sliceDir: string;
  spec: string | undefined;
  proof: string | undefined;
  journal: string | undefined;
  statusText: string | undefined;
  index: string | undefined;
  status: SliceStatus | undefined;
  /** The marker words the dark-code check looks for, and its matchers. */
  markers: Markers;
  /** Why status.json could not be used: a JSON error or schema problems. */
  statusProblems: string[];
  /** The state the checks judge (the recorded one, or `implemented` for a transition). */
  state: SliceState | undefined;
  changes: SliceChanges;
  /** What the slice's receipts say about its status.json (docs/receipts.md). */
  receipts: RecordReceipts;
  /** Whether a repository-relative file exists where the slice is checked (the working tree, or the commit). */
  exists(file: string): Promise<boolean>;
}

interface SliceSetup {
  repo: Repo;
  slice: string;
  release: string;
  sliceDir: string;
  statusText: string | undefined;
  parsed: { status: SliceStatus | undefined; problems: string[] };
  /** Reads a repository-relative file where the slice is checked. */
  read(file: string): Promise<string | undefined>;
}

/** Validates the ids, opens the repository, finds the slice and reads its status record. */
async function setUp(options: VerifyOptions): Promise<SliceSetup> {
  const slice = assertId('slice', options.slice);
  const repo = await openRepo(options.cwd, options.env);
  const at = options.at;
  const release = at !== undefined ? assertId('release', options.release ?? '') : await locateSlice(repo, slice, options.release === undefined ? undefined : assertId('release', options.release));
  const read = at === undefined ? (file: string) => readTextIfPresent(path.join(repo.root, file)) : (file: string) => readAtCommit(repo.root, at, file);
  const sliceDir = slicePath(repo, release, slice);
  const statusText = await read(`${sliceDir}/status.json`);
  const parsed = statusText === undefined ? { status: undefined, problems: [] } : safeStatus(statusText, `${sliceDir}/status.json`);
  return { repo, slice, release, sliceDir, statusText, parsed, read };
}

/** A file's text in a commit, or undefined when the commit does not have it. */
async function readAtCommit(root: string, commit: string, file: string): Promise<string | undefined> {
  const [object] = await readObjects(root, [{ kind: 'contents', name: `${commit}:${file}` }]);
  return object?.type === 'blob' ? object.content?.toString('utf8') : undefined;
}

/**
 * Resolves the base and starts reading the slice's changes from it, by the one shared definition; the
 * caller awaits the changes when it needs them.
 */
async function startChanges(setup: SliceSetup, options: VerifyOptions, lines: ReadChangesOptions['lines']): Promise<{ base: { commit: string; source: string }; changes: Promise<SliceChanges> }> {
  const { repo, slice, release, parsed } = setup;
  const base = await resolveBase(repo, release, slice, options.base, parsed.status?.start_commit ?? undefined);
  const end = options.at ?? verifiedEnd(parsed.status);
  const changes = readSliceChanges(repo.root, base.commit, { exclude: ownRecord(repo, release, slice), lines, ...(end ? { end } : {}) });
  changes.catch(() => undefined); // reported where it is awaited, not as an unhandled rejection
  return { base, changes };
}

/** The slice's changed files (no line text), from the base verify would use: `baton changed-files`. */
export async function sliceChanges(options: VerifyOptions): Promise<{ changes: SliceChanges; baseSource: string }> {
  const { base, changes } = await startChanges(await setUp(options), options, 'none');
  return { changes: await changes, baseSource: base.source };
}

/**
 * Runs every check on one slice; returns the report and the changes it was computed from (baton
 * transition records them). Throws an OperationalError (exit 2, no verdict) when it cannot check.
 */
export async function verifySlice(options: VerifyOptions): Promise<{ report: VerifyReport; changes: SliceChanges; spec: string | undefined; proof: string | undefined }> {
  const setup = await setUp(options);
  const { repo, slice, release, sliceDir, statusText, parsed, read } = setup;
  // Start git first; the Markdown and YAML readers and the checks load while git works.
  const markerWords = markers(repo.config.darkCodeMarkers);
  const { base, changes: changesRead } = await startChanges(setup, options, markerWords.lines);
  const receiptsRead = readRecordReceipts(repo, options.at ?? 'HEAD', release, slice, statusText);
  receiptsRead.catch(() => undefined); // awaited below
  const [{ readSections }, record, work, spec, proof, journal, index] = await Promise.all([
    import('../lib/markdown.js'),
    import('./checks-record.js'),
    import('./checks-work.js'),
    read(`${sliceDir}/spec.md`),
    read(`${sliceDir}/proof.md`),
    read(`${sliceDir}/journal.md`),
    read(`${releasePath(repo, release)}/index.md`),
  ]);
  const proofSections = proof === undefined ? undefined : readSections(proof);
  const specSections = spec === undefined ? undefined : readSections(spec);
  const recorded = parsed.status?.state;
  const receipts = await receiptsRead;
  // The state is the one the receipts prove; a record they do not vouch for is judged at that state.
  const proven = receipts.proven ?? recorded;
  const state = options.asImplemented && proven === 'in_progress' ? 'implemented' : proven;
  const changes = await changesRead;
  const at = options.at;
  const exists = at === undefined ? (file: string) => existsInWorkingTree(repo.root, file) : async (file: string) => (await readObjects(repo.root, [{ kind: 'info', name: `${at}:${file}` }]))[0] !== undefined;
  const context: VerifyContext = { repo, release, slice, sliceDir, spec, proof, journal, statusText, index, markers: markerWords, status: parsed.status, statusProblems: parsed.problems, state, changes, receipts, exists };

  const checks: CheckResult[] = [
    record.checkArtefacts(context),
    record.checkStatusSchema(context),
    record.checkReceipts(context),
    record.checkState(context),
    pass('base', `diffing from ${base.commit.slice(0, 12)} (${base.source})`, [base.commit]),
    work.checkDiffNonEmpty(context),
    work.checkDarkCode(context, proofSections),
    work.checkProofSections(context, proofSections),
    work.checkProofPlaceholders(context, proofSections),
    work.checkProofFiles(context, proofSections),
    work.checkTouchpoints(context, specSections, proofSections),
    record.checkSpecFrontmatter(context),
    await record.checkReachability(context),
    record.checkTestCommands(context),
  ];
  return { report: { slice, release, base: base.commit, verdict: checks.some((check) => check.status === 'fail') ? 'FAIL' : 'PASS', checks }, changes, spec, proof };
}

/** What the receipts say about the status.json being checked. */
export interface RecordReceipts {
  /** Receipts of this slice reachable from the commit checked. */
  count: number;
  /** The receipt that wrote this exact status.json, if one did. */
  writtenBy: { event: string; commit: string } | undefined;
  /** The state the receipts prove (of the matching receipt, else the newest). */
  proven: SliceState | undefined;
}

/** One git log of the slice's folder up to `commit`: the receipts that wrote its records. */
async function readRecordReceipts(repo: Repo, commit: string, release: string, slice: string, statusText: string | undefined): Promise<RecordReceipts> {
  const dir = slicePath(repo, release, slice);
  const commits = await readReceipts(repo.root, [commit], dir);
  const entries = sliceHistories(commits, repo.config.releaseDir).slices.get(historyKey(release, slice))?.entries ?? [];
  const blob = statusText === undefined ? undefined : gitBlobId(statusText, commits[0]?.commit.length ?? 40);
  const matched = entries.findLast((entry) => entry.statusBlob === blob);
  return {
    count: entries.length,
    writtenBy: matched ? { event: matched.receipt.event, commit: matched.commit } : undefined,
    proven: (matched ?? entries.at(-1))?.receipt.state,
  };
}

/**
 * A verified (or shipped) slice's work ends at the commit its PASS was given on: later slices of the
 * same track are on the same branch, and are not its work.
 */
function verifiedEnd(status: SliceStatus | undefined): string | undefined {
  const passed = status && (status.state === 'verified' || status.state === 'shipped') && status.verification.result === 'pass';
  return passed ? status.verification.commit ?? undefined : undefined;
}

/** The slice's own record folder (spec, proof, journal, status) is bookkeeping, not the slice's work. */
function ownRecord(repo: Repo, release: string, slice: string): (file: string) => boolean {
  const prefix = `${slicePath(repo, release, slice)}/`;
  return (file) => file.startsWith(prefix);
}

async function existsInWorkingTree(root: string, file: string): Promise<boolean> {
  try {
    await lstat(path.join(root, file));
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false;
    throw error;
  }
}

function safeStatus(text: string, file: string): { status: SliceStatus | undefined; problems: string[] } {
  try {
    return parseStatus(text, file);
  } catch (error) {
    if (error instanceof JsonError) return { status: undefined, problems: [`line ${error.line}: ${error.problem}`] };
    throw error;
  }
}

/**
 * The diff base: `--base`, else the slice's start_commit, else the merge-base of HEAD with
 * release-wt/<release>. Never the integration branch by default: a slice's diff against main would
 * contain every other slice of the release. A base that does not resolve is an operational error.
 */
async function resolveBase(repo: Repo, release: string, slice: string, option: string | undefined, startCommit: string | undefined): Promise<{ commit: string; source: string }> {
  if (option !== undefined) {
    const commit = await resolveCommit(repo.root, option);
    if (!commit) throw new OperationalError(`--base ${option} does not name a commit in this repository.`, { fix: 'Pass a branch, tag or commit id that exists here.' });
    return { commit, source: `--base ${option}` };
  }
  if (startCommit) {
    const commit = await resolveCommit(repo.root, startCommit);
    if (!commit) {
      throw new OperationalError(`The start_commit ${startCommit} recorded for ${slice} is not in this repository.`, {
        fix: 'Fetch the branch that holds it (git fetch), or pass --base <ref> explicitly.',
      });
    }
    return { commit, source: 'start_commit' };
  }
  for (const ref of [`refs/heads/release-wt/${release}`, `refs/remotes/origin/release-wt/${release}`]) {
    // merge-base fails alike for a missing ref and an unborn HEAD.
    const commit = await mergeBase(repo.root, 'HEAD', ref);
    if (commit) return { commit, source: `merge-base with ${ref.replace(/^refs\/(heads|remotes)\//, '')}` };
  }
  throw new OperationalError(`There is no diff base for ${slice}: it has no start_commit (it was never started with baton start) and there is no release-wt/${release} branch.`, {
    fix: `Start the slice with baton start ${slice}, or pass --base <ref>.`,
  });
}
