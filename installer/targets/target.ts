import path from 'node:path';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import type { CommandSource, SkillSource } from '../pack/pack.js';

/**
 * A target is one tool's conventions: where its files go, how the user invokes a command, how
 * arguments reach the agent and which frontmatter it accepts. Adding a tool means adding one module
 * that implements this interface and registering it in targets/index.ts (TARGETS; a plugin, in
 * PACKAGE_TARGETS). The dashboard offers every registered target's way of typing a command.
 */

export type Scope = 'user' | 'project';

/** A user-scope install: each target finds its folders from these (see `userFolder`). */
export interface UserDirs {
  scope: 'user';
  home: string;
  /** Relative folders in environment variables are read from here. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Where an install goes, resolved once at the CLI edge from flags, environment and home directory. */
export type InstallDirs =
  | UserDirs
  | {
      scope: 'project';
      /** The repository's top-level directory. */
      projectRoot: string;
    }
  | {
      /** A plugin (Claude Code, Codex) or a Gemini CLI extension: installed by the tool itself, wherever it keeps them. */
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
  /** How a prompt names an installed file. */
  display(ref: FileRef): string;
  /** The same name, as one word a shell reads. */
  shellWord(ref: FileRef): string;
  /** Said once at the top of a prompt that names files, when those names are not absolute paths. */
  pathsNote?: string;
}

/** Absolute location of a file or folder of a layout. */
export function resolveRef(roots: Record<string, string>, ref: FileRef): string {
  const root = roots[ref.root];
  if (root === undefined) throw new Error(`layout has no root named ${ref.root}`);
  return path.join(root, ...ref.path.split('/'));
}

/** A file or folder inside the pack directory: `rules/x.md`, `bin/baton`, `manifest.json`. */
export function inPackDir(layout: Pick<TargetLayout, 'packDir'>, sub: string): FileRef {
  return { root: layout.packDir.root, path: `${layout.packDir.path}/${sub}` };
}

/** A user install names its files by absolute path. */
export function absolutePaths(roots: Record<string, string>): Pick<TargetLayout, 'display' | 'shellWord'> {
  return { display: (ref) => resolveRef(roots, ref), shellWord: (ref) => shellQuote(resolveRef(roots, ref)) };
}

/**
 * A project install names its files relative to the repository, so that every collaborator's clone
 * works; the note tells the agent where those paths start. Every tool shares the pack folder, whose
 * rules carry this note too, so it names no tool's folder.
 */
export function repositoryPaths(): Pick<TargetLayout, 'display' | 'shellWord' | 'pathsNote'> {
  return {
    display: (ref) => ref.path,
    shellWord: (ref) => shellQuote(ref.path),
    pathsNote: '> Paths here that do not start with `/` (such as `.baton/rules/`) are relative to the top-level directory of the repository checkout where this session started.',
  };
}

/** What a target's output check sees of one rendered prompt file. */
export interface RenderedPrompt {
  path: string;
  kind: 'command' | 'skill' | 'rule' | 'template' | 'tool';
  frontmatter: Record<string, unknown>;
  text: string;
}

/**
 * How a tool runs baton's stop hook (docs/stop-hook.md), installed with `baton-install --stop-hook`.
 * A tool either scopes hooks to a command (frontmatter of the implementer's command) or reads them
 * from a hooks file the install writes.
 */
export interface StopHookWiring {
  /** Frontmatter added to the implementer's command. */
  commandFrontmatter?(dirs: InstallDirs, layout: TargetLayout): Record<string, unknown>;
  /** The tool's hooks file, written with the hook in it. */
  file?(dirs: InstallDirs, layout: TargetLayout): { ref: FileRef; content: string };
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
  /** The environment variables that move this tool's user folders, with their defaults, for `--help`. */
  readonly environment: readonly string[];
  /** Frontmatter keys a pack file may add for this tool under `<id>:`. */
  readonly hintKeys: readonly string[];
  layout(dirs: InstallDirs): TargetLayout;
  /** How the user types the command in this tool, e.g. `/verify-slice`. */
  invocation(command: string): string;
  /** The Markdown block that tells the agent where this tool puts the command's arguments; `invocation` is how it is typed. */
  argumentsBlock(command: CommandSource, invocation: string): string;
  /** The frontmatter of a command's file; `layout` names the installed files (the baton program, for permission rules). */
  commandFrontmatter(command: CommandSource, layout: TargetLayout): Record<string, unknown>;
  skillFrontmatter(skill: SkillSource): Record<string, unknown>;
  /** Problems in a rendered prompt file (command, skill or rule) that would break this tool; empty when fine. */
  checkRendered(file: RenderedPrompt): string[];
  /**
   * The folders (or files) whose presence shows that the tool is used here: its home folder in user
   * scope, its project folder in project scope. Without `--target`, baton installs for the tools found.
   */
  markers(dirs: UserDirs | { scope: 'project'; projectRoot: string }): string[];
  /** The instructions file the tool reads in a repository, where the rules fragment goes; AGENTS.md when not set. */
  readonly instructionsFile?: string;
  /** How the stop hook is installed for this tool; absent when it runs none. */
  readonly stopHook?: StopHookWiring;
  /**
   * The content of a prompt file, from its frontmatter and rendered text, for a tool whose files are in
   * another format (Gemini CLI's TOML commands). Absent, or undefined for a kind: Markdown with YAML
   * frontmatter.
   */
  formatPromptFile?(kind: RenderedPrompt['kind'], frontmatter: Record<string, unknown>, text: string): string | undefined;
  /**
   * Placeholders this tool fills in itself when a command runs (Gemini CLI's and Qwen Code's `{{args}}`):
   * the output check does not count them as text the renderer left unrendered.
   */
  readonly commandPlaceholders?: readonly string[];
}
