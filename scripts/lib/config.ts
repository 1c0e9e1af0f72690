import path from 'node:path';
import { OperationalError } from './errors.js';
import { excerpt } from './excerpt.js';
import { parseJsonStrict } from './json-file.js';
import { readTextIfPresent } from './read-text.js';

/**
 * Where a repository keeps its release docs and its worktrees. Resolved the same way by every baton
 * command: `.baton/config.json` first, then the environment, then the defaults.
 */
export interface BatonConfig {
  /** Release-docs root, relative to the repository root, with forward slashes and no trailing slash. */
  releaseDir: string;
  /** Absolute folder that holds the release and track worktrees. */
  worktreeRoot: string;
  /** FAIL verdicts after which a slice goes back to the planner (default 3). */
  maxAttempts: number;
  /** The dark-code check's marker words, when the repository replaces the default list (scripts/verify/markers.ts). */
  darkCodeMarkers?: string[];
  /** Where the values came from, for messages. */
  source: string;
}

const CONFIG_FILE = '.baton/config.json';
const DEFAULT_RELEASE_DIR = 'docs/release';
const DEFAULT_MAX_ATTEMPTS = 3;
const KEYS = ['releaseDir', 'worktreeRoot', 'maxAttempts', 'darkCodeMarkers'] as const;
/** A marker word: letters, digits, `_` and `-`, safe inside the patterns verify builds from it. */
const MARKER_WORD = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
/** verify joins the words into one pattern for git -G: a committed config must not make it huge. */
const MAX_MARKERS = 50;

/**
 * Reads the configuration of the repository whose working tree is `root`. `primaryRoot` is the main
 * checkout, consulted when a linked worktree does not carry the config file itself.
 */
export async function loadConfig(root: string, primaryRoot: string, env: Readonly<Record<string, string | undefined>>): Promise<BatonConfig> {
  let file = path.join(root, CONFIG_FILE);
  let raw = await readTextIfPresent(file);
  if (raw === undefined && primaryRoot !== root) {
    file = path.join(primaryRoot, CONFIG_FILE);
    raw = await readTextIfPresent(file);
  }
  const values = raw === undefined ? {} : readConfigValues(raw, file);

  let releaseDir = DEFAULT_RELEASE_DIR;
  let source = 'default';
  if (values.releaseDir !== undefined) {
    releaseDir = values.releaseDir;
    source = file;
  } else if (env.BATON_RELEASE_DIR !== undefined && env.BATON_RELEASE_DIR.trim() !== '') {
    releaseDir = env.BATON_RELEASE_DIR.trim();
    source = 'BATON_RELEASE_DIR';
  }
  const worktreeRoot = values.worktreeRoot === undefined
    ? path.join(path.dirname(primaryRoot), `${path.basename(primaryRoot)}-worktrees`)
    : boundedWorktreeRoot(values.worktreeRoot, primaryRoot, file);
  return {
    releaseDir: normaliseReleaseDir(releaseDir, root, source),
    worktreeRoot,
    maxAttempts: values.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(values.darkCodeMarkers ? { darkCodeMarkers: values.darkCodeMarkers } : {}),
    source,
  };
}

type ConfigValues = { releaseDir?: string; worktreeRoot?: string; maxAttempts?: number; darkCodeMarkers?: string[] };

function readConfigValues(raw: string, file: string): ConfigValues {
  const value = parseJsonStrict(raw, file);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OperationalError(`${file} must hold a JSON object.`, { fix: 'Write it as {"releaseDir": "docs/release"}.' });
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new OperationalError(`${file} has an unknown key ${excerpt(key)}.`, { fix: `Use only ${KEYS.join(', ')}.` });
    }
  }
  for (const key of ['releaseDir', 'worktreeRoot'] as const) {
    if (record[key] !== undefined && (typeof record[key] !== 'string' || (record[key] as string).trim() === '')) {
      throw new OperationalError(`${file}: ${key} must be a non-empty string.`, { fix: `Give ${key} a path, or remove it.` });
    }
  }
  const attempts = record.maxAttempts;
  if (attempts !== undefined && !(typeof attempts === 'number' && Number.isInteger(attempts) && attempts >= 1 && attempts <= 100)) {
    throw new OperationalError(`${file}: maxAttempts must be a whole number from 1 to 100.`, { fix: 'Set it to the number of FAIL verdicts after which a slice goes back to the planner, such as 3, or remove it.' });
  }
  const markers = record.darkCodeMarkers;
  if (markers !== undefined && !(Array.isArray(markers) && markers.length > 0 && markers.length <= MAX_MARKERS && markers.every((word) => typeof word === 'string' && MARKER_WORD.test(word)))) {
    throw new OperationalError(`${file}: darkCodeMarkers must be a non-empty list of at most ${MAX_MARKERS} words (letters, digits, _ and -; at most 40 characters each).`, {
      fix: 'Write it as ["TODO", "fixme", "xxx", "hack", "deferred", "placeholder"] (a lower-case word matches in any case, one with a capital letter only as written), or remove it to use that list all in lower case.',
    });
  }
  return record as ConfigValues;
}

/** The release dir as a clean repository-relative path; one that leaves the repository is refused. */
function normaliseReleaseDir(value: string, root: string, source: string): string {
  // The folder becomes part of every path baton hands to `git add` and `git commit`, which read paths
  // as pathspecs: `docs/*` would stage the user's own files, a leading ":" is pathspec magic.
  const absolute = path.resolve(root, value);
  const relative = path.relative(root, absolute).split(path.sep).join('/');
  if (/[*?[\]\\\x00-\x1f\x7f]/.test(value) || relative.startsWith(':')) {
    throw new OperationalError(`The release docs folder "${value}" (from ${source}) holds a character git reads as a pattern (* ? [ ] \\, a leading ":") or a control character.`, {
      fix: 'Set releaseDir (or BATON_RELEASE_DIR) to a plain folder path, such as docs/release.',
    });
  }
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new OperationalError(`The release docs folder "${value}" (from ${source}) is not inside the repository ${root}.`, {
      fix: 'Set releaseDir (or BATON_RELEASE_DIR) to a folder inside the repository, such as docs/release.',
    });
  }
  return relative;
}

/**
 * A committed config is untrusted: it must not make `baton worktree` check files out anywhere the
 * user can write. It may put the worktrees inside the primary checkout (`.worktrees`) or in one
 * folder beside it (the default `../<repo>-worktrees`, or any `../<name>`), nothing else. Links
 * inside the checkout are checked when a worktree is created (see worktrees.ts).
 */
function boundedWorktreeRoot(value: string, primaryRoot: string, file: string): string {
  const absolute = path.resolve(primaryRoot, value);
  const inside = path.relative(primaryRoot, absolute);
  const insideCheckout = inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside);
  const besideCheckout = path.dirname(absolute) === path.dirname(primaryRoot) && absolute !== primaryRoot && !path.basename(absolute).startsWith('.');
  if (insideCheckout || besideCheckout) return absolute;
  throw new OperationalError(
    `worktreeRoot "${value}" in ${file} leads to ${absolute}: a repository's config may only put worktrees inside the repository (such as ".worktrees") or in one folder beside it (such as "../${path.basename(primaryRoot)}-worktrees").`,
    { fix: `Change worktreeRoot in ${file} to one of those, or remove it to use ../${path.basename(primaryRoot)}-worktrees.` },
  );
}
