import { createHash } from 'node:crypto';
import { isId } from './ids.js';
import { SLICE_STATES, type SliceState } from './status.js';

/**
 * Receipts: the machine-readable part of the commit every state-changing baton command makes. A
 * receipt is a block of git trailers at the end of the commit message, so git itself parses it
 * (`%(trailers)`), it travels with the commit through fetch, push and merge, and no file in the tree
 * can claim it. templates/receipt.schema.json describes the parsed form; docs/receipts.md says what
 * is checked and what is not.
 *
 *   Baton-Receipt: 1
 *   Baton-Event: verdict
 *   Baton-Release: 2026-11-21-billing
 *   Baton-Track: T1-exports
 *   Baton-Slice: S01-export-csv
 *   Baton-State: verified
 *   Baton-Verdict: PASS
 *   Baton-Role: verifier
 *   Baton-Attempt: 1
 *   Baton-Candidate: <commit>
 *   ...
 */

export const RECEIPT_VERSION = 1;

/** What happened. Each event has one role, and a rule for the files its commit may change. */
export const RECEIPT_EVENTS = {
  'release-opened': 'planner',
  'slice-planned': 'planner',
  'slice-dropped': 'planner',
  'track-changed': 'planner',
  worktree: 'implementer',
  started: 'implementer',
  evidence: 'implementer',
  stopped: 'implementer',
  implemented: 'implementer',
  verdict: 'verifier',
  unblocked: 'planner',
  reopened: 'planner',
  deferred: 'planner',
  'track-merged': 'integrator',
  shipped: 'integrator',
} as const;

export type ReceiptEvent = keyof typeof RECEIPT_EVENTS;
export type ReceiptRole = (typeof RECEIPT_EVENTS)[ReceiptEvent];
export type ReceiptVerdict = 'PASS' | 'FAIL' | 'BLOCKED';

export interface Receipt {
  version: 1;
  event: ReceiptEvent;
  role: ReceiptRole;
  release: string;
  track?: string;
  slice?: string;
  /** The slice's state after this event. */
  state?: SliceState;
  verdict?: ReceiptVerdict;
  /** Implementation attempt: 1 for the first, one more after each FAIL. */
  attempt?: number;
  /** The code commit vouched for (implemented, verdict). */
  candidate?: string;
  /** The slice's start commit, its diff base. */
  base?: string;
  /** SHA-256 of spec.md, proof.md and the canonical `baton verify` report at the candidate. */
  specSha256?: string;
  proofSha256?: string;
  reportSha256?: string;
  /** The agent session that ran the command, as `<client>:<id>`, where the client exposes one. */
  session?: string;
  /** The previous receipt commit of the same slice. */
  prev?: string;
  /** SHA-256 of the brief the session started from (baton brief). */
  brief?: string;
}

/** Trailer key for each field, in the order they are written. */
const KEYS: [keyof Receipt, string][] = [
  ['version', 'Baton-Receipt'],
  ['event', 'Baton-Event'],
  ['release', 'Baton-Release'],
  ['track', 'Baton-Track'],
  ['slice', 'Baton-Slice'],
  ['state', 'Baton-State'],
  ['verdict', 'Baton-Verdict'],
  ['role', 'Baton-Role'],
  ['attempt', 'Baton-Attempt'],
  ['candidate', 'Baton-Candidate'],
  ['base', 'Baton-Base'],
  ['specSha256', 'Baton-Spec-Sha256'],
  ['proofSha256', 'Baton-Proof-Sha256'],
  ['reportSha256', 'Baton-Report-Sha256'],
  ['session', 'Baton-Session'],
  ['prev', 'Baton-Prev'],
  ['brief', 'Baton-Brief'],
];
const FIELD_OF = new Map(KEYS.map(([field, key]) => [key.toLowerCase(), field]));

/** A receipt is small: a fixed set of short values. Anything larger is not a receipt baton wrote. */
const MAX_VALUE = 128;
const MAX_LINES = KEYS.length;

const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const SESSION = /^[a-z][a-z0-9-]{0,31}:[A-Za-z0-9._-]{1,80}$/;

/** The trailer block for a commit message: one `Key: value` line per field that is set. */
export function formatReceipt(receipt: Receipt): string {
  const problem = receiptProblem(receipt);
  if (problem) throw new Error(`baton built an invalid receipt: ${problem}`);
  return KEYS.filter(([field]) => receipt[field] !== undefined)
    .map(([field, key]) => `${key}: ${String(receipt[field])}`)
    .join('\n');
}

/**
 * Reads a receipt from git's trailer output (`%(trailers:only,unfold)`: `Key: value` lines). Lines
 * that are not baton's are ignored; a block without `Baton-Receipt` is not a receipt (undefined); a
 * receipt that repeats a key, is too large or fails a rule is reported as a problem.
 */
export function parseReceipt(trailers: string): { receipt: Receipt } | { problem: string } | undefined {
  const values = new Map<keyof Receipt, string>();
  let lines = 0;
  for (const line of trailers.split('\n')) {
    const match = /^(Baton-[A-Za-z0-9-]+):\s*(.*)$/i.exec(line.trim());
    if (!match) continue;
    const field = FIELD_OF.get((match[1] ?? '').toLowerCase());
    if (!field) continue; // a newer baton's field: ignored, as trailers allow
    if (++lines > MAX_LINES) return { problem: 'it has more trailer lines than a receipt holds' };
    if (values.has(field)) return { problem: `it repeats ${match[1]}` };
    const value = match[2] ?? '';
    if (value.length > MAX_VALUE) return { problem: `${match[1]} is longer than ${MAX_VALUE} characters` };
    values.set(field, value);
  }
  if (!values.has('version')) return undefined;
  const raw = Object.fromEntries(values) as Record<string, string>;
  const receipt = {
    ...raw,
    version: Number(raw.version),
    ...(raw.attempt === undefined ? {} : { attempt: Number(raw.attempt) }),
  } as unknown as Receipt;
  const problem = receiptProblem(receipt);
  return problem ? { problem } : { receipt };
}

