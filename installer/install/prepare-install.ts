import path from 'node:path';
import { UsageError } from '../../scripts/lib/errors.js';
import { readPack } from '../pack/read-pack.js';
import { renderPack, type RenderedFile } from '../render/render-pack.js';
import type { ToolBundle } from '../render/tool-files.js';
import { TARGETS } from '../targets/index.js';
import { inPackDir, resolveRef, type FileRef, type InstallDirs, type Target, type TargetLayout } from '../targets/target.js';
import { JOURNAL_FILE, readJournal, type Journal } from './install-journal.js';
import { MANIFEST_FILE } from './manifest.js';
import { planInstall, type InstallPlan, type SlotInput } from './plan-install.js';
import { assertInsideRoot, findExistingDirs, hashFile, readManifest } from './read-install-state.js';

/** Everything an install run needs, resolved by the CLI from flags, environment and the package. */
export interface InstallRequest {
  /** The folder holding commands/, skills/, rules/ and templates/. */
  packRoot: string;
  /** The bundled tool; not needed to uninstall. */
  bundle: ToolBundle | undefined;
  targets: readonly Target[];
  dirs: InstallDirs;
  uninstall: boolean;
  force: boolean;
  /** `--stop-hook` (true), `--no-stop-hook` (false), or neither: as the manifest records it. */
  stopHook: boolean | undefined;
  version: string;
  backupStamp: string;
}

export interface PreparedInstall {
  plan: InstallPlan;
  /** Where applying the plan keeps its journal: the first pack directory. */
  journalPath: string;
  rendered: RenderedFile[];
  layouts: { target: Target; layout: TargetLayout }[];
}

/** Read what is there, content in, render, plan. Nothing is written. */
export async function prepareInstall(request: InstallRequest): Promise<PreparedInstall> {
  const layouts = request.targets.map((target) => ({ target, layout: target.layout(request.dirs) }));
  const slots = new Map<string, SlotInput>();
  for (const { target, layout } of layouts) {
    const manifestRef = inPackDir(layout, MANIFEST_FILE);
    const manifestPath = resolveRef(layout.roots, manifestRef);
    const slot = slots.get(manifestPath) ?? { manifestRef, manifestPath, roots: {}, selected: [], current: null, options: {}, desired: [] };
    Object.assign(slot.roots, layout.roots);
    slot.selected.push(target.id);
    slots.set(manifestPath, slot);
  }
  for (const slot of slots.values()) {
    slot.current = await readManifest(slot.manifestPath);
    // An option given now wins; else the one this install was made with stays (an upgrade keeps the hook).
    const stopHook = request.stopHook ?? slot.current?.options?.stopHook ?? false;
    slot.options = stopHook ? { stopHook } : {};
  }

  let rendered: RenderedFile[] = [];
  if (!request.uninstall) {
    if (!request.bundle) throw new Error('installing needs the bundled baton tool');
    // Validate against every known tool, so a pack error shows whichever targets were chosen.
    const pack = await readPack(request.packRoot, TARGETS);
    const stopHook = [...slots.values()].filter((slot) => slot.options.stopHook).flatMap((slot) => slot.selected);
    rendered = renderPack(pack, request.targets, request.dirs, request.bundle, { stopHook });
  }
  for (const slot of slots.values()) slot.desired = rendered.filter((file) => file.targets.some((id) => slot.selected.includes(id)));

  // Every path the plan may touch (rendered files, recorded files, manifests) is checked for links
  // that leave its root and hashed; recorded directories are checked too, since uninstall removes them.
  const files = new Map<string, { root: string; relative: string }>();
  const recordedDirs: { root: string; relative: string }[] = [];
  const parents = new Set<string>();
  for (const slot of slots.values()) {
    const refs: FileRef[] = [slot.manifestRef, ...slot.desired.map((file) => file.ref), ...(slot.current?.files ?? [])];
    for (const ref of refs) {
      const root = slot.roots[ref.root];
      if (root === undefined) continue; // recorded under a root this run does not use; left alone
      files.set(path.join(root, ...ref.path.split('/')), { root, relative: ref.path });
      for (const dir of parentDirs(root, ref.path)) parents.add(dir);
    }
    for (const dir of slot.current?.dirs ?? []) {
      const root = slot.roots[dir.root];
      if (root !== undefined) recordedDirs.push({ root, relative: dir.path });
    }
  }
  for (const { root, relative } of [...files.values(), ...recordedDirs]) await assertInsideRoot(root, relative, 'baton-install');
  // Folders first: a file where a folder belongs is named as such, not as a file that cannot be read.
  const existingDirs = await findExistingDirs(parents);
  const hashes = new Map<string, string | null>();
  for (const absolute of files.keys()) hashes.set(absolute, await hashFile(absolute));
  if (!request.uninstall) await assertRootsCreatable(slots.values(), existingDirs);

  const plan = planInstall({
    slots: [...slots.values()],
    hashes,
    existingDirs,
    force: request.force,
    version: request.version,
    backupStamp: request.backupStamp,
  });
  // The journal goes beside a manifest this run writes or reads: an uninstall of what only the second
  // tool has must not need the first tool's pack folder, which may not exist.
  const journalSlot = [...slots.values()].find((slot) => slot.current !== null || slot.desired.length > 0) ?? [...slots.values()][0];
  if (!journalSlot) throw new Error('an install has at least one target');
  return { plan, rendered, layouts, journalPath: path.join(path.dirname(journalSlot.manifestPath), JOURNAL_FILE) };
}

