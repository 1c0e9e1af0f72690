import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git, gitdir, writeFiles } from './testdir.js';

export const RELEASE = '2026-11-21-billing';
export const SLICE = 'S01-export-csv';
export const TRACK = 'T1-exports';
export const SLICE_DIR = `docs/release/${RELEASE}/${SLICE}`;

/** A status.json as the schema wants it, with overrides. */
export function statusJson(overrides: Record<string, unknown> = {}): string {
  const status = {
    slice_id: SLICE,
    release: RELEASE,
    track: TRACK,
    title: 'A user exports invoices as CSV',
    state: 'in_progress',
    last_updated_by: 'baton start',
    last_updated_at: '2026-11-21T10:00:00Z',
    start_commit: null,
    actual_files: [],
    test_commands: ['npm test'],
    reachability_artifacts: ['test/export.test.ts:3 — clicks Export and gets a CSV'],
    verification: { result: null, commit: null, verdict_at: null, violations: [], blocked_reason: null },
    deferral: null,
    ship: null,
    ...overrides,
  };
  return `${JSON.stringify(status, null, 2)}\n`;
}

export const INDEX = `---
title: 'Billing exports'
release: ${RELEASE}
integration_branch: main
tracks:
  - id: ${TRACK}
    slices: [${SLICE}]
    depends_on: []
    state: in_progress
---
# Release ${RELEASE}
`;

export const SPEC = `---
title: 'A user exports invoices as CSV'
---
# ${SLICE}

## User outcome

An accountant clicks Export on the invoices page and receives a CSV file.

## Entry point

The Export button on /invoices.

## In scope

CSV export of the visible invoices.

## Out of scope

PDF export.

## Planned touchpoints

- \`src/export.ts\` — the exporter
- \`test/export.test.ts\` — its test through the page

## Acceptance checks

- [ ] Clicking Export downloads a CSV with one row per invoice.

## Required tests

- Unit: N/A
- Integration, through the entry point: test/export.test.ts
- Reachability artefact: the test itself
- End-to-end gate: no end-to-end test

## Risks

None known.

## Deferrals allowed?

No.
`;

export function proof(files: string[], overrides: { notDelivered?: string; divergence?: string } = {}): string {
  return `# Proof bundle: ${SLICE}

## Scope

An accountant exports invoices as CSV.

## Files changed

\`\`\`text
$ baton changed-files ${SLICE} ${RELEASE}
${files.join('\n')}
\`\`\`

## Test results

\`\`\`text
$ npm test
1 passing
exit 0
\`\`\`

## Reachability artefact

- Type: smoke step
- Path: test/export.test.ts
- Gesture: clicks Export

## Delivered

- Clicking Export downloads a CSV: test/export.test.ts line 3.

## Not delivered

${overrides.notDelivered ?? 'Nothing: every acceptance check is delivered.'}

## Divergence from plan

${overrides.divergence ?? 'None'}

## First-pass output

\`\`\`text
[fill: paste the output here]
\`\`\`
`;
}

export const JOURNAL = `# Journal: ${SLICE}\n\n## Session log\n\nStarted.\n`;

export const CODE = {
  'src/export.ts': 'export function toCsv(rows: string[][]): string {\n  return rows.map((row) => row.join(",")).join("\\n");\n}\n',
  'test/export.test.ts': 'import { toCsv } from "../src/export";\n\ntest("clicks Export", () => expect(toCsv([["a"]])).toBe("a"));\n',
};

/**
 * A repository holding one slice that passes every check: planned on main, branched to its track,
 * started (start_commit recorded), two code files committed and a proof that lists them.
 */
export async function passingSliceRepo(): Promise<{ dir: string; start: string }> {
  const dir = await gitdir({
    'README.md': '# app\n',
    'src/app.ts': 'export const app = 1;\n',
    [`docs/release/${RELEASE}/index.md`]: INDEX,
    [`${SLICE_DIR}/spec.md`]: SPEC,
    [`${SLICE_DIR}/journal.md`]: JOURNAL,
    [`${SLICE_DIR}/proof.md`]: '# Proof bundle\n',
    [`${SLICE_DIR}/status.json`]: statusJson({ state: 'planned', test_commands: [], reachability_artifacts: [] }),
  });
  await git(dir, 'branch', 'release-wt/' + RELEASE);
  await git(dir, 'checkout', '--quiet', '-b', `track/${RELEASE}/${TRACK}`);
  const start = await git(dir, 'rev-parse', 'HEAD');
  await writeFiles(dir, { [`${SLICE_DIR}/status.json`]: statusJson({ start_commit: start }) });
  await commitAll(dir, `docs(release/${RELEASE}/${SLICE}): start implementation`);
  await writeFiles(dir, CODE);
  await commitAll(dir, `feat(export): land ${SLICE} — CSV export`);
  await writeFile(path.join(dir, SLICE_DIR, 'proof.md'), proof(Object.keys(CODE)));
  await commitAll(dir, `docs(release/${RELEASE}/${SLICE}): proof bundle`);
  return { dir, start };
}

export async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}
