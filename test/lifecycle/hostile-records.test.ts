import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { receiptedSlice } from '../helpers/receipted-slice.js';
import { REPO_ROOT } from '../helpers/run.js';
import { INDEX, RELEASE, SLICE, SLICE_DIR, SPEC, statusJson, TRACK } from '../helpers/slice-repo.js';
import { git, GIT_ENV, gitdir } from '../helpers/testdir.js';

/**
 * A repository is untrusted input: a hostile index.md or status.json committed on the integration
 * branch must cost baton milliseconds and a clear message, never minutes of work, gigabytes of memory
 * or megabytes of output. Each command is the real CLI in a real repository, killed if it outlives a
 * generous timeout (the unbounded code ran for minutes at 2 GB on the alias bomb).
 */

const DIR = `docs/release/${RELEASE}`;
const INDEX_FILE = `${DIR}/index.md`;
const OUTPUT_LIMIT = 64 * 1024;

/** Nine nested lists of nine aliases: about 1 KB of YAML, 9^9 values once expanded. */
const ALIAS_BOMB = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[index]}`).join(',')}]`)].join('\n');

async function baton(args: string[], cwd: string) {
  const result = await execa('node', [path.join(REPO_ROOT, 'dist', 'baton.mjs'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...GIT_ENV },
    extendEnv: false,
    reject: false,
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  expect(result.timedOut, `baton ${args.join(' ')} was killed after 15 s`).toBe(false);
  const output = `${result.stdout}\n${result.stderr}`;
  expect(output.length, `baton ${args.join(' ')} printed ${output.length} characters`).toBeLessThan(OUTPUT_LIMIT);
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, output };
}

/** A release planned on main, its index.md frontmatter extended with `extra` and committed there. */
async function releaseWith(extra: string, status = statusJson({ state: 'planned', test_commands: [], reachability_artifacts: [] })) {
  return gitdir({
    [INDEX_FILE]: INDEX.replace('state: in_progress', 'state: planned').replace('tracks:', `${extra}\ntracks:`),
    [`${SLICE_DIR}/spec.md`]: SPEC,
    [`${SLICE_DIR}/status.json`]: status,
  });
}

describe('a YAML alias bomb in index.md on the integration branch', () => {
  /** The bomb where baton reads: a value it quotes in a warning when it is not what it should be. */
  const bombed = (place: 'integration_branch' | 'state') =>
    place === 'integration_branch'
      ? gitdir({
          [INDEX_FILE]: INDEX.replace('state: in_progress', 'state: planned').replace('integration_branch: main', `${ALIAS_BOMB}\nintegration_branch: *i`),
          [`${SLICE_DIR}/spec.md`]: SPEC,
          [`${SLICE_DIR}/status.json`]: statusJson({ state: 'planned', test_commands: [], reachability_artifacts: [] }),
        })
      : releaseWith(ALIAS_BOMB).then(async (repo) => {
          await writeFile(path.join(repo, INDEX_FILE), (await readFile(path.join(repo, INDEX_FILE), 'utf8')).replace('state: planned', 'state: *i'));
          await git(repo, 'commit', '-qam', 'bomb the track state');
          return repo;
        });

  test.each(['integration_branch', 'state'] as const)('used as %s, the board reports it as a problem of index.md, quickly and briefly', async (place) => {
    const repo = await bombed(place);
    const text = await baton(['board'], repo);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toMatch(/index\.md: YAML aliases \(\*name\) expand it to more than 100,000 values and characters \(line \d+\)/);
    const json = await baton(['board', '--json'], repo);
    expect(json.exitCode).toBe(1);
    const board = JSON.parse(json.stdout) as { releases: { registryError: string | null; warnings: { kind: string; message: string }[] }[] };
    expect(board.releases[0]?.registryError).toMatch(/^YAML aliases/);
    expect(board.releases[0]?.warnings.map((warning) => warning.kind)).toContain('bad-registry');
  });

  test('gate merge-track and new-slice refuse, naming index.md and the fix, and write nothing', async () => {
    const repo = await bombed('integration_branch');
    for (const args of [
      ['gate', 'merge-track', TRACK, RELEASE],
      ['new-slice', 'S02-more', '--release', RELEASE, '--track', TRACK],
      ['start', SLICE, RELEASE],
    ]) {
      const run = await baton(args, repo);
      expect(run.exitCode, run.output).toBe(2);
      expect(run.stderr).toContain(`error: ${INDEX_FILE} cannot be read: YAML aliases (*name) expand it`);
      expect(run.stderr).toContain(`fix: Restore it from a commit you trust (git log -- ${INDEX_FILE} shows its history)`);
    }
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });

  test('an alias to the list that holds it is refused the same way', async () => {
    const repo = await releaseWith('loop: &loop [x, *loop]');
    const run = await baton(['new-slice', 'S02-more', '--release', RELEASE, '--track', TRACK], repo);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('a YAML alias refers to a list or mapping that contains it');
  });
});

describe('an oversized index.md frontmatter', () => {
  test('is a board problem and a refusal naming the limit', async () => {
    const repo = await releaseWith(`notes: '${'x'.repeat(300 * 1024)}'`);
    const board = await baton(['board'], repo);
    expect(board.stdout).toContain('index.md: the frontmatter is 300 KB, over the 256 KB baton reads');
    const run = await baton(['new-slice', 'S02-more', '--release', RELEASE, '--track', TRACK], repo);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${INDEX_FILE} cannot be read: the frontmatter is 300 KB, over the 256 KB baton reads`);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });
});

describe('a hostile status.json', () => {
  const planned = { state: 'planned', test_commands: [], reachability_artifacts: [] };
  const OVERSIZED = statusJson({ ...planned, title: 'x'.repeat(2 * 1024 * 1024) });
  const DEEP = statusJson(planned).replace(/^\{/, `{\n  "deep": ${'['.repeat(400_000)}${']'.repeat(400_000)},`);
  const KEY = `${'\u001b[31m'}${'k'.repeat(50_000)}`;
  const LONG_KEY = statusJson(planned).replace(/^\{/, `{\n  ${JSON.stringify(KEY)}: 1,`);

  /**
   * The hostile record in the track worktree of a slice that baton started, uncommitted: the board
   * reads the committed record its receipt wrote, and the command reads this file before anything else.
   */
  async function inTrackWorktree(status: string): Promise<string> {
    const { worktree } = await receiptedSlice('in_progress');
    await writeFile(path.join(worktree, SLICE_DIR, 'status.json'), status);
    return worktree;
  }

  test('committed, one over 1 MB is skipped on the board with its reason, and a command refuses the slice as unreceipted', async () => {
    const repo = await releaseWith('', OVERSIZED);
    const board = await baton(['board'], repo);
    expect(board.stdout).toContain(`${SLICE}: the status.json on working tree cannot be read: it is 2049 KB, over the 1024 KB baton reads from a JSON file; it was skipped`);
    const run = await baton(['start', SLICE, RELEASE], repo);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`error: ${SLICE} has no receipt`);
  });

  test.each([
    ['deeply nested', DEEP],
    ['with a long hostile key', LONG_KEY],
  ])('committed and %s, it is a record no receipt wrote: the board and a command say so, quickly and briefly', async (_, status) => {
    const repo = await releaseWith('', status);
    const board = await baton(['board', '--json'], repo);
    expect(board.exitCode).toBe(1);
    const warnings = (JSON.parse(board.stdout) as { releases: { warnings: { kind: string }[] }[] }).releases[0]?.warnings;
    expect(warnings?.map((warning) => warning.kind)).toEqual(['unreceipted-state']);
    const run = await baton(['start', SLICE, RELEASE], repo);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`error: ${SLICE} has no receipt`);
    expect(run.stderr.length).toBeLessThan(1000);
  });

  test('in a track worktree, one over 1 MB is refused by a command naming the limit', async () => {
    const worktree = await inTrackWorktree(OVERSIZED);
    const run = await baton(['evidence', SLICE, RELEASE, '--test-command', 'npm test'], worktree);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${path.join(worktree, SLICE_DIR, 'status.json')}: it is 2049 KB, over the 1024 KB baton reads from a JSON file.`);
  });

  test('in a track worktree, deep nesting within the limit is a schema problem, read in milliseconds', async () => {
    const worktree = await inTrackWorktree(DEEP);
    expect((await baton(['board', '--json'], worktree)).exitCode).toBe(1);
    const run = await baton(['evidence', SLICE, RELEASE, '--test-command', 'npm test'], worktree);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('does not match the schema: status.json: unknown key "deep"');
  });

  test('in a track worktree, a long hostile key is quoted as an excerpt', async () => {
    const worktree = await inTrackWorktree(LONG_KEY);
    const run = await baton(['evidence', SLICE, RELEASE, '--test-command', 'npm test'], worktree);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`unknown key "\\u001b[31m${'k'.repeat(68)}…`);
    expect(run.stderr.length).toBeLessThan(1000);
  });
});

describe('a long hostile value in index.md', () => {
  test('is quoted in the board warning as an 80-character excerpt', async () => {
    const repo = await gitdir({
      [INDEX_FILE]: INDEX.replace('state: in_progress', 'state: planned').replace('integration_branch: main', `integration_branch: "${'\\n'.repeat(2)}${'b'.repeat(100_000)}"`),
      [`${SLICE_DIR}/spec.md`]: SPEC,
      [`${SLICE_DIR}/status.json`]: statusJson({ state: 'planned', test_commands: [], reachability_artifacts: [] }),
    });
    const board = await baton(['board'], repo);
    const warning = board.stdout.split('\n').find((line) => line.includes('integration_branch'));
    expect(warning).toBe(`  ${RELEASE}: integration_branch "\\n\\n${'b'.repeat(74)}… is not a branch name`);
  });
});
