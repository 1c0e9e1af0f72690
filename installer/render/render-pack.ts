import path from 'node:path';
import Handlebars from 'handlebars';
import { stringify as stringifyYaml } from 'yaml';
import { OperationalError } from '../../scripts/lib/errors.js';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import type { CommandSource, Pack, RuleSource, SkillSource } from '../pack/pack.js';
import { PROMPT_HELPERS } from '../pack/prompt-helpers.js';
import type { FileRef, InstallDirs, Target, TargetLayout } from '../targets/target.js';
import { toolFiles, type ToolBundle } from './tool-files.js';

export type RenderedKind = 'command' | 'skill' | 'rule' | 'template' | 'tool';

/** One file an install writes, with its final content. */
export interface RenderedFile {
  ref: FileRef;
  /** Absolute path on this machine. */
  absPath: string;
  /** The targets that install this file (several when they share a pack directory). */
  targets: string[];
  kind: RenderedKind;
  content: string;
  mode: number;
  /** The frontmatter written at the top of a prompt file, for the output checks. */
  frontmatter: Record<string, unknown>;
  /** Absolute paths of installed files that this file's text names; each must exist after install. */
  references: string[];
}

/**
 * Renders the pack for each target into the exact files an install writes: prompts through
 * Handlebars with the target's paths and argument conventions, frontmatter through a YAML
 * serializer, templates and tools verbatim. Every output is checked before it is returned.
 */
export function renderPack(pack: Pack, targets: readonly Target[], dirs: InstallDirs, bundle: ToolBundle): RenderedFile[] {
  const byPath = new Map<string, RenderedFile>();
  const add = (file: RenderedFile) => {
    const existing = byPath.get(file.absPath);
    if (!existing) return void byPath.set(file.absPath, file);
    // Two targets share one pack directory in a project install; their shared files must agree.
    if (existing.content !== file.content) {
      throw new OperationalError(`Two targets render different content for ${file.absPath}.`, {
        fix: 'Files in the shared pack directory must not depend on the tool; this is a defect in the pack.',
      });
    }
    existing.targets.push(...file.targets);
  };

  for (const target of targets) {
    const layout = target.layout(dirs);
    const renderer = new PromptRenderer(target, layout, dirs);
    const inPack = (sub: string): FileRef => ({ root: layout.packDir.root, path: `${layout.packDir.path}/${sub}` });
    for (const command of pack.commands) add(renderer.command(command));
    for (const skill of pack.skills) add(renderer.skill(skill));
    for (const rule of pack.rules) add(renderer.rule(rule, inPack(`rules/${rule.name}.md`)));
    for (const template of pack.templates) add(renderer.verbatim(inPack(`templates/${template.name}`), 'template', template.content, 0o644));
    for (const tool of toolFiles(bundle)) add(renderer.verbatim(inPack(`bin/${tool.name}`), 'tool', tool.content, 0o755));
  }

  const files = [...byPath.values()].sort((a, b) => (a.absPath < b.absPath ? -1 : 1));
  const problems = checkRenderedFiles(files, targets);
  if (problems.length > 0) {
    throw new OperationalError(`The rendered pack has ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`, {
      fix: 'Correct the pack sources named above; this is a defect in the pack, not in your setup.',
    });
  }
  return files;
}

/** Checks every rendered prompt: nothing left unrendered, and each installing tool's own rules. */
export function checkRenderedFiles(files: readonly RenderedFile[], targets: readonly Target[]): string[] {
  const problems: string[] = [];
  const written = new Set(files.map((file) => file.absPath));
  const folders = new Set(files.flatMap((file) => ancestors(file.absPath)));
  for (const file of files) {
    if (file.kind === 'template' || file.kind === 'tool') continue;
    for (const named of file.references) {
      if (!written.has(named) && !folders.has(named)) problems.push(`${file.absPath}: names ${named}, which the install does not write`);
    }
    file.content.split('\n').forEach((line, index) => {
      if (line.includes('{{')) problems.push(`${file.absPath}: line ${index + 1} has an unrendered "{{"`);
    });
    for (const target of targets.filter((t) => file.targets.includes(t.id))) {
      const found = target.checkRendered({ path: file.absPath, kind: file.kind, frontmatter: file.frontmatter, text: file.content });
      for (const problem of found) problems.push(`${file.absPath} (${target.label}): ${problem}`);
    }
  }
  return problems;
}

function ancestors(file: string): string[] {
  const found: string[] = [];
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) found.push(dir);
  return found;
}

/** Absolute location of a reference in a layout. */
export function resolveRef(layout: TargetLayout, ref: FileRef): string {
  const root = layout.roots[ref.root];
  if (root === undefined) throw new Error(`layout has no root named ${ref.root}`);
  return path.join(root, ...ref.path.split('/'));
}

