import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, UsageError } from '../scripts/lib/errors.js';
import { readManifest } from './install/read-install-state.js';
import { MANIFEST_FILE } from './install/manifest.js';
import { TARGET_IDS, TARGETS } from './targets/index.js';
import { inPackDir, resolveRef, type InstallDirs, type Target } from './targets/target.js';

/**
 * Which tools a run installs for. `--target` names one tool, several (`claude,codex`) or `all`.
 * Without it, an install goes to every tool found here (its home folder in user scope, its project
 * folder in project scope, or an earlier baton install for it), and to every tool when none is found,
 * so that a fresh machine still gets a complete install. An uninstall without it removes every tool's.
 */

export interface TargetSelection {
  targets: Target[];
  /** `listed`: named with --target; `found`: detected; `none-found`: detected nothing, so all. */
  how: 'listed' | 'found' | 'none-found';
  /** Each tool looked for (only when detected), with the first folder found or the folders looked at. */
  looked: { target: Target; found: string | undefined; markers: string[] }[];
}

/** The ids named by `--target`, in the order of TARGETS; undefined when it was not given. */
export function parseTargetOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((id) => id.trim());
  if (ids.length === 1 && ids[0] === 'all') return [...TARGET_IDS];
  const unknown = ids.filter((id) => !TARGET_IDS.includes(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new UsageError(`--target ${JSON.stringify(value)} names ${unknown.length > 0 ? `no tool baton knows: ${unknown.map((id) => JSON.stringify(id)).join(', ')}` : 'no tool'}.`, {
      fix: `Use one of ${TARGET_IDS.join(', ')}, several separated by commas (--target ${TARGET_IDS.slice(0, 2).join(',')}), or all.`,
    });
  }
  return TARGET_IDS.filter((id) => ids.includes(id));
}

export async function selectTargets(option: string | undefined, dirs: InstallDirs, uninstall: boolean): Promise<TargetSelection> {
  const ids = parseTargetOption(option);
  if (ids) return { targets: TARGETS.filter((target) => ids.includes(target.id)), how: 'listed', looked: [] };
  if (uninstall || dirs.scope === 'plugin') return { targets: [...TARGETS], how: 'listed', looked: [] };
  const looked = [];
  for (const target of TARGETS) {
    const markers = target.markers(dirs);
    looked.push({ target, markers, found: (await firstExisting(markers)) ?? (await earlierInstall(target, dirs)) });
  }
  const found = looked.filter((entry) => entry.found !== undefined).map((entry) => entry.target);
  return found.length > 0 ? { targets: found, how: 'found', looked } : { targets: [...TARGETS], how: 'none-found', looked };
}

async function firstExisting(candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      await stat(candidate);
      return candidate;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') throw error;
    }
  }
  return undefined;
}

/** The manifest of an earlier baton install for this tool, so an upgrade keeps every tool it had. */
async function earlierInstall(target: Target, dirs: InstallDirs): Promise<string | undefined> {
  const layout = target.layout(dirs);
  const file = resolveRef(layout.roots, inPackDir(layout, MANIFEST_FILE));
  const manifest = await readManifest(file);
  return manifest?.files.some((entry) => entry.targets.includes(target.id)) ? path.dirname(file) : undefined;
}

/** What the plan says about the choice: which tools were found, which were not, and how to add one. */
export function describeSelection(selection: TargetSelection): string | undefined {
  const missing = selection.looked.filter((entry) => entry.found === undefined);
  // Named on the command line, or every tool found: the plan's first line names the tools.
  if (selection.how === 'listed' || missing.length === 0) return undefined;
  const where = (entry: TargetSelection['looked'][number]) => `${entry.target.label} (${entry.found ?? entry.markers.join(' or ')})`;
  if (selection.how === 'none-found') {
    return `No tool's folder was found: ${missing.map(where).join(', ')}. This installs for every tool; choose with --target <id>[,<id>...] (${TARGET_IDS.join(', ')}).`;
  }
  const lines = [`Tools found: ${selection.looked.filter((entry) => entry.found !== undefined).map(where).join(', ')}.`];
  if (missing.length > 0) {
    const ids = [...selection.targets.map((target) => target.id), missing[0]?.target.id].join(',');
    lines.push(`Not found: ${missing.map(where).join(', ')}. To install for one of them too, name the tools: --target ${ids} (or --target all).`);
  }
  return lines.join('\n');
}

/** The same, for --json. */
export function selectionJson(selection: TargetSelection) {
  return {
    how: selection.how,
    ...(selection.how === 'listed' ? {} : { found: selection.looked.filter((entry) => entry.found).map((entry) => ({ id: entry.target.id, folder: entry.found })), notFound: selection.looked.filter((entry) => !entry.found).map((entry) => ({ id: entry.target.id, folders: entry.markers })) }),
  };
}
