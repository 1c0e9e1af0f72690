import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CheckId, CheckResult, VerifyReport } from '../../scripts/verify/report.js';
import { verifySlice } from '../../scripts/verify/verify-slice.js';
import { CODE, commitAll, INDEX, passingSliceRepo, proof, RELEASE, SLICE, SLICE_DIR, SPEC, statusJson } from '../helpers/slice-repo.js';
import { git, writeFiles } from '../helpers/testdir.js';

async function verify(dir: string, options: { base?: string; asImplemented?: boolean } = {}): Promise<VerifyReport> {
  return (await verifySlice({ cwd: dir, env: {}, slice: SLICE, release: RELEASE, ...options })).report;
}

function check(report: VerifyReport, id: CheckId): CheckResult {
  const found = report.checks.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

/** The passing repository with some files replaced (null removes) and committed. */
async function changed(files: Record<string, string | null>, message = 'change'): Promise<{ dir: string; start: string }> {
  const repo = await passingSliceRepo();
  for (const [file, content] of Object.entries(files)) {
    if (content === null) await rm(path.join(repo.dir, file));
    else await writeFiles(repo.dir, { [file]: content });
  }
  await commitAll(repo.dir, message);
  return repo;
}

const ALL_FILES = Object.keys(CODE);

describe('a slice that does everything right', () => {
  test('passes every check, with evidence', async () => {
    const { dir, start } = await passingSliceRepo();
    const report = await verify(dir);
    expect(report.verdict).toBe('PASS');
    expect(report.base).toBe(start);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['artefacts', 'pass'],
      ['status-schema', 'pass'],
      ['receipts', 'skip'],
      ['state', 'pass'],
      ['base', 'pass'],
      ['diff-nonempty', 'pass'],
      ['dark-code', 'pass'],
      ['proof-sections', 'pass'],
      ['proof-placeholders', 'pass'],
      ['proof-files', 'pass'],
      ['touchpoints', 'pass'],
      ['spec-frontmatter', 'pass'],
      ['reachability', 'pass'],
      ['test-commands', 'pass'],
    ]);
    expect(check(report, 'base').message).toContain('(start_commit)');
    expect(check(report, 'diff-nonempty').message).toBe('2 file(s) changed');
  });
});

