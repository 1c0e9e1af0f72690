import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { commitAll, INDEX, JOURNAL, proof, RELEASE, SLICE, SLICE_DIR, SPEC, statusJson } from '../helpers/slice-repo.js';
import { git, gitdir } from '../helpers/testdir.js';
import { measure, type Measurement, type Start } from './measure.js';

/** A slice of `count` changed files of 40 lines each, every 25th file carrying a TODO marker. */
async function largeSliceRepo(count: number): Promise<{ dir: string; base: string }> {
  const dir = await gitdir({ 'README.md': '# bench\n', [`docs/release/${RELEASE}/index.md`]: INDEX });
  await git(dir, 'checkout', '--quiet', '-b', `track/${RELEASE}/T1-exports`);
  const base = await git(dir, 'rev-parse', 'HEAD');
  const files: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const file = `src/gen/module-${String(index).padStart(4, '0')}.ts`;
    const lines = Array.from({ length: 40 }, (_, line) => `export const value${line} = ${index * 40 + line};`);
    if (index % 25 === 0) lines[20] = '// TODO: handle the empty case';
    await mkdir(path.join(dir, 'src/gen'), { recursive: true });
    await writeFile(path.join(dir, file), `${lines.join('\n')}\n`);
    files.push(file);
  }
  const spec = SPEC.replace(/## Planned touchpoints\n\n[\s\S]*?\n\n## /, '## Planned touchpoints\n\n- `src/gen/` — generated modules\n\n## ');
  await mkdir(path.join(dir, SLICE_DIR), { recursive: true });
  await writeFile(path.join(dir, SLICE_DIR, 'spec.md'), spec);
  await writeFile(path.join(dir, SLICE_DIR, 'journal.md'), JOURNAL);
  await writeFile(path.join(dir, SLICE_DIR, 'status.json'), statusJson({ start_commit: base, reachability_artifacts: ['README.md'] }));
  await writeFile(path.join(dir, SLICE_DIR, 'proof.md'), proof(files));
  await commitAll(dir, 'a large slice');
  return { dir, base };
}

export async function benchVerify(batonScript: string, runs: number, starts: Start[]): Promise<Measurement[]> {
  const count = 2000;
  const { dir, base } = await largeSliceRepo(count);
  const measurements: Measurement[] = [];
  for (const start of starts) {
    measurements.push(
      await measure({
        name: `baton verify, a slice of ${count} changed files x 40 lines, ${start.name}`,
        runs,
        subject: { label: 'baton verify --json', command: ['node', batonScript, 'verify', SLICE, RELEASE, '--json'], cwd: dir, env: start.env,
          expectExit: [1],
          // Every 25th file carries a marker: the report must fail dark-code with exactly those hits.
          check: (stdout) => {
            const report = JSON.parse(stdout) as { checks: { id: string; status: string; details: string[] }[] };
            const failed = report.checks.filter((c) => c.status === 'fail');
            return failed.length === 1 && failed[0]?.id === 'dark-code' && failed[0].details.length === count / 25;
          },
        },
        floor: {
          label: `git diff --name-only ${base.slice(0, 7)} + git diff -U0 ${base.slice(0, 7)}`,
          commands: [
            { command: ['git', 'diff', '--name-only', base] },
            { command: ['git', 'diff', '-U0', base] },
          ],
          cwd: dir,
        },
      }),
    );
  }
  return measurements;
}
