import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Board } from '../scripts/board/board.js';
import { buildExampleRelease, EXAMPLE_RELEASE, type Example } from './helpers/example-release.js';
import { REPO_ROOT, runBin } from './helpers/run.js';
import { testdir } from './helpers/testdir.js';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/example-release');
let example: Example;

beforeAll(async () => {
  example = await buildExampleRelease({ fixture: FIXTURE, baton: path.join(REPO_ROOT, 'dist/baton.mjs'), folder: await testdir({}, 'baton-example-') });
}, 120_000);

describe('the example release', () => {
  test('baton board accepts it: three slices at three states, each from its receipts, two tracks, no warnings', async () => {
    const result = await runBin('baton', ['board', '--json'], { cwd: example.repo });
    expect(result.exitCode).toBe(1);
    const release = (JSON.parse(result.stdout) as Board).releases[0];
    expect(release?.id).toBe(EXAMPLE_RELEASE);
    expect(release?.warnings).toEqual([]);
    expect(release?.slices.map((slice) => slice.receipts.receipted)).toEqual([true, true, true]);
    expect(Object.fromEntries(release?.slices.map((slice) => [slice.id, slice.state]) ?? [])).toEqual({
      'S01-export-csv': 'verified',
      'S02-export-filter': 'implemented',
      'S03-export-pdf': 'planned',
    });
    expect(release?.tracks.map((track) => [track.id, track.state, track.next?.command ?? null, track.blockedBy])).toEqual([
      ['T1-csv-export', 'in_progress', 'verify-slice', []],
      ['T2-pdf-export', 'planned', null, ['T1-csv-export']],
    ]);
  });

  test('baton verify passes both implemented slices', async () => {
    for (const slice of ['S01-export-csv', 'S02-export-filter']) {
      const result = await runBin('baton', ['verify', slice, EXAMPLE_RELEASE], { cwd: example.trackWorktree });
      expect(result.exitCode, result.stdout).toBe(0);
    }
  });

  test('the documents in the fixture are the ones the tools checked', async () => {
    const docs = (root: string, ...parts: string[]) => readFile(path.join(root, 'docs/release', EXAMPLE_RELEASE, ...parts), 'utf8');
    const fixture = (...parts: string[]) => readFile(path.join(FIXTURE, 'release', ...parts), 'utf8');
    expect(await docs(example.releaseWorktree, 'index.md')).toBe(await fixture('index.md'));
    expect(await docs(example.repo, 'intake.md')).toBe(await fixture('intake.md'));
    for (const slice of ['S01-export-csv', 'S02-export-filter', 'S03-export-pdf']) {
      expect(await docs(example.trackWorktree, slice, 'spec.md')).toBe(await fixture(slice, 'spec.md'));
    }
    for (const slice of ['S01-export-csv', 'S02-export-filter']) {
      const proof = await docs(example.trackWorktree, slice, 'proof.md');
      expect(proof.split('## First-pass output')[0]).toBe((await fixture(slice, 'proof.md')).split('## First-pass output')[0]);
      expect(proof).toMatch(/## First-pass output[\s\S]*PASS: the first pass found nothing to fix/);
      expect((await docs(example.trackWorktree, slice, 'journal.md')).startsWith(await fixture(slice, 'journal.md'))).toBe(true);
    }
    // The verdict is the fixture's block, its one "[fill: …]" line naming the candidate S01 was verified on.
    const status = JSON.parse(await docs(example.trackWorktree, 'S01-export-csv', 'status.json')) as { verification: { result: string; commit: string } };
    expect(status.verification).toMatchObject({ result: 'pass', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const verdict = (await readFile(path.join(FIXTURE, 'verdicts/S01-export-csv.md'), 'utf8')).replace(/\[fill: the candidate commit[^\]]*\]/, status.verification.commit);
    expect(verdict).toContain(`Commit verified: ${status.verification.commit}\n`);
    expect(await docs(example.trackWorktree, 'S01-export-csv', 'journal.md')).toContain(verdict.trim());
    const matrix = await runBin('baton', ['matrix', EXAMPLE_RELEASE], { cwd: example.repo });
    expect(matrix.exitCode, matrix.stderr).toBe(0);
    expect(matrix.stdout).toMatch(/^\| File \| T1-csv-export \| T2-pdf-export \|/);
    expect(await fixture('index.md')).toContain(matrix.stdout);
  });
});
