import path from 'node:path';
import type { CommandSource, SkillSource } from '../pack/pack.js';
import { userFolder } from '../resolve-install-dirs.js';
import { argumentUsage, substitutedArgumentsBlock } from './describe-arguments.js';
import { matchingLines } from './matching-lines.js';
import { absolutePaths, repositoryPaths, type InstallDirs, type Target, type TargetLayout } from './target.js';

/** Where Qwen Code puts the raw text typed after a Markdown command; `$ARGUMENTS` it leaves as it is. */
const ARGS_PLACEHOLDER = '{{args}}';

/**
 * Qwen Code (checked against @qwen-code/qwen-code 0.24.4). Commands are Markdown files
 * `commands/baton-<name>.md` under `$QWEN_HOME` (default `~/.qwen`) or the project's `.qwen/`, typed
 * `/baton-<name> args`; Qwen Code puts the raw argument text where the body says `{{args}}`. The
 * `baton-` prefix keeps clear of the user's own commands, and a command file takes precedence over a
 * skill of the same name that Qwen Code also reads from `~/.agents/skills` (an earlier baton's Codex
 * skills, say).
 *
 * Qwen Code offers every skill as a slash command unless it says `user-invocable: false`; the role
 * skills say so, because a role is entered through its command, never on its own. Its skills in
 * `$QWEN_HOME/skills` take precedence over those of the same name in `~/.agents/skills`.
 */
export const qwenTarget: Target = {
  id: 'qwen',
  tool: 'qwen',
  label: 'Qwen Code',
  environment: ['QWEN_HOME (default ~/.qwen)'],
  hintKeys: ['disable-model-invocation', 'allowed-tools'],
  commandPlaceholders: [ARGS_PLACEHOLDER],

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope === 'plugin') throw new Error('Qwen Code has no plugin layout');
    const inProject = dirs.scope === 'project';
    const root = inProject ? 'project' : 'qwen';
    const base = inProject ? '.qwen/' : '';
    const roots: Record<string, string> = inProject ? { project: dirs.projectRoot } : { qwen: userFolder(dirs, 'QWEN_HOME', '.qwen') };
    return {
      roots,
      commandFile: (name) => ({ root, path: `${base}commands/baton-${name}.md` }),
      skillFile: (name) => ({ root, path: `${base}skills/baton-${name}/SKILL.md` }),
      packDir: { root, path: inProject ? '.baton' : 'baton' },
      ...(inProject ? repositoryPaths() : absolutePaths(roots)),
    };
  },

  markers: (dirs) => [dirs.scope === 'project' ? path.join(dirs.projectRoot, '.qwen') : userFolder(dirs, 'QWEN_HOME', '.qwen')],

  invocation: (command) => `/baton-${command}`,

  argumentsBlock: (command: CommandSource, invocation: string) => substitutedArgumentsBlock(command, invocation, { label: 'Qwen Code', placeholder: ARGS_PLACEHOLDER }),

  commandFrontmatter(command: CommandSource) {
    const usage = argumentUsage(command);
    return { description: command.description, ...(usage ? { 'argument-hint': usage } : {}), ...command.hints.qwen };
  },

  skillFrontmatter(skill: SkillSource) {
    return { name: `baton-${skill.name}`, description: skill.description, 'user-invocable': false, ...skill.hints.qwen };
  },

  checkRendered({ kind, text }) {
    // Qwen Code runs `!{...}` and inlines `@{...}` in a command's text, and stops on an unbalanced one.
    if (kind !== 'command') return [];
    return matchingLines(text, /[!@]\{/).map(({ line, match }) => `line ${line} contains "${match}", which Qwen Code reads as a shell command or a file to inline`);
  },
};
