import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type BatonConfig } from './config.js';
import { errnoCode, OperationalError, UsageError } from './errors.js';
import { repoRoot } from './git.js';
import { isId } from './ids.js';

/** The repository a command works on, resolved once at the start of the command. */
export interface Repo {
  /** Top level of the working tree the command runs in (a linked worktree or the primary checkout). */
  root: string;
  /** Top level of the primary checkout. */
  primaryRoot: string;
  /** The git dir every worktree of the repository shares (where the repository lock lives). */
  commonDir: string;
  config: BatonConfig;
}

export async function openRepo(cwd: string, env: Readonly<Record<string, string | undefined>>): Promise<Repo> {
  const { root, commonDir } = await repoRoot(cwd);
  // For a normal repository the common git dir is <primary checkout>/.git.
  const primaryRoot = path.basename(commonDir) === '.git' ? path.dirname(commonDir) : root;
  return { root, primaryRoot, commonDir, config: await loadConfig(root, primaryRoot, env) };
}

/** Repository-relative folder of a release, and of a slice inside it. */
export function releasePath(repo: Repo, release: string): string {
  return `${repo.config.releaseDir}/${release}`;
}

export function slicePath(repo: Repo, release: string, slice: string): string {
  return `${releasePath(repo, release)}/${slice}`;
}

/** Release ids that have a folder in this working tree. */
export async function listReleaseFolders(repo: Repo): Promise<string[]> {
  try {
    const entries = await readdir(path.join(repo.root, repo.config.releaseDir), { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && isId('release', entry.name)).map((entry) => entry.name).sort();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw new OperationalError(`Cannot read ${repo.config.releaseDir}.`, { cause: error, fix: 'Check its permissions.' });
  }
}

/**
 * Finds the release holding a slice in this working tree. Without a release, every release is
 * searched; none or several is an error listing what was found.
 */
export async function locateSlice(repo: Repo, slice: string, release: string | undefined): Promise<string> {
  const releases = release ? [release] : await listReleaseFolders(repo);
  const holding: string[] = [];
  for (const candidate of releases) {
    if (await isDirectory(path.join(repo.root, slicePath(repo, candidate, slice)))) holding.push(candidate);
  }
  if (holding.length === 1) return holding[0] as string;
  if (holding.length > 1) {
    throw new UsageError(`Slice ${slice} exists in several releases: ${holding.join(', ')}.`, { fix: `Name the release: ${slice} <release>.` });
  }
  if (release) {
    throw new OperationalError(`Slice ${slice} was not found in release ${release} (looked in ${slicePath(repo, release, slice)} under ${repo.root}).`, {
      fix: 'Check the ids, and run the command in the worktree whose branch holds the slice (baton board shows it).',
    });
  }
  const searched = releases.length > 0 ? `the releases ${releases.join(', ')}` : `no releases (${repo.config.releaseDir} has none)`;
  throw new OperationalError(`Slice ${slice} was not found: searched ${searched} under ${repo.root}.`, {
    fix: 'Check the slice id, and run the command in the worktree whose branch holds the slice (baton board shows it).',
  });
}

async function isDirectory(candidate: string): Promise<boolean> {
  try {
    return (await stat(candidate)).isDirectory();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false;
    throw error;
  }
}
