import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { runInstall } from '../helpers/package.js';
import { receiptedSlice } from '../helpers/receipted-slice.js';
import { gitCallsOf, runBin } from '../helpers/run.js';
import { CODE, commitAll, passingSliceRepo, proof, RELEASE, SLICE, SLICE_DIR, SPEC, statusJson } from '../helpers/slice-repo.js';
import { git, gitdir, testdir, writeFiles } from '../helpers/testdir.js';

describe('baton verify on the command line', () => {
  test('PASS prints every check and exits 0; --json prints the same report', async () => {
    const { dir, start } = await passingSliceRepo();
    const text = await runBin('baton', ['verify', SLICE, RELEASE], { cwd: dir });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain(`baton verify ${SLICE} (release ${RELEASE})\nbase: ${start}\n`);
    expect(text.stdout).toMatch(/^ {2}pass {2}dark-code +no markers in the comments of the added lines of 2 file\(s\)$/m);
    expect(text.stdout).toMatch(/PASS: the first pass found nothing to fix/);
    const json = await runBin('baton', ['verify', SLICE, '--json'], { cwd: dir });
    const report = JSON.parse(json.stdout) as { verdict: string; release: string; checks: { id: string }[] };
    expect(report).toMatchObject({ slice: SLICE, release: RELEASE, base: start, verdict: 'PASS' });
    expect(report.checks).toHaveLength(14);
  });

  test('FAIL lists the failing check with its evidence and exits 1', async () => {
    const { dir } = await passingSliceRepo();
    await writeFiles(dir, { 'src/export.ts': `${CODE['src/export.ts']}// TODO: quote fields\n` });
    const result = await runBin('baton', ['verify', SLICE], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^ {2}FAIL {2}dark-code +1 added comment\(s\) carry a marker/m);
    expect(result.stdout).toContain('src/export.ts:4: TODO: // TODO: quote fields');
    expect(result.stdout).toMatch(/FAIL: 1 of 14 checks failed/);
  });

  test('the same output twice for the same repository state', async () => {
    const { dir } = await passingSliceRepo();
    const first = await runBin('baton', ['verify', SLICE, '--json'], { cwd: dir });
    const second = await runBin('baton', ['verify', SLICE, '--json'], { cwd: dir });
    expect(second.stdout).toBe(first.stdout);
  });

  test('-C runs it in another directory, and the installed release-verify is the same command', async () => {
    const { dir } = await passingSliceRepo();
    const result = await runBin('baton', ['-C', dir, 'verify', SLICE], { cwd: await testdir() });
    expect(result.exitCode, result.stderr).toBe(0);
    const home = await testdir();
    expect((await runInstall(['--yes', '--target', 'codex'], { home })).exitCode).toBe(0);
    const installed = await execa(path.join(home, '.codex/baton/bin/release-verify'), [SLICE, RELEASE], { cwd: dir, reject: false });
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(installed.stdout).toBe(result.stdout);
  });
});

describe('operational errors exit 2 and print no verdict', () => {
  const cases: [string, (dir: string) => Promise<string[]>, RegExp][] = [
    ['a malformed slice id', async () => ['verify', '../etc'], /"\.\.\/etc" is not a valid slice id[\s\S]*fix: Use the form/],
    ['a malformed release id', async () => ['verify', SLICE, 'billing'], /"billing" is not a valid release id/],
    ['a slice that does not exist', async () => ['verify', 'S99-nothing'], /Slice S99-nothing was not found: searched the releases 2026-11-21-billing/],
    ['a base that does not resolve', async () => ['verify', SLICE, '--base', 'nope'], /--base nope does not name a commit/],
    ['an unknown option', async () => ['verify', SLICE, '--bogus'], /Unknown argument: bogus/],
    ['an option without its value', async () => ['verify', SLICE, '--base'], /^error: Not enough arguments following: base\nfix: Add --help after the command to see its arguments and options\.$/],
  ];
  test.each(cases)('%s', async (_name, args, message) => {
    const { dir } = await passingSliceRepo();
    const result = await runBin('baton', await args(dir), { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/a bug in baton/);
    expect(result.stdout).not.toMatch(/PASS|FAIL/);
  });

  test('outside a repository', async () => {
    const result = await runBin('baton', ['verify', SLICE], { cwd: await testdir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/is not inside a git repository[\s\S]*fix: Run baton from inside the repository, or pass -C/);
  });

  test('in an empty repository', async () => {
    const dir = await testdir();
    await git(dir, 'init', '--quiet');
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson() });
    const result = await runBin('baton', ['verify', SLICE], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/no diff base for S01-export-csv/);
  });

  test('a slice in two releases needs the release named', async () => {
    const { dir } = await passingSliceRepo();
    await writeFiles(dir, { [`docs/release/2026-12-01-later/${SLICE}/spec.md`]: SPEC });
    const result = await runBin('baton', ['verify', SLICE], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/exists in several releases: 2026-11-21-billing, 2026-12-01-later[\s\S]*fix: Name the release/);
  });
});

