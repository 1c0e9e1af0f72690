import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, OperationalError } from '../lib/errors.js';
import { readObjects, type GitObject } from '../lib/git-objects.js';
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
import { pass, skip, type CheckId, type CheckResult, type VerifyReport } from './report.js';

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
  const sliceDir = slicePath(repo, release, slice);
  const read = at === undefined
    ? (file: string) => readTextIfPresent(path.join(repo.root, file))
    : await commitReader(repo.root, at, [...['status.json', 'spec.md', 'proof.md', 'journal.md'].map((name) => `${sliceDir}/${name}`), `${releasePath(repo, release)}/index.md`]);
  const statusText = await read(`${sliceDir}/status.json`);
  const parsed = statusText === undefined ? { status: undefined, problems: [] } : safeStatus(statusText, `${sliceDir}/status.json`);
  return { repo, slice, release, sliceDir, statusText, parsed, read };
}

/**
 * Reads files as they are in a commit. The record files a check needs are read at once, with one
 * git process; any other file is read on its own. Undefined for a file the commit does not have.
 */
async function commitReader(root: string, commit: string, files: string[]): Promise<(file: string) => Promise<string | undefined>> {
  const text = (object: GitObject | undefined) => (object?.type === 'blob' ? object.content?.toString('utf8') : undefined);
  const objects = await readObjects(root, files.map((file) => ({ kind: 'contents', name: `${commit}:${file}` })));
  const read = new Map(files.map((file, index) => [file, text(objects[index])]));
  return async (file) => (read.has(file) ? read.get(file) : text((await readObjects(root, [{ kind: 'contents', name: `${commit}:${file}` }]))[0]));
}

/**
 * Resolves the base and starts reading the slice's changes from it, by the one shared definition; the
 * caller awaits the changes when it needs them. A status.json that cannot be read may leave no base
 * (undefined) and no changes; `startCommit` then comes from the last record a receipt wrote.
 */
async function startChanges(setup: SliceSetup, options: VerifyOptions, lines: ReadChangesOptions['lines'], startCommit: StartCommit): Promise<{ base: Base | undefined; changes: Promise<SliceChanges> }> {
  const { repo, slice, release, parsed } = setup;
  const base = await resolveBase(setup, options.base, startCommit);
  if (!base) return { base, changes: Promise.resolve({ base: '', files: [] }) };
  const end = options.at ?? verifiedEnd(parsed.status);
  const changes = readSliceChanges(repo.root, base.commit, { exclude: ownRecord(repo, release, slice), lines, ...(end ? { end } : {}) });
  changes.catch(() => undefined); // reported where it is awaited, not as an unhandled rejection
  return { base, changes };
}

/** The slice's changed files (no line text), from the base verify would use: `baton changed-files`. */
export async function sliceChanges(options: VerifyOptions): Promise<{ changes: SliceChanges; baseSource: string }> {
  const setup = await setUp(options);
  const { base, changes } = await startChanges(setup, options, 'none', await startCommitOf(setup, options));
  if (!base) throw noBaseError(setup);
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
  const receiptsRead = readRecordReceipts(repo, options.at ?? 'HEAD', release, slice, statusText, parsed.status?.state);
  receiptsRead.catch(() => undefined); // awaited below
  const { base, changes: changesRead } = await startChanges(setup, options, markerWords.lines, await startCommitOf(setup, options, receiptsRead));
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

  // Without a base there are no changes to judge: the checks of the work say why they did not run.
  const noBase = base ? undefined : `there is no diff base: ${noBaseReason(setup)}; ${noBaseFix(setup)}`;
  const onChanges = (id: CheckId, run: () => CheckResult): CheckResult => (noBase ? skip(id, noBase) : run());
  const checks: CheckResult[] = [
    record.checkArtefacts(context),
    record.checkStatusSchema(context),
    record.checkReceipts(context),
    record.checkState(context),
    base ? pass('base', `diffing from ${base.commit.slice(0, 12)} (${base.source})`, [base.commit]) : skip('base', noBase ?? ''),
    onChanges('diff-nonempty', () => work.checkDiffNonEmpty(context)),
    onChanges('dark-code', () => work.checkDarkCode(context, proofSections)),
    work.checkProofSections(context, proofSections),
    work.checkProofPlaceholders(context, proofSections),
    onChanges('proof-files', () => work.checkProofFiles(context, proofSections)),
    onChanges('touchpoints', () => work.checkTouchpoints(context, specSections, proofSections)),
    record.checkSpecFrontmatter(context),
    await record.checkReachability(context),
    record.checkTestCommands(context),
  ];
  return { report: { slice, release, base: base?.commit ?? null, verdict: checks.some((check) => check.status === 'fail') ? 'FAIL' : 'PASS', checks }, changes, spec, proof };
}

