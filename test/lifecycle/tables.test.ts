import { describe, expect, test } from 'vitest';
import { parseRegistry } from '../../scripts/lib/registry.js';
import { SLICE_STATES, type SliceState, type VerdictResult } from '../../scripts/lib/status.js';
import { updatedAt } from '../../scripts/lifecycle/records.js';
import { numberedItems } from '../../scripts/lifecycle/verdict-notes.js';
import { checkTransition, type SliceAction } from '../../scripts/lifecycle/state-machine.js';

/** Every action from every state (with and without an open BLOCKED verdict): where it goes, or refused. */
const ALLOWED: Record<string, SliceState | null> = {
  'start planned': 'in_progress',
  'start failed_verification': 'in_progress',
  'evidence in_progress': 'in_progress',
  'stop in_progress': 'in_progress',
  'implement in_progress': 'implemented',
  'implement implemented': 'implemented',
  'pass implemented': 'verified',
  'fail implemented': 'failed_verification',
  'block implemented': 'implemented',
  'unblock implemented+blocked': 'planned',
  'defer planned': 'deferred',
  'defer in_progress': 'deferred',
  'defer implemented': 'deferred',
  'defer implemented+blocked': 'deferred',
  'defer failed_verification': 'deferred',
  'ship verified': 'shipped',
};

const ACTIONS: SliceAction[] = ['start', 'evidence', 'stop', 'implement', 'pass', 'fail', 'block', 'unblock', 'defer', 'ship'];
const STATES: [SliceState, VerdictResult | null, string][] = [
  ...SLICE_STATES.map((state): [SliceState, VerdictResult | null, string] => [state, null, state]),
  ['implemented', 'blocked', 'implemented+blocked'],
];

describe('the slice state machine', () => {
  const cases = ACTIONS.flatMap((action) => STATES.map(([state, verdict, label]) => ({ action, state, verdict, label, expected: ALLOWED[`${action} ${label}`] ?? null })));
  test.each(cases)('$action from $label → $expected', ({ action, state, verdict, expected }) => {
    const check = checkTransition(action, state, verdict, 'planned');
    if (expected === null) {
      expect(check.allowed).toBe(false);
      if (!check.allowed) {
        expect(check.reason).toMatch(/\S/);
        expect(check.fix).toMatch(/\S/);
      }
    } else {
      expect(check).toEqual({ allowed: true, to: expected });
    }
  });

  test('a BLOCKED slice can be resolved to each allowed state, and no other', () => {
    for (const to of ['failed_verification', 'planned'] as const) expect(checkTransition('unblock', 'implemented', 'blocked', to)).toEqual({ allowed: true, to });
    // Not back to implemented: the proof predates the amended spec, and only the implementer rewrites it.
    for (const to of ['implemented', 'verified'] as const) expect(checkTransition('unblock', 'implemented', 'blocked', to).allowed).toBe(false);
  });

  test('refusals say why and what to do', () => {
    expect(checkTransition('pass', 'implemented', 'blocked')).toMatchObject({ allowed: false, reason: 'the slice has an open BLOCKED verdict', fix: expect.stringMatching(/replan-release/) });
    expect(checkTransition('start', 'implemented', null)).toMatchObject({ allowed: false, fix: expect.stringMatching(/verify-slice command in a fresh session/) });
    expect(checkTransition('implement', 'verified', null)).toMatchObject({ allowed: false, reason: expect.stringMatching(/verified slice does not change/) });
  });
});

