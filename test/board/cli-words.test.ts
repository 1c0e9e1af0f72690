import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { COMMANDS } from '../../scripts/commands/index.js';
import { receiptedSlice, type ReceiptedSlice } from '../helpers/receipted-slice.js';
import { REPO_ROOT, runBin } from '../helpers/run.js';
import { RELEASE, SLICE } from '../helpers/slice-repo.js';
import { git, GIT_ENV, gitdir } from '../helpers/testdir.js';

/**
 * The CLI's words (issue 12): what baton says to a user who gets an argument wrong. Each case runs
 * the built baton as a real process in a real repository and asserts the exit code and the words.
 */

let planned: ReceiptedSlice;
let started: ReceiptedSlice;
let fresh = '';

beforeAll(async () => {
  [planned, started, fresh] = await Promise.all([receiptedSlice('planned'), receiptedSlice('in_progress'), gitdir({ 'README.md': '# app\n' })]);
}, 60_000);

interface Case {
  argv: string[];
  /** Where it runs: a fresh repository, one with a planned slice, or one with a started slice. */
  in: 'fresh' | 'planned' | 'started';
  exitCode: number;
  words: string[];
  not?: string[];
}

const CASES: Case[] = [
  { in: 'fresh', argv: ['new-release', 'Billing'], exitCode: 2, words: ['"Billing" is not a valid release id', 'YYYY-MM-DD-name', 'lower-case', 'for example 2026-11-21-billing-export'], not: ['^\\d', '[a-z0-9]'] },
  { in: 'fresh', argv: ['new-slice', 'export', '--release', RELEASE, '--track', 'T1-x'], exitCode: 2, words: ['S<number>-name'], not: ['^S\\d'] },
  { in: 'fresh', argv: ['new-release', '2026-13-45-billing'], exitCode: 2, words: ['2026-13-45 is not a day of the calendar', 'YYYY-MM-DD'] },
  { in: 'fresh', argv: ['new-release', '2026-02-29-billing'], exitCode: 2, words: ['2026-02-29 is not a day of the calendar'] },
  { in: 'fresh', argv: ['bord'], exitCode: 2, words: ['Unknown command "bord"', 'Did you mean baton board?'] },
  { in: 'fresh', argv: ['newrelease', '2026-01-01-x'], exitCode: 2, words: ['Unknown command "newrelease"', 'Did you mean baton new-release?'] },
  { in: 'fresh', argv: ['-C', '.', 'verfy', SLICE], exitCode: 2, words: ['Unknown command "verfy"', 'Did you mean baton verify?'] },
  { in: 'planned', argv: ['transition', SLICE, 'done'], exitCode: 2, words: ['only moves a slice to implemented, not to done', `The one state it takes is implemented: baton transition ${SLICE} implemented.`], not: ['failed_verification'] },
  { in: 'started', argv: ['evidence', SLICE, '--reachability', 'nonexistent.png'], exitCode: 2, words: ['--reachability "nonexistent.png": nonexistent.png does not exist in', 'Create the artefact first'] },
  { in: 'started', argv: ['evidence', SLICE, '--reachability', '../outside.png — escapes'], exitCode: 2, words: ['../outside.png does not exist in'] },
  { in: 'planned', argv: ['verify', RELEASE, SLICE], exitCode: 2, words: ['ids are swapped', `"${RELEASE}" is a release id and "${SLICE}" a slice id`, `Run baton verify ${SLICE} ${RELEASE}`] },
  { in: 'planned', argv: ['verdict', RELEASE, SLICE, 'pass', '--notes-file', 'n.md'], exitCode: 2, words: ['ids are swapped', `Run baton verdict ${SLICE} pass ${RELEASE} --notes-file n.md`], not: ['Invalid values'] },
  { in: 'planned', argv: ['-C', '.', 'transition', RELEASE, 'implemented', SLICE], exitCode: 2, words: [`Run baton -C . transition ${SLICE} implemented ${RELEASE}`] },
  { in: 'planned', argv: ['start', RELEASE], exitCode: 2, words: [`"${RELEASE}" is a release id, but baton start takes the slice id first`] },
  // Every command that takes <slice> [release] says so.
  ...[['worktree'], ['start'], ['evidence'], ['transition', 'implemented'], ['unblock'], ['reopen'], ['defer'], ['verify'], ['changed-files'], ['next']].map(
    ([name, ...middle]): Case => ({ in: 'planned', argv: [name as string, RELEASE, ...middle, SLICE], exitCode: 2, words: ['ids are swapped', `Run baton ${name} ${SLICE} ${middle.map((word) => `${word} `).join('')}${RELEASE}`] }),
  ),
];

