import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runBin, type RunResult } from './run.js';
import { CODE, commitAll, proof, RELEASE, SLICE, SLICE_DIR, SPEC, TRACK } from './slice-repo.js';
import { git, GIT_ENV, gitdir, testdir, writeFiles } from './testdir.js';

/**
 * A repository whose one slice (RELEASE, SLICE in TRACK, as in slice-repo.ts) reached its state
 * through the real baton commands, so every record it holds is the one a receipt wrote. For tests
 * whose subject needs state the board trusts (READY, next steps, verdicts); a test about the board's
 * reading rules builds records by hand instead (slice-repo.ts), and meets `unreceipted-state`.
 */

/** How far the slice is taken: each state is reached from the one before it. */
export type ReceiptedState = 'planned' | 'in_progress' | 'implemented' | 'verified';

export interface ReceiptedSlice {
  /** The main checkout, on the integration branch `main`. */
  repo: string;
  /** Where the slice's record lives: the track worktree once the slice is started, else `repo`. */
  worktree: string;
  /** baton in a checkout (default: `worktree`); throws unless it exits as expected (default 0). `env` adds variables (an agent session's id, say). */
  baton: (args: string[], options?: { cwd?: string; exitCode?: number; env?: Record<string, string> }) => Promise<RunResult>;
}

export async function receiptedSlice(state: ReceiptedState, options: { title?: string; env?: Record<string, string> } = {}): Promise<ReceiptedSlice> {
  const repo = await gitdir({ 'README.md': '# app\n', 'src/app.ts': 'export const app = 1;\n' }, 'baton-receipted-');
  const at = { worktree: repo };
  const baton = async (args: string[], run: { cwd?: string; exitCode?: number; env?: Record<string, string> } = {}) => {
    const result = await runBin('baton', args, { cwd: run.cwd ?? at.worktree, env: { ...GIT_ENV, ...(run.env ?? options.env) } });
    const expected = run.exitCode ?? 0;
    if (result.exitCode !== expected) throw new Error(`baton ${args.join(' ')} exited ${result.exitCode}, not ${expected}:\n${result.stdout}\n${result.stderr}`);
    return result;
  };

  await baton(['new-release', RELEASE, '--title', 'Billing exports']);
  await baton(['new-slice', SLICE, '--release', RELEASE, '--track', TRACK, '--title', options.title ?? 'A user exports invoices as CSV']);
  // The planner's spec, with the touchpoints CODE changes: what verify checks the work against.
  await writeFile(path.join(repo, SLICE_DIR, 'spec.md'), SPEC);
  await commitAll(repo, `docs(release/${RELEASE}/${SLICE}): write spec`);
  if (state === 'planned') return { repo, worktree: repo, baton };

  await baton(['worktree', SLICE, RELEASE]);
  // The default worktree root: a folder beside the repository, named after it.
  at.worktree = path.join(`${repo}-worktrees`, RELEASE, TRACK);
  await baton(['start', SLICE, RELEASE]);
  if (state === 'in_progress') return { repo, worktree: at.worktree, baton };

  await writeFiles(at.worktree, CODE);
  await commitAll(at.worktree, `feat(export): land ${SLICE} — CSV export`);
  await writeFile(path.join(at.worktree, SLICE_DIR, 'proof.md'), proof(Object.keys(CODE)));
  await commitAll(at.worktree, `docs(release/${RELEASE}/${SLICE}): proof bundle`);
  await baton(['evidence', SLICE, RELEASE, '--test-command', 'npm test', '--reachability', 'test/export.test.ts:3 — clicks Export and gets a CSV']);
  await baton(['transition', SLICE, 'implemented', RELEASE]);
  if (state === 'implemented') return { repo, worktree: at.worktree, baton };

  const notes = path.join(await testdir(), 'verdict.md');
  await writeFile(notes, verdictBlock('PASS', await git(at.worktree, 'rev-parse', 'HEAD'), PASS_GATES));
  await baton(['verdict', SLICE, 'PASS', RELEASE, '--notes-file', notes]);
  return { repo, worktree: at.worktree, baton };
}

/** A verdict block in the verifier skill's format (scripts/lifecycle/verdict-notes.ts) for SLICE. */
export function verdictBlock(verdict: 'PASS' | 'FAIL' | 'BLOCKED', commit: string, rest: string): string {
  return `VERDICT: ${verdict}\nSlice: ${SLICE} (release ${RELEASE})\nCommit verified: ${commit}\nSession: fresh session, artefacts only\n${rest}`;
}

/** The six gates of a PASS, one numbered line each. */
export const PASS_GATES = 'Gates:\n1. Reachable outcome: seen.\n2. Touchpoints: as planned.\n3. Tests: pass in my run.\n4. Reachability artefact: present.\n5. No silent deferrals: none.\n6. Scope: as claimed.\n';