describe('artefacts', () => {
  test('fails naming each missing file', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/journal.md`]: null });
    const result = check(await verify(dir), 'artefacts');
    expect(result).toMatchObject({ status: 'fail', details: [`${SLICE_DIR}/journal.md`] });
  });
});

describe('status-schema', () => {
  test('names the line of invalid JSON', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: '{\n  "slice_id": "S01-export-csv",\n  "state": "in_progress"\n  "track": "T1-x"\n}\n' });
    const result = check(await verify(dir, { base: 'main' }), 'status-schema');
    expect(result.status).toBe('fail');
    expect(result.details[0]).toMatch(/^line 4: not valid JSON/);
  });

  test('names the line of a duplicate key', async () => {
    const text = statusJson().replace('"state": "in_progress",', '"state": "in_progress",\n  "state": "implemented",');
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: text });
    const result = check(await verify(dir, { base: 'main' }), 'status-schema');
    expect(result.details).toEqual(['line 7: the key "state" appears twice in the same object']);
  });

  test('lists schema violations', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: statusJson({ state: 'done', extra: 1 }) });
    const result = check(await verify(dir, { base: 'main' }), 'status-schema');
    expect(result.status).toBe('fail');
    expect(result.details).toContain('status.json: unknown key "extra"');
    expect(result.details).toContain('state: must be one of "planned", "in_progress", "implemented", "verified", "failed_verification", "deferred", "shipped"');
  });

  test('fails when the record names another slice', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: statusJson({ slice_id: 'S09-other' }) });
    expect(check(await verify(dir, { base: 'main' }), 'status-schema').details).toEqual(['slice_id is S09-other, but the folder is S01-export-csv']);
  });
});

describe('state', () => {
  test.each([
    ['in_progress', 'pass', /^in_progress$/],
    ['implemented', 'pass', /^implemented$/],
    ['verified', 'pass', /already passed verification/],
    ['shipped', 'pass', /already passed verification/],
    ['planned', 'fail', /has not been started/],
    ['failed_verification', 'fail', /fix every numbered violation/],
    ['deferred', 'fail', /nothing to verify/],
  ])('%s: %s', async (state, status, message) => {
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: statusJson({ state }) });
    const result = check(await verify(dir, { base: 'main' }), 'state');
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
  });
});

describe('diff-nonempty', () => {
  test('fails when only the slice record changed', async () => {
    const { dir } = await passingSliceRepo();
    const report = await verify(dir, { base: 'HEAD' });
    expect(check(report, 'diff-nonempty')).toMatchObject({ status: 'fail' });
    await writeFiles(dir, { [`${SLICE_DIR}/journal.md`]: 'more\n' });
    expect(check(await verify(dir, { base: 'HEAD' }), 'diff-nonempty').status).toBe('fail');
  });
});

describe('dark-code', () => {
  async function darkCode(files: Record<string, string>, proofFiles = [...ALL_FILES, ...Object.keys(files)], notDelivered?: string) {
    const repo = await passingSliceRepo();
    await writeFiles(repo.dir, files);
    await writeFiles(repo.dir, { [`${SLICE_DIR}/proof.md`]: proof([...new Set(proofFiles)].sort(), notDelivered ? { notDelivered } : {}) });
    await commitAll(repo.dir, 'more');
    return check(await verify(repo.dir), 'dark-code');
  }

  test('every marker word counts, as a whole word', async () => {
    const lines = ['let a = 1; // placeholder value', 'let b = 2; // HACK', 'let c = 3; // xxx', 'let d = 4; // deferred to later', 'let e = 5; // placeholders and hacks are other words'];
    const result = await darkCode({ 'src/export.ts': `${CODE['src/export.ts']}${lines.join('\n')}\n` });
    expect(result.details).toEqual(['src/export.ts:4: placeholder: let a = 1; // placeholder value', 'src/export.ts:5: HACK: let b = 2; // HACK', 'src/export.ts:6: xxx: let c = 3; // xxx', 'src/export.ts:7: deferred: let d = 4; // deferred to later']);
  });

  test('reports each marker as file:line of the new file, case-insensitive', async () => {
    const result = await darkCode({ 'src/export.ts': `${CODE['src/export.ts']}// todo: escape commas\nconst x = 1; // FIXME\n` });
    expect(result.status).toBe('fail');
    expect(result.details).toEqual(['src/export.ts:4: todo: // todo: escape commas', 'src/export.ts:5: FIXME: const x = 1; // FIXME']);
  });

  test('passes clean code, and does not flag markers inside longer words', async () => {
    const result = await darkCode({ 'src/export.ts': `${CODE['src/export.ts']}const todos = [], hacking = 1, XXXL = 'size';\n` });
    expect(result.status).toBe('pass');
  });

  test('a placeholder= attribute is not a marker, but the rest of its line is scanned', async () => {
    const clean = await darkCode({ 'src/form.tsx': '<input placeholder="Name" />\n' }, [...ALL_FILES, 'src/form.tsx']);
    expect(clean.status).toBe('pass');
    const dirty = await darkCode({ 'src/form.tsx': '<input placeholder="Name" /> {/* HACK */}\n' });
    expect(dirty.details).toEqual(['src/form.tsx:1: HACK: <input placeholder="Name" /> {/* HACK */}']);
  });

  test('an added line that starts with + is scanned too', async () => {
    const result = await darkCode({ 'src/loop.c': 'int main() {\n++i; // XXX\n}\n' });
    expect(result.details).toEqual(['src/loop.c:2: XXX: ++i; // XXX']);
  });

  test('docs and lock files are not scanned, each rule on its own; code beside them is', async () => {
    // Each file is caught by exactly one rule: an extension, the docs/ folder, a lock-file name, a .lock suffix.
    const skipped = { 'NOTES.md': 'TODO later\n', 'docs/setup.ts': '// FIXME\n', 'go.sum': 'example.com/todo v1.0.0 h1:placeholder=\n', 'deps.lock': '# TODO\n' };
    expect((await darkCode(skipped)).status).toBe('pass');
    const scanned = await darkCode({ ...skipped, 'src/setup.ts': '// FIXME\n' });
    expect(scanned.details).toEqual(['src/setup.ts:1: FIXME: // FIXME']);
  });

  test('a compliant deferral passes only when its reference is under "Not delivered"', async () => {
    const line = '// deferred: PDF export needs a renderer — tracked at ISSUE-42\n';
    const unlisted = await darkCode({ 'src/pdf.ts': line });
    expect(unlisted.details).toEqual(['src/pdf.ts:1: deferral tracked at ISSUE-42 is not listed under "Not delivered" in proof.md']);
    const listed = await darkCode({ 'src/pdf.ts': line }, undefined, 'PDF export: deferred, tracked at ISSUE-42, acknowledged by Ana on 2026-11-21.');
    expect(listed.status).toBe('pass');
  });

  test('markers on lines the slice did not add are not counted', async () => {
    // The TODO existed before the slice started; the slice only appends a line.
    const repo = await passingSliceRepo();
    await writeFiles(repo.dir, { 'src/app.ts': 'export const app = 1;\n// TODO old debt\n' });
    await git(repo.dir, 'checkout', '--quiet', 'main');
    await commitAll(repo.dir, 'old debt on main');
    await git(repo.dir, 'checkout', '--quiet', `track/${RELEASE}/T1-exports`);
    await git(repo.dir, 'merge', '--quiet', '--no-ff', '-m', 'sync main', 'main');
    await writeFiles(repo.dir, { 'src/app.ts': 'export const app = 1;\n// TODO old debt\nexport const more = 2;\n' });
    await writeFiles(repo.dir, { [`${SLICE_DIR}/proof.md`]: proof([...ALL_FILES, 'src/app.ts'].sort(), { divergence: 'src/app.ts gained an export.' }) });
    await commitAll(repo.dir, 'append');
    const report = await verify(repo.dir);
    expect(check(report, 'dark-code').status).toBe('pass');
    expect(check(report, 'proof-files').status).toBe('pass');
  });

  test('a marker the slice added and removed again is not counted', async () => {
    const repo = await passingSliceRepo();
    await writeFiles(repo.dir, { 'src/export.ts': `${CODE['src/export.ts']}// TODO temporary\n` });
    await commitAll(repo.dir, 'wip');
    await writeFiles(repo.dir, { 'src/export.ts': CODE['src/export.ts'] });
    await commitAll(repo.dir, 'done');
    expect(check(await verify(repo.dir), 'dark-code').status).toBe('pass');
  });
});

