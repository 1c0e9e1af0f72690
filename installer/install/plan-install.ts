import { createHash } from 'node:crypto';
import path from 'node:path';
import type { RenderedFile, RenderedKind } from '../render/render-pack.js';
import type { FileRef } from '../targets/target.js';
import { OperationalError } from '../../scripts/lib/errors.js';
import { isInsideRootLexically, isWithin } from '../../scripts/lib/inside-root.js';
import { damagedManifest, emptyManifest, key, serializeManifest, type Manifest, type ManifestDir, type ManifestEntry, type ManifestOptions } from './manifest.js';

/**
 * Planning an install is pure: the rendered files, what the manifests recorded and what is on disk
 * now go in; the list of file actions comes out. `--dry-run`, `--json` and the real install all show
 * and apply this same object.
 */

export type FileAction = 'create' | 'update' | 'unchanged' | 'remove' | 'conflict';

export interface PlannedFile {
  action: FileAction;
  absPath: string;
  ref: FileRef;
  targets: string[];
  kind: RenderedKind | 'manifest';
  /** The content to write, for create and update. */
  content?: string;
  mode: number;
  /** Where the current file is copied before it is replaced or removed (only when --force overrides an edit). */
  backupPath?: string;
  /** Why, for a conflict or a forced replacement. */
  note?: string;
}

export interface InstallPlan {
  files: PlannedFile[];
  /** Directories to create, parents before children. */
  createDirs: string[];
  /** Directories baton created that are removed if they end up empty, children before parents. */
  removeDirs: string[];
  summary: Record<FileAction, number>;
}

/** Everything about one pack directory (one manifest) that the plan needs. */
export interface SlotInput {
  manifestRef: FileRef;
  manifestPath: string;
  /** Root name to absolute directory, for every root the slot's targets write under. */
  roots: Record<string, string>;
  /** The targets of this run that keep their manifest here. */
  selected: string[];
  current: Manifest | null;
  /** The options recorded in the manifest this run writes. */
  options: ManifestOptions;
  /** Rendered files of the selected targets that belong to this slot (empty for an uninstall). */
  desired: RenderedFile[];
}

export interface PlanInput {
  slots: SlotInput[];
  /** SHA-256 of each relevant path's current content, or null when it does not exist. */
  hashes: ReadonlyMap<string, string | null>;
  /** Directories that exist now. */
  existingDirs: ReadonlySet<string>;
  force: boolean;
  version: string;
  /** Folder name for this run's backups, e.g. a timestamp; only used with --force. */
  backupStamp: string;
}

export function sha256(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export function planInstall(input: PlanInput): InstallPlan {
  const files: PlannedFile[] = [];
  const createDirs = new Set<string>();
  const removeDirs = new Set<string>();
  for (const slot of input.slots) planSlot(slot, input, files, createDirs, removeDirs);

  const summary: Record<FileAction, number> = { create: 0, update: 0, unchanged: 0, remove: 0, conflict: 0 };
  for (const file of files) summary[file.action] += 1;
  const depth = (dir: string) => dir.split(path.sep).length;
  return {
    files: files.sort((a, b) => (a.absPath < b.absPath ? -1 : 1)),
    createDirs: [...createDirs].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b)),
    removeDirs: [...removeDirs].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b)),
    summary,
  };
}

