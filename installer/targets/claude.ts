import path from 'node:path';
import type { CommandSource, ShellAccess, SkillSource } from '../pack/pack.js';
import { argumentUsage, substitutedArgumentsBlock } from './describe-arguments.js';
import { userFolder } from '../resolve-install-dirs.js';
import { matchingLines } from './matching-lines.js';
import { stopHookCommand, stopHookSettings } from './stop-hook.js';
import { absolutePaths, inPackDir, repositoryPaths, type InstallDirs, type Target, type TargetLayout } from './target.js';

/** Claude Code puts the raw text typed after the command where the body says `$ARGUMENTS`. */
export function claudeArgumentsBlock(command: CommandSource, invocation: string): string {
  return substitutedArgumentsBlock(command, invocation, { label: 'Claude Code', placeholder: '$ARGUMENTS' });
}

/**
 * The tools a command may use without asking, as Claude Code's `allowed-tools`. Without them `claude -p`
 * refuses every program call ("This command requires approval") and an interactive session asks for
 * each. Facts checked with Claude Code 2.1.329: a `Bash(<prefix>:*)` rule matches a call only when the
 * call begins with the prefix exactly as written, so the baton rule is the word the prompts run
 * (`baton`, a path quoted as the shell needs); read-only commands (`grep`, `head`, `cut`, `date`) run
 * without a rule, but output redirection, `cd` before git, `(cd … && …)` and other programs do not.
 * `Write` and `Edit` also reach files outside the session's folder, such as a track worktree.
 */
export function claudeAllowedTools(shell: ShellAccess, baton: string): string {
  const bash = shell === 'project' ? ['Bash'] : [`Bash(${baton}:*)`, 'Bash(git:*)'];
  return [...bash, 'Read', 'Grep', 'Glob', 'Edit', 'Write'].join(', ');
}

/**
 * Claude Code. Commands are `commands/<name>.md`, typed as `/<name> args`. Claude Code replaces
 * `$ARGUMENTS` in a command with the raw text typed after it, and `$0`, `$1`... with positional
 * arguments (0-indexed in current versions; an unfilled one stays as literal text). Positionals drop
 * and shift tokens, so commands read the raw `$ARGUMENTS` and resolve arguments by shape, and any
 * other `$` followed by a digit in a rendered file is a defect.
 */
export const claudeTarget: Target = {
  id: 'claude',
  tool: 'claude',
  label: 'Claude Code',
  environment: ['CLAUDE_CONFIG_DIR (default ~/.claude)'],
  hintKeys: ['allowed-tools', 'model', 'disable-model-invocation'],

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope === 'plugin') throw new Error('a plugin is rendered by the claude-plugin target');
    const inProject = dirs.scope === 'project';
    const root = inProject ? 'project' : 'claude';
    const base = inProject ? '.claude/' : '';
    const roots: Record<string, string> = inProject ? { project: dirs.projectRoot } : { claude: userFolder(dirs, 'CLAUDE_CONFIG_DIR', '.claude') };
    return {
      roots,
      commandFile: (name) => ({ root, path: `${base}commands/${name}.md` }),
      skillFile: (name) => ({ root, path: `${base}skills/baton-${name}/SKILL.md` }),
      packDir: { root, path: inProject ? '.baton' : 'baton' },
      ...(inProject ? repositoryPaths() : absolutePaths(roots)),
    };
  },

  invocation: (command) => `/${command}`,

  argumentsBlock: claudeArgumentsBlock,

  markers: (dirs) => [dirs.scope === 'project' ? path.join(dirs.projectRoot, '.claude') : userFolder(dirs, 'CLAUDE_CONFIG_DIR', '.claude')],

  instructionsFile: 'CLAUDE.md',

  commandFrontmatter(command: CommandSource, layout: TargetLayout) {
    const usage = argumentUsage(command);
    const allowed = command.shell ? claudeAllowedTools(command.shell, layout.shellWord(inPackDir(layout, 'bin/baton'))) : undefined;
    return {
      description: command.description,
      ...(usage ? { 'argument-hint': usage } : {}),
      ...(allowed ? { 'allowed-tools': allowed } : {}),
      ...command.hints.claude,
    };
  },

  skillFrontmatter(skill: SkillSource) {
    return { name: `baton-${skill.name}`, description: skill.description, ...skill.hints.claude };
  },

  checkRendered({ text }) {
    return matchingLines(text, /\$\{?\d/).map(({ line, match }) => `line ${line} contains "${match}", which Claude Code replaces with a positional argument`);
  },

  // Claude Code 2.1.329 runs the hooks in a command's frontmatter while that command's session runs,
  // in user and project commands alike (test/conformance/stop-hook.test.ts): no settings.json is edited.
  stopHook: {
    commandFrontmatter: (dirs, layout) => ({ hooks: stopHookSettings(stopHookCommand('claude', dirs, layout)) }),
  },
};
