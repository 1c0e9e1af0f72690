import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { parseReceiptLog } from '../../scripts/lib/read-receipts.js';
import { formatReceipt, parseReceipt, type Receipt } from '../../scripts/lib/receipt.js';
import { sliceHistories, summarise } from '../../scripts/lib/slice-history.js';
import { REPO_ROOT } from '../helpers/run.js';

const C = (digit: string) => digit.repeat(40);
const D = (digit: string) => digit.repeat(64);
const PASS: Receipt = { version: 1, event: 'verdict', role: 'verifier', release: '2026-11-21-billing', track: 'T1-exports', slice: 'S01-export-csv', state: 'verified', verdict: 'PASS', attempt: 2, candidate: C('a'), base: C('b'), specSha256: D('1'), proofSha256: D('2'), reportSha256: D('3'), session: 'codex:0193-thread', prev: C('c') };

describe('the receipt format', () => {
  test('written and read back, every field, and the parsed form matches the published schema', async () => {
    const text = formatReceipt(PASS);
    expect(text.split('\n')[0]).toBe('Baton-Receipt: 1');
    expect(parseReceipt(`Signed-off-by: someone\n${text}\n`)).toEqual({ receipt: PASS });
    const schema = JSON.parse(await readFile(path.join(REPO_ROOT, 'templates/receipt.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    expect(validate(PASS), JSON.stringify(validate.errors)).toBe(true);
  });

  test('trailers without Baton-Receipt are not a receipt', () => {
    expect(parseReceipt('Signed-off-by: someone\nCo-authored-by: other')).toBeUndefined();
  });

  test.each([
    { name: 'a repeated trailer', trailers: `${formatReceipt(PASS)}\nBaton-Verdict: FAIL`, problem: /repeats Baton-Verdict/ },
    { name: 'an oversized value', trailers: `${formatReceipt(PASS)}\nBaton-Brief: ${'0'.repeat(200)}`, problem: /longer than 128 characters/ },
    { name: 'another version', trailers: formatReceipt(PASS).replace('Baton-Receipt: 1', 'Baton-Receipt: 2'), problem: /not 1/ },
    { name: 'a role that is not the event\'s', trailers: formatReceipt(PASS).replace('Baton-Role: verifier', 'Baton-Role: implementer'), problem: /not the role of verdict/ },
    { name: 'a verdict leaving the wrong state', trailers: formatReceipt(PASS).replace('Baton-State: verified', 'Baton-State: shipped'), problem: /PASS verdict leaves a slice verified, not shipped/ },
    { name: 'a started receipt claiming verified', trailers: formatReceipt({ ...PASS, event: 'started', role: 'implementer', verdict: undefined, state: 'in_progress' }).replace('Baton-State: in_progress', 'Baton-State: verified'), problem: /started receipt cannot leave a slice verified/ },
    { name: 'a verdict without its candidate', trailers: formatReceipt(PASS).replace(/Baton-Candidate: .*\n/, ''), problem: /names its candidate commit/ },
    { name: 'an abbreviated commit', trailers: formatReceipt(PASS).replace(C('a'), 'aaaaaaa'), problem: /not a full commit id/ },
    { name: 'a session that is not client:id', trailers: formatReceipt(PASS).replace('codex:0193-thread', 'anyone'), problem: /not <client>:<id>/ },
    { name: 'a slice id that is not one', trailers: formatReceipt(PASS).replace('S01-export-csv', '../x'), problem: /not a slice id/ },
    { name: 'a slice-dropped receipt with a state', trailers: formatReceipt({ version: 1, event: 'slice-dropped', role: 'planner', release: PASS.release, slice: PASS.slice }).replace('Baton-Role', 'Baton-State: planned\nBaton-Role'), problem: /slice-dropped receipt names its slice, and no state/ },
    { name: 'a slice-dropped receipt without its slice', trailers: formatReceipt({ version: 1, event: 'slice-dropped', role: 'planner', release: PASS.release, slice: PASS.slice }).replace(/Baton-Slice: .*\n/, ''), problem: /slice-dropped receipt names its slice/ },
  ])('refused: $name', ({ trailers, problem }) => {
    const parsed = parseReceipt(trailers);
    expect(parsed && 'problem' in parsed ? parsed.problem : 'accepted').toMatch(problem);
  });
});

describe('which receipts count', () => {
  const dir = 'docs/release';
  const folder = `${dir}/2026-11-21-billing/S01-export-csv`;
  const commit = (id: string, parents: string[], receipt: Receipt, files: string[]) =>
    `\x1e${id} 2026-12-01T10:00:00Z ${parents.join(' ')}\x1f${formatReceipt(receipt)}\n\x1f\0\n${files.map((file) => `:100644 100644 ${C('0')} ${C(file.length.toString(16).slice(-1))} M\0${file}\0`).join('')}`;
  const planned: Receipt = { version: 1, event: 'slice-planned', role: 'planner', release: PASS.release, track: PASS.track, slice: PASS.slice, state: 'planned' };
  const implemented: Receipt = { ...PASS, event: 'implemented', role: 'implementer', state: 'implemented', verdict: undefined, prev: C('1') };
  /** The slice planned, then implemented on its candidate C('a'); git log order, newest first. */
  const claim = commit(C('d'), [C('a')], implemented, [`${folder}/status.json`]) + commit(C('1'), [C('0')], planned, [`${folder}/status.json`, `${dir}/2026-11-21-billing/index.md`]);

  test('implemented on its candidate, then a verdict on it: both count, and add up to verified', () => {
    // git log order: newest first.
    const log = commit(C('e'), [C('d')], { ...PASS, prev: C('d') }, [`${folder}/status.json`, `${folder}/journal.md`]) + claim;
    const history = sliceHistories(parseReceiptLog(log), dir).slices.get('2026-11-21-billing/S01-export-csv');
    expect(history?.rejected).toEqual([]);
    expect(summarise(history?.entries ?? [])).toMatchObject({ state: 'verified', lastVerdict: { verdict: 'PASS', candidate: C('a') } });
  });

  test.each([
    { name: 'a verdict not on the implemented receipt it names', parents: [C('f')], files: [`${folder}/status.json`], why: /does not sit directly on the implemented receipt/ },
    { name: 'a verdict that also changes code', parents: [C('d')], files: [`${folder}/status.json`, 'src/app.ts'], why: /changes src\/app\.ts, which a verdict receipt does not cover/ },
    { name: "a verdict on another slice's record", parents: [C('d')], files: [`${dir}/2026-11-21-billing/S02-other/status.json`], why: /S02-other\/status\.json, which a verdict receipt does not cover/ },
    { name: 'a verdict that writes no status.json', parents: [C('d')], files: [`${folder}/journal.md`], why: /does not write S01-export-csv's status\.json/ },
  ])('does not count: $name', ({ parents, files, why }) => {
    const log = commit(C('e'), parents, { ...PASS, prev: C('d') }, files) + claim;
    const histories = sliceHistories(parseReceiptLog(log), dir);
    const rejected = [...histories.slices.values()].flatMap((history) => history.rejected).concat(histories.rejected);
    expect(rejected.map((entry) => entry.why).join('\n')).toMatch(why);
  });

  const dropped: Receipt = { version: 1, event: 'slice-dropped', role: 'planner', release: PASS.release, track: PASS.track, slice: PASS.slice };
  const drop = (changes: [string, 'D' | 'M'][]) =>
    `\x1e${C('e')} 2026-12-01T10:00:00Z ${C('d')}\x1f${formatReceipt(dropped)}\n\x1f\0\n${changes.map(([file, status]) => `:100644 ${status === 'D' ? '000000' : '100644'} ${C('1')} ${status === 'D' ? C('0') : C('2')} ${status}\0${file}\0`).join('')}`;
  test.each([
    { name: 'a drop that removes the folder and edits index.md', changes: [[`${folder}/status.json`, 'D'], [`${folder}/spec.md`, 'D'], [`${dir}/2026-11-21-billing/index.md`, 'M']], why: null },
    { name: 'a drop that writes into the folder', changes: [[`${folder}/status.json`, 'M']], why: /changes .*S01-export-csv\/status\.json, which a slice-dropped receipt does not cover/ },
    { name: "a drop that removes another slice's folder", changes: [[`${dir}/2026-11-21-billing/S02-other/status.json`, 'D']], why: /S02-other\/status\.json, which a slice-dropped receipt does not cover/ },
  ] as { name: string; changes: [string, 'D' | 'M'][]; why: RegExp | null }[])('slice-dropped: $name', ({ changes, why }) => {
    const histories = sliceHistories(parseReceiptLog(drop(changes)), dir);
    const rejected = [...histories.slices.values()].flatMap((history) => history.rejected).concat(histories.rejected);
    if (why === null) expect(rejected).toEqual([]);
    else expect(rejected.map((entry) => entry.why).join('\n')).toMatch(why);
  });

  test.each([
    { name: 'an evidence receipt naming an older receipt than the previous one', prev: C('1'), why: /does not follow S01-export-csv's previous receipt \(it names 111111111111; the previous is implemented in dddddddddddd\)/ },
    { name: 'an evidence receipt naming none', prev: undefined, why: /does not follow S01-export-csv's previous receipt \(it names none/ },
  ])('does not count: $name', ({ prev, why }) => {
    const evidence: Receipt = { ...planned, event: 'evidence', role: 'implementer', state: 'in_progress', ...(prev ? { prev } : {}) };
    const histories = sliceHistories(parseReceiptLog(commit(C('f'), [C('d')], evidence, [`${folder}/status.json`]) + claim), dir);
    expect(histories.slices.get('2026-11-21-billing/S01-export-csv')?.rejected.map((entry) => entry.why).join('\n')).toMatch(why);
  });

  test('a receipt before any slice-planned does not count', () => {
    const histories = sliceHistories(parseReceiptLog(commit(C('d'), [C('a')], { ...implemented, prev: undefined }, [`${folder}/status.json`])), dir);
    expect(histories.slices.get('2026-11-21-billing/S01-export-csv')?.rejected.map((entry) => entry.why).join('\n')).toMatch(/no receipt planned S01-export-csv before it/);
  });
});
