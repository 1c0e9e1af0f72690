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

/** Each shape in words, for people: the fix of a malformed id says this, never the expression. */
const FORMS: Record<IdKind, string> = {
  release: 'YYYY-MM-DD-name: a date, then lower-case letters and digits in words joined by "-"',
  slice: 'S<number>-name: "S", a number, then lower-case letters and digits in words joined by "-"',
  track: 'T<number>-name: "T", a number, then lower-case letters and digits in words joined by "-"',
};

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
    fix: `Use the form ${FORMS[kind]}, for example ${EXAMPLES[kind]}.`,
  });
}

/**
 * A release id for a new release: well formed, and its date a real calendar date. Only new releases
 * are held to the calendar, so an existing release named before this check stays reachable by its id.
 */
export function assertNewReleaseId(value: string): string {
  const release = assertId('release', value);
  const [year, month, day] = release.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new UsageError(`"${release}" does not start with a real date: ${release.slice(0, 10)} is not a day of the calendar.`, {
      fix: `Start the release id with a real date as YYYY-MM-DD, for example ${EXAMPLES.release}.`,
    });
  }
  return release;
}