describe('proof-sections', () => {
  test('a heading inside a code fence is not a section, and an empty section fails', async () => {
    const text = proof(ALL_FILES).replace('## Delivered', '```\n## Delivered\n```').replace('## Divergence from plan\n\nNone', '## Divergence from plan\n');
    const { dir } = await changed({ [`${SLICE_DIR}/proof.md`]: text });
    const result = check(await verify(dir), 'proof-sections');
    expect(result.status).toBe('fail');
    expect(result.details).toEqual(['missing: Delivered', 'empty: Divergence from plan (write "None" if there is nothing)']);
  });

  test('setext headings and other heading levels count', async () => {
    const text = proof(ALL_FILES).replace('## Scope\n', 'Scope\n-----\n').replace('## Delivered', '### Delivered');
    const { dir } = await changed({ [`${SLICE_DIR}/proof.md`]: text });
    expect(check(await verify(dir), 'proof-sections').status).toBe('pass');
  });
});

describe('proof-placeholders', () => {
  test('fails on a placeholder left in the spec or the proof, naming the line', async () => {
    const { dir } = await changed({
      [`${SLICE_DIR}/spec.md`]: SPEC.replace('PDF export.', '[fill: adjacent work]'),
      [`${SLICE_DIR}/proof.md`]: proof(ALL_FILES).replace('An accountant exports invoices as CSV.', '[fill: one sentence]'),
    });
    expect(check(await verify(dir), 'proof-placeholders').details).toEqual([`${SLICE_DIR}/spec.md:20: [fill: adjacent work]`, `${SLICE_DIR}/proof.md:5: [fill: one sentence]`]);
  });

  test('the first-pass output section may still hold its placeholder', async () => {
    const { dir } = await passingSliceRepo();
    expect(check(await verify(dir), 'proof-placeholders').status).toBe('pass');
  });
});

describe('proof-files', () => {
  test('names the missing and the extra paths', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/proof.md`]: proof(['src/export.ts', 'src/gone.ts']) });
    expect(check(await verify(dir), 'proof-files').details).toEqual(['changed but not listed: test/export.test.ts', 'listed but not changed: src/gone.ts']);
  });

  test('fails without a fenced block', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/proof.md`]: proof(ALL_FILES).replace(/```text\n\$ baton changed-files[\s\S]*?```/, 'src/export.ts') });
    expect(check(await verify(dir), 'proof-files').message).toMatch(/no fenced block/);
  });
});

describe('touchpoints', () => {
  test('an unplanned change fails until it is named under "Divergence from plan"', async () => {
    const files = [...ALL_FILES, 'src/app.ts'].sort();
    const unexplained = await changed({ 'src/app.ts': 'export const app = 2;\n', [`${SLICE_DIR}/proof.md`]: proof(files) });
    expect(check(await verify(unexplained.dir), 'touchpoints').details).toEqual(['changed but not planned: src/app.ts']);
    const explained = await changed({ 'src/app.ts': 'export const app = 2;\n', [`${SLICE_DIR}/proof.md`]: proof(files, { divergence: '`src/app.ts`: renamed a constant the exporter needed.' }) });
    expect(check(await verify(explained.dir), 'touchpoints').status).toBe('pass');
  });

  test('a planned file left untouched fails until it is named under "Not delivered"', async () => {
    const spec = SPEC.replace('- `test/export.test.ts` — its test through the page', '- `test/export.test.ts` — its test\n- `src/pdf.ts` — later');
    const untouched = await changed({ [`${SLICE_DIR}/spec.md`]: spec });
    expect(check(await verify(untouched.dir), 'touchpoints').details).toEqual(['planned but untouched: src/pdf.ts']);
    const declared = await changed({ [`${SLICE_DIR}/spec.md`]: spec, [`${SLICE_DIR}/proof.md`]: proof(ALL_FILES, { notDelivered: '`src/pdf.ts`: deferred, tracked at ISSUE-7, acknowledged by Ana.' }) });
    expect(check(await verify(declared.dir), 'touchpoints').status).toBe('pass');
  });

  test('a planned folder covers the files below it', async () => {
    const spec = SPEC.replace('- `src/export.ts` — the exporter', '- `src/` — the exporter and helpers');
    const { dir } = await changed({ [`${SLICE_DIR}/spec.md`]: spec });
    expect(check(await verify(dir), 'touchpoints').status).toBe('pass');
  });
});

