import { OperationalError } from '../../scripts/lib/errors.js';
import { isInsideRootLexically } from '../../scripts/lib/inside-root.js';
import type { RenderedKind } from '../render/render-pack.js';

/**
 * The install manifest, one per pack directory (`<pack dir>/manifest.json`). It records every file
 * an install wrote, with the hash of what it wrote, so that later runs can tell the user's edits from
 * the pack's own content, and every directory it created, so that uninstall can leave the home as it
 * found it. Paths are kept relative to named roots, so a moved home keeps working.
 */

export interface ManifestEntry {
  /** Root name of the layout (`claude`, `agents`, `codex`, `project`). */
  root: string;
  /** POSIX path relative to the root. */
  path: string;
  /** SHA-256 of the content baton wrote. */
  sha256: string;
  /** The targets that installed this file. */
  targets: string[];
  /** What the file is, so a removal is reported as what was installed. */
  kind: RenderedKind;
}

export interface ManifestDir {
  root: string;
  /** POSIX path relative to the root; empty for the root itself. */
  path: string;
  targets: string[];
}

/** Choices an install was made with, so that a later run without the flag keeps them. */
export interface ManifestOptions {
  /** `--stop-hook`: the stop hook is installed (docs/stop-hook.md); `--no-stop-hook` takes it out again. */
  stopHook?: boolean;
}

export interface Manifest {
  format: 1;
  /** Version of the baton package that wrote it. */
  version: string;
  /** Absent when no option was chosen, so a manifest of an install without options reads as before. */
  options?: ManifestOptions;
  files: ManifestEntry[];
  dirs: ManifestDir[];
}

export const MANIFEST_FILE = 'manifest.json';

/**
 * Bounds on what a manifest may hold. A real one lists a few dozen entries in a few kilobytes; a
 * project manifest is committed in the repository, so a hostile one must not make the installer
 * read, hash or plan without end.
 */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
export const MANIFEST_MAX_ENTRIES = 10_000;

export function emptyManifest(version: string): Manifest {
  return { format: 1, version, files: [], dirs: [] };
}

/** Parses a manifest file; a damaged one is an operational error, because guessing could delete user files. */
export function parseManifest(text: string, file: string): Manifest {
  const damaged = (why: string) => damagedManifest(file, why);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw damaged(error instanceof Error ? error.message : 'not JSON');
  }
  if (!isRecord(value) || value.format !== 1 || typeof value.version !== 'string') throw damaged('unknown format');
  const { files, dirs } = value;
  if (!Array.isArray(files) || !files.every(isEntry)) throw damaged('the "files" list is malformed');
  if (!Array.isArray(dirs) || !dirs.every(isDir)) throw damaged('the "dirs" list is malformed');
  if (files.length + dirs.length > MANIFEST_MAX_ENTRIES) throw damaged(`it lists ${files.length + dirs.length} entries, more than the ${MANIFEST_MAX_ENTRIES} baton ever writes`);
  // A path that leaves its root would make baton remove or back up a file outside it: refuse the
  // whole manifest, not just the entry, since the rest of a tampered file cannot be trusted either.
  const outside = [...files.filter((entry) => !isInsideRootLexically(entry.path)), ...dirs.filter((dir) => dir.path !== '' && !isInsideRootLexically(dir.path))][0];
  if (outside) throw damaged(`the entry "${excerpt(outside.path)}" (root ${excerpt(outside.root)}) is not a plain path inside its root`);
  return { format: 1, version: value.version, ...(value.options === undefined ? {} : { options: readOptions(value.options, damaged) }), files, dirs };
}

function readOptions(value: unknown, damaged: (why: string) => OperationalError): ManifestOptions {
  if (!isRecord(value) || (value.stopHook !== undefined && typeof value.stopHook !== 'boolean')) throw damaged('the "options" record is malformed');
  return value.stopHook === undefined ? {} : { stopHook: value.stopHook };
}

/** At most 120 characters of a value taken from the manifest, for a message. */
function excerpt(value: string): string {
  const printable = JSON.stringify(value).slice(1, -1);
  return printable.length > 120 ? `${printable.slice(0, 117)}...` : printable;
}

/** The error for a manifest baton cannot trust; nothing is written after it. */
export function damagedManifest(file: string, why: string): OperationalError {
  return new OperationalError(`The install manifest ${file} is damaged: ${why}.`, {
    fix: 'Restore it from a backup, or delete it and run baton-install --force (edited files are then backed up and replaced).',
  });
}

/** Serialises deterministically (sorted, no timestamps) so an unchanged install rewrites nothing. */
export function serializeManifest(manifest: Manifest): string {
  const byKey = <T extends { root: string; path: string }>(a: T, b: T) => key(a).localeCompare(key(b));
  const sorted: Manifest = {
    format: 1,
    version: manifest.version,
    ...(manifest.options?.stopHook ? { options: { stopHook: true } } : {}),
    files: [...manifest.files].sort(byKey).map((entry) => ({ ...entry, targets: [...entry.targets].sort() })),
    dirs: [...manifest.dirs].sort(byKey).map((dir) => ({ ...dir, targets: [...dir.targets].sort() })),
  };
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

export function key(ref: { root: string; path: string }): string {
  return `${ref.root}:${ref.path}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isEntry(value: unknown): value is ManifestEntry {
  return isRecord(value) && typeof value.root === 'string' && typeof value.path === 'string' && typeof value.sha256 === 'string' && isStringList(value.targets) && typeof value.kind === 'string' && KINDS.includes(value.kind);
}

const KINDS: readonly string[] = ['command', 'skill', 'rule', 'template', 'tool', 'hook'] satisfies RenderedKind[];

function isDir(value: unknown): value is ManifestDir {
  return isRecord(value) && typeof value.root === 'string' && typeof value.path === 'string' && isStringList(value.targets);
}
