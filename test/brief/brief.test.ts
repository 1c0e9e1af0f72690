import { createHash } from 'node:crypto';
import { rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Brief } from '../../scripts/brief/brief.js';
import { budgetOption, briefTarget } from '../../scripts/commands/brief.js';
import { receiptedSlice, verdictBlock, type ReceiptedSlice } from '../helpers/receipted-slice.js';
import { RELEASE, SLICE, SLICE_DIR } from '../helpers/slice-repo.js';
import { git, testdir } from '../helpers/testdir.js';

/**
 * `baton brief` on repositories whose slice reached its state through the real baton commands: which
 * parts each level holds for the role that moves the slice on, what a budget drops, and that the same
 * repository gives the same bytes.
 */

type State = 'planned' | 'implemented' | 'failed' | 'blocked' | 'verified';
const repos = {} as Record<State, ReceiptedSlice>;

/** A verdict on the slice's candidate, recorded by the real command. */
async function recordVerdict(slice: ReceiptedSlice, verdict: 'FAIL' | 'BLOCKED', rest: string): Promise<void> {
  const notes = path.join(await testdir(), 'verdict.md');
  await writeFile(notes, verdictBlock(verdict, await git(slice.worktree, 'rev-parse', 'HEAD'), rest));
  await slice.baton(['verdict', SLICE, verdict, RELEASE, '--notes-file', notes]);
}

beforeAll(async () => {
  const [planned, implemented, failed, blocked, verified] = await Promise.all([
    receiptedSlice('planned'),
    receiptedSlice('implemented'),
    receiptedSlice('implemented'),
    receiptedSlice('implemented'),
    receiptedSlice('verified'),
  ]);
  await recordVerdict(failed, 'FAIL', 'Violations:\n1. Gate 3 — npm test fails: test/export.test.ts:3 expects a header row the CSV lacks.\n');
  await recordVerdict(blocked, 'BLOCKED', 'Reason: the spec asks for both RFC 4180 quoting and unquoted fields.\n');
  Object.assign(repos, { planned, implemented, failed, blocked, verified });
}, 240_000);

async function brief(state: State, args: string[]): Promise<Brief> {
  const result = await repos[state].baton(['brief', ...args, '--json']);
  return JSON.parse(result.stdout) as Brief;
}

const ids = (parts: { id: string }[]) => parts.map((part) => part.id);

