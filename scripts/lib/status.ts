import type { ErrorObject } from 'ajv';
import { excerpt } from './excerpt.js';
import { parseJsonStrict } from './json-file.js';
import { statusValidator } from './status-validator.js';

/** The states of the slice state machine. */
export const SLICE_STATES = ['planned', 'in_progress', 'implemented', 'verified', 'failed_verification', 'deferred', 'shipped'] as const;
export type SliceState = (typeof SLICE_STATES)[number];

/** States in which a slice needs no more work for its release to ship. */
const TERMINAL_STATES: readonly SliceState[] = ['verified', 'shipped', 'deferred'];

/** Verified, shipped or deferred: nothing more is asked of the slice before its track merges. */
export function isTerminal(state: string): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

export type VerdictResult = 'pass' | 'fail' | 'blocked';

/** A slice's status.json, as the published schema (templates/status.schema.json) defines it. */
export interface SliceStatus {
  $schema?: string;
  slice_id: string;
  release: string;
  track: string;
  title: string;
  state: SliceState;
  last_updated_by: string;
  last_updated_at: string;
  start_commit: string | null;
  actual_files: string[];
  test_commands: string[];
  reachability_artifacts: string[];
  verification: {
    result: VerdictResult | null;
    commit: string | null;
    verdict_at: string | null;
    violations: string[];
    blocked_reason: string | null;
  };
  deferral: { reason: string; tracking: string; acknowledged: string; deferred_at: string } | null;
  ship: { shipped_at: string; deployed_commit: string; deploy_ref: string | null; shipped_by: string } | null;
}

/** Problems of a parsed value against the schema, one readable line each; empty when it conforms. */
export function schemaProblems(value: unknown): string[] {
  const validator = statusValidator();
  if (validator(value)) return [];
  return (validator.errors ?? []).filter(isUseful).map(describeError);
}

/** Parses and validates a status.json; throws JsonError for text that is not JSON or repeats a key. */
export function parseStatus(text: string, file: string): { status: SliceStatus | undefined; problems: string[] } {
  const value = parseJsonStrict(text, file);
  const problems = schemaProblems(value);
  return { status: problems.length === 0 ? (value as SliceStatus) : undefined, problems };
}

/** Serialises with two-space indentation and a final newline, keys in the template's order. */
export function serializeStatus(status: SliceStatus): string {
  return `${JSON.stringify(status, null, 2)}\n`;
}

// oneOf branches produce an error per branch; the "must match exactly one schema" summary says it once.
function isUseful(error: ErrorObject): boolean {
  return !(error.keyword === 'type' && error.schemaPath.includes('oneOf'));
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'status.json' : error.instancePath.slice(1).replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') return `${where}: unknown key ${excerpt(String(error.params.additionalProperty))}`;
  if (error.keyword === 'required') return `${where}: missing key "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'enum') return `${where}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'oneOf') return `${where}: has the wrong type or format`;
  return `${where}: ${error.message ?? 'is invalid'}`;
}