/** A journal left by an interrupted run, checked and ready to finish. */
export interface InterruptedInstall {
  file: string;
  journal: Journal;
}

/**
 * The journals of interrupted runs in this scope. Every tool's pack directory is looked at, not only
 * the chosen targets': a run for one tool must not plan over files another run left half switched.
 */
export async function findInterruptedInstalls(dirs: InstallDirs): Promise<InterruptedInstall[]> {
  const layouts = TARGETS.map((target) => target.layout(dirs));
  const roots = [...new Set(layouts.flatMap((layout) => Object.values(layout.roots)))];
  const files = new Set(layouts.map((layout) => resolveRef(layout.roots, inPackDir(layout, JOURNAL_FILE))));
  const found: InterruptedInstall[] = [];
  for (const file of files) {
    const journal = await readJournal(file, roots);
    if (journal) found.push({ file, journal });
  }
  return found;
}

/**
 * An install creates a missing root (`~/.claude`, or where an override points) but not the folders
 * above it: a root whose parent is missing is far more often a mistyped override than a wish.
 */
async function assertRootsCreatable(slots: Iterable<SlotInput>, existingDirs: ReadonlySet<string>): Promise<void> {
  const missing = new Set<string>();
  for (const slot of slots) {
    for (const file of slot.desired) {
      const root = slot.roots[file.ref.root];
      if (root !== undefined && !existingDirs.has(root)) missing.add(root);
    }
  }
  const parentsThere = await findExistingDirs([...missing].map((root) => path.dirname(root)));
  for (const root of missing) {
    if (parentsThere.has(path.dirname(root))) continue;
    throw new UsageError(`baton would install into ${root}, but the folder above it, ${path.dirname(root)}, does not exist.`, {
      fix: 'Create that folder first, or, if you set a variable that moves a tool\'s folder (CLAUDE_CONFIG_DIR, CODEX_HOME, COPILOT_HOME, ...; see baton-install --help), point it at a folder whose parent exists.',
    });
  }
}

/** The folders from a file's folder up to and including its root. */
function parentDirs(root: string, relative: string): string[] {
  const parts = relative.split('/').slice(0, -1);
  const dirs = [root];
  for (let index = 1; index <= parts.length; index += 1) dirs.push(path.join(root, ...parts.slice(0, index)));
  return dirs;
}