describe('configuration', () => {
  test('the release docs root comes from .baton/config.json, then BATON_RELEASE_DIR, then docs/release', async () => {
    const { dir } = await passingSliceRepo();
    await git(dir, 'mv', 'docs/release', 'plans');
    await commitAll(dir, 'move the release docs');
    const found = (result: { stdout: string }) => JSON.parse(result.stdout) as { release: string };
    // The default no longer finds it.
    const missing = await runBin('baton', ['verify', SLICE, '--base', 'HEAD'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/Slice S01-export-csv was not found: searched no releases \(docs\/release has none\)/);
    const viaEnv = await runBin('baton', ['verify', SLICE, '--base', 'HEAD', '--json'], { cwd: dir, env: { BATON_RELEASE_DIR: 'plans' } });
    expect(found(viaEnv).release).toBe(RELEASE);
    // The config file wins over the environment.
    await writeFiles(dir, { '.baton/config.json': '{ "releaseDir": "plans" }\n' });
    const viaConfig = await runBin('baton', ['verify', SLICE, '--base', 'HEAD', '--json'], { cwd: dir, env: { BATON_RELEASE_DIR: 'elsewhere' } });
    expect(found(viaConfig).release).toBe(RELEASE);
    await writeFiles(dir, { '.baton/config.json': '{ "releaseDir": "../outside" }\n' });
    const escaping = await runBin('baton', ['verify', SLICE], { cwd: dir });
    expect(escaping.exitCode).toBe(2);
    expect(escaping.stderr).toMatch(/The release docs folder "..\/outside" \(from .*config.json\) is not inside the repository/);
    await writeFiles(dir, { '.baton/config.json': '{ "releaseDir": "plans", }\n' });
    const broken = await runBin('baton', ['verify', SLICE], { cwd: dir });
    expect(broken.stderr).toMatch(/config.json:1: not valid JSON/);
  });
});

describe('a status.json that cannot be read is a finding, not an operational error', () => {
  const good = statusJson();
  const corrupt: [string, string, RegExp][] = [
    ['not JSON', good.replace('"state": "in_progress",', '"state": "in_progress"'), /line 7: not valid JSON/],
    ['a duplicate key', good.replace('"state": "in_progress",', '"state": "in_progress",\n  "state": "verified",'), /line 7: the key "state" appears twice/],
    ['merge-conflict markers', `<<<<<<< HEAD\n${good}=======\n${statusJson({ state: 'implemented' })}>>>>>>> track/other\n`, /line 1: a merge-conflict marker \(<<<<<<< HEAD\): a merge left the record unresolved/],
  ];

  test.each(corrupt)('%s, with no release-wt branch: exit 1, status-schema names the file, the work checks say why they did not run', async (_name, text, problem) => {
    const { dir } = await passingSliceRepo();
    await git(dir, 'branch', '-D', `release-wt/${RELEASE}`);
    await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: text });
    const result = await runBin('baton', ['verify', SLICE, RELEASE], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).not.toMatch(/never started/);
    expect(result.stdout).toContain(`base: none\n`);
    expect(result.stdout).toMatch(new RegExp(`^ {2}FAIL {2}status-schema +${SLICE_DIR}/status\\.json is not a usable record .*git log -- ${SLICE_DIR}/status\\.json`, 'm'));
    expect(result.stdout).toMatch(problem);
    for (const id of ['base', 'diff-nonempty', 'dark-code', 'proof-files', 'touchpoints']) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}skip {2}${id} +there is no diff base: ${SLICE_DIR}/status\\.json cannot be read .*no release-wt/${RELEASE} branch; restore`, 'm'));
    }
    const json = JSON.parse((await runBin('baton', ['verify', SLICE, RELEASE, '--json'], { cwd: dir })).stdout) as { base: unknown; verdict: string };
    expect(json).toMatchObject({ base: null, verdict: 'FAIL' });
    // changed-files has no report to give: it says what is wrong, not "never started".
    const files = await runBin('baton', ['changed-files', SLICE, RELEASE], { cwd: dir });
    expect(files.exitCode).toBe(2);
    expect(files.stderr).toMatch(/There is no diff base for S01-export-csv: .*status\.json cannot be read[\s\S]*fix: Restore .*status\.json from git, or pass --base <ref>\./);
  });

  test('a receipted slice keeps its base: the start_commit of the record baton last wrote', async () => {
    const slice = await receiptedSlice('in_progress');
    const record = path.join(slice.worktree, SLICE_DIR, 'status.json');
    const start = (JSON.parse(await readFile(record, 'utf8')) as { start_commit: string }).start_commit;
    const last = await git(slice.worktree, 'rev-parse', 'HEAD');
    await writeFiles(slice.worktree, { [`${SLICE_DIR}/status.json`]: '{ "state": \n' });
    const result = await slice.baton(['verify', SLICE, RELEASE], { exitCode: 1 });
    expect(result.stdout).toContain(`base: ${start}\n`);
    expect(result.stdout).toMatch(new RegExp(`^ {2}pass {2}base +diffing from ${start.slice(0, 12)} \\(start_commit of the record receipted in ${last.slice(0, 12)}, as status\\.json cannot be read\\)`, 'm'));
    expect(result.stdout).toContain(`restore the record baton last wrote: git checkout ${last.slice(0, 12)} -- ${SLICE_DIR}/status.json`);
  });
});

describe('dark-code in a to-do app', () => {
  /** The passing slice plus a to-do CLI and its test; the proof lists them. */
  async function todoApp(extra: Record<string, string> = {}): Promise<string> {
    const { dir } = await passingSliceRepo();
    const files = {
      'src/export.ts': `${CODE['src/export.ts']}export const usage = () => console.log("usage: todo add <item>");\n// add a todo to the list\n`,
      'test/export.test.ts': `${CODE['test/export.test.ts']}test("usage", () => expect(run()).toMatch(/usage: todo/));\n`,
      ...extra,
    };
    const divergence = '`.baton/config.json` sets the marker list.';
    await writeFiles(dir, { ...files, [`${SLICE_DIR}/proof.md`]: proof([...new Set([...Object.keys(CODE), ...Object.keys(files)])].sort(), { divergence }) });
    return dir;
  }

  test('a string and a regular expression pass; a marker word in a comment fails until the marker list is tuned', async () => {
    const dir = await todoApp();
    const words = await runBin('baton', ['verify', SLICE, RELEASE], { cwd: dir });
    expect(words.exitCode).toBe(1);
    expect(words.stdout).toMatch(/^ {2}FAIL {2}dark-code +1 added comment\(s\) carry a marker/m);
    expect(words.stdout).toContain('src/export.ts:5: todo: // add a todo to the list');
    expect(words.stdout).not.toContain('usage: todo');

    // Upper case only: "TODO" is a marker, "todo" is the app's word.
    const tuned = await todoApp({ '.baton/config.json': '{ "darkCodeMarkers": ["TODO", "fixme", "xxx", "hack", "deferred", "placeholder"] }\n' });
    const passing = await runBin('baton', ['verify', SLICE, RELEASE], { cwd: tuned });
    expect(passing.exitCode, passing.stdout).toBe(0);
    expect(passing.stdout).toMatch(/^ {2}pass {2}dark-code +no markers in the comments of the added lines of 3 file\(s\) \(markers from \.baton\/config\.json: TODO, fixme, xxx, hack, deferred, placeholder\)$/m);
    await writeFiles(tuned, { 'src/export.ts': `${CODE['src/export.ts']}// TODO: quote fields\n` });
    const failing = await runBin('baton', ['verify', SLICE, RELEASE], { cwd: tuned });
    expect(failing.stdout).toContain('src/export.ts:4: TODO: // TODO: quote fields');
  });

  test.each([
    ['not a list', '"TODO"'],
    ['an empty list', '[]'],
    ['a word with a space', '["not yet"]'],
    ['a pattern', '["to.o"]'],
    ['longer than 50 words', JSON.stringify(Array.from({ length: 51 }, (_, index) => `marker${index}`))],
  ])('a marker list that is %s is refused (exit 2)', async (_name, value) => {
    const dir = await todoApp({ '.baton/config.json': `{ "darkCodeMarkers": ${value} }\n` });
    const result = await runBin('baton', ['verify', SLICE, RELEASE], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/config\.json: darkCodeMarkers must be a non-empty list of at most 50 words[\s\S]*fix: Write it as \["TODO"/);
  });
});

