import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { isMap, isSeq, YAMLSeq, type Document } from 'yaml';
import { FindingError, OperationalError, UsageError } from '../lib/errors.js';
import { editFrontmatter } from '../lib/frontmatter-edit.js';
import { currentBranch } from '../lib/git.js';
import { assertId, assertNewReleaseId } from '../lib/ids.js';
import { isBranchName } from '../lib/registry.js';
import { pathExists, readTextIfPresent } from '../lib/read-text.js';
import { schemaProblems } from '../lib/status.js';
import { TEMPLATE_VARIABLES } from '../lib/template-vocabulary.js';
import { commitChange, newReceipt, releaseContext, releaseDocsWorktree, timestamp, type ChangeReport, type LockedIo, type RecordWrite } from './records.js';

/** Creating a release and its slices from the templates, and registering slices in index.md. */

export interface ScaffoldIo extends LockedIo {
  /** The folder holding the release-artefact templates (beside the tool: <pack dir>/templates). */
  templatesDir: string;
}

type TemplateValues = Partial<Record<(typeof TEMPLATE_VARIABLES)[number], string>>;

/** Fills one template; a variable the template uses but was not given is an error, not an empty field. */
async function renderTemplate(templatesDir: string, name: string, values: TemplateValues): Promise<string> {
  let source: string;
  try {
    source = await readFile(path.join(templatesDir, name), 'utf8');
  } catch (error) {
    throw new OperationalError(`The template ${name} is missing from ${templatesDir}.`, { cause: error, fix: 'Reinstall the pack with baton-install.' });
  }
  const hb = Handlebars.create();
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hb.registerHelper('yaml', (value: unknown) => `'${String(value).replace(/'/g, "''")}'`);
  return hb.compile(source, { noEscape: true, strict: true })(values);
}

