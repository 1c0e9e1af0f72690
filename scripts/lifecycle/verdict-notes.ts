import { UsageError } from '../lib/errors.js';

/**
 * The verdict block a verifier writes (the verifier skill, section 9) and passes to `baton verdict`
 * as its notes. The block is checked before anything is recorded, so a verdict cannot be given with
 * a line of prose: it names the verdict, the slice and the commit verified, and then each gate with its
 * evidence (PASS), the numbered violations (FAIL) or the reason (BLOCKED).
 */

export type Verdict = 'PASS' | 'FAIL' | 'BLOCKED';

/** The gates a PASS must account for, one numbered line each. */
export const GATE_COUNT = 6;

export interface VerdictNotes {
  /** The commit the verifier names as verified (a full or abbreviated id). */
  commitVerified: string;
  /** The numbered violations, for FAIL. */
  violations: string[];
  /** The reason, for BLOCKED. */
  reason: string | null;
}

/** Checks the block against the verdict being recorded; a block that does not fit is a usage error naming what is missing. */
export function readVerdictNotes(notes: string, verdict: Verdict, slice: string, file: string): VerdictNotes {
  const problems: string[] = [];
  const field = (name: string) => verdictField(notes, name);
  const stated = field('VERDICT');
  if (stated === undefined) problems.push(`a first line "VERDICT: ${verdict}"`);
  else if (stated.split(/\s/)[0]?.toUpperCase() !== verdict) problems.push(`"VERDICT: ${verdict}" (it says "VERDICT: ${stated}")`);
  const sliceLine = field('Slice');
  if (sliceLine === undefined || sliceLine.split(/\s/)[0] !== slice) problems.push(`a line "Slice: ${slice} (release …, track …)"`);
  const commitVerified = field('Commit verified')?.split(/\s/)[0] ?? '';
  if (!/^[0-9a-f]{7,64}$/.test(commitVerified)) problems.push('a line "Commit verified: <the commit id you verified>"');
  const violations = verdict === 'FAIL' ? numberedItems(notes, 'violations') : [];
  if (verdict === 'FAIL' && violations.length === 0) problems.push('numbered violations under "Violations:", each "1. Gate N — what is wrong, with evidence"');
  if (verdict === 'PASS') {
    const gates = numberedItems(notes, 'gates');
    const numbers = new Set(gates.map((_, index) => index + 1));
    if (gates.length < GATE_COUNT || ![...Array(GATE_COUNT).keys()].every((index) => numbers.has(index + 1))) {
      problems.push(`"Gates:" followed by one numbered line of evidence for each of the ${GATE_COUNT} gates (it has ${gates.length})`);
    }
  }
  const reason = verdict === 'BLOCKED' ? field('Reason') ?? null : null;
  if (verdict === 'BLOCKED' && reason === null) problems.push('a line "Reason: why no fix within the spec exists"');
  if (problems.length > 0) {
    throw new UsageError(`The notes in ${file} are not a ${verdict} verdict block: they need ${problems.join('; ')}.`, {
      fix: 'Write the verdict block exactly in the format of the verifier skill (section 9, Verdicts) and pass that file.',
    });
  }
  return { commitVerified, violations, reason };
}

/** The value of a `Name: value` line of a verdict block (the first, case-insensitive), or undefined. */
export function verdictField(notes: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}\\s*:\\s*(\\S.*)$`, 'im').exec(notes)?.[1]?.trim();
}

/**
 * The numbered items of a labelled part: the lines "1. …" after the line starting with `label`, up to
 * the next labelled part ("Required fixes:", "Also found:"). The numbered required fixes that follow a
 * FAIL's violations are not violations.
 */
export function numberedItems(notes: string, label: string): string[] {
  const lines = notes.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^\\s*(#+\\s*)?${label}\\b`, 'i').test(line));
  if (start === -1) return [];
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (items.length > 0 && /^\s*(#+\s*\S.*|[A-Za-z][A-Za-z ]*:\s*)$/.test(line)) break; // the next labelled part
    const item = /^\s*\d+[.)]\s+(\S.*)$/.exec(line)?.[1]?.trim();
    if (item) items.push(item);
  }
  return items;
}
