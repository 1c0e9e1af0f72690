import path from 'node:path';
import { OperationalError } from '../lib/errors.js';
import { readObjects, subtrees, subtreesNamed, type ObjectRequest } from '../lib/git-objects.js';
import { gitText, listWorktrees, runGit } from '../lib/git.js';
import { assertId, isId } from '../lib/ids.js';
import { readTextIfPresent } from '../lib/read-text.js';
import { jsonSizeProblem } from '../lib/json-file.js';
import { parseRegistry, sliceOwners, type Registry } from '../lib/registry.js';
import { listReleaseFolders, type Repo } from '../lib/repo.js';
import type { Board, BoardWarning, SliceRecord } from './board.js';
import { deriveRelease, toSliceRecord, type SliceInput } from './derive-board.js';
import { receiptedSlice } from './slice-receipts.js';
import { readReceipts } from '../lib/read-receipts.js';
import { historyKey, sliceHistories } from '../lib/slice-history.js';
import { findReleaseMerge, readFirstParentMerges } from '../lib/release-merge.js';

/**
 * Reading the board from git. Every release and slice is resolved from the local and remote-tracking
 * `release-wt/<release>` and `track/<release>/<track>` branches, the integration branch named in the
 * release's index.md, and the working tree. A slice's record comes from its owning track's branch,
 * else release-wt, else the working tree, else the integration branch; a `shipped` record wins
 * wherever it is. All objects are read through a fixed number of `git cat-file` processes, whatever the
 * number of branches and slices.
 */

/** A branch as the board reads it: the ref to read from, and its short name for people. */
interface BranchRef {
  ref: string;
  name: string;
  commit: string;
}

/** One place a release's files can be read from. */
interface Source {
  label: string;
  ref: string;
  commit: string;
  /** The release folder's raw tree object, when this source has the folder. */
  tree?: Buffer | undefined;
  /** Slice id to the id of its folder's tree. */
  slices: Map<string, string>;
  /** For the working tree: slice ids whose files have uncommitted changes. */
  dirty?: Set<string>;
}

