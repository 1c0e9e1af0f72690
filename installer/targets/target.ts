import type { CommandSource, SkillSource } from '../pack/pack.js';

/**
 * A target is one tool's conventions: where its files go, how the user invokes a command, how
 * arguments reach the agent and which frontmatter it accepts. Adding a tool means adding one module
 * that implements this interface and registering it in targets/index.ts.
 */

export type Scope = 'user' | 'project';

/** Where an install goes, resolved once at the CLI edge from flags, environment and home directory. */
export type InstallDirs =
  | {
      scope: 'user';
      /** `$CLAUDE_CONFIG_DIR`, default `~/.claude`. */
      claudeConfigDir: string;
      /** `$CODEX_HOME`, default `~/.codex`. */
      codexHome: string;
      /** `$AGENTS_HOME`, default `~/.agents`: the root of Codex's `skills/`. */
      agentsHome: string;
    }
  | {
      scope: 'project';
      /** The repository's top-level directory. */
      projectRoot: string;
    }
  | {
      /** A Claude Code plugin: installed by Claude Code itself, wherever it keeps plugins. */
      scope: 'plugin';
      /** Where the plugin's files are written now. */
      pluginRoot: string;
    };

/** A file or directory named by the root it lives under and a POSIX path relative to that root. */
export interface FileRef {
  root: string;
  path: string;
}

/** Where one target puts things for one install. */
export interface TargetLayout {
  /** Root name to absolute directory. */
  roots: Record<string, string>;
  commandFile(name: string): FileRef;
  /** A role skill's SKILL.md (`skills/baton-<name>/SKILL.md`). */
  skillFile(name: string): FileRef;
  /** The directory holding rules/, templates/, bin/ and the install manifest. */
  packDir: FileRef;
}

/** What a target's output check sees of one rendered prompt file. */
export interface RenderedPrompt {
  path: string;
  kind: 'command' | 'skill' | 'rule' | 'template' | 'tool';
  frontmatter: Record<string, unknown>;
  text: string;
}

export interface Target {
  /** Used on the command line (`--target claude`) and in the install manifest. */
  readonly id: string;
  /**
   * The tool this target installs for: `{{#tool "claude"}}` blocks and `claude:` frontmatter hints
   * apply to every target of that tool (Claude Code as commands, or as a plugin).
   */
  readonly tool: string;
  /** The tool's name for people, e.g. "Claude Code". */
  readonly label: string;
  /** Frontmatter keys a pack file may add for this tool under `<id>:`. */
  readonly hintKeys: readonly string[];
  layout(dirs: InstallDirs): TargetLayout;
  /** How the user types the command in this tool, e.g. `/verify-slice`. */
  invocation(command: string): string;
  /** The Markdown block that tells the agent where this tool puts the command's arguments. */
  argumentsBlock(command: CommandSource): string;
  commandFrontmatter(command: CommandSource): Record<string, unknown>;
  skillFrontmatter(skill: SkillSource): Record<string, unknown>;
  /** Problems in a rendered prompt file (command, skill or rule) that would break this tool; empty when fine. */
  checkRendered(file: RenderedPrompt): string[];
}