function planSlot(slot: SlotInput, input: PlanInput, files: PlannedFile[], createDirs: Set<string>, removeDirs: Set<string>): void {
  // Every path the plan derives is checked here, before anything is written: the manifest is data
  // (committed in the repository for a project install), so its paths may not leave their root.
  const resolve = (ref: FileRef) => {
    const root = slot.roots[ref.root];
    if (root === undefined) throw damagedManifest(slot.manifestPath, `it names a root ${JSON.stringify(ref.root).slice(0, 60)} that no tool of this scope uses`);
    return inside(root, ref.path === '' ? root : path.join(root, ...ref.path.split('/')), ref.path);
  };
  const hashOf = (absPath: string) => input.hashes.get(absPath) ?? null;
  const selected = new Set(slot.selected);
  const current = slot.current ?? emptyManifest(input.version);
  const recorded = new Map(current.files.map((entry) => [key(entry), entry]));
  const stampDir = path.join(path.dirname(slot.manifestPath), 'backups', input.backupStamp);
  const backupOf = (ref: FileRef) => inside(stampDir, path.join(stampDir, ref.root, ...ref.path.split('/')), `${ref.root}/${ref.path}`);
  const others = (targets: string[]) => targets.filter((target) => !selected.has(target));

  const nextFiles: ManifestEntry[] = [];
  const nextDirs = new Map<string, ManifestDir>(current.dirs.map((dir) => [key(dir), dir]));
  const recordDirs = (ref: FileRef, targets: string[]) => {
    // Every missing directory from the file's folder up to its root is created, and remembered.
    for (let dir = parentRef(ref); dir; dir = parentRef(dir)) {
      const absolute = resolve(dir);
      if (input.existingDirs.has(absolute)) break;
      createDirs.add(absolute);
      const known = nextDirs.get(key(dir));
      nextDirs.set(key(dir), { ...dir, targets: union(known?.targets ?? [], targets) });
    }
  };

  const desiredKeys = new Set<string>();
  for (const file of slot.desired) {
    desiredKeys.add(key(file.ref));
    const entry = recorded.get(key(file.ref));
    const onDisk = hashOf(file.absPath);
    const wanted = sha256(file.content);
    const planned: PlannedFile = { action: 'unchanged', absPath: file.absPath, ref: file.ref, targets: file.targets, kind: file.kind, mode: file.mode };
    const keptTargets = union(others(entry?.targets ?? []), file.targets);
    // A tool's hooks file may hold the user's own hooks too: baton never replaces one it did not write
    // as it is, not even with --force; the note says what to add by hand.
    const force = input.force && file.kind !== 'hook';
    if (onDisk === null) {
      Object.assign(planned, { action: 'create', content: file.content });
      recordDirs(file.ref, file.targets);
    } else if (onDisk === wanted) {
      // Already as the pack has it: unchanged.
    } else if (entry && onDisk === entry.sha256) {
      Object.assign(planned, { action: 'update', content: file.content });
    } else if (force) {
      Object.assign(planned, { action: 'update', content: file.content, backupPath: backupOf(file.ref), note: entry ? 'replaces your edited copy; a backup is kept' : 'replaces a file baton did not install; a backup is kept' });
    } else {
      planned.action = 'conflict';
      planned.note = file.kind === 'hook' ? hooksFileNote(file.content, Boolean(entry)) : entry ? 'you edited it; kept as it is (use --force to replace it, with a backup)' : 'a file baton did not install is in the way; kept as it is (use --force to replace it, with a backup)';
      // An edited file stays recorded with baton's hash, so later runs still know it as edited.
      if (entry) nextFiles.push({ ...entry, kind: file.kind, targets: keptTargets });
      files.push(planned);
      continue;
    }
    files.push(planned);
    nextFiles.push({ root: file.ref.root, path: file.ref.path, sha256: wanted, targets: keptTargets, kind: file.kind });
  }

  for (const entry of current.files) {
    if (desiredKeys.has(key(entry))) continue;
    const remaining = others(entry.targets);
    if (remaining.length > 0) {
      nextFiles.push({ ...entry, targets: remaining }); // still installed for a target not in this run
      continue;
    }
    const absPath = resolve(entry);
    const onDisk = hashOf(absPath);
    if (onDisk === null) continue; // already gone
    const planned: PlannedFile = { action: 'remove', absPath, ref: { root: entry.root, path: entry.path }, targets: entry.targets, kind: entry.kind, mode: 0o644 };
    if (onDisk !== entry.sha256) {
      if (entry.kind === 'hook') {
        // An edited hooks file holds hooks of the user's now: it is left to them, and no longer recorded as baton's.
        Object.assign(planned, { action: 'conflict', note: "you edited it, so it is yours now and stays as it is, even with --force; take baton's Stop hook out of it yourself" });
      } else if (input.force) Object.assign(planned, { backupPath: backupOf(entry), note: 'you edited it; removed after a backup' });
      else {
        Object.assign(planned, { action: 'conflict', note: 'baton would remove it, but you edited it; kept as it is; --force removes it after a backup' });
        // Still recorded, with baton's hash, so the manifest survives to let --force find it later.
        nextFiles.push(entry);
      }
    }
    files.push(planned);
  }

  // The manifest stays while it records any file; a new one needs its folder like any other file.
  const manifestOnDisk = hashOf(slot.manifestPath);
  const keepManifest = nextFiles.length > 0;
  if (keepManifest && manifestOnDisk === null) recordDirs(slot.manifestRef, slot.selected);

  // Directories baton created go when nothing recorded needs them any more (and only if empty by then).
  const stillNeeded = new Set<string>();
  const needed = keepManifest ? [...nextFiles, slot.manifestRef] : nextFiles;
  for (const entry of needed) for (let dir = parentRef(entry); dir; dir = parentRef(dir)) stillNeeded.add(key(dir));
  for (const [dirKey, dir] of nextDirs) {
    if (stillNeeded.has(dirKey)) continue;
    const remaining = others(dir.targets);
    if (remaining.length > 0 && keepManifest) {
      nextDirs.set(dirKey, { ...dir, targets: remaining });
      continue;
    }
    removeDirs.add(resolve(dir));
    nextDirs.delete(dirKey);
  }

  const base = { absPath: slot.manifestPath, ref: slot.manifestRef, targets: slot.selected, kind: 'manifest' as const, mode: 0o644 };
  if (!keepManifest) {
    if (manifestOnDisk !== null) files.push({ ...base, action: 'remove' });
    return;
  }
  const content = serializeManifest({ format: 1, version: input.version, options: slot.options, files: nextFiles, dirs: [...nextDirs.values()] });
  const action: FileAction = manifestOnDisk === null ? 'create' : manifestOnDisk === sha256(content) ? 'unchanged' : 'update';
  files.push({ ...base, action, ...(action === 'unchanged' ? {} : { content }) });
}

/** What to do about a hooks file baton may not replace: add its hook by hand, or leave it out. */
function hooksFileNote(content: string, edited: boolean): string {
  const hook = (JSON.parse(content) as { hooks: { Stop: { hooks: unknown[] }[] } }).hooks.Stop[0]?.hooks[0];
  const why = edited ? 'you edited it' : 'a hooks file of yours is in the way';
  return `${why}; kept as it is, even with --force. For baton's stop hook, add this handler under "Stop" yourself: ${JSON.stringify(hook)}; or run with --no-stop-hook`;
}

/** `absolute`, after checking that it is below `base` both as written in the data and once joined. */
function inside(base: string, absolute: string, relative: string): string {
  if ((relative !== '' && !isInsideRootLexically(relative)) || !isWithin(absolute, base)) {
    throw new OperationalError(`The path "${JSON.stringify(relative).slice(1, -1).slice(0, 120)}" leads outside ${base}; baton-install does not write, remove or back up anything there.`, {
      fix: 'The manifest naming this path is damaged or hostile: restore it from a copy you trust.',
    });
  }
  return absolute;
}

function parentRef(ref: FileRef): FileRef | undefined {
  if (ref.path === '') return undefined;
  const cut = ref.path.lastIndexOf('/');
  return { root: ref.root, path: cut === -1 ? '' : ref.path.slice(0, cut) };
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}