/** The board of an opened repository; with `release`, only that release (an unknown one is an error). */
export async function readBoard(repo: Repo, release?: string): Promise<Board> {
  const dir = repo.config.releaseDir;
  const only = release === undefined ? undefined : assertId('release', release);
  // git status is the slowest of the first calls and only needed after round 1, so it runs alongside.
  const dirtyRead = gitText(repo.root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', dir]);
  dirtyRead.catch(() => undefined); // awaited below; this only keeps an early refusal from leaving it unhandled
  const [refs, worktrees, head, folders] = await Promise.all([
    gitText(repo.root, ['for-each-ref', '--format=%(refname)%00%(objectname)', 'refs/heads/', 'refs/remotes/']),
    listWorktrees(repo.root),
    runGit(repo.root, ['rev-parse', 'HEAD']),
    listReleaseFolders(repo),
  ]);
  const branches = readBranches(refs);
  const headCommit = head.exitCode === 0 ? head.stdout.trim() : undefined;

  const releaseIds = new Set(folders);
  for (const name of branches.keys()) {
    const match = /^(?:release-wt|track)\/([^/]+)(?:\/[^/]+)?$/.exec(name);
    if (match?.[1] && isId('release', match[1])) releaseIds.add(match[1]);
  }
  if (only !== undefined && !releaseIds.has(only)) {
    throw new OperationalError(`Release ${only} was not found: no ${dir}/${only} folder in this working tree and no release-wt or track branch for it.`, {
      fix: releaseIds.size > 0 ? `Known releases: ${[...releaseIds].sort().join(', ')}.` : 'Plan a release first.',
    });
  }
  const releases = [...releaseIds].filter((id) => only === undefined || id === only).sort();

  // Round 1: each release's folder tree in every branch that may hold it, and its index.md.
  const plans = releases.map((id) => planRelease(id, branches, headCommit));
  const firstRound: ObjectRequest[] = [];
  for (const plan of plans) {
    for (const source of plan.sources) firstRound.push({ kind: 'contents', name: `${source.ref}:${dir}/${plan.id}` });
    firstRound.push({ kind: 'contents', name: `${plan.indexSource}:${dir}/${plan.id}/index.md` });
  }
  const idLength = (headCommit ?? [...branches.values()][0]?.commit ?? '0'.repeat(40)).length;
  const first = await readObjects(repo.root, firstRound);
  let cursor = 0;
  for (const plan of plans) {
    for (const source of plan.sources) {
      const tree = first[cursor++];
      if (tree?.type === 'tree') source.tree = tree.content;
    }
    // A track branch holds every slice folder of the release; its own are picked once the registry is read.
    for (const source of [plan.releaseSource, plan.working]) if (source) source.slices = sliceFolders(source.tree, idLength);
    const index = first[cursor++];
    plan.indexText = index?.content?.toString('utf8');
  }

  // The working tree: uncommitted index.md and slice files are read from disk.
  const dirtyPaths = parseStatusPaths(await dirtyRead);
  for (const plan of plans) {
    const prefix = `${dir}/${plan.id}/`;
    const { working } = plan;
    for (const file of dirtyPaths) {
      if (!file.startsWith(prefix)) continue;
      const slice = file.slice(prefix.length).split('/')[0] ?? '';
      if (file === `${prefix}index.md` && plan.indexSource === 'HEAD') plan.indexText = await readTextIfPresent(path.join(repo.root, file));
      if (isId('slice', slice)) {
        working.dirty?.add(slice);
        if (!working.slices.has(slice)) working.slices.set(slice, '');
      }
    }
    if (plan.indexSource === 'HEAD' && headCommit === undefined) plan.indexText = await readTextIfPresent(path.join(repo.root, prefix, 'index.md'));
    plan.registry = plan.indexText === undefined ? undefined : parseRegistry(plan.indexText);
    plan.owner = plan.registry ? sliceOwners(plan.registry) : new Map();
  }

  // Round 2: the integration branch's copy of each release, when it is not a tree already read.
  const secondRound: { plan: ReleasePlan; source: Source }[] = [];
  for (const plan of plans) {
    const owned = new Map<string, string[]>();
    for (const [slice, track] of plan.owner) {
      const list = owned.get(track);
      if (list) list.push(slice);
      else owned.set(track, [slice]);
    }
    for (const [track, source] of plan.trackSources) {
      // A track's branch is the authority for its own slices only, so the other entries are not decoded.
      if (source.tree) source.slices = subtreesNamed(source.tree, owned.get(track) ?? [], idLength);
    }
    const integration = plan.registry?.integrationBranch ? branches.get(plan.registry.integrationBranch) : undefined;
    if (!integration) continue;
    const same = plan.sources.find((source) => source.commit === integration.commit);
    const source: Source = { label: integration.name, ref: integration.ref, commit: integration.commit, tree: same?.tree, slices: sliceFolders(same?.tree, idLength) };
    // Checked out with uncommitted changes, the integration branch's copy of those slices is the working tree's.
    if (integration.commit === headCommit) for (const slice of plan.working.dirty ?? []) source.slices.delete(slice);
    plan.integration = source;
    if (!same) secondRound.push({ plan, source });
  }
  const second = await readObjects(repo.root, secondRound.map(({ plan, source }) => ({ kind: 'contents', name: `${source.ref}:${dir}/${plan.id}` })));
  secondRound.forEach(({ source }, index) => {
    const tree = second[index];
    if (tree?.type === 'tree') source.slices = sliceFolders(tree.content, idLength);
  });

  // Round 3: the records. Each slice's sources in order of authority; a folder tree already read for
  // a higher source is not read twice.
  const wanted = new Map<string, { status?: number; spec?: number }>();
  const thirdRound: ObjectRequest[] = [];
  const want = (tree: string, kind: 'status' | 'spec', specContent = false) => {
    const entry = wanted.get(tree) ?? {};
    if (entry[kind] === undefined) {
      entry[kind] = thirdRound.length;
      thirdRound.push(kind === 'status' ? { kind: 'contents', name: `${tree}:status.json` } : { kind: specContent ? 'contents' : 'info', name: `${tree}:spec.md` });
    }
    wanted.set(tree, entry);
  };
  for (const plan of plans) {
    plan.candidates = candidatesFor(plan);
    for (const [, sources] of plan.candidates) {
      for (const [index, { tree }] of sources.entries()) {
        if (tree === '') continue; // a working-tree copy with uncommitted changes: read from disk
        // The spec of every source, not only the first: a shipped record elsewhere may be the one chosen.
        // Only the first source's spec (the record almost always chosen) is read whole, for its placeholders.
        want(tree, 'status');
        want(tree, 'spec', index === 0);
      }
    }
  }
  // The merges on each integration branch's first-parent line: one git call per integration branch.
  const integrations = [...new Set(plans.flatMap((plan) => (plan.integration ? [plan.integration.commit] : [])))];
  // The receipts of every release, from the branches the board reads: one git process, alongside.
  const receiptRefs = [...new Set([...(headCommit ? ['HEAD'] : []), ...plans.flatMap((plan) => [plan.releaseSource?.ref, ...[...plan.trackSources.values()].map((source) => source.ref), plan.integration?.ref])])].filter((ref): ref is string => ref !== undefined);
  const receiptsRead = readReceipts(repo.root, receiptRefs, dir);
  receiptsRead.catch(() => undefined); // awaited below
  const mergesRead = Promise.all(integrations.map(async (commit) => [commit, await readFirstParentMerges(repo.root, commit)] as const));
  mergesRead.catch(() => undefined); // awaited below
  const third = await readObjects(repo.root, thirdRound);
  const integrationMerges = new Map(await mergesRead);
  const histories = sliceHistories(await receiptsRead, dir);
  const mergeCommits = plans.map((plan) => (plan.integration ? findReleaseMerge(integrationMerges.get(plan.integration.commit) ?? [], plan.id, plan.releaseSource?.commit) : undefined));
  // baton ship records only a merged release, so once the release branch is gone its shipped receipt
  // is evidence of the merge too (whatever the merge's subject said).
  const shippedReleases = new Set([...histories.slices.values()].filter((history) => history.entries.some((entry) => entry.receipt.event === 'shipped')).map((history) => history.release));
  const merged = plans.map((plan, index) => mergeCommits[index] !== undefined || (!plan.releaseSource && shippedReleases.has(plan.id)));

  const worktreeByBranch = new Map(worktrees.filter((worktree) => worktree.branch).map((worktree) => [worktree.branch as string, worktree.path]));
  const branchNames = new Set(branches.keys());
  const boardReleases = [];
  for (const [index, plan] of plans.entries()) {
    const warnings: BoardWarning[] = [];
    const slices: SliceInput[] = [];
    for (const [slice, sources] of plan.candidates) {
      const records: { source: string; record: SliceRecord; tree: string }[] = [];
      for (const { label, tree } of sources) {
        const text = tree === '' ? await readTextIfPresent(path.join(repo.root, dir, plan.id, slice, 'status.json')) : third[wanted.get(tree)?.status ?? -1]?.content?.toString('utf8');
        if (text === undefined) continue;
        const record = parseRecord(text);
        if (typeof record === 'object') records.push({ source: label, record, tree });
        else warnings.push({ kind: 'bad-record', slice, message: `${slice}: the status.json on ${label} ${record}; it was skipped` });
      }
      const chosen = records.find((candidate) => candidate.record.state === 'shipped') ?? records[0];
      const spec = chosen ? (chosen.tree === '' ? await readSpecFromDisk(path.join(repo.root, dir, plan.id, slice, 'spec.md')) : third[wanted.get(chosen.tree)?.spec ?? -1]) : undefined;
      const hasSpec = spec !== undefined;
      if (chosen || plan.owner.has(slice)) {
        const blob = chosen && chosen.tree !== '' ? third[wanted.get(chosen.tree)?.status ?? -1]?.id : undefined;
        const proven = receiptedSlice({ slice, record: chosen?.record, blob, source: chosen?.source ?? null, history: histories.slices.get(historyKey(plan.id, slice)), maxAttempts: repo.config.maxAttempts });
        warnings.push(...proven.warnings);
        // A deferred slice's spec is never built, so its placeholders do not matter.
        if (spec?.content?.includes(FILL) && proven.record?.state !== 'deferred') {
          warnings.push({ kind: 'unfilled-spec', slice, message: `${slice}'s spec.md (read from ${chosen?.source ?? 'nowhere'}) still holds [fill: ...] placeholders; the planner fills every section` });
        }
        slices.push({ id: slice, record: proven.record, source: chosen?.source ?? null, hasSpec, receipts: proven.receipts });
      }
    }
    const registry: Registry = plan.registry ?? { release: plan.id, integrationBranch: undefined, tracks: [], problems: [`index.md was not found for ${plan.id}`] };
    boardReleases.push(deriveRelease({ id: plan.id, registry, slices, branches: branchNames, worktrees: worktreeByBranch, mergedToIntegration: merged[index] ?? false, mergeCommit: mergeCommits[index] ?? null, warnings }));
  }
  const all = boardReleases.flatMap((release) => release.slices);
  return { releaseDir: dir, ready: all.length > 0 && boardReleases.every((release) => release.complete), releases: boardReleases };
}

interface ReleasePlan {
  id: string;
  /** The places read in round 1, in the order of the requests. */
  sources: Source[];
  /** Of those: release-wt/<release>, each track's branch by track id, and the working tree. */
  releaseSource: Source | undefined;
  trackSources: Map<string, Source>;
  working: Source;
  /** The integration branch's copy of the release, whole, even when that branch is also a track's. */
  integration?: Source;
  indexSource: string;
  indexText?: string | undefined;
  registry?: Registry | undefined;
  /** Slice id to the track that owns it, from the registry. */
  owner: Map<string, string>;
  candidates: Map<string, { label: string; tree: string }[]>;
}

function planRelease(id: string, branches: Map<string, BranchRef>, headCommit: string | undefined): ReleasePlan {
  const fromBranch = (branch: BranchRef): Source => ({ label: branch.name, ref: branch.ref, commit: branch.commit, slices: new Map() });
  const releaseBranch = branches.get(`release-wt/${id}`);
  const releaseSource = releaseBranch ? fromBranch(releaseBranch) : undefined;
  const trackSources = new Map<string, Source>();
  for (const [name, branch] of branches) if (name.startsWith(`track/${id}/`)) trackSources.set(name.slice(`track/${id}/`.length), fromBranch(branch));
  const working: Source = { label: 'working tree', ref: 'HEAD', commit: headCommit ?? '', slices: new Map(), dirty: new Set() };
  const sources = [...(releaseSource ? [releaseSource] : []), ...trackSources.values(), working];
  const firstTrack = [...trackSources.values()][0];
  const indexSource = releaseSource ? releaseSource.ref : headCommit ? 'HEAD' : firstTrack?.ref ?? 'HEAD';
  return { id, sources, releaseSource, trackSources, working, indexSource, owner: new Map(), candidates: new Map() };
}

/** The template's placeholder: a spec that still holds one is not written yet. */
const FILL = Buffer.from('[fill:');

/** A spec in the working tree, as the answer cat-file would give (only its content is used). */
async function readSpecFromDisk(file: string): Promise<{ content: Buffer } | undefined> {
  const text = await readTextIfPresent(file);
  return text === undefined ? undefined : { content: Buffer.from(text) };
}

/** For each slice, the places its record may come from, most authoritative first, each folder tree once. */
function candidatesFor(plan: ReleasePlan): Map<string, { label: string; tree: string }[]> {
  const slices = new Set<string>();
  for (const source of [...plan.sources, plan.integration]) for (const slice of source?.slices.keys() ?? []) slices.add(slice);
  const result = new Map<string, { label: string; tree: string }[]>();
  for (const slice of slices) {
    const track = plan.owner.get(slice);
    const trackSource = track === undefined ? undefined : plan.trackSources.get(track);
    const seen = new Set<string>();
    const list: { label: string; tree: string }[] = [];
    for (const source of [trackSource, plan.releaseSource, plan.working, plan.integration]) {
      if (!source) continue;
      const tree = source.dirty?.has(slice) ? '' : source.slices.get(slice);
      if (tree === undefined || (tree !== '' && seen.has(tree))) continue;
      if (tree !== '') seen.add(tree);
      list.push({ label: source.label, tree });
    }
    result.set(slice, list);
  }
  return result;
}

/** Slice id to folder tree id, for every slice folder in a release folder's tree. */
function sliceFolders(tree: Buffer | undefined, idLength: number): Map<string, string> {
  const slices = new Map<string, string>();
  if (tree) for (const [name, id] of subtrees(tree, idLength)) if (isId('slice', name)) slices.set(name, id);
  return slices;
}

/** The record in a status.json text, or why it cannot be read ("is not valid JSON"). */
function parseRecord(text: string): SliceRecord | string {
  const tooLarge = jsonSizeProblem(text);
  if (tooLarge) return `cannot be read: ${tooLarge}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return 'is not valid JSON';
    throw error;
  }
  return toSliceRecord(value) ?? 'is not a JSON object';
}

/** Local branches first, then origin's, then any other remote's, by short name. */
function readBranches(output: string): Map<string, BranchRef> {
  const local = new Map<string, BranchRef>();
  const remote = new Map<string, BranchRef>();
  for (const line of output.split('\n')) {
    const [ref = '', commit = ''] = line.split('\0');
    if (ref.startsWith('refs/heads/')) {
      const name = ref.slice('refs/heads/'.length);
      local.set(name, { ref, name, commit });
    } else if (ref.startsWith('refs/remotes/')) {
      const [remoteName = '', ...rest] = ref.slice('refs/remotes/'.length).split('/');
      const name = rest.join('/');
      if (name === 'HEAD' || name === '') continue;
      const existing = remote.get(name);
      if (!existing || (remoteName === 'origin' && !existing.name.startsWith('origin/'))) remote.set(name, { ref, name: `${remoteName}/${name}`, commit });
    }
  }
  for (const [name, branch] of remote) if (!local.has(name)) local.set(name, branch);
  return local;
}

function parseStatusPaths(output: string): string[] {
  return output.split('\0').filter((entry) => entry.length > 3).map((entry) => entry.slice(3));
}