/** What the receipts say about the status.json being checked. */
export interface RecordReceipts {
  /** Receipts of this slice reachable from the commit checked. */
  count: number;
  /** The receipt that wrote this exact status.json, if one did. */
  writtenBy: { event: string; commit: string } | undefined;
  /** The state the receipts prove: the newest receipt's. */
  proven: SliceState | undefined;
  /** The newest receipt of the slice and the status.json blob it wrote. */
  last: { commit: string; statusBlob: string } | undefined;
}

/** One git log of the slice's folder up to `commit`: the receipts that wrote its records. */
async function readRecordReceipts(repo: Repo, commit: string, release: string, slice: string, statusText: string | undefined, recorded: SliceState | undefined): Promise<RecordReceipts> {
  const dir = slicePath(repo, release, slice);
  const commits = await readReceipts(repo.root, [commit], dir);
  const entries = sliceHistories(commits, repo.config.releaseDir).slices.get(historyKey(release, slice))?.entries ?? [];
  const blob = statusText === undefined ? undefined : gitBlobId(statusText, commits[0]?.commit.length ?? 40);
  // As on the board: the newest receipt wrote the record, and the record is in the state it names.
  const newest = entries.at(-1);
  const written = newest !== undefined && newest.statusBlob === blob && newest.receipt.state === recorded;
  return {
    count: entries.length,
    writtenBy: written ? { event: newest.receipt.event, commit: newest.commit } : undefined,
    proven: newest?.receipt.state,
    last: newest ? { commit: newest.commit, statusBlob: newest.statusBlob } : undefined,
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

/** The problems that keep a status.json from being used: conflict markers, a JSON error, schema violations. */
function safeStatus(text: string, file: string): { status: SliceStatus | undefined; problems: string[] } {
  // A merge that left the record unresolved: say so, rather than "not valid JSON" at its first marker.
  const conflict = text.split(/\r?\n/).findIndex((line) => /^(?:<{7}|>{7})(?: |$)|^={7}$/.test(line));
  if (conflict !== -1) return { status: undefined, problems: [`line ${conflict + 1}: a merge-conflict marker (${text.split(/\r?\n/)[conflict]?.slice(0, 40)}): a merge left the record unresolved`] };
  try {
    return parseStatus(text, file);
  } catch (error) {
    if (error instanceof JsonError) return { status: undefined, problems: [error.line === undefined ? error.problem : `line ${error.line}: ${error.problem}`] };
    throw error;
  }
}

/** Where the slice's start commit was read from, when there is one. */
type StartCommit = { commit: string; source: string } | undefined;
type Base = { commit: string; source: string };

/**
 * The slice's start commit: its record's start_commit; for a status.json that cannot be read, the
 * start_commit of the last record a receipt wrote (its receipts are read for that only then).
 */
async function startCommitOf(setup: SliceSetup, options: VerifyOptions, receiptsRead?: Promise<RecordReceipts>): Promise<StartCommit> {
  const { repo, release, slice, statusText, parsed } = setup;
  if (parsed.status) return parsed.status.start_commit ? { commit: parsed.status.start_commit, source: 'start_commit' } : undefined;
  if (statusText === undefined || options.base !== undefined) return undefined;
  const receipts = await (receiptsRead ?? readRecordReceipts(repo, options.at ?? 'HEAD', release, slice, statusText, undefined));
  if (!receipts.last) return undefined;
  const [object] = await readObjects(repo.root, [{ kind: 'contents', name: receipts.last.statusBlob }]);
  const text = object?.type === 'blob' ? object.content?.toString('utf8') : undefined;
  const start = text === undefined ? undefined : safeStatus(text, `${setup.sliceDir}/status.json`).status?.start_commit;
  return start ? { commit: start, source: `start_commit of the record receipted in ${receipts.last.commit.slice(0, 12)}, as status.json cannot be read` } : undefined;
}

/** Whether the record is there but cannot be used: not JSON, a key twice, conflict markers, the wrong schema. */
function recordBroken(setup: SliceSetup): boolean {
  return setup.statusText !== undefined && setup.parsed.status === undefined;
}

function noBaseReason(setup: SliceSetup): string {
  const { slice, release } = setup;
  if (recordBroken(setup)) return `${setup.sliceDir}/status.json cannot be read (${setup.parsed.problems[0] ?? 'see status-schema'}), no baton receipt recorded a start_commit for ${slice}, and there is no release-wt/${release} branch`;
  if (setup.statusText === undefined) return `${slice} has no status.json and there is no release-wt/${release} branch`;
  return `${slice} has no start_commit (it was never started with baton start) and there is no release-wt/${release} branch`;
}

function noBaseFix(setup: SliceSetup): string {
  if (recordBroken(setup)) return `restore ${setup.sliceDir}/status.json from git, or pass --base <ref>`;
  return `start the slice with baton start ${setup.slice}, or pass --base <ref>`;
}

function noBaseError(setup: SliceSetup): OperationalError {
  const fix = noBaseFix(setup);
  return new OperationalError(`There is no diff base for ${setup.slice}: ${noBaseReason(setup)}.`, { fix: `${fix.charAt(0).toUpperCase()}${fix.slice(1)}.` });
}

/**
 * The diff base: `--base`, else the slice's start commit, else the merge-base of HEAD with
 * release-wt/<release>. Never the integration branch by default: a slice's diff against main would
 * contain every other slice of the release. A base that does not resolve is an operational error; so
 * is no base at all for a readable record. For a record that cannot be read there may be none
 * (undefined): that record is a finding, and verify reports it.
 */
async function resolveBase(setup: SliceSetup, option: string | undefined, start: StartCommit): Promise<Base | undefined> {
  const { repo, release, slice } = setup;
  if (option !== undefined) {
    const commit = await resolveCommit(repo.root, option);
    if (!commit) throw new OperationalError(`--base ${option} does not name a commit in this repository.`, { fix: 'Pass a branch, tag or commit id that exists here.' });
    return { commit, source: `--base ${option}` };
  }
  if (start) {
    const commit = await resolveCommit(repo.root, start.commit);
    if (!commit) {
      throw new OperationalError(`The start_commit ${start.commit} recorded for ${slice} is not in this repository.`, {
        fix: 'Fetch the branch that holds it (git fetch), or pass --base <ref> explicitly.',
      });
    }
    return { commit, source: start.source };
  }
  for (const ref of [`refs/heads/release-wt/${release}`, `refs/remotes/origin/release-wt/${release}`]) {
    // merge-base fails alike for a missing ref and an unborn HEAD.
    const commit = await mergeBase(repo.root, 'HEAD', ref);
    if (commit) return { commit, source: `merge-base with ${ref.replace(/^refs\/(heads|remotes)\//, '')}` };
  }
  if (recordBroken(setup)) return undefined;
  throw noBaseError(setup);
}