describe('git usage', () => {
  test('the number of git processes does not grow with the number of changed files', async () => {
    const small = await passingSliceRepo();
    const large = await passingSliceRepo();
    const many: Record<string, string> = {};
    for (let index = 0; index < 60; index += 1) many[`src/gen/file-${index}.ts`] = `export const n${index} = ${index};\n`;
    await writeFiles(large.dir, many);
    await commitAll(large.dir, 'many files');
    await writeFiles(large.dir, { 'src/gen/untracked.ts': 'x\n' });
    expect((await gitCallsOf(['verify', SLICE], large.dir)).length).toBe((await gitCallsOf(['verify', SLICE], small.dir)).length);
  });
});

describe('a slice whose proof mentions a path with spaces', () => {
  test('proof-files and touchpoints compare exact paths', async () => {
    const { dir: repo } = await passingSliceRepo();
    await writeFiles(repo, { 'src/my file.ts': 'x\n' });
    await writeFiles(repo, {
      [`${SLICE_DIR}/proof.md`]: proof(['src/export.ts', 'src/my file.ts', 'test/export.test.ts'], { divergence: '`src/my file.ts` holds a helper.' }),
    });
    const result = await runBin('baton', ['verify', SLICE, '--json'], { cwd: repo });
    const report = JSON.parse(result.stdout) as { checks: { id: string; status: string }[] };
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });
});

