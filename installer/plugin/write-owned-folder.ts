import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, errnoCode, OperationalError, UsageError } from '../../scripts/lib/errors.js';
import { pathExists, readTextIfPresent } from '../../scripts/lib/read-text.js';

/** One file of a folder baton writes, by its path relative to that folder. */
export interface OwnedFile {
  path: string;
  content: string;
  mode: number;
}

export interface OwnedFolderRequest {
  /** The folder baton owns as a whole, e.g. a Gemini CLI extension. */
  folder: string;
  /** What the folder is, for messages: "the Gemini CLI extension". */
  what: string;
  files: OwnedFile[];
  /** Where, relative to the folder, baton records the files it wrote, so a later run can tell the user's files from its own. */
  record: string;
  /** A file every folder baton wrote holds, and the test that its text is baton's. */
  marker: { path: string; isOurs(text: string): boolean };
}

export interface OwnedFolderWrite {
  /** Every file written, the record included, sorted by path. */
  files: OwnedFile[];
  /** Files of the user's found in the earlier folder and kept, relative to the folder; a folder kept whole ends in `/`. */
  kept: string[];
  /** Leftovers that could not be cleaned up; the new folder itself is in place. */
  warnings: string[];
}

interface FolderRecord {
  format: 1;
  /** Paths relative to the folder, the record itself left out. */
  files: string[];
}

/**
 * Writes a folder that baton owns as a whole. The new folder is staged beside the old one, with the
 * user's files from the old one (any file baton's record does not list) carried into it, and swapped in
 * with two renames; a failure before the swap leaves the old folder as it was. A folder that exists and
 * is neither empty nor one baton wrote (by its marker file) is refused.
 */
export async function writeOwnedFolder(request: OwnedFolderRequest): Promise<OwnedFolderWrite> {
  const folder = path.resolve(request.folder);
  const parent = path.dirname(folder);
  if (!(await pathExists(parent))) {
    throw new UsageError(`The folder above ${folder} does not exist.`, { fix: `Create it first, or choose another folder for ${request.what}.` });
  }
  const existed = await checkOwnership(folder, request);
  const ours = new Set(request.files.map((file) => file.path));
  const kept = existed ? await findUserEntries(folder, request.record, ours) : [];
  const record: FolderRecord = { format: 1, files: [...ours].sort() };
  const files = [...request.files, { path: request.record, mode: 0o644, content: `${JSON.stringify(record, null, 2)}\n` }].sort((a, b) => (a.path < b.path ? -1 : 1));

  const tag = randomBytes(4).toString('hex');
  const staging = path.join(parent, `.${path.basename(folder)}.baton-new-${tag}`);
  const aside = path.join(parent, `.${path.basename(folder)}.baton-old-${tag}`);
  try {
    for (const file of files) {
      const target = path.join(staging, ...file.path.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.content);
      await chmod(target, file.mode);
    }
    // The user's files and folders ride along into the new folder, links as links.
    for (const entry of kept) {
      const parts = entry.split('/').filter(Boolean);
      const target = path.join(staging, ...parts);
      await mkdir(path.dirname(target), { recursive: true });
      await cp(path.join(folder, ...parts), target, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, errorOnExist: true, force: false });
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new OperationalError(`Could not write ${request.what} beside ${folder}: ${describeFsError(error)}. Nothing was changed.`, { cause: error, fix: `Make ${parent} writable and run again.` });
  }

  try {
    if (existed) await rename(folder, aside);
    await rename(staging, folder);
  } catch (error) {
    const back = existed ? await rename(aside, folder).then(() => true, () => false) : true;
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    const state = back ? `${folder} is as it was.` : `Putting it back also failed: move ${aside} back to ${folder} by hand.`;
    throw new OperationalError(`Could not put ${request.what} in place at ${folder}: ${describeFsError(error)}. ${state}`, { cause: error, fix: `Make ${parent} writable and run again.` });
  }
  const warnings: string[] = [];
  if (existed) await rm(aside, { recursive: true, force: true }).catch((error: unknown) => warnings.push(`could not delete ${aside} (${describeFsError(error)}); delete it by hand`));
  return { files, kept, warnings };
}

/** Whether the folder exists (false when it does not); refuses one that holds files and is not baton's. */
async function checkOwnership(folder: string, request: OwnedFolderRequest): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw new UsageError(`${folder} is not a folder baton can write ${request.what} into (${describeFsError(error)}).`, { cause: error, fix: 'Choose a new or empty folder.' });
  }
  if (entries.length === 0) return true;
  const marker = await readTextIfPresent(path.join(folder, request.marker.path));
  if (marker === undefined || !request.marker.isOurs(marker)) {
    throw new UsageError(`${folder} holds files, and no ${request.marker.path} that baton wrote, so it is not ${request.what} baton wrote before.`, {
      fix: `Choose a new or empty folder, or one baton wrote ${request.what} into before.`,
    });
  }
  return true;
}

/**
 * The user's files and folders in the earlier folder: everything baton's record does not list (without
 * a record, everything baton does not write now). A folder holding nothing of baton's is one entry,
 * `name/`, carried whole with its empty folders (a repository's `.git`). A file of the user's where
 * baton now writes one is refused.
 */
async function findUserEntries(folder: string, recordPath: string, ours: Set<string>): Promise<string[]> {
  const recordFile = path.join(folder, ...recordPath.split('/'));
  const earlier = readRecord(await readTextIfPresent(recordFile), recordFile);
  const batons = new Set([recordPath, ...ours, ...(earlier ?? [])]);
  const batonFolders = new Set([...batons].flatMap((file) => file.split('/').slice(0, -1).map((_, index, parts) => parts.slice(0, index + 1).join('/'))));
  const user: string[] = [];
  const clash: string[] = [];
  const visit = async (prefix: string): Promise<void> => {
    for (const entry of await readdir(path.join(folder, ...prefix.split('/').filter(Boolean)), { withFileTypes: true })) {
      const relative = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        if (batonFolders.has(relative)) await visit(`${relative}/`);
        else user.push(`${relative}/`);
      } else if (earlier && !earlier.has(relative) && ours.has(relative)) clash.push(relative);
      else if (!batons.has(relative)) user.push(relative);
    }
  };
  await visit('');
  if (clash.length > 0) {
    throw new UsageError(`${folder} holds ${clash.join(', ')}, which baton did not write, where this version of baton writes a file of its own.`, {
      fix: `Move ${clash.length === 1 ? 'it' : 'them'} out of ${folder} (other files you added there are kept), then run again.`,
    });
  }
  return user.sort();
}

function readRecord(text: string | undefined, file: string): Set<string> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<FolderRecord>;
    if (parsed.format === 1 && Array.isArray(parsed.files) && parsed.files.every((entry) => typeof entry === 'string')) return new Set(parsed.files);
  } catch {
    // Reported below, as any other malformed record.
  }
  throw new UsageError(`${file}, baton's record of the files it wrote, is damaged.`, {
    fix: 'Delete it and run again: every file that this version of baton does not write is then kept as yours.',
  });
}
