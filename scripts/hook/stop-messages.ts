import { doubleQuote } from '../lib/shell-quote.js';
import type { CheckResult, VerifyReport } from '../verify/report.js';

/**
 * What the stop hook says. The block reason is the agent's next instruction, read in the middle of a
 * session: it names the failing checks with their evidence and the two ways out, with the exact
 * commands. The notes are for the human, who sees them in the client's output.
 */

/** Evidence lines shown per failing check; `baton verify` prints them all. */
const MAX_DETAILS = 12;

function failedChecks(report: VerifyReport): CheckResult[] {
  return report.checks.filter((check) => check.status === 'fail');
}

function formatCheck(check: CheckResult): string[] {
  const details = check.details.slice(0, MAX_DETAILS).map((detail) => `      ${detail}`);
  if (check.details.length > MAX_DETAILS) details.push(`      … and ${check.details.length - MAX_DETAILS} more (baton verify lists them all)`);
  return [`  FAIL ${check.id}: ${check.message}`, ...details];
}

export function blockReason(report: VerifyReport, worktree: string, baton: string): string {
  const at = `${baton} -C ${doubleQuote(worktree)}`;
  const ids = `${report.slice} ${report.release}`;
  return [
    `baton: this session implements ${report.slice} (release ${report.release}), which is in_progress, and baton verify fails for it:`,
    '',
    ...failedChecks(report).flatMap(formatCheck),
    '',
    'The session cannot end while this check fails. Do one of these, then end your turn again:',
    `1. Fix the cause of each failing check (not its symptom), commit, and run \`${at} verify ${ids}\` until it passes; then finish the slice as the implement-slice command says (evidence, proof, \`${at} transition ${report.slice} implemented ${report.release}\`).`,
    `2. If something outside this slice's authority stops you (a question only the human can answer, a spec that must change, a missing service or credential), commit your work, record the stop with \`${at} stopped ${ids} --reason "<what blocks it, what works, and what is needed from whom>"\`, and tell the human. The slice stays in_progress for the next session.`,
  ].join('\n');
}

/** Said to the human when the hook lets a session go although its check still fails. */
export function releaseNote(report: VerifyReport, blocks: number): string {
  const ids = failedChecks(report).map((check) => check.id).join(', ');
  return `baton: ${report.slice} is still in_progress and baton verify fails (${ids}); the agent was sent back ${blocks} times in this turn and is now let stop. Run baton verify ${report.slice} ${report.release} to see what fails.`;
}

/** Said to the human when the hook could not check: the session is let stop, because a hook that cannot check must not trap anyone. */
export function cannotCheckNote(problem: string, fix: string | undefined): string {
  return `baton: the stop hook could not check this session (${problem}), so it let the session stop.${fix ? ` ${fix}` : ''}`;
}
