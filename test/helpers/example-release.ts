import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { GIT_ENV } from './testdir.js';

/**
 * Builds the example release (test/fixtures/example-release) into a real repository by doing what the
 * protocol's sessions do, with the real baton commands: plan three slices in two tracks, implement and
 * verify S01-export-csv, implement S02-export-filter (left for its verifier), leave S03-export-pdf
 * planned. The documents come from the fixture, so what a reader sees there is what the tools check.
 */

export const EXAMPLE_RELEASE = '2026-11-21-invoice-export';

/** The tests' isolated git, with the example's own author in its history. */
const EXAMPLE_GIT_ENV = { ...GIT_ENV, GIT_AUTHOR_NAME: 'Example', GIT_AUTHOR_EMAIL: 'example@example.com', GIT_COMMITTER_NAME: 'Example', GIT_COMMITTER_EMAIL: 'example@example.com' };

export interface ExampleOptions {
  /** The folder holding the fixture (app/, release/, changes/, verdicts/). */
  fixture: string;
  /** The built baton program, dist/baton.mjs. */
  baton: string;
  /** An empty folder to build in; the repository goes to <folder>/invoices-app. */
  folder: string;
}

export interface Example {
  repo: string;
  trackWorktree: string;
  releaseWorktree: string;
}

export async function buildExampleRelease(options: ExampleOptions): Promise<Example> {
  const repo = path.join(options.folder, 'invoices-app');
  const rel = EXAMPLE_RELEASE;
  const docs = (root: string, ...parts: string[]) => path.join(root, 'docs/release', rel, ...parts);
  const fixture = (...parts: string[]) => path.join(options.fixture, ...parts);
  const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: EXAMPLE_GIT_ENV });
  const baton = async (cwd: string, ...args: string[]) => {
    const result = await execa('node', [options.baton, ...args], { cwd, env: EXAMPLE_GIT_ENV, reject: false });
    if (result.exitCode !== 0) throw new Error(`baton ${args.join(' ')} exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  const commit = async (cwd: string, message: string) => {
    await git(cwd, 'add', '--all');
    await git(cwd, 'commit', '--quiet', '-m', message);
  };

  // The code base before the release, and where its worktrees go.
  await cp(fixture('app'), repo, { recursive: true });
  await writeFile(path.join(repo, '.gitignore'), 'node_modules/\n');
  await git(repo, 'init', '--quiet', '--initial-branch=main');
  await commit(repo, 'The invoices app before the export release');
  await mkdir(path.join(repo, '.baton'));
  await writeFile(path.join(repo, '.baton/config.json'), `${JSON.stringify({ worktreeRoot: '../worktrees' }, null, 2)}\n`);
  await commit(repo, 'Keep baton worktrees beside the repository');

  // Planning (plan-release): the release, the intake, three slices in two tracks, their specs.
  await baton(repo, 'new-release', rel, '--title', 'Invoice export');
  await cp(fixture('release/intake.md'), docs(repo, 'intake.md'));
  await commit(repo, `docs(release/${rel}): record discovery and decisions`);
  const slices: [string, string, string, string[]][] = [
    ['S01-export-csv', 'T1-csv-export', 'An accountant exports the invoices as CSV', []],
    ['S02-export-filter', 'T1-csv-export', 'The CSV export honours the "Issued from" filter', []],
    ['S03-export-pdf', 'T2-pdf-export', 'An accountant exports the invoices as PDF', ['--depends-on', 'T1-csv-export']],
  ];
  for (const [slice, track, title, extra] of slices) {
    await baton(repo, 'new-slice', slice, '--release', rel, '--track', track, '--title', title, ...extra);
    await cp(fixture('release', slice, 'spec.md'), docs(repo, slice, 'spec.md'));
    await commit(repo, `docs(release/${rel}/${slice}): write spec`);
  }
  const index = await readFile(docs(repo, 'index.md'), 'utf8');
  const fixtureIndex = await readFile(fixture('release/index.md'), 'utf8');
  await writeFile(docs(repo, 'index.md'), index.replace(/\n---\n[\s\S]*$/, `\n---\n${fixtureIndex.split('\n---\n')[1] ?? ''}`));
  await commit(repo, `docs(release/${rel}): record touchpoint matrix`);

  // Implementation of T1 (implement-slice), each slice in its own session, and the verdict on S01.
  await baton(repo, 'worktree', 'S01-export-csv', rel);
  const board = JSON.parse(await execa('node', [options.baton, 'board', '--json'], { cwd: repo, reject: false }).then((r) => r.stdout)) as {
    releases: { releaseWorktree: string; tracks: { id: string; worktree: string }[] }[];
  };
  const releaseWorktree = board.releases[0]?.releaseWorktree as string;
  const t1 = board.releases[0]?.tracks.find((track) => track.id === 'T1-csv-export')?.worktree as string;
  const implement = async (slice: string, reachability: string) => {
    await baton(t1, 'start', slice, rel);
    await cp(fixture('changes', slice), t1, { recursive: true });
    await commit(t1, `feat(export): land ${slice}`);
    await cp(fixture('release', slice, 'proof.md'), docs(t1, slice, 'proof.md'));
    await cp(fixture('release', slice, 'journal.md'), docs(t1, slice, 'journal.md'));
    await baton(t1, 'evidence', slice, rel, '--test-command', 'npm test', '--reachability', reachability);
    await commit(t1, `docs(release/${rel}/${slice}): proof bundle`);
    const firstPass = await baton(t1, 'verify', slice, rel);
    const proof = await readFile(docs(t1, slice, 'proof.md'), 'utf8');
    await writeFile(docs(t1, slice, 'proof.md'), proof.replace('[fill: paste the output here]', firstPass));
    await commit(t1, `docs(release/${rel}/${slice}): proof bundle`);
    await baton(t1, 'transition', slice, 'implemented', rel);
  };
  await implement('S01-export-csv', 'test/export-csv.test.js:5 — follows the Export CSV link from the invoices page');
  // The verifier (verify-slice, in a fresh session) names the candidate the implemented receipt claims,
  // and keeps its notes outside the worktree, which must stay as committed.
  const candidate = (await git(t1, 'log', '-1', '--format=%(trailers:key=Baton-Candidate,valueonly)')).stdout.trim();
  const verdict = (await readFile(fixture('verdicts/S01-export-csv.md'), 'utf8')).replace(/\[fill: the candidate commit[^\]]*\]/, candidate);
  const notes = path.join(options.folder, 'S01-export-csv-verdict.md');
  await writeFile(notes, verdict);
  await baton(t1, 'verdict', 'S01-export-csv', 'PASS', rel, '--notes-file', notes);
  await implement('S02-export-filter', 'test/export-filter.test.js:5 — follows the Export CSV link from the filtered invoices page');
  return { repo, trackWorktree: t1, releaseWorktree };
}

/** `npm run example [folder]`: builds the example where a person can run baton board and baton verify on it. */
export async function main(argv: string[]): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const folder = argv[0] ? path.resolve(argv[0]) : await mkdtemp(path.join(tmpdir(), 'baton-example-'));
  const built = await buildExampleRelease({ fixture: path.join(here, '..', 'test/fixtures/example-release'), baton: path.join(here, 'baton.mjs'), folder });
  const baton = `node '${path.join(here, 'baton.mjs')}'`;
  console.log(`The example release is built in ${built.repo}.\nTry:\n  ${baton} -C '${built.repo}' board --verbose\n  ${baton} -C '${built.trackWorktree}' verify S02-export-filter`);
}