describe('reading the tracks: registry', () => {
  const head = (yaml: string) => `---\n${yaml}\n---\n# body\n`;
  const cases: { name: string; text: string; tracks?: unknown; integration?: string | undefined; problems?: RegExp }[] = [
    {
      name: 'block lists, comments and quotes',
      text: head("release: 2026-11-21-billing\nintegration_branch: 'main' # where it lands\ntracks:\n  - id: \"T1-exports\"\n    slices:\n      - S01-a   # first\n      - 'S02b-b'\n    depends_on: []\n    state: in_progress"),
      tracks: [{ id: 'T1-exports', slices: ['S01-a', 'S02b-b'], dependsOn: [], state: 'in_progress' }],
      integration: 'main',
    },
    {
      name: 'flow lists, a missing state and a single dependency',
      text: head('integration_branch: release/v2\ntracks: [{ id: T2-pdf, slices: [S03-c], depends_on: T1-exports }]'),
      tracks: [{ id: 'T2-pdf', slices: ['S03-c'], dependsOn: ['T1-exports'], state: 'planned' }],
      integration: 'release/v2',
    },
    {
      name: 'CRLF line endings',
      text: head('integration_branch: main\ntracks:\n  - id: T1-a\n    slices: [S01-a]').replace(/\n/g, '\r\n'),
      tracks: [{ id: 'T1-a', slices: ['S01-a'], dependsOn: [], state: 'planned' }],
      integration: 'main',
    },
    { name: 'an empty registry', text: head('integration_branch: main\ntracks: []'), tracks: [], integration: 'main' },
    { name: 'a commented-out value is empty, not text', text: head('integration_branch: # to be decided\ntracks:'), tracks: [], integration: undefined },
    { name: 'a bad track entry is reported, the others kept', text: head('tracks:\n  - id: T1-a\n    slices: [S01-a]\n  - id: not-a-track\n    slices: []'), tracks: [{ id: 'T1-a', slices: ['S01-a'], dependsOn: [], state: 'planned' }], problems: /tracks\[1\]: id "not-a-track" is not a track id/ },
    { name: 'an unknown track state', text: head('tracks:\n  - id: T1-a\n    slices: [S01-a]\n    state: done'), tracks: [], problems: /state "done" is not one of planned, in_progress, merged/ },
    { name: 'a branch name that is not one', text: head('integration_branch: "main; rm -rf"'), tracks: [], problems: /is not a branch name/ },
    { name: 'frontmatter that is not YAML', text: head('tracks: [\n  - id'), problems: /not valid YAML/ },
    { name: 'no frontmatter at all', text: '# just a body\n', problems: /no frontmatter/ },
    { name: 'duplicate keys are an error', text: head('tracks: []\ntracks: []'), problems: /not valid YAML/ },
  ];
  test.each(cases)('$name', ({ text, tracks, integration, problems }) => {
    const registry = parseRegistry(text);
    if (tracks !== undefined) expect(registry.tracks).toEqual(tracks);
    expect(registry.integrationBranch).toBe(integration);
    if (problems) expect(registry.problems.join('\n')).toMatch(problems);
    else expect(registry.problems).toEqual([]);
  });
});

describe('the violations of a FAIL verdict', () => {
  test.each([
    { name: 'a numbered list without its Violations label', notes: 'FAIL\n\n1. Gate 3 — no test.\n2) Gate 4 — no artefact.\n', expected: [] },
    { name: 'a plain numbered list under Violations', notes: 'VERDICT: FAIL\nViolations:\n1. Gate 3 — no test.\n2) Gate 4 — no artefact.\n', expected: ['Gate 3 — no test.', 'Gate 4 — no artefact.'] },
    {
      name: 'violations, then required fixes',
      notes: 'VERDICT: FAIL\nViolations:\n1. Gate 3 — a test that cannot fail;\n   it matches source text.\n2. Gate 6 — a claim without evidence.\nRequired fixes:\n1. Gate 3 — run the script.\n2. Gate 6 — cite the test.\n',
      expected: ['Gate 3 — a test that cannot fail;', 'Gate 6 — a claim without evidence.'],
    },
    { name: 'Markdown headings', notes: '## Violations\n\n1. Gate 1 — x\n\n## Required fixes\n\n1. fix x\n', expected: ['Gate 1 — x'] },
    { name: 'no numbered line', notes: 'FAIL: it does not work.', expected: [] },
  ])('$name', ({ notes, expected }) => {
    expect(numberedItems(notes, 'violations')).toEqual(expected);
  });
});

describe('the last_updated_at a command writes', () => {
  const now = new Date('2026-12-01T02:37:19.123Z');
  test.each([
    { previous: '2026-12-01T02:37:18Z', expected: '2026-12-01T02:37:19Z' },
    { previous: '2026-11-30T09:00:00Z', expected: '2026-12-01T02:37:19Z' },
    // The same second: the record would be the same blob, which git refuses to commit.
    { previous: '2026-12-01T02:37:19Z', expected: '2026-12-01T02:37:19.123Z' },
    { previous: '2026-12-01T02:37:19.001Z', expected: '2026-12-01T02:37:19.123Z' },
  ])('after $previous: $expected', ({ previous, expected }) => {
    expect(updatedAt(now, previous)).toBe(expected);
  });
});