describe('baton --help, laid out without string-width (see build.mjs)', () => {
  test('descriptions line up in one column, and the width function counts what a terminal shows', async () => {
    const { default: textWidth } = await import('../../scripts/lib/text-width.js');
    expect(textWidth('baton verify <slice>')).toBe(20);
    expect(textWidth('\u001B[1mbold\u001B[22m')).toBe(4);
    expect(textWidth('a\tb\u0007')).toBe(2);
    const help = await runBin('baton', ['--help'], { cwd: await testdir() });
    expect(help.exitCode).toBe(0);
    const columns = help.stdout.split('\n').filter((line) => /^ {2}baton \S/.test(line)).map((line) => /^( {2}baton .+?\s{2,})\S/.exec(line)?.[1]?.length);
    expect(columns.length).toBeGreaterThan(10);
    expect(new Set(columns).size).toBe(1);
  });

  test('--help after a command shows that command and never runs it, even without its arguments', async () => {
    const repo = await gitdir();
    const create = await runBin('baton', ['new-release', '2026-11-21-demo', '--title', 'Demo', '--help'], { cwd: repo });
    expect(create.exitCode).toBe(0);
    expect(create.stdout).toMatch(/^baton new-release <release>/);
    expect(create.stdout).toContain('--integration-branch');
    expect((await readdir(repo)).sort()).toEqual(['.git', 'README.md']);
    expect(await git(repo, 'rev-list', '--count', 'HEAD')).toBe('1');
    const verify = await runBin('baton', ['verify', '-h'], { cwd: repo });
    expect(verify.exitCode).toBe(0);
    expect(verify.stdout).toMatch(/^baton verify <slice> \[release\]/);
    expect(verify.stdout).toContain('--base');
    const missing = await runBin('baton', ['verify'], { cwd: repo });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/Not enough non-option arguments[\s\S]*fix: Add --help after the command/);
  });
});
