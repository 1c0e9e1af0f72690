import path from 'node:path';
import type { CommandSource, SkillSource } from '../pack/pack.js';
import { argumentUsage, messageArgumentsBlock } from './describe-arguments.js';
import { userFolder } from '../resolve-install-dirs.js';
import { checkSkillFrontmatter } from './check-skill.js';
import { absolutePaths, repositoryPaths, type InstallDirs, type Target, type TargetLayout } from './target.js';

/** The frontmatter keys VS Code documents for a SKILL.md; Copilot CLI reads name and description. */
const COPILOT_SKILL_KEYS = ['name', 'description', 'argument-hint', 'user-invocable', 'disable-model-invocation', 'context', 'license', 'metadata'];

/**
 * GitHub Copilot (VS Code agent mode, Copilot CLI, the cloud agent). Every command is a skill
 * `baton-<name>`, typed `/baton-<name> args`; the role prompts are skills too, hidden from the `/`
 * menu (`user-invocable: false`). Skills, not prompt files: VS Code's default Agent Host and Copilot
 * CLI do not load `.prompt.md` files, and VS Code keeps user prompt files in a per-profile folder
 * with no fixed path, while `.github/skills` and `~/.copilot/skills` are read by every Copilot.
 * Copilot substitutes nothing in a skill: the arguments are the rest of the message, as typed.
 *
 * Copilot also reads `.agents/skills` and `.claude/skills` (project) and `~/.agents/skills`; a skill
 * of the same name in `.github/skills` or `~/.copilot/skills` is the one it takes (Copilot CLI 1.0.102).
 */
export const copilotTarget: Target = {
  id: 'copilot',
  tool: 'copilot',
  label: 'GitHub Copilot',
  environment: ['COPILOT_HOME (default ~/.copilot)'],
  hintKeys: [],

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope === 'plugin') throw new Error('GitHub Copilot has no plugin layout in baton');
    if (dirs.scope === 'project') {
      return {
        roots: { project: dirs.projectRoot },
        commandFile: (name) => ({ root: 'project', path: `.github/skills/baton-${name}/SKILL.md` }),
        skillFile: (name) => ({ root: 'project', path: `.github/skills/baton-${name}/SKILL.md` }),
        packDir: { root: 'project', path: '.baton' },
        ...repositoryPaths(),
      };
    }
    const roots = { copilot: userFolder(dirs, 'COPILOT_HOME', '.copilot') };
    return {
      roots,
      commandFile: (name) => ({ root: 'copilot', path: `skills/baton-${name}/SKILL.md` }),
      skillFile: (name) => ({ root: 'copilot', path: `skills/baton-${name}/SKILL.md` }),
      packDir: { root: 'copilot', path: 'baton' },
      ...absolutePaths(roots),
    };
  },

  markers: (dirs) =>
    dirs.scope === 'project'
      ? ['.github/skills', '.github/prompts', '.github/copilot-instructions.md'].map((marker) => path.join(dirs.projectRoot, marker))
      : [userFolder(dirs, 'COPILOT_HOME', '.copilot')],

  invocation: (command) => `/baton-${command}`,

  argumentsBlock: messageArgumentsBlock,

  commandFrontmatter(command: CommandSource) {
    const usage = argumentUsage(command);
    return { name: `baton-${command.name}`, description: command.description, ...(usage ? { 'argument-hint': usage } : {}) };
  },

  // A role is read by the command that needs it; it is no command of its own.
  skillFrontmatter: (skill: SkillSource) => ({ name: `baton-${skill.name}`, description: skill.description, 'user-invocable': false }),

  checkRendered: (file) => (file.kind === 'command' || file.kind === 'skill' ? checkSkillFrontmatter(file, COPILOT_SKILL_KEYS, 'GitHub Copilot') : []),
};
