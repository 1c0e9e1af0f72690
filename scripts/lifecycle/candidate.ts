import { sha256 } from '../lib/receipt.js';
import type { SliceChanges } from '../lib/slice-changes.js';
import type { VerifyReport } from '../verify/report.js';
import { verifySlice } from '../verify/verify-slice.js';

/**
 * A candidate: the commit an implementer claims, as `baton verify` judges it there (as if the slice
 * were implemented), with the digests its receipts carry. `implemented`, the verdict and the
 * merge-track gate all compute it at the same commit through the same path, so the report digest
 * recorded at implemented is recomputed byte for byte later, and any change to the code, the proof
 * or the spec since then shows as a different digest.
 */
export interface Candidate {
  commit: string;
  report: VerifyReport;
  changes: SliceChanges;
  reportSha256: string;
  specSha256: string | undefined;
  proofSha256: string | undefined;
}

export async function examineCandidate(options: { cwd: string; env: Record<string, string | undefined>; slice: string; release: string; commit: string }): Promise<Candidate> {
  const { report, changes, spec, proof } = await verifySlice({ cwd: options.cwd, env: options.env, slice: options.slice, release: options.release, asImplemented: true, at: options.commit });
  return {
    commit: options.commit,
    report,
    changes,
    reportSha256: sha256(JSON.stringify(report)),
    specSha256: spec === undefined ? undefined : sha256(spec),
    proofSha256: proof === undefined ? undefined : sha256(proof),
  };
}

/** The failed checks of a candidate's report, by id. */
export function failedChecks(candidate: Candidate): string[] {
  return candidate.report.checks.filter((check) => check.status === 'fail').map((check) => check.id);
}
