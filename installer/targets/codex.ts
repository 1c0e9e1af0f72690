import type { CommandSource, SkillSource } from '../pack/pack.js';
import { describeArgumentRules } from './describe-arguments.js';
import { userFolder } from '../resolve-install-dirs.js';
import { absolutePaths, repositoryPaths, type InstallDirs, type Target, type TargetLayout } from './target.js';

/** The only frontmatter keys Codex's skill validator accepts. */
const CODEX_FRONTMATTER_KEYS = ['name', 'description', 'license', 'allowed-tools', 'metadata'];

/**
 * OpenAI Codex. Every command becomes a skill `skills/baton-<name>/SKILL.md` under `$AGENTS_HOME`
 * (default `~/.agents`), invoked as `$baton-<name> args`. Codex performs no substitution: the skill
 * body is injected as written and the arguments are whatever follows the skill name in the user's
 * message. The pack's own files live under `$CODEX_HOME/baton`.
 */
export const codexTarget: Target = {
  id: 'codex',
  tool: 'codex',
  label: 'Codex',
  environment: ['CODEX_HOME (default ~/.codex)', 'AGENTS_HOME (default ~/.agents)'],
  hintKeys: ['license', 'allowed-tools', 'metadata'],

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope === 'plugin') throw new Error('Codex has no plugin layout');
    if (dirs.scope === 'project') {
      return {
        roots: { project: dirs.projectRoot },
        commandFile: (name) => ({ root: 'project', path: `.agents/skills/baton-${name}/SKILL.md` }),
        skillFile: (name) => ({ root: 'project', path: `.agents/skills/baton-${name}/SKILL.md` }),
        packDir: { root: 'project', path: '.baton' },
        ...repositoryPaths(),
      };
    }
    const roots = { agents: userFolder(dirs, 'AGENTS_HOME', '.agents'), codex: userFolder(dirs, 'CODEX_HOME', '.codex') };
    return {
      roots,
      commandFile: (name) => ({ root: 'agents', path: `skills/baton-${name}/SKILL.md` }),
      skillFile: (name) => ({ root: 'agents', path: `skills/baton-${name}/SKILL.md` }),
      packDir: { root: 'codex', path: 'baton' },
      ...absolutePaths(roots),
    };
  },

  invocation: (command) => `$baton-${command}`,

  argumentsBlock(command: CommandSource, invocation: string): string {
    if (command.arguments.length === 0) return describeArgumentRules(command, invocation);
    return [
      `The human invokes this skill by writing \`${invocation}\` followed by its arguments. The raw argument text is everything after \`${invocation}\` in the message that invoked it (it may be empty). If the skill was chosen without that text, ask the human for the arguments first.`,
      '',
      describeArgumentRules(command, invocation),
    ].join('\n');
  },

  commandFrontmatter(command: CommandSource) {
    return { name: `baton-${command.name}`, description: command.description, ...command.hints.codex };
  },

  skillFrontmatter(skill: SkillSource) {
    return { name: `baton-${skill.name}`, description: skill.description, ...skill.hints.codex };
  },

  checkRendered({ kind, frontmatter }) {
    const problems: string[] = [];
    // Only SKILL.md files go through Codex's skill loader; rules are plain documents.
    if (kind !== 'command' && kind !== 'skill') return problems;
    for (const key of Object.keys(frontmatter)) {
      if (!CODEX_FRONTMATTER_KEYS.includes(key)) problems.push(`frontmatter key "${key}" is not accepted by Codex`);
    }
    const { name, description } = frontmatter;
    if (typeof name !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name) || name.length > 64) {
      problems.push(`name ${JSON.stringify(name)} is not a hyphen-case name of at most 64 characters`);
    }
    if (typeof description !== 'string' || description.length > 1024 || /[<>\n]/.test(description)) {
      problems.push('description must be one line of at most 1024 characters without angle brackets');
    }
    return problems;
  },
};
