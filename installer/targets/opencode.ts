import path from 'node:path';
import type { CommandSource } from '../pack/pack.js';
import { userFolder } from '../resolve-install-dirs.js';
import { substitutedArgumentsBlock } from './describe-arguments.js';
import { matchingLines } from './matching-lines.js';
import { absolutePaths, repositoryPaths, type InstallDirs, type Target, type TargetLayout, type UserDirs } from './target.js';

/**
 * OpenCode (checked against opencode-ai 1.18.33). Commands are `commands/baton-<name>.md` in
 * OpenCode's config folder, typed `/baton-<name> args`. The `baton-` prefix keeps clear of the user's
 * own commands, and OpenCode gives a command precedence over a skill of the same name, so skills it
 * also reads from `~/.agents/skills` (an earlier baton's Codex skills `baton-plan-release`...) do not
 * shadow these.
 *
 * OpenCode turns every skill it finds (its own folders, `.claude/skills`, `.agents/skills`) into a
 * command and keeps one of several same-named skills, a different one from run to run. The role
 * prompts are therefore plain documents in the pack folder, which the commands name by path: no skill
 * list shows them and no other tool's copy can take their place.
 */
export const opencodeTarget: Target = {
  id: 'opencode',
  tool: 'opencode',
  label: 'OpenCode',
  environment: ['OPENCODE_CONFIG_DIR (default $XDG_CONFIG_HOME/opencode, else ~/.config/opencode)'],
  hintKeys: ['agent', 'model', 'subtask'],

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope === 'plugin') throw new Error('OpenCode has no plugin layout');
    if (dirs.scope === 'project') {
      return {
        roots: { project: dirs.projectRoot },
        commandFile: (name) => ({ root: 'project', path: `.opencode/commands/baton-${name}.md` }),
        skillFile: (name) => ({ root: 'project', path: `.opencode/baton/roles/${name}.md` }),
        packDir: { root: 'project', path: '.baton' },
        ...repositoryPaths(),
      };
    }
    const { roots, root, base } = configFolder(dirs);
    return {
      roots,
      commandFile: (name) => ({ root, path: `${base}commands/baton-${name}.md` }),
      skillFile: (name) => ({ root, path: `${base}baton/roles/${name}.md` }),
      packDir: { root, path: `${base}baton` },
      ...absolutePaths(roots),
    };
  },

  // OpenCode makes its config folder on first run; a project that uses it has `.opencode/` or `opencode.json`.
  markers: (dirs) =>
    dirs.scope === 'project'
      ? ['.opencode', 'opencode.json', 'opencode.jsonc'].map((marker) => path.join(dirs.projectRoot, marker))
      : [opencodeFolder(dirs)],

  invocation: (command) => `/baton-${command}`,

  argumentsBlock: (command: CommandSource, invocation: string) => substitutedArgumentsBlock(command, invocation, { label: 'OpenCode', placeholder: '$ARGUMENTS' }),

  commandFrontmatter(command: CommandSource) {
    return { description: command.description, ...command.hints.opencode };
  },

  // A role is a document the commands read, not a skill: no frontmatter for a loader to pick up.
  skillFrontmatter: () => ({}),

  checkRendered({ kind, text }) {
    // Only a command's text goes through OpenCode's template processing; roles and rules are read as files.
    if (kind !== 'command') return [];
    return [
      ...matchingLines(text, /\$\d/).map(({ line, match }) => `line ${line} contains "${match}", which OpenCode replaces with a positional argument`),
      ...matchingLines(text, /!`[^`]+`/).map(({ line, match }) => `line ${line} contains "${match}", which OpenCode runs as a shell command`),
      ...matchingLines(text, /(?<![\w`])@[^\s`,]+/).map(({ line, match }) => `line ${line} contains "${match}", which OpenCode attaches as a file`),
    ];
  },
};

/**
 * OpenCode's user config folder. It reads `$OPENCODE_CONFIG_DIR` in addition to
 * `$XDG_CONFIG_HOME/opencode` (default `~/.config/opencode`), so a user who set the variable keeps
 * their config there. The root is the XDG folder itself, so a machine without `~/.config` gets it.
 */
/** The folder OpenCode reads the user's commands from (see `configFolder`). */
function opencodeFolder(dirs: UserDirs): string {
  const { roots, root, base } = configFolder(dirs);
  return path.join(roots[root] as string, ...base.split('/').filter(Boolean));
}

function configFolder(dirs: UserDirs): { roots: Record<string, string>; root: string; base: string } {
  if (dirs.env.OPENCODE_CONFIG_DIR?.trim()) return { roots: { opencode: userFolder(dirs, 'OPENCODE_CONFIG_DIR', '.config/opencode') }, root: 'opencode', base: '' };
  return { roots: { config: userFolder(dirs, 'XDG_CONFIG_HOME', '.config') }, root: 'config', base: 'opencode/' };
}
