import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, errnoCode, OperationalError, UsageError } from '../../scripts/lib/errors.js';
import { pathExists, readTextIfPresent } from '../../scripts/lib/read-text.js';
import { PLUGIN_PARTS, renderPlugins, type PluginFile, type PluginPart, type PluginRequest } from './render-plugins.js';

/**
 * `baton-install --plugin <dir>`: the pack as a Claude Code plugin and a Codex plugin, each with its
 * marketplace file, and as a Gemini CLI extension, so a user adds baton with the tool's own commands
 * (`claude plugin marketplace add <dir>` and `claude plugin install baton@baton`; `codex plugin
 * marketplace add <dir>` and `codex plugin add baton@baton`; `gemini extensions link
 * <dir>/gemini-extension`). See writePlugin for what it replaces and what it leaves alone.
 */

/**
 * The record of what baton wrote into a plugin folder (`plugin/`, `codex-plugin/`, `gemini-extension/`),
 * written with it. On the next run a file there that the record does not list is the user's, and is
 * carried into the new plugin instead of deleted.
 */
export const PLUGIN_RECORD = 'baton/plugin-files.json';

interface PluginRecord {
  format: 1;
  /** Paths relative to the plugin folder, the record itself left out. */
  files: string[];
}

export interface PluginWrite {
  files: PluginFile[];
  /** Files of the user's found in the earlier plugin folders and kept, relative to the marketplace folder. */
  kept: string[];
  /** Leftovers that could not be cleaned up; the plugins themselves are in place. */
  warnings: string[];
}

/**
 * Writes the marketplace folder. baton owns each tool's plugin folder and marketplace file in it
 * (PLUGIN_PARTS); anything else (a `.git`, a README of the user's) is left alone, so the folder can be
 * a repository through which a team shares the plugins. The new plugins are written into the folder
 * under a temporary name, then swapped in; every step is undone if a later one fails.
 */
export async function writePlugin(request: PluginRequest): Promise<PluginWrite> {
  const rendered = await renderPlugins(request);
  const outDir = path.resolve(request.outDir);
  await checkOwnership(outDir);
  const kept: string[] = [];
  const records: PluginFile[] = [];
  for (const part of PLUGIN_PARTS) {
    kept.push(...(await findUserFiles(outDir, part, rendered)));
    const record: PluginRecord = { format: 1, files: rendered.filter((file) => file.path.startsWith(`${part.dir}/`)).map((file) => file.path.slice(part.dir.length + 1)) };
    records.push({ path: `${part.dir}/${PLUGIN_RECORD}`, mode: 0o644, content: `${JSON.stringify(record, null, 2)}\n` });
  }
  const files = [...rendered, ...records].sort((a, b) => (a.path < b.path ? -1 : 1));
  await makeDir(outDir);
  const tag = randomBytes(4).toString('hex');
  const staging = path.join(outDir, `.baton-new-${tag}`);
  try {
    for (const file of files) {
      const target = path.join(staging, ...file.path.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.content);
      await chmod(target, file.mode);
    }
    // The user's files ride along into the new plugin folders, links as links.
    for (const file of kept) {
      const target = path.join(staging, ...file.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await cp(path.join(outDir, ...file.split('/')), target, { verbatimSymlinks: true, preserveTimestamps: true, errorOnExist: true, force: false });
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new OperationalError(`Could not write the plugin into ${outDir}: ${describeFsError(error)}. Nothing was changed.`, { cause: error, fix: `Make ${outDir} writable and run again.` });
  }

  const asides = await swapIn(outDir, staging, tag);
  const warnings: string[] = [];
  for (const leftover of [...asides, staging]) {
    await rm(leftover, { recursive: true, force: true }).catch((error: unknown) => warnings.push(`could not delete ${leftover} (${describeFsError(error)}); delete it by hand`));
  }
  return { files, kept, warnings };
}

/**
 * Moves each staged plugin folder and marketplace file into place, the earlier ones aside; returns what
 * was put aside, for the caller to delete. A failing step undoes every step before it.
 */
async function swapIn(outDir: string, staging: string, tag: string): Promise<string[]> {
  const undo: { step: () => Promise<unknown>; leftover: string }[] = [];
  const asides: string[] = [];
  try {
    for (const part of PLUGIN_PARTS) {
      const pluginDir = path.join(outDir, part.dir);
      const aside = path.join(outDir, `.baton-old-${tag}-${part.dir}`);
      const beside = markerBeside(part);
      for (const dir of beside ? parentsOf(outDir, part.marker) : []) {
        if (await makeDir(dir)) undo.push({ step: () => rmdir(dir), leftover: dir });
      }
      if (await pathExists(pluginDir)) {
        await rename(pluginDir, aside);
        asides.push(aside);
        undo.push({ step: () => rename(aside, pluginDir), leftover: `${aside} (the earlier plugin; move it back to ${pluginDir})` });
      }
      await rename(path.join(staging, part.dir), pluginDir);
      undo.push({ step: () => rename(pluginDir, path.join(staging, part.dir)), leftover: pluginDir });
      // A marker inside the plugin folder (the Gemini CLI extension's manifest) came with it.
      if (!beside) continue;
      const marketplace = path.join(outDir, ...part.marker.split('/'));
      const staged = path.join(staging, ...part.marker.split('/'));
      if (await pathExists(marketplace)) {
        const oldFile = `${aside}.json`;
        await rename(marketplace, oldFile);
        asides.push(oldFile);
        undo.push({ step: () => rename(oldFile, marketplace), leftover: `${oldFile} (the earlier marketplace file; move it back to ${marketplace})` });
      }
      await rename(staged, marketplace);
      undo.push({ step: () => rename(marketplace, staged), leftover: marketplace });
    }
  } catch (error) {
    const stranded: string[] = [];
    for (const { step, leftover } of undo.reverse()) await step().catch(() => stranded.push(leftover));
    await rm(staging, { recursive: true, force: true }).catch(() => stranded.push(staging));
    const state = stranded.length === 0 ? 'The folder is as it was.' : `Putting it back also failed; check these by hand: ${stranded.join('; ')}.`;
    throw new OperationalError(`Could not put the new plugin in place in ${outDir}: ${describeFsError(error)}. ${state}`, { cause: error, fix: `Make ${outDir} and its plugin folders writable and run again.` });
  }

  return asides;
}

/** Whether the part's marker is a marketplace file beside its plugin folder, rather than a file inside it. */
function markerBeside(part: PluginPart): boolean {
  return !part.marker.startsWith(`${part.dir}/`);
}

/** The folders between the marketplace folder and a file in it, outermost first. */
function parentsOf(outDir: string, file: string): string[] {
  const parts = file.split('/').slice(0, -1);
  return parts.map((_, index) => path.join(outDir, ...parts.slice(0, index + 1)));
}

/**
 * The files in an earlier plugin folder that baton did not write: not in its record, and not written
 * by this run either (a plugin from before the record existed has none, so only its current files are
 * known as baton's). A file of the user's where this version now writes one of its own is refused.
 */
async function findUserFiles(outDir: string, part: PluginPart, rendered: readonly PluginFile[]): Promise<string[]> {
  const pluginDir = path.join(outDir, part.dir);
  const present = await listFiles(pluginDir);
  if (present.length === 0) return [];
  const recordFile = path.join(pluginDir, ...PLUGIN_RECORD.split('/'));
  const earlier = readRecord(await readTextIfPresent(recordFile), recordFile, part.dir);
  const ours = new Set(rendered.map((file) => file.path));
  const user = present.filter((file) => file !== PLUGIN_RECORD && !earlier?.has(file)).map((file) => `${part.dir}/${file}`);
  const clash = earlier ? user.filter((file) => ours.has(file)) : [];
  if (clash.length > 0) {
    throw new UsageError(`${part.dir}/ holds ${clash.join(', ')}, which baton did not write, and this version of baton writes a file of its own there.`, {
      fix: `Move ${clash.length === 1 ? 'it' : 'them'} out of ${pluginDir} (other files you added there are kept), then run again.`,
    });
  }
  return user.filter((file) => !ours.has(file));
}

function readRecord(text: string | undefined, file: string, dir: string): Set<string> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<PluginRecord>;
    if (parsed.format === 1 && Array.isArray(parsed.files) && parsed.files.every((entry) => typeof entry === 'string')) return new Set(parsed.files);
  } catch {
    // Reported below, as any other malformed record.
  }
  throw new UsageError(`${file}, baton's record of the files it wrote into ${dir}/, is damaged.`, {
    fix: `Delete it and run again: every file in ${dir}/ that this version of baton does not write is then kept as yours.`,
  });
}

