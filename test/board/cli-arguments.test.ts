import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { gitText } from '../../scripts/lib/git.js';
import { REPO_ROOT } from '../helpers/run.js';
import { INDEX, RELEASE, SLICE_DIR, SPEC, statusJson } from '../helpers/slice-repo.js';
import { gitdir, testdir } from '../helpers/testdir.js';

/**
 * Options and paths the user gets wrong are usage errors that say what is wrong, never "a bug in
 * baton". Each case runs the built baton as a real process in a real repository. The timeout catches
 * a `board serve` that starts instead of refusing its options.
 */

const LONG = 'a'.repeat(5000);
let repo = '';
let file = '';

beforeAll(async () => {
  repo = await gitdir({
    [`docs/release/${RELEASE}/index.md`]: INDEX.replace('state: in_progress', 'state: planned'),
    [`${SLICE_DIR}/spec.md`]: SPEC,
    [`${SLICE_DIR}/status.json`]: statusJson({ state: 'planned' }),
  });
  file = path.join(await testdir({ 'plain.txt': 'not a folder\n' }), 'plain.txt');
});

const CASES: { argv: () => string[]; words: string[] }[] = [
  { argv: () => ['board', 'serve', '--port', 'abc'], words: ['--port "abc"', 'a whole number from 0 to 65535'] },
  { argv: () => ['board', 'serve', '--port', '99999'], words: ['--port "99999"', 'a whole number from 0 to 65535'] },
  { argv: () => ['board', 'serve', '--port', '-1'], words: ['--port "-1"', 'a whole number from 0 to 65535'] },
  { argv: () => ['board', 'serve', '--port', '1.5'], words: ['--port "1.5"', 'a whole number from 0 to 65535'] },
  { argv: () => ['board', 'serve', '--port'], words: ['--port was given no value', 'a whole number from 0 to 65535'] },
  { argv: () => ['board', 'serve', '--refresh'], words: ['--refresh was given no value', 'from 1 to 86400'] },
  { argv: () => ['board', 'serve', '--refresh', '0.5'], words: ['--refresh "0.5"', 'from 1 to 86400'] },
  { argv: () => ['board', 'serve', '--refresh', '1e9'], words: ['--refresh "1e9"', 'from 1 to 86400'] },
  { argv: () => ['board', '--port', '5000'], words: ['--port only applies to baton board serve'] },
  { argv: () => ['next', `S01-${LONG}`], words: ['slice id "S01-aaa', '5004 characters long', 'at most 100'] },
  { argv: () => ['new-release', `2026-01-01-${LONG}`], words: ['release id "2026-01-01-aaa', 'at most 100'] },
  { argv: () => ['new-slice', `S09-${LONG}`, '--release', RELEASE, '--track', 'T1-exports'], words: ['slice id "S09-aaa', 'at most 100'] },
  // --commit is gone: every state-changing command commits, so the flag is an unknown argument.
  { argv: () => ['start', 'S01-export-csv', '--commit'], words: ['Unknown argument: commit'] },
  { argv: () => ['-C', path.join(repo, 'missing'), 'board'], words: [`${path.join(repo, 'missing')}, does not exist`] },
  { argv: () => ['-C', file, 'board'], words: [`${file}, is not a folder`] },
];

describe('baton refuses bad options and paths with a usage error', () => {
  test.each(CASES.map((one) => ({ ...one, name: one.argv().join(' ').slice(0, 60) || '-C' })))('$name', async ({ argv, words }) => {
    const result = await execa('node', [path.join(REPO_ROOT, 'dist/baton.mjs'), ...argv()], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '' },
      extendEnv: false,
      reject: false,
      timeout: 20_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(2);
    for (const word of words) expect(result.stderr).toContain(word);
    expect(result.stderr).not.toContain('bug in baton');
    expect(result.stderr).not.toContain('Install git');
    // A 5,000-character id is not echoed back whole.
    expect(result.stderr.length).toBeLessThan(1000);
  });
});

describe('git is blamed only when git is missing', () => {
  test('a working folder that does not exist is named, not "install git"', async () => {
    const missing = path.join(repo, 'missing');
    await expect(gitText(missing, ['status'])).rejects.toThrow(`Could not run git in ${missing}: that path does not exist.`);
  });

  test('a working folder that is a file is an operational error naming it', async () => {
    await expect(gitText(file, ['status'])).rejects.toMatchObject({ name: 'OperationalError', message: `Could not run git in ${file}: that path is not a folder.` });
  });

  test('a git that is not on PATH is still reported as such', async () => {
    const original = process.env.PATH;
    process.env.PATH = path.join(repo, 'no-bin');
    try {
      await expect(gitText(repo, ['status'])).rejects.toThrow('Could not run git: it is not on PATH.');
    } finally {
      process.env.PATH = original;
    }
  });
});