describe('spec-frontmatter', () => {
  test('fails on frontmatter that is not strict YAML, naming the file and line', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/spec.md`]: SPEC.replace("title: 'A user exports invoices as CSV'", 'title: Export: CSV') });
    const result = check(await verify(dir), 'spec-frontmatter');
    expect(result.status).toBe('fail');
    expect(result.details[0]).toMatch(new RegExp(`^${SLICE_DIR}/spec.md: .*line 2`));
  });

  test('checks the release index too, and accepts CRLF files', async () => {
    const crlf = await changed({ [`docs/release/${RELEASE}/index.md`]: INDEX.replace(/\n/g, '\r\n') });
    expect(check(await verify(crlf.dir), 'spec-frontmatter').status).toBe('pass');
    const broken = await changed({ [`docs/release/${RELEASE}/index.md`]: '# no frontmatter\n' });
    expect(check(await verify(broken.dir), 'spec-frontmatter').details).toEqual([`docs/release/${RELEASE}/index.md: no frontmatter (the file must start with a --- fenced YAML block)`]);
  });
});

describe('reachability', () => {
  test('fails when a recorded artefact does not exist', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: statusJson({ reachability_artifacts: ['e2e/export.spec.ts:12 — clicks Export', 'shots/export.png'] }) });
    expect(check(await verify(dir, { base: 'main' }), 'reachability').details).toEqual(['e2e/export.spec.ts (from "e2e/export.spec.ts:12 — clicks Export")', 'shots/export.png (from "shots/export.png")']);
  });

  test('none recorded: skipped while in progress, a failure at implemented', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: statusJson({ reachability_artifacts: [] }) });
    expect(check(await verify(dir, { base: 'main' }), 'reachability').status).toBe('skip');
    expect(check(await verify(dir, { base: 'main', asImplemented: true }), 'reachability').status).toBe('fail');
  });
});

describe('test-commands', () => {
  test('none recorded: skipped while in progress, a failure at implemented', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: statusJson({ test_commands: [] }) });
    expect(check(await verify(dir, { base: 'main' }), 'test-commands').status).toBe('skip');
    const implemented = await changed({ [`${SLICE_DIR}/status.json`]: statusJson({ test_commands: [], state: 'implemented' }) });
    expect(check(await verify(implemented.dir, { base: 'main' }), 'test-commands')).toMatchObject({ status: 'fail' });
  });
});

describe('base', () => {
  test('falls back to the merge-base with release-wt/<release>, never to main', async () => {
    const { dir } = await changed({ [`${SLICE_DIR}/status.json`]: statusJson({ start_commit: null }) });
    const releaseTip = await git(dir, 'rev-parse', `release-wt/${RELEASE}`);
    const report = await verify(dir);
    expect(report.base).toBe(releaseTip);
    expect(check(report, 'base').message).toContain(`merge-base with release-wt/${RELEASE}`);
  });

  test('an explicit --base wins', async () => {
    const { dir } = await passingSliceRepo();
    const head = await git(dir, 'rev-parse', 'HEAD~1');
    expect((await verify(dir, { base: 'HEAD~1' })).base).toBe(head);
  });

  test('a base that does not resolve is an operational error, not a verdict', async () => {
    const { dir } = await passingSliceRepo();
    await expect(verify(dir, { base: 'no-such-branch' })).rejects.toThrow(/--base no-such-branch does not name a commit/);
    await writeFile(path.join(dir, SLICE_DIR, 'status.json'), statusJson({ start_commit: 'a'.repeat(40) }));
    await expect(verify(dir)).rejects.toThrow(/start_commit a{40} recorded for S01-export-csv is not in this repository/);
    await writeFile(path.join(dir, SLICE_DIR, 'status.json'), statusJson({ start_commit: null }));
    await git(dir, 'branch', '-D', `release-wt/${RELEASE}`);
    await expect(verify(dir)).rejects.toThrow(/no diff base for S01-export-csv/);
  });
});
