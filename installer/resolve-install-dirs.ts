import path from 'node:path';
import { UsageError } from '../scripts/lib/errors.js';
import { runGit } from '../scripts/lib/git.js';
import type { InstallDirs, Scope } from './targets/target.js';

/** The parts of the process environment the installer reads, passed in from the edge. */
export interface InstallEnv {
  CLAUDE_CONFIG_DIR?: string | undefined;
  CODEX_HOME?: string | undefined;
  AGENTS_HOME?: string | undefined;
}

/**
 * Where an install goes. User scope: the three environment overrides, else their defaults under the
 * home directory. Project scope: the top level of the git repository around `cwd`.
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
  const pick = (name: keyof InstallEnv, fallback: string) => {
    const value = env[name];
    if (value === undefined || value.trim() === '') return path.join(home, fallback);
    const expanded = value === '~' || value.startsWith('~/') ? path.join(home, value.slice(1)) : value;
    return checkedPath(name, path.resolve(cwd, expanded));
  };
  return {
    scope,
    claudeConfigDir: pick('CLAUDE_CONFIG_DIR', '.claude'),
    codexHome: pick('CODEX_HOME', '.codex'),
    agentsHome: pick('AGENTS_HOME', '.agents'),
  };
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