function dirOf(where: Case['in']): string {
  return where === 'fresh' ? fresh : where === 'planned' ? planned.repo : started.worktree;
}

describe('baton says what is wrong in words, and the fix', () => {
  test.each(CASES.map((one) => ({ ...one, name: `${one.in}: ${one.argv.join(' ')}` })))('$name', async ({ argv, exitCode, words, not, in: where }) => {
    const result = await runBin('baton', argv, { cwd: dirOf(where), env: GIT_ENV });
    expect(result.exitCode).toBe(exitCode);
    for (const word of words) expect(result.stderr).toContain(word);
    for (const word of not ?? []) expect(result.stderr).not.toContain(word);
    expect(result.stderr).not.toContain('bug in baton');
  });

  test('a release dated on a real day is created (2028-02-29 is a leap day)', async () => {
    const repo = await gitdir({ 'README.md': '# app\n' });
    const result = await runBin('baton', ['new-release', '2028-02-29-leap'], { cwd: repo, env: GIT_ENV });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('an artefact that exists in the worktree is recorded', async () => {
    const result = await runBin('baton', ['evidence', SLICE, '--reachability', 'src/app.ts:1 — the app'], { cwd: started.worktree, env: GIT_ENV });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});

describe('with --json, every error is a JSON object on stdout too', () => {
  const JSON_CASES: Case[] = [
    { in: 'fresh', argv: ['new-release', 'Billing', '--json'], exitCode: 2, words: ['is not a valid release id'] },
    { in: 'fresh', argv: ['board', '--json', '--release', 'nope'], exitCode: 2, words: ['is not a valid release id'] },
    { in: 'planned', argv: ['new-release', RELEASE, '--json'], exitCode: 1, words: ['already exists'] },
    { in: 'planned', argv: ['start', 'S09-nothing', '--json'], exitCode: 2, words: ['not on the board'] },
    { in: 'planned', argv: ['verify', SLICE, '--json', '--base', 'no-such-ref'], exitCode: 2, words: ['--base'] },
    { in: 'planned', argv: ['log', 'S09-x', '--json', '--bogus'], exitCode: 2, words: ['Unknown argument'] },
  ];
  test.each(JSON_CASES.map((one) => ({ ...one, name: `${one.in}: ${one.argv.join(' ')}` })))('$name', async ({ argv, exitCode, words, in: where }) => {
    const result = await runBin('baton', argv, { cwd: dirOf(where), env: GIT_ENV });
    expect(result.exitCode).toBe(exitCode);
    const printed = JSON.parse(result.stdout) as { error: string; fix: string | null; exitCode: number };
    for (const word of words) expect(printed.error).toContain(word);
    expect(typeof printed.fix).toBe('string');
    expect(printed.exitCode).toBe(exitCode);
    // The terminal still gets the words.
    expect(result.stderr).toContain(`error: ${printed.error}`);
  });

  test('without --json, stdout stays empty on an error', async () => {
    const result = await runBin('baton', ['new-release', 'Billing'], { cwd: fresh, env: GIT_ENV });
    expect(result.stdout).toBe('');
  });
});

describe('commit bodies name repository paths, never this machine\'s', () => {
  test('no commit of a slice carried to verified holds an absolute path', async () => {
    const verified = await receiptedSlice('verified');
    const bodies = await git(verified.repo, 'log', '--all', '--format=%B%x00');
    expect(bodies).toContain(`created from the templates in docs/release/${RELEASE}/${SLICE}.`);
    expect(bodies).not.toContain(verified.repo);
    expect(bodies).not.toMatch(/(^|\s)\/(tmp|var|private|home)\//m);
  }, 60_000);
});

describe('branch names by git\'s rules', () => {
  const ACCEPTED = ['main', 'feat+plus', 'ünï', 'release/2026.1', 'a@b', 'x-y_z'];
  const REFUSED = ['HEAD', 'refs/heads/main', '-x', 'a..b', '.hidden', 'a/.b', 'a.lock', 'a b', 'a:b', 'a~1', 'a^', 'a?', 'a*', 'a[b', 'a\\b', 'a//b', '/a', 'a/', 'a.', '@', 'a@{b'];

  test.each(ACCEPTED)('--integration-branch %s is accepted', async (branch) => {
    const repo = await gitdir({ 'README.md': '# app\n' });
    const result = await runBin('baton', ['new-release', RELEASE, '--integration-branch', branch], { cwd: repo, env: GIT_ENV });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`integrating into ${branch}.`);
  });

  test.each(REFUSED)('--integration-branch %s is refused', async (branch) => {
    const result = await runBin('baton', ['new-release', RELEASE, `--integration-branch=${branch}`], { cwd: fresh, env: GIT_ENV });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`"${branch}" is not a branch name`);
    expect(result.stderr).toContain('git check-ref-format --branch');
  });

  test('the rules agree with git check-ref-format --branch, but for HEAD, @ and refs/...', async () => {
    const { isBranchName } = await import('../../scripts/lib/registry.js');
    for (const branch of [...ACCEPTED, ...REFUSED]) {
      const byGit = await execa('git', ['check-ref-format', '--branch', branch], { reject: false });
      // `--branch` reads "@" as HEAD's branch; baton takes names, not shorthands for the current one.
      const policy = branch === 'HEAD' || branch === '@' || branch.startsWith('refs/');
      expect({ branch, ok: isBranchName(branch) }).toEqual({ branch, ok: byGit.exitCode === 0 && !policy });
    }
  });
});

describe('file names and records that used to break baton', () => {
  test('changed-files prints a name with a newline on one line, quoted as git quotes it', async () => {
    const slice = await receiptedSlice('in_progress');
    await writeFile(path.join(slice.worktree, 'a\nb.txt'), 'x\n');
    await writeFile(path.join(slice.worktree, 'ü "q".txt'), 'x\n');
    await git(slice.worktree, 'add', '-A');
    await git(slice.worktree, 'commit', '-qm', 'feat: odd names');
    const result = await runBin('baton', ['changed-files', SLICE], { cwd: slice.worktree, env: GIT_ENV });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual(['"a\\nb.txt"', '"ü \\"q\\".txt"']);
    const json = await runBin('baton', ['changed-files', SLICE, '--json'], { cwd: slice.worktree, env: GIT_ENV });
    expect((JSON.parse(json.stdout) as { files: { path: string }[] }).files.map((file) => file.path)).toEqual(['a\nb.txt', 'ü "q".txt']);
  }, 30_000);

  test.each(['docs/*', 'docs/rel[1]', ':(glob)docs', './:docs', 'docs\\release'])('a releaseDir of %s is refused before git sees it', async (releaseDir) => {
    const repo = await gitdir({ 'README.md': '# app\n', 'docs/notes.md': 'mine\n', '.baton/config.json': JSON.stringify({ releaseDir }) });
    await writeFile(path.join(repo, 'docs/notes.md'), 'mine, edited\n');
    const result = await runBin('baton', ['new-release', RELEASE], { cwd: repo, env: GIT_ENV });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`The release docs folder "${releaseDir}"`);
    expect(result.stderr).toContain('a character git reads as a pattern');
    // Nothing of the user's was staged.
    expect(await git(repo, 'diff', '--cached', '--name-only')).toBe('');
  });

  test('an index.md that starts with a byte order mark keeps its tracks', async () => {
    const slice = await receiptedSlice('planned');
    const index = path.join(slice.repo, `docs/release/${RELEASE}/index.md`);
    await writeFile(index, `\uFEFF${await readFile(index, 'utf8')}`);
    await git(slice.repo, 'commit', '-qam', 'docs: saved by an editor that writes a BOM');
    const result = await runBin('baton', ['board', '--json'], { cwd: slice.repo, env: GIT_ENV });
    const board = JSON.parse(result.stdout) as { releases: { tracks: { id: string; slices: string[] }[] }[] };
    expect(board.releases[0]?.tracks.map((track) => [track.id, track.slices])).toEqual([['T1-exports', [SLICE]]]);
    // and baton still edits it, keeping the mark
    const added = await runBin('baton', ['new-slice', 'S02-more', '--release', RELEASE, '--track', 'T1-exports'], { cwd: slice.repo, env: GIT_ENV });
    expect(added.stderr).toBe('');
    expect((await readFile(index, 'utf8')).startsWith('\uFEFF---')).toBe(true);
  }, 30_000);
});

describe('the one open release is used when none is named', () => {
  test('new-slice, matrix and the release gates use it; with two open, the error lists them', async () => {
    const slice = await receiptedSlice('planned');
    const run = (argv: string[]) => runBin('baton', argv, { cwd: slice.repo, env: GIT_ENV });
    const added = await run(['new-slice', 'S02-import', '--track', 'T2-imports']);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain(`docs/release/${RELEASE}/S02-import`);
    const matrix = await run(['matrix', '--json']);
    expect(JSON.parse(matrix.stdout)).toMatchObject({ tracks: ['T1-exports', 'T2-imports'] });
    for (const gate of ['merge-release', 'mark-shipped']) {
      const result = await run(['gate', gate, '--json']);
      expect(result.exitCode).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ gate, release: RELEASE, open: false });
    }

    expect((await run(['new-release', '2026-12-01-second'])).exitCode).toBe(0);
    for (const argv of [['matrix'], ['gate', 'merge-release'], ['new-slice', 'S03-x', '--track', 'T3-x'], ['ship', '--deployed', 'HEAD']]) {
      const result = await run(argv);
      expect({ argv, exitCode: result.exitCode }).toEqual({ argv, exitCode: 2 });
      expect(result.stderr).toContain(`2 releases are open (${RELEASE}, 2026-12-01-second), so baton cannot tell which one you mean`);
      expect(result.stderr).toContain(`fix: Name one of them, for example baton ${argv[0]}`);
    }
    // An explicit id still works.
    expect((await run(['matrix', RELEASE, '--json'])).exitCode).toBe(0);
    const none = await runBin('baton', ['matrix'], { cwd: fresh, env: GIT_ENV });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('No release is open in this repository');
    expect(none.stderr).toContain('baton new-release');
  }, 60_000);
});