describe('the parts each level holds, for the role the state calls for', () => {
  test.each([
    // state, level, default role, held, left out (by level)
    ['planned', 'minimal', 'implementer', ['position'], ['spec', 'journal', 'files', 'timeline', 'proof']],
    ['planned', 'standard', 'implementer', ['position', 'spec', 'journal', 'files', 'timeline'], ['proof']],
    ['planned', 'full', 'implementer', ['position', 'spec', 'journal', 'files', 'timeline', 'proof'], []],
    ['implemented', 'minimal', 'verifier', ['position'], ['spec', 'proof', 'files', 'timeline']],
    ['implemented', 'standard', 'verifier', ['position', 'spec', 'proof', 'files'], ['timeline']],
    ['implemented', 'full', 'verifier', ['position', 'spec', 'proof', 'files', 'timeline'], []],
    ['failed', 'minimal', 'implementer', ['position', 'verdict'], ['spec', 'journal', 'files', 'timeline', 'proof']],
    ['failed', 'standard', 'implementer', ['position', 'verdict', 'spec', 'journal', 'files', 'timeline'], ['proof']],
    ['failed', 'full', 'implementer', ['position', 'verdict', 'spec', 'journal', 'files', 'timeline', 'proof'], []],
    ['blocked', 'minimal', 'planner', ['position', 'verdict'], ['spec', 'journal', 'timeline', 'files', 'proof']],
    ['blocked', 'standard', 'planner', ['position', 'verdict', 'spec', 'journal', 'timeline'], ['files', 'proof']],
    ['verified', 'minimal', 'integrator', ['position', 'verdict'], ['timeline', 'files', 'spec', 'proof']],
    ['verified', 'standard', 'integrator', ['position', 'verdict', 'timeline', 'files'], ['spec', 'proof']],
    ['verified', 'full', 'integrator', ['position', 'verdict', 'timeline', 'files', 'spec', 'proof'], []],
  ] as const)('%s slice, level %s: the %s gets %j and is told where to read %j', async (state, level, role, held, leftOut) => {
    const result = await brief(state, [SLICE, '--level', level]);
    expect(result).toMatchObject({ role, level, release: RELEASE, slice: SLICE, budget: null });
    expect(ids(result.sections)).toEqual(held);
    expect(ids(result.omitted)).toEqual(leftOut);
    expect(result.omitted.every((part) => part.reason === 'level')).toBe(true);
    // Each part left out is named with where to read it, in the brief itself.
    for (const part of result.omitted) {
      expect(result.text).toContain(`- ${part.title}${part.path ? ` (\`${part.path}\`)` : ''}, ${part.tokens} tokens, not held at level ${level}: ${part.open}`);
      if (part.path) expect(part.open).toBe(path.join(repos[state].worktree, part.path));
    }
    for (const part of result.sections) expect(result.text).toContain(`## ${part.title} (${part.tokens} tokens)`);
  });

  test.each([
    ['implemented', 'implementer', ['position', 'spec', 'journal', 'files', 'timeline', 'proof']],
    ['failed', 'verifier', ['position', 'spec', 'proof', 'files', 'verdict', 'timeline']],
    ['implemented', 'integrator', ['position', 'timeline', 'files', 'spec', 'proof']],
  ] as const)('%s slice, --role %s at level full: %j', async (state, role, held) => {
    const result = await brief(state, [SLICE, '--role', role, '--level', 'full']);
    expect(result.role).toBe(role);
    expect(ids(result.sections)).toEqual(held);
  });

  test('the verifier is never given the journal, nor told where it is', async () => {
    const result = await brief('failed', [SLICE, '--role', 'verifier', '--level', 'full']);
    expect([...ids(result.sections), ...ids(result.omitted)]).not.toContain('journal');
    expect(result.text).not.toContain('journal.md');
  });

  test("a FAIL verdict's numbered violations and a BLOCKED verdict's reason are in the brief, from the receipt's commit", async () => {
    const failed = await brief('failed', [SLICE, '--level', 'minimal']);
    expect(failed.text).toContain('1. Gate 3 — npm test fails: test/export.test.ts:3 expects a header row the CSV lacks.');
    expect(failed.text).toMatch(/- Latest verdict: FAIL on [0-9a-f]{12}/);
    expect(failed.text).toContain('- Next: /implement-slice S01-export-csv 2026-11-21-billing, because S01-export-csv is failed_verification');
    const blocked = await brief('blocked', [SLICE, '--level', 'minimal']);
    expect(blocked.text).toContain('open, because the spec asks for both RFC 4180 quoting and unquoted fields.');
    expect(blocked.text).toContain('- Next: /replan-release 2026-11-21-billing, because S01-export-csv has an open BLOCKED verdict');
  });
});

describe("a release's brief", () => {
  test.each([
    ['planned', 'minimal', 'planner', ['position'], ['slices', 'intake', 'index', 'timeline']],
    ['planned', 'standard', 'planner', ['position', 'slices', 'intake', 'index', 'timeline'], []],
    ['verified', 'standard', 'integrator', ['position', 'slices', 'timeline'], ['index', 'intake']],
    ['verified', 'full', 'integrator', ['position', 'slices', 'timeline', 'index', 'intake'], []],
  ] as const)('%s slice, level %s, no slice named: the %s gets %j', async (state, level, role, held, leftOut) => {
    const result = await brief(state, ['--level', level]);
    expect(result).toMatchObject({ role, level, release: RELEASE, slice: null });
    expect(ids(result.sections)).toEqual(held);
    expect(ids(result.omitted)).toEqual(leftOut);
  });

  test('its position names each track with its next command, or why it has none', async () => {
    const result = await brief('verified', [RELEASE]);
    expect(result.text).toContain('  - T1-exports (in_progress, ready to merge; 1 of 1 done; depends on no track): next /merge-track T1-exports 2026-11-21-billing');
  });

  test('the implementer and the verifier need a slice', async () => {
    const result = await repos.planned.baton(['brief', '--role', 'verifier'], { exitCode: 2 });
    expect(result.stderr).toContain('A brief for the verifier is about one slice, and none was named.');
  });
});

describe('a budget', () => {
  /** The failed slice's standard brief for its implementer: every part held, none left out. */
  let whole: Brief;
  /** The fewest tokens a brief of it can have, as the refusal of a smaller budget names them. */
  let least: number;
  beforeAll(async () => {
    whole = await brief('failed', [SLICE]);
    const refused = await repos.failed.baton(['brief', SLICE, '--budget', '1'], { exitCode: 2 });
    least = Number(/less than the (\d+) tokens/.exec(refused.stderr)?.[1]);
    expect(least).toBeGreaterThan(0);
  });

  test.each([
    { budget: 'the size of the unbudgeted brief', tokens: () => whole.tokens, held: ['position', 'verdict', 'spec', 'journal', 'files', 'timeline'], dropped: [] as string[] },
    { budget: 'one token less', tokens: () => whole.tokens - 1, held: ['position', 'verdict', 'spec', 'journal', 'files'], dropped: ['timeline'] },
    { budget: 'the least it needs', tokens: () => least, held: ['position'], dropped: ['verdict', 'spec', 'journal', 'files', 'timeline'] },
  ])('$budget: it holds $held and names $dropped as left out to fit', async ({ tokens, held, dropped }) => {
    const budget = tokens();
    const result = await brief('failed', [SLICE, '--budget', String(budget)]);
    expect(result.budget).toBe(budget);
    expect(result.tokens).toBeLessThanOrEqual(budget);
    expect(ids(result.sections)).toEqual(held);
    expect(result.omitted.filter((part) => part.reason === 'budget').map((part) => part.id)).toEqual(dropped);
    for (const part of result.omitted) expect(result.text).toContain(`, ${part.tokens} tokens, ${part.reason === 'budget' ? 'left out to fit the budget' : 'not held at level standard'}: ${part.open}`);
  });

  test('one token below the least it needs is refused, naming the least', async () => {
    const result = await repos.failed.baton(['brief', SLICE, '--budget', String(least - 1)], { exitCode: 2 });
    expect(result.stderr).toContain(`--budget ${least - 1} is less than the ${least} tokens this brief needs at the least`);
    expect(result.stderr).toContain(`Give --budget ${least} or more`);
  });

  test('at every budget between the least and the whole, the brief fits it and keeps its parts in priority order', async () => {
    const order = ['position', 'verdict', 'spec', 'journal', 'files', 'timeline', 'proof'];
    for (const budget of [least, least + 150, least + 400, least + 700, whole.tokens - 200, whole.tokens]) {
      const result = await brief('failed', [SLICE, '--budget', String(budget)]);
      expect(result.tokens, `budget ${budget}`).toBeLessThanOrEqual(budget);
      const held = ids(result.sections);
      expect(held).toEqual(order.filter((id) => held.includes(id)));
      expect([...held, ...ids(result.omitted)].sort()).toEqual([...order].sort());
    }
  });
});

describe('the same repository gives the same bytes', () => {
  test.each(['minimal', 'standard', 'full'])('level %s, printed twice, as text and as JSON', async (level) => {
    const first = await repos.failed.baton(['brief', SLICE, '--level', level]);
    const second = await repos.failed.baton(['brief', SLICE, '--level', level]);
    expect(second.stdout).toBe(first.stdout);
    const json = JSON.parse((await repos.failed.baton(['brief', SLICE, '--level', level, '--json'])).stdout) as Brief;
    // The digest is the SHA-256 of the brief's text, which the printed form carries after its two-line head.
    expect(json.digest).toBe(createHash('sha256').update(json.text).digest('hex'));
    expect(first.stdout).toBe(`Brief ${json.digest}: ${json.tokens} tokens, counted with ${json.tokenizer}\nName it in this session's state changes: add --brief ${json.digest} to each baton command that records one.\n\n${json.text.replace(/\n$/, '')}`); // (the run strips the final newline)
    // Run from the primary checkout instead of the track's worktree, it reads the same branches.
    expect((await repos.failed.baton(['brief', SLICE, '--level', level], { cwd: repos.failed.repo })).stdout).toBe(first.stdout);
  });

  test('the digest names what the brief holds: another level or a budget that drops a part changes it, a budget that drops nothing does not', async () => {
    const standard = await brief('failed', [SLICE]);
    const digest = async (args: string[]) => (await brief('failed', [SLICE, ...args])).digest;
    expect(await digest(['--budget', '100000'])).toBe(standard.digest);
    expect(new Set([standard.digest, await digest(['--level', 'minimal']), await digest(['--level', 'full']), await digest(['--budget', String(standard.tokens - 1)])]).size).toBe(4);
  });
});

describe('a brief writes nothing', () => {
  test('no file of the repository, its git folder or its worktrees changes when a brief is made', async () => {
    const { repo, worktree } = repos.failed;
    const marker = path.join(await testdir(), 'before');
    await writeFile(marker, '');
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const args of [[SLICE, '--level', 'full'], [SLICE, '--role', 'verifier'], ['--level', 'full']]) await repos.failed.baton(['brief', ...args]);
    const changed = await execa('find', [repo, path.dirname(worktree), '-newer', marker], { reject: false });
    expect(changed.stdout).toBe('');
  });
});

describe('files in the working tree that are not plain files of the repository', () => {
  test('a link to a file outside the repository and a FIFO are named, never read', async () => {
    const slice = await receiptedSlice('planned');
    const secret = path.join(await testdir({ 'secret.txt': 'TOP-SECRET-OUTSIDE\n' }), 'secret.txt');
    const folder = path.join(slice.repo, SLICE_DIR);
    for (const name of ['journal.md', 'proof.md']) await rm(path.join(folder, name), { force: true });
    await symlink(secret, path.join(folder, 'journal.md'));
    // Opened for reading, a FIFO blocks until something writes to it: a brief that read it would never end.
    await execa('mkfifo', [path.join(folder, 'proof.md')]);
    const result = JSON.parse((await slice.baton(['brief', SLICE, '--level', 'full', '--json'])).stdout) as Brief;
    expect(result.text).not.toContain('TOP-SECRET');
    expect(result.text).toContain(`(not held: ${SLICE_DIR}/journal.md leads outside the repository through a link, so it is not read; open ${path.join(folder, 'journal.md')})`);
    expect(result.text).toContain(`(not held: ${SLICE_DIR}/proof.md is not a regular file; open ${path.join(folder, 'proof.md')})`);
    expect(ids(result.sections)).toEqual(['position', 'spec', 'journal', 'files', 'timeline', 'proof']);
  }, 60_000);
});

describe('the command line', () => {
  test.each([
    { argv: [undefined, undefined], expected: {} },
    { argv: ['S01-export-csv', undefined], expected: { slice: 'S01-export-csv' } },
    { argv: ['S01-export-csv', '2026-11-21-billing'], expected: { slice: 'S01-export-csv', release: '2026-11-21-billing' } },
    { argv: ['2026-11-21-billing', undefined], expected: { release: '2026-11-21-billing' } },
  ])('baton brief $argv', ({ argv, expected }) => {
    expect(briefTarget(argv[0], argv[1])).toEqual(expected);
  });

  test.each([
    { argv: ['2026-11-21-billing', 'S01-export-csv'], error: 'The release and slice ids are swapped' },
    { argv: ['2026-11-21-billing', '2026-11-22-other'], error: 'takes no second id' },
    { argv: ['../etc', undefined], error: 'slice' },
  ])('baton brief $argv is refused', ({ argv, error }) => {
    expect(() => briefTarget(argv[0], argv[1])).toThrow(error);
  });

  test.each([
    { value: undefined, expected: undefined },
    { value: '4000', expected: 4000 },
    { value: '1', expected: 1 },
  ])('--budget $value', ({ value, expected }) => {
    expect(budgetOption(value)).toBe(expected);
  });

  test.each(['0', '-5', '1e3', '12.5', 'abc', '', '10000001', ['10', '20']])('--budget %j is refused', (value) => {
    expect(() => budgetOption(value)).toThrow(/--budget/);
  });
});
