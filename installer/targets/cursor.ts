import path from 'node:path';
import type { SkillSource } from '../pack/pack.js';
import { messageArgumentsBlock } from './describe-arguments.js';
import { checkSkillFrontmatter } from './check-skill.js';
import { absolutePaths, repositoryPaths, type InstallDirs, type Target, type TargetLayout } from './target.js';

/** The frontmatter keys Cursor documents for a SKILL.md. */
const CURSOR_SKILL_KEYS = ['name', 'description', 'license', 'compatibility', 'metadata', 'disable-model-invocation'];

/**
 * Cursor. Commands are plain Markdown files `commands/<name>.md`, typed `/<name> args`: Cursor puts
 * the file's text into the chat and sends what the human typed after the command with it. It reads no
 * frontmatter and substitutes nothing; a command keeps only its description as frontmatter, which the
 * agent then reads with the text, as other tools show it in their lists. Role prompts are skills in
 * `skills/baton-<role>/SKILL.md`. User folders live under `~/.cursor`, which no documented variable
 * moves.
 *
 * Cursor also loads skills from `.agents/skills`, and, for compatibility, from Claude Code's and
 * Codex's folders (`.claude/skills`, `.codex/skills` and their home versions): with baton installed
 * for those tools too, Cursor lists their skills beside its own. Not checked in a client: Cursor's
 * agent cannot run here.
 */
export const cursorTarget: Target = {
  id: 'cursor',
  tool: 'cursor',
  label: 'Cursor',
  environment: [],
  hintKeys: [],

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope === 'plugin') throw new Error('Cursor has no plugin layout in baton');
    if (dirs.scope === 'project') {
      return {
        roots: { project: dirs.projectRoot },
        commandFile: (name) => ({ root: 'project', path: `.cursor/commands/${name}.md` }),
        skillFile: (name) => ({ root: 'project', path: `.cursor/skills/baton-${name}/SKILL.md` }),
        packDir: { root: 'project', path: '.baton' },
        ...repositoryPaths(),
      };
    }
    const roots = { cursor: path.join(dirs.home, '.cursor') };
    return {
      roots,
      commandFile: (name) => ({ root: 'cursor', path: `commands/${name}.md` }),
      skillFile: (name) => ({ root: 'cursor', path: `skills/baton-${name}/SKILL.md` }),
      packDir: { root: 'cursor', path: 'baton' },
      ...absolutePaths(roots),
    };
  },

  markers: (dirs) => [dirs.scope === 'project' ? path.join(dirs.projectRoot, '.cursor') : path.join(dirs.home, '.cursor')],

  invocation: (command) => `/${command}`,

  argumentsBlock: messageArgumentsBlock,

  // Cursor does not read it; it reaches the agent with the text, so only the description.
  commandFrontmatter: (command) => ({ description: command.description }),

  skillFrontmatter: (skill: SkillSource) => ({ name: `baton-${skill.name}`, description: skill.description }),

  checkRendered(file) {
    if (file.kind === 'skill') return checkSkillFrontmatter(file, CURSOR_SKILL_KEYS, 'Cursor');
    const extra = file.kind === 'command' ? Object.keys(file.frontmatter).filter((key) => key !== 'description') : [];
    return extra.map((key) => `frontmatter key "${key}" in a command would reach Cursor's agent as text; a Cursor command keeps only its description`);
  },
};