const PROJECT_PATHS_NOTE =
  '> Paths here that start with `.baton/`, `.claude/` or `.agents/` are relative to the top-level directory of the repository checkout where this session started.';

const PLUGIN_PATHS_NOTE =
  "> Paths here that start with `${CLAUDE_PLUGIN_ROOT}` are in the baton plugin's folder, the one that holds `commands/`, `skills/` and `baton/`. Claude Code fills in that folder when it runs a command; when you read a file of the plugin yourself, put that folder in its place.";

/** Renders prompt sources for one target and install location. */
class PromptRenderer {
  constructor(
    private readonly target: Target,
    private readonly layout: TargetLayout,
    private readonly dirs: InstallDirs,
  ) {}

  command(command: CommandSource): RenderedFile {
    return this.prompt(this.layout.commandFile(command.name), 'command', this.target.commandFrontmatter(command), command);
  }

  skill(skill: SkillSource): RenderedFile {
    return this.prompt(this.layout.skillFile(skill.name), 'skill', this.target.skillFrontmatter(skill), skill);
  }

  rule(rule: RuleSource, ref: FileRef): RenderedFile {
    return this.prompt(ref, 'rule', rule.frontmatter, rule);
  }

  verbatim(ref: FileRef, kind: RenderedKind, content: string, mode: number): RenderedFile {
    return { ref, absPath: resolveRef(this.layout, ref), targets: [this.target.id], kind, content, mode, frontmatter: {}, references: [] };
  }

  private prompt(ref: FileRef, kind: RenderedKind, frontmatter: Record<string, unknown>, source: CommandSource | SkillSource | RuleSource): RenderedFile {
    const { body, references } = this.renderBody(source);
    const head = Object.keys(frontmatter).length > 0 ? `---\n${stringifyYaml(frontmatter, { lineWidth: 0 })}---\n` : '';
    // A project install names its files relative to the repository, so every collaborator's clone works;
    // a plugin names them from the plugin's folder, which only Claude Code knows.
    const paths = { user: '', project: PROJECT_PATHS_NOTE, plugin: PLUGIN_PATHS_NOTE }[this.dirs.scope];
    const note = paths && references.length > 0 ? `${paths}\n\n` : '';
    return { ...this.verbatim(ref, kind, head + note + body, 0o644), frontmatter, references };
  }

  private renderBody(source: CommandSource | SkillSource | RuleSource): { body: string; references: string[] } {
    const references = new Set<string>();
    // Display form of an installed path: absolute for a user install, repository-relative in a project,
    // because a project install is shared by every collaborator who clones the repository.
    const display = (ref: FileRef) => {
      references.add(resolveRef(this.layout, ref));
      if (this.dirs.scope === 'user') return resolveRef(this.layout, ref);
      // A plugin lives wherever Claude Code installs it; Claude Code fills in the variable.
      if (this.dirs.scope === 'plugin') return `\${CLAUDE_PLUGIN_ROOT}/${ref.path}`;
      return ref.path;
    };
    const inPack = (sub: string) => display({ root: this.layout.packDir.root, path: `${this.layout.packDir.path}/${sub}` });
    const target = this.target;
    const hb = Handlebars.create();
    // In a plugin the variable may reach a shell unexpanded, so it is double-quoted, never single.
    hb.registerHelper('baton', () => (this.dirs.scope === 'plugin' ? `"${inPack('bin/baton')}"` : shellQuote(inPack('bin/baton'))));
    hb.registerHelper('packdir', () => display(this.layout.packDir));
    hb.registerHelper('rule', (name: string) => inPack(`rules/${name}.md`));
    hb.registerHelper('template', (name: string) => inPack(`templates/${name}`));
    hb.registerHelper('skill', (name: string) => display(this.layout.skillFile(name)));
    hb.registerHelper('arg', (name: string) => `<${name}>`);
    hb.registerHelper('command', (name: string) => target.invocation(name));
    hb.registerHelper('arguments', () => {
      if (source.kind !== 'command') throw new Error(`{{arguments}} outside a command in ${source.file}`);
      return target.argumentsBlock(source);
    });
    hb.registerHelper('tool', function (this: unknown, name: string, options: Handlebars.HelperOptions) {
      return name === target.tool ? options.fn(this) : '';
    });
    const knownHelpers = Object.fromEntries(Object.keys(PROMPT_HELPERS).map((name) => [name, true]));
    const render = hb.compile(source.body, { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers });
    return { body: render({}), references: [...references].sort() };
  }
}
