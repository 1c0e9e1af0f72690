import { shellQuote } from './shell-quote.js';

/**
 * What to do when a write is refused because a folder is read-only. The usual cause is an agent
 * client's sandbox. Codex's `workspace-write` (checked with Codex CLI 0.169.0) lets a command write
 * only the folder Codex started in, /tmp and its `writable_roots`, and keeps every `.git` folder in
 * them read-only; baton commits every state change, so Codex must be allowed to write the git folder.
 * The fixes name the exact setting with this repository's paths. See docs/clients.md.
 */

/** A value as a TOML basic string: JSON's escapes are TOML's for the characters a path holds. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

/** The fix for a read-only git folder (the repository's common git dir). */
export function readOnlyGitDirFix(gitDir: string): string {
  return [
    `The git folder ${gitDir} is read-only here, so nothing can be committed.`,
    `In Codex, whose workspace-write sandbox keeps .git read-only, let it write that folder: in ~/.codex/config.toml set`,
    `[sandbox_workspace_write] writable_roots = [${tomlString(gitDir)}]`,
    `(or start Codex with --add-dir ${shellQuote(gitDir)}), then run the command again in a new Codex session.`,
    'Elsewhere, make the folder writable.',
  ].join(' ');
}

/** The fix for a read-only folder of the working tree, such as a track worktree outside the sandbox. */
export function readOnlyFolderFix(folder: string): string {
  return [
    `The folder ${folder} is read-only here.`,
    'In Codex, whose sandbox lets commands write only the folder it started in, keep baton\'s worktrees inside the repository',
    '(set "worktreeRoot": ".worktrees" in .baton/config.json) or add the folder to [sandbox_workspace_write] writable_roots in ~/.codex/config.toml,',
    'then run the command again in a new Codex session. Elsewhere, make the folder writable.',
  ].join(' ');
}

/** Whether an error or git's message says the file system refused a write as read-only. */
export function isReadOnlyRefusal(said: string): boolean {
  return /read-only file system|EROFS/i.test(said);
}
