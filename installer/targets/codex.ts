import path from 'node:path';
import type { CommandSource, SkillSource } from '../pack/pack.js';
import { messageArgumentsBlock } from './describe-arguments.js';
import { userFolder } from '../resolve-install-dirs.js';
import { stopHookCommand, stopHookSettings } from './stop-hook.js';
import { absolutePaths, repositoryPaths, type InstallDirs, type Target, type TargetLayout } from './target.js';

/** The only frontmatter keys Codex's skill validator accepts. */
const CODEX_FRONTMATTER_KEYS = ['name', 'description', 'license', 'allowed-tools', 'metadata'];

/**
 * OpenAI Codex. Every command becomes a skill `baton-<name>`, invoked as `$baton-<name> args`. Codex
 * performs no substitution: the skill body is injected as written and the arguments are whatever
 * follows the skill name in the user's message. The pack's own files live under `$CODEX_HOME/baton`.
 *
 * Where the skills go: Codex's own folders, `$CODEX_HOME/skills` (user) and `.codex/skills`
 * (project), which Codex 0.169 reads beside `.agents/skills` (test/conformance pins it). baton writes
 * nothing into `.agents/skills`: Gemini CLI, OpenCode (as slash commands) and GitHub Copilot read that
 * shared folder too, and would offer these Codex-worded skills a second time next to their own
 * commands. Cursor reads `.codex/skills` as well, for compatibility; README says so.
 */
export const codexTarget: Target = {
  id: 'codex',
  tool: 'codex',
  label: 'Codex',
  environment: ['CODEX_HOME (default ~/.codex)', 'AGENTS_HOME (default ~/.agents; only to remove skills an earlier baton put in its skills/)'],
  hintKeys: ['license', 'allowed-tools', 'metadata'],

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope === 'plugin') throw new Error('the Codex plugin is rendered by the codex-plugin target');
    if (dirs.scope === 'project') {
      return {
        roots: { project: dirs.projectRoot },
        commandFile: (name) => ({ root: 'project', path: `.codex/skills/baton-${name}/SKILL.md` }),
        skillFile: (name) => ({ root: 'project', path: `.codex/skills/baton-${name}/SKILL.md` }),
        packDir: { root: 'project', path: '.baton' },
        ...repositoryPaths(),
      };
    }
    // `agents` is where baton 0.1 put the skills: no file goes there now, but the root stays so that
    // an upgrade can remove (and an uninstall find) what the earlier manifest recorded under it.
    const codex = userFolder(dirs, 'CODEX_HOME', '.codex');
    const roots = { codex, agents: userFolder(dirs, 'AGENTS_HOME', '.agents') };
    return {
      roots,
      commandFile: (name) => ({ root: 'codex', path: `skills/baton-${name}/SKILL.md` }),
      skillFile: (name) => ({ root: 'codex', path: `skills/baton-${name}/SKILL.md` }),
      packDir: { root: 'codex', path: 'baton' },
      ...absolutePaths(roots),
    };
  },

  markers: (dirs) => [dirs.scope === 'project' ? path.join(dirs.projectRoot, '.codex') : userFolder(dirs, 'CODEX_HOME', '.codex')],

  invocation: (command) => `$baton-${command}`,

  argumentsBlock: messageArgumentsBlock,

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

  // Codex 0.169.0 reads hooks from hooks.json in $CODEX_HOME (and in a trusted project's .codex/), not
  // from a skill's frontmatter, and runs one only once the user has trusted it (/hooks in the TUI).
  stopHook: {
    file: (dirs, layout) => ({
      ref: dirs.scope === 'project' ? { root: 'project', path: '.codex/hooks.json' } : { root: 'codex', path: 'hooks.json' },
      content: `${JSON.stringify({ hooks: stopHookSettings(stopHookCommand('codex', dirs, layout)) }, null, 2)}\n`,
    }),
  },
};
