import { UsageError } from './errors.js';

/**
 * The three id shapes of the protocol. Every id is validated against these before it is used in a
 * path, a branch name or a git argument, so `..`, `/` and option-like values never get that far.
 */
export const ID_SHAPES = {
  release: /^\d{4}-\d{2}-\d{2}-[a-z0-9]+(-[a-z0-9]+)*$/,
  slice: /^S\d+[a-z]?-[a-z0-9]+(-[a-z0-9]+)*$/,
  track: /^T\d+-[a-z0-9]+(-[a-z0-9]+)*$/,
} as const;

export type IdKind = keyof typeof ID_SHAPES;

const EXAMPLES: Record<IdKind, string> = {
  release: '2026-11-21-billing-export',
  slice: 'S03-export-csv (a letter suffix such as S03a-export-csv is allowed)',
  track: 'T1-exports',
};

/**
 * The longest id accepted. Ids become folder names (docs/release/<release>/<slice>/), branch names
 * (track/<release>/<track>) and parts of worktree paths; 100 keeps each far below the 255 bytes a
 * file name may have and the whole path far below PATH_MAX, however they are combined.
 */
export const MAX_ID_LENGTH = 100;

/** Whether `value` is a well-formed id of the given kind. */
export function isId(kind: IdKind, value: string): boolean {
  return value.length <= MAX_ID_LENGTH && ID_SHAPES[kind].test(value);
}

/** Returns `value` when it is a well-formed id of the given kind; throws a usage error naming the shape otherwise. */
export function assertId(kind: IdKind, value: string): string {
  if (isId(kind, value)) return value;
  if (value.length > MAX_ID_LENGTH) {
    throw new UsageError(`The ${kind} id "${value.slice(0, 40)}…" is ${value.length} characters long; an id has at most ${MAX_ID_LENGTH}.`, {
      fix: `Use a shorter id, for example ${EXAMPLES[kind]}.`,
    });
  }
  throw new UsageError(`"${value}" is not a valid ${kind} id.`, {
    fix: `Use the form ${ID_SHAPES[kind].source}, for example ${EXAMPLES[kind]}.`,
  });
}