/** Every file and link under `dir`, as POSIX paths relative to it; none when it does not exist. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(path.join(dir, entry.name), `${relative}/`)));
    else files.push(relative);
  }
  return files;
}

/**
 * A new folder, an empty one, or one whose marker files (PLUGIN_PARTS) are the ones baton writes. A
 * folder with another marketplace or extension, or with a plugin folder but no marker of baton's, is
 * someone else's. A folder an earlier baton wrote with fewer plugins gets the others added.
 */
async function checkOwnership(outDir: string): Promise<void> {
  if (!(await pathExists(path.dirname(outDir)))) {
    throw new UsageError(`The folder above ${outDir} does not exist.`, { fix: 'Create it first, or choose another folder for the plugin.' });
  }
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw new UsageError(`${outDir} is not a folder baton can write the plugin into (${describeFsError(error)}).`, { cause: error, fix: 'Choose a new or empty folder.' });
  }
  const refuse = (message: string) => new UsageError(message, { fix: 'Choose a new or empty folder, or one baton wrote the plugin into before.' });
  for (const part of PLUGIN_PARTS) {
    const file = path.join(outDir, ...part.marker.split('/'));
    const text = await readTextIfPresent(file);
    if (text === undefined) {
      const folder = path.posix.dirname(part.marker);
      if (entries.includes(part.dir) || (await pathExists(path.join(outDir, ...folder.split('/'))))) {
        throw refuse(`${outDir} holds a ${[...new Set([part.dir, folder])].map((name) => `${name}/`).join(' or ')} folder that baton did not write.`);
      }
      continue;
    }
    if (!part.isOurs(parseJson(text))) {
      throw refuse(markerBeside(part) ? `${file} is not the marketplace file baton writes; this folder holds another marketplace.` : `${file} is not the manifest of baton's ${part.label} extension; ${part.dir}/ holds another extension.`);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: not a file baton wrote.
    return undefined;
  }
}

/** Creates a folder; says whether it was new. */
async function makeDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new OperationalError(`Could not create ${dir}: ${describeFsError(error)}.`, { cause: error, fix: 'Make its parent folder writable and run again.' });
  }
}
