import { inPackDir, type InstallDirs, type TargetLayout } from './target.js';

/**
 * baton's stop hook (docs/stop-hook.md) as the clients are told to run it: `baton hook stop`, on the
 * Stop event. Claude Code (settings, command frontmatter, a plugin's hooks/hooks.json) and Codex
 * (hooks.json) read the same shape: `{ "Stop": [{ "hooks": [{ "type": "command", … }] }] }`.
 */

/** Seconds a client lets the hook run. Past it the client lets the agent stop: the hook never traps a session. */
export const STOP_HOOK_TIMEOUT_SECONDS = 120;

export interface StopHookSettings {
  Stop: { hooks: { type: 'command'; command: string; timeout: number }[] }[];
}

export function stopHookSettings(command: string): StopHookSettings {
  return { Stop: [{ hooks: [{ type: 'command', command, timeout: STOP_HOOK_TIMEOUT_SECONDS }] }] };
}

/**
 * The hook's command line. A client runs it through a shell from the session's folder, which for a
 * project install may be any folder of the repository (or of one of its worktrees), so git finds the
 * top of the checkout at run time; `.baton/` is committed there.
 */
export function stopHookCommand(client: 'claude' | 'codex', dirs: InstallDirs, layout: TargetLayout): string {
  const baton = inPackDir(layout, 'bin/baton');
  const word = dirs.scope === 'project' ? `"$(git rev-parse --show-toplevel)"/${baton.path}` : layout.shellWord(baton);
  return `${word} hook stop --client ${client}`;
}