describe('--help', () => {
  // Every command baton has, read from its own wiring, so a new one cannot go without an example.
  const NAMES = COMMANDS.map((command) => command.command.split(' ')[0] as string);

  test.each(NAMES)('baton %s --help shows an example and lists the positionals in the order they are typed', async (name) => {
    const result = await runBin('baton', [name, '--help'], { cwd: fresh });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Examples:\\n\\s+baton ${name}`));
    const usage = result.stdout.split('\n')[0] ?? '';
    const typed = [...usage.matchAll(/[<[]([a-z-]+)[\]>]/g)].map((match) => match[1]);
    const section = /Positionals:\n([\s\S]*?)\n\n/.exec(result.stdout)?.[1] ?? '';
    const listed = section.split('\n').map((line) => /^\s{2}([a-z-]+)\s/.exec(line)?.[1]).filter(Boolean);
    expect(listed).toEqual(typed);
  });

  test.each(['--json', '--verbose'])('board serve %s is refused: it does not apply to the dashboard', async (option) => {
    // A timeout, not a timed assertion: without the check the dashboard would start and never exit.
    const result = await execa('node', [path.join(REPO_ROOT, 'dist/baton.mjs'), 'board', 'serve', option], { cwd: fresh, env: { PATH: process.env.PATH ?? '' }, extendEnv: false, reject: false, timeout: 20_000 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${option} does not apply to baton board serve`);
  });
});
