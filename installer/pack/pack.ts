/**
 * The pack as authored: the Markdown sources under commands/, skills/, rules/ and templates/, parsed
 * and validated, before any tool's conventions are applied.
 */

/** One argument a command declares in its frontmatter. */
export interface ArgumentSpec {
  /** Lower-case name used in the body through `{{arg "name"}}`, e.g. `slice`. */
  name: string;
  /** Anchored regular expression (source text) a token must match to be this argument. */
  shape: string;
  required: boolean;
  /** One line telling the agent what the argument is. */
  meaning: string;
}

/**
 * What a command's shell calls may run, declared in its frontmatter as `shell:`. A target turns it
 * into its tool's permission rules (Claude Code's `allowed-tools`):
 * - `protocol`: the installed `baton` and `git` only, besides the tool's read-only commands;
 * - `project`: any command, because the command runs the project's own tests or builds.
 */
export type ShellAccess = 'protocol' | 'project';

export const SHELL_ACCESS: readonly ShellAccess[] = ['protocol', 'project'];

/** Per-tool frontmatter additions, keyed by target id; each target validates its own keys. */
export type ToolHints = Record<string, Record<string, unknown>>;

export interface CommandSource {
  kind: 'command';
  /** File name without `.md`; the Claude command is `/<name>`, the Codex skill `baton-<name>`. */
  name: string;
  /** Path relative to the pack root, for messages. */
  file: string;
  description: string;
  arguments: ArgumentSpec[];
  /** The role skill the command puts the agent in, by skill name, if any. */
  role: string | undefined;
  /** What its shell calls may run; undefined when the command does not say (no permission rules are written). */
  shell: ShellAccess | undefined;
  hints: ToolHints;
  body: string;
  /** Lines before the body (frontmatter and its fences), to report body problems by file line. */
  frontmatterLines: number;
}

export interface SkillSource {
  kind: 'skill';
  /** Folder name under skills/; installed as `baton-<name>`. */
  name: string;
  file: string;
  description: string;
  hints: ToolHints;
  body: string;
  /** Lines before the body (frontmatter and its fences), to report body problems by file line. */
  frontmatterLines: number;
}

export interface RuleSource {
  kind: 'rule';
  /** File name without `.md`. */
  name: string;
  file: string;
  /** Frontmatter as authored (may be empty); re-serialised on output. */
  frontmatter: Record<string, unknown>;
  body: string;
  /** Lines before the body (frontmatter and its fences), to report body problems by file line. */
  frontmatterLines: number;
}

/** A release-artefact template: installed verbatim, filled later by the scaffolding commands. */
export interface TemplateSource {
  kind: 'template';
  /** File name, e.g. `spec.md` or `status.schema.json`. */
  name: string;
  file: string;
  content: string;
}

export type PackSource = CommandSource | SkillSource | RuleSource | TemplateSource;

export interface Pack {
  commands: CommandSource[];
  skills: SkillSource[];
  rules: RuleSource[];
  templates: TemplateSource[];
}

/** A problem found in a source file: where, which field, what is wrong, how to fix it. */
export interface PackProblem {
  file: string;
  field: string;
  message: string;
  fix: string;
}