/** The first rule a receipt breaks, in words, or undefined. */
export function receiptProblem(receipt: Receipt): string | undefined {
  if (receipt.version !== RECEIPT_VERSION) return `Baton-Receipt is ${String(receipt.version)}, not ${RECEIPT_VERSION}`;
  if (!Object.hasOwn(RECEIPT_EVENTS, receipt.event)) return `Baton-Event ${receipt.event} is not an event baton records`;
  if (receipt.role !== RECEIPT_EVENTS[receipt.event]) return `Baton-Role ${receipt.role} is not the role of ${receipt.event}`;
  if (!isId('release', receipt.release ?? '')) return 'Baton-Release is not a release id';
  if (receipt.track !== undefined && !isId('track', receipt.track)) return 'Baton-Track is not a track id';
  if (receipt.slice !== undefined && !isId('slice', receipt.slice)) return 'Baton-Slice is not a slice id';
  if (receipt.state !== undefined && !(SLICE_STATES as readonly string[]).includes(receipt.state)) return 'Baton-State is not a slice state';
  if (receipt.verdict !== undefined && !['PASS', 'FAIL', 'BLOCKED'].includes(receipt.verdict)) return 'Baton-Verdict is not PASS, FAIL or BLOCKED';
  if ((receipt.event === 'verdict') !== (receipt.verdict !== undefined)) return 'Baton-Verdict belongs to verdict receipts, and only to them';
  if (receipt.attempt !== undefined && !(Number.isInteger(receipt.attempt) && receipt.attempt >= 1 && receipt.attempt <= 10_000)) return 'Baton-Attempt is not a positive whole number';
  for (const field of ['candidate', 'base', 'prev'] as const) {
    if (receipt[field] !== undefined && !COMMIT.test(receipt[field] as string)) return `Baton-${field} is not a full commit id`;
  }
  for (const field of ['specSha256', 'proofSha256', 'reportSha256', 'brief'] as const) {
    if (receipt[field] !== undefined && !SHA256.test(receipt[field] as string)) return `the ${field} digest is not 64 hexadecimal digits`;
  }
  if (receipt.session !== undefined && !SESSION.test(receipt.session)) return 'Baton-Session is not <client>:<id>';
  const sliceEvent = isSliceEvent(receipt.event);
  const states = STATES_AFTER[receipt.event];
  if (states && receipt.state !== undefined && !states.includes(receipt.state)) return `a ${receipt.event} receipt cannot leave a slice ${receipt.state}`;
  if (receipt.event === 'verdict' && receipt.state !== undefined && receipt.state !== VERDICT_STATE[receipt.verdict ?? 'PASS']) return `a ${receipt.verdict} verdict leaves a slice ${VERDICT_STATE[receipt.verdict ?? 'PASS']}, not ${receipt.state}`;
  if (sliceEvent && (receipt.slice === undefined || receipt.state === undefined)) return `a ${receipt.event} receipt names its slice and the state after it`;
  if (receipt.event === 'slice-dropped' && (receipt.slice === undefined || receipt.state !== undefined)) return 'a slice-dropped receipt names its slice, and no state: the slice is gone';
  if ((receipt.event === 'implemented' || receipt.event === 'verdict') && (receipt.candidate === undefined || receipt.reportSha256 === undefined)) {
    return `a ${receipt.event} receipt names its candidate commit and the digest of its verify report`;
  }
  return undefined;
}

/** The states a slice event may leave a slice in (a verdict's depends on the verdict). */
const STATES_AFTER: Partial<Record<ReceiptEvent, readonly SliceState[]>> = {
  'slice-planned': ['planned'],
  started: ['in_progress'],
  evidence: ['in_progress'],
  stopped: ['in_progress'],
  implemented: ['implemented'],
  unblocked: ['failed_verification', 'planned'],
  reopened: ['failed_verification'],
  deferred: ['deferred'],
};
const VERDICT_STATE: Record<ReceiptVerdict, SliceState> = { PASS: 'verified', FAIL: 'failed_verification', BLOCKED: 'implemented' };

/** Events about one slice: they name it and the state it is in after them. */
export function isSliceEvent(event: ReceiptEvent): boolean {
  // slice-dropped names its slice but leaves no record behind: it removes the slice's folder.
  return !['release-opened', 'slice-dropped', 'track-changed', 'worktree', 'track-merged', 'shipped'].includes(event);
}

/** The id git gives a blob with this content: SHA-1, or SHA-256 in a repository whose ids have 64 digits. */
export function gitBlobId(text: string, idLength = 40): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash(idLength === 64 ? 'sha256' : 'sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** SHA-256 of text or bytes, as 64 hexadecimal digits. */
export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The session of the agent tool running this command, from the variables each client sets for the
 * commands its shell tool runs (checked with the real clients; test/conformance/session.test.ts):
 * Codex sets CODEX_THREAD_ID, Claude Code sets CLAUDE_CODE_SESSION_ID.
 */
export function sessionFromEnv(env: Record<string, string | undefined>): string | undefined {
  const candidates: [string, string | undefined][] = [
    ['codex', env.CODEX_THREAD_ID],
    ['claude', env.CLAUDE_CODE_SESSION_ID],
  ];
  for (const [client, id] of candidates) {
    const value = id?.trim();
    if (value && /^[A-Za-z0-9._-]{1,80}$/.test(value)) return `${client}:${value}`;
  }
  return undefined;
}