/** "2026-11-21-billing-export" becomes "Billing export". */
function titleFromId(id: string): string {
  const words = id.replace(/^\d{4}-\d{2}-\d{2}-/, '').replace(/^[ST]\d+[a-z]?-/, '').split('-');
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function checkTitle(title: string): string {
  const clean = title.trim();
  if (clean === '' || /[\r\n]/.test(clean)) throw new UsageError('The title must be one non-empty line.', { fix: 'Pass --title "<a user outcome in a few words>".' });
  return clean;
}

export async function newRelease(io: ScaffoldIo, options: { release: string; integrationBranch?: string | undefined; title?: string | undefined }): Promise<ChangeReport> {
  const release = assertNewReleaseId(options.release);
  const { repo } = io;
  const folder = path.join(repo.root, repo.config.releaseDir, release);
  if (await pathExists(folder)) throw new FindingError(`Release ${release} already exists at ${folder}.`, { fix: 'Continue it with the plan-release command, or choose another name.' });
  const branch = options.integrationBranch ?? (await currentBranch(repo.root));
  if (!branch) throw new UsageError('HEAD is detached, so there is no current branch to integrate into.', { fix: 'Pass --integration-branch <branch>.' });
  if (!isBranchName(branch)) {
    throw new UsageError(`"${branch}" is not a branch name.`, { fix: 'Pass --integration-branch with a local branch name as git accepts it (git check-ref-format --branch), such as main or release/2026: not HEAD, not refs/heads/...' });
  }
  const now = io.now();
  const values: TemplateValues = {
    release,
    title: checkTitle(options.title ?? titleFromId(release)),
    date: now.toISOString().slice(0, 10),
    datetime: timestamp(now),
    integrationBranch: branch,
    releaseDir: repo.config.releaseDir,
  };
  const report: ChangeReport = { command: 'new-release', changes: [`Release ${release} created, integrating into ${branch}.`], files: [], commits: [] };
  const writes: RecordWrite[] = [];
  for (const name of ['intake.md', 'index.md']) writes.push({ root: repo.root, file: path.join(folder, name), content: await renderTemplate(io.templatesDir, name, values) });
  const receipt = newReceipt(io, 'release-opened', { release });
  await commitChange(report, { worktree: repo.root, writes, subject: `docs(release/${release}): open release`, body: report.changes.join('\n'), receipt });
  return report;
}

export interface NewSliceOptions {
  slice: string;
  release: string;
  track: string;
  dependsOn: string[];
  title?: string | undefined;
}

export async function newSlice(io: ScaffoldIo, options: NewSliceOptions): Promise<ChangeReport> {
  const slice = assertId('slice', options.slice);
  const release = assertId('release', options.release);
  const trackId = assertId('track', options.track);
  const dependsOn = options.dependsOn.map((id) => assertId('track', id));
  const { repo, release: onBoard } = await releaseContext(io, release);
  if (onBoard.slices.some((candidate) => candidate.id === slice)) throw new FindingError(`${slice} already exists in ${release}.`, { fix: 'Choose a new slice id (a letter suffix such as S03a is allowed).' });
  const track = onBoard.tracks.find((candidate) => candidate.id === trackId);
  if (track?.state === 'merged') throw new FindingError(`${trackId} is already merged into release-wt/${release}.`, { fix: 'Put the slice in a new track (with --depends-on if it needs that work).' });
  // Repeating a track's dependencies for each of its slices is fine; changing them is not.
  if (track && dependsOn.length > 0 && [...new Set(dependsOn)].sort().join() !== [...track.dependsOn].sort().join()) {
    throw new UsageError(`${trackId} already exists and depends on ${track.dependsOn.join(', ') || 'nothing'}; its dependencies were set when it was created.`, { fix: 'Leave out --depends-on, or create a new track.' });
  }
  for (const dependency of dependsOn) {
    if (!onBoard.tracks.some((candidate) => candidate.id === dependency)) throw new FindingError(`--depends-on ${dependency}: no such track in ${release}.`, { fix: `Tracks: ${onBoard.tracks.map((t) => t.id).join(', ') || 'none yet'}.` });
  }

  const indexRoot = await releaseDocsWorktree(repo, onBoard);
  let sliceRoot = indexRoot;
  if (track?.branchExists) {
    if (!track.worktree) throw new FindingError(`${track.branch} is not checked out on this machine, and the new slice's folder belongs there.`, { fix: `Check it out first: baton worktree <a slice of ${trackId}> ${release}` });
    sliceRoot = track.worktree;
  }
  const now = io.now();
  const values: TemplateValues = { release, slice, track: trackId, title: checkTitle(options.title ?? titleFromId(slice)), date: now.toISOString().slice(0, 10), datetime: timestamp(now), releaseDir: repo.config.releaseDir };
  const folder = path.join(sliceRoot, repo.config.releaseDir, release, slice);
  if (await pathExists(folder)) throw new FindingError(`${folder} already exists.`, { fix: 'Remove it, or choose another slice id.' });

  const report: ChangeReport = { command: 'new-slice', changes: [], files: [], commits: [] };
  const rendered: [string, string][] = [];
  for (const name of ['spec.md', 'proof.md', 'journal.md', 'status.json']) rendered.push([name, await renderTemplate(io.templatesDir, name, values)]);
  const status = JSON.parse(rendered[3]?.[1] ?? '{}') as unknown;
  const problems = schemaProblems(status);
  if (problems.length > 0) throw new OperationalError(`The status template does not produce a valid status.json: ${problems.join('; ')}.`, { fix: 'Reinstall the pack; the templates were changed.' });

  const indexFile = path.join(indexRoot, repo.config.releaseDir, release, 'index.md');
  const indexText = await readTextIfPresent(indexFile);
  if (indexText === undefined) throw new FindingError(`${indexFile} does not exist.`, { fix: 'Create the release with baton new-release.' });
  const edited = editFrontmatter(indexText, indexFile, (document) => registerSlice(document, trackId, slice, dependsOn));
  const sliceWrites: RecordWrite[] = rendered.map(([name, content]) => ({ root: sliceRoot, file: path.join(folder, name), content }));
  const indexWrite: RecordWrite = { root: indexRoot, file: indexFile, content: edited };
  const registered = track ? `${slice} appended to ${trackId} in index.md (now ${[...track.slices, slice].join(', ')}).` : `Track ${trackId} created in index.md with ${slice}${dependsOn.length ? `, depending on ${dependsOn.join(', ')}` : ''}.`;
  report.changes.push(`${slice} created from the templates in ${folder}.`, registered);
  const subject = `docs(release/${release}/${slice}): plan slice in ${trackId}`;
  // The commit is read in every clone: it names the folder from the repository root, not this machine's path.
  const body = [`${slice} created from the templates in ${repo.config.releaseDir}/${release}/${slice}.`, registered].join('\n');
  const planned = newReceipt(io, 'slice-planned', { release, track: trackId, slice, state: 'planned' });
  if (indexRoot === sliceRoot) {
    await commitChange(report, { worktree: sliceRoot, writes: [...sliceWrites, indexWrite], subject, body, receipt: planned });
  } else {
    // Once the track has its branch, the slice's folder lives there and the registry on release-wt: two commits.
    await commitChange(report, { worktree: sliceRoot, writes: sliceWrites, subject, body, receipt: planned });
    await commitChange(report, { worktree: indexRoot, writes: [indexWrite], subject, body, receipt: newReceipt(io, 'track-changed', { release, track: trackId }) });
  }
  return report;
}

/** Appends a slice to its track in the `tracks:` registry, creating the track when it is new. */
function registerSlice(document: Document, trackId: string, slice: string, dependsOn: string[]): void {
  let tracks = document.get('tracks');
  if (tracks !== undefined && tracks !== null && !isSeq(tracks)) throw new FindingError('index.md: tracks is not a list.', { fix: 'Restore index.md from git.' });
  if (!isSeq(tracks) || tracks.items.length === 0) {
    // An empty registry is written `tracks: []`; the first track turns it into a block list.
    const fresh = new YAMLSeq();
    document.set('tracks', fresh);
    tracks = fresh;
  }
  const list = tracks as YAMLSeq;
  const existing = list.items.find((item) => isMap(item) && item.get('id') === trackId);
  if (existing && isMap(existing)) {
    const slices = existing.get('slices');
    if (isSeq(slices)) slices.add(slice);
    else existing.set('slices', flowList([slice], document));
    return;
  }
  const entry = document.createNode({ id: trackId, slices: [slice], depends_on: dependsOn, state: 'planned' });
  for (const key of ['slices', 'depends_on']) {
    const value = entry.get(key);
    if (isSeq(value)) value.flow = true;
  }
  list.add(entry);
}

function flowList(items: string[], document: Document): YAMLSeq {
  const node = document.createNode(items) as YAMLSeq;
  node.flow = true;
  return node;
}
