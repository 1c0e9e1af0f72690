import path from 'node:path';
import { UsageError } from '../scripts/lib/errors.js';
import { runGit } from '../scripts/lib/git.js';
import type { InstallDirs, Scope, UserDirs } from './targets/target.js';

/** The process environment as the installer reads it, passed in from the edge. */
export type InstallEnv = Readonly<Record<string, string | undefined>>;

/**
 * Where an install goes. User scope: the home folder, the working folder and the environment, from
 * which each target finds its own folders (`userFolder`). Project scope: the top level of the git
 * repository around `cwd`.
 */
export async function resolveInstallDirs(scope: Scope, env: InstallEnv, home: string, cwd: string): Promise<InstallDirs> {
  if (scope === 'project') {
    const result = await runGit(cwd, ['rev-parse', '--show-toplevel']);
    if (result.exitCode !== 0) {
      throw new UsageError(`--scope project installs into the current repository, but ${cwd} is not inside a git repository.`, {
        fix: 'Run it from the repository you want to set up, or use --scope user.',
      });
    }
    return { scope, projectRoot: checkedPath('the repository root', result.stdout.trim()) };
  }
  return { scope, home, cwd, env };
}

/**
 * A user-scope folder that a tool lets the user move with an environment variable: the variable's
 * value (`~` expanded, relative to the working folder), else `fallback` under the home folder.
 */
export function userFolder(dirs: UserDirs, variable: string, fallback: string): string {
  const value = dirs.env[variable];
  if (value === undefined || value.trim() === '') return path.join(dirs.home, fallback);
  const expanded = value === '~' || value.startsWith('~/') ? path.join(dirs.home, value.slice(1)) : value;
  return checkedPath(variable, path.resolve(dirs.cwd, expanded));
}

/** Paths are written into Markdown and shell snippets; a few characters cannot be written there safely. */
function checkedPath(name: string, value: string): string {
  if (/[\n\r`]/.test(value)) {
    throw new UsageError(`${name} (${JSON.stringify(value)}) contains a line break or a backtick, which cannot be written into the prompts safely.`, {
      fix: 'Choose a directory whose path has neither.',
    });
  }
  return value;
}
