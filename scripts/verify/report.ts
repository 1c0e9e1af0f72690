/** The report of `baton verify`: one entry per check, in a fixed order, each with its evidence. */

const CHECK_IDS = [
  'artefacts',
  'status-schema',
  'receipts',
  'state',
  'base',
  'diff-nonempty',
  'dark-code',
  'proof-sections',
  'proof-placeholders',
  'proof-files',
  'touchpoints',
  'spec-frontmatter',
  'reachability',
  'test-commands',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  /** One sentence: what was found, and for a failure what to do. */
  message: string;
  /** The evidence, one item per line: paths, `file:line` hits, schema errors. */
  details: string[];
}

export interface VerifyReport {
  slice: string;
  release: string;
  /** The commit the slice's changes were measured from; null when there is none (the base check says why). */
  base: string | null;
  verdict: 'PASS' | 'FAIL';
  checks: CheckResult[];
}

export const pass = (id: CheckId, message: string, details: string[] = []): CheckResult => ({ id, status: 'pass', message, details });
export const fail = (id: CheckId, message: string, details: string[] = []): CheckResult => ({ id, status: 'fail', message, details });
export const skip = (id: CheckId, message: string, details: string[] = []): CheckResult => ({ id, status: 'skip', message, details });

/** The terminal form of a report; deterministic, no colours. */
export function formatVerifyReport(report: VerifyReport): string {
  const width = Math.max(...CHECK_IDS.map((id) => id.length));
  const lines = [`baton verify ${report.slice} (release ${report.release})`, `base: ${report.base ?? 'none'}`, ''];
  for (const check of report.checks) {
    lines.push(`  ${check.status === 'fail' ? 'FAIL' : check.status}  ${check.id.padEnd(width)}  ${check.message}`);
    for (const detail of check.details) lines.push(`        ${' '.repeat(width)}  ${detail}`);
  }
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  lines.push('');
  lines.push(
    report.verdict === 'PASS'
      ? 'PASS: the first pass found nothing to fix. It is not a verdict: a fresh verifier still reviews the slice.'
      : `FAIL: ${failed} of ${report.checks.length} checks failed. Fix them and run baton verify again before anyone verifies this slice.`,
  );
  return lines.join('\n');
}
