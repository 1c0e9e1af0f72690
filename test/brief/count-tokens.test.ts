import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { loadTokenCounter, TOKENIZER } from '../../scripts/brief/count-tokens.js';
import { runInstall } from '../helpers/package.js';
import { receiptedSlice } from '../helpers/receipted-slice.js';
import { REPO_ROOT } from '../helpers/run.js';
import { SLICE } from '../helpers/slice-repo.js';
import { GIT_ENV, testdir } from '../helpers/testdir.js';

/** The tokenizer a brief counts with, and where it lives: beside the program, never inside it. */

describe('counting tokens', () => {
  test('the tokenizer named in every brief is the gpt-tokenizer this package builds with', async () => {
    const installed = JSON.parse(await readFile(path.join(REPO_ROOT, 'node_modules/gpt-tokenizer/package.json'), 'utf8')) as { version: string };
    expect(TOKENIZER).toBe(`o200k_base (gpt-tokenizer ${installed.version})`);
  });

  test.each([
    ['hello world', 2],
    ['', 0],
    // A repository's text is counted as text: a special token's spelling is not the special token.
    ['a <|endoftext|> b', 9],
  ])('%j is %i tokens of o200k_base', async (text, tokens) => {
    const count = await loadTokenCounter();
    expect(count(text)).toBe(tokens);
  });

  test('the program does not hold the tokenizer: it requires baton-tokenizer.cjs beside it, which only brief loads', async () => {
    const program = await readFile(path.join(REPO_ROOT, 'dist/baton-program.cjs'), 'utf8');
    expect(program).toContain('require("./baton-tokenizer.cjs")');
    expect(program.length).toBeLessThan(1_000_000);
    expect((await stat(path.join(REPO_ROOT, 'dist/baton-tokenizer.cjs'))).size).toBeGreaterThan(2_000_000);
  });

  test('a baton whose tokenizer file is missing says so, and how to put it back', async () => {
    const root = path.join(await testdir(), 'bin');
    await mkdir(root);
    for (const name of ['baton.mjs', 'baton-program.cjs']) await cp(path.join(REPO_ROOT, 'dist', name), path.join(root, name));
    const slice = await receiptedSlice('planned');
    const run = await execa('node', [path.join(root, 'baton.mjs'), 'brief', SLICE], { cwd: slice.repo, env: { PATH: process.env.PATH ?? '', ...GIT_ENV }, extendEnv: false, reject: false });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('The tokenizer baton brief counts with, baton-tokenizer.cjs, is missing beside the baton program.');
    expect(run.stderr).toContain('Install baton again (npx baton-install)');
  });

  test('an installed baton finds its tokenizer: brief runs from the install root with plain Node.js', async () => {
    const home = await testdir();
    const installed = await runInstall(['--yes'], { home });
    expect(installed.exitCode, installed.stderr).toBe(0);
    const slice = await receiptedSlice('planned');
    for (const bin of ['.claude/baton/bin/baton', '.codex/baton/bin/baton']) {
      const run = await execa(path.join(home, bin), ['brief', SLICE], { cwd: slice.repo, env: { PATH: process.env.PATH ?? '', ...GIT_ENV }, extendEnv: false, reject: false });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^Brief [0-9a-f]{64}: \d+ tokens, counted with o200k_base \(gpt-tokenizer /);
    }
  });
});
