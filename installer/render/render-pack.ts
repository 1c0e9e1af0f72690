import path from 'node:path';
import Handlebars from 'handlebars';
import { stringify as stringifyYaml } from 'yaml';
import { OperationalError } from '../../scripts/lib/errors.js';
import type { CommandSource, Pack, RuleSource, SkillSource } from '../pack/pack.js';
import { PROMPT_HELPERS } from '../pack/prompt-helpers.js';
import { inPackDir, resolveRef, type FileRef, type InstallDirs, type Target, type TargetLayout } from '../targets/target.js';
import { toolFiles, type ToolBundle } from './tool-files.js';

export type RenderedKind = 'command' | 'skill' | 'rule' | 'template' | 'tool' | 'hook';

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

/** Choices that change what an install writes. */
export interface RenderOptions {
  /** The targets that get the stop hook (`baton-install --stop-hook`, docs/stop-hook.md). */
  stopHook?: readonly string[];
}

/**
 * Renders the pack for each target into the exact files an install writes: prompts through
 * Handlebars with the target's paths and argument conventions, frontmatter through a YAML
 * serializer, templates and tools verbatim. Every output is checked before it is returned.
 */
export function renderPack(pack: Pack, targets: readonly Target[], dirs: InstallDirs, bundle: ToolBundle, options: RenderOptions = {}): RenderedFile[] {
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
    const renderer = new PromptRenderer(target, layout);
    const stopHook = options.stopHook?.includes(target.id) ? target.stopHook : undefined;
    // The hook holds the implementer's session, so it goes with the command that starts one.
    const hookFrontmatter = stopHook?.commandFrontmatter?.(dirs, layout) ?? {};
    for (const command of pack.commands) add(renderer.command(command, command.role === 'implementer' ? hookFrontmatter : {}));
    const hooksFile = stopHook?.file?.(dirs, layout);
    if (hooksFile) add(renderer.verbatim(hooksFile.ref, 'hook', hooksFile.content, 0o644));
    for (const skill of pack.skills) add(renderer.skill(skill));
    for (const rule of pack.rules) add(renderer.rule(rule, inPackDir(layout, `rules/${rule.name}.md`)));
    for (const template of pack.templates) add(renderer.verbatim(inPackDir(layout, `templates/${template.name}`), 'template', template.content, 0o644));
    for (const tool of toolFiles(bundle)) add(renderer.verbatim(inPackDir(layout, `bin/${tool.name}`), 'tool', tool.content, tool.mode));
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
    if (file.kind === 'template' || file.kind === 'tool' || file.kind === 'hook') continue;
    for (const named of file.references) {
      if (!written.has(named) && !folders.has(named)) problems.push(`${file.absPath}: names ${named}, which the install does not write`);
    }
    const installing = targets.filter((t) => file.targets.includes(t.id));
    const placeholders = file.kind === 'command' ? installing.flatMap((target) => target.commandPlaceholders ?? []) : [];
    file.content.split('\n').forEach((line, index) => {
      const rest = placeholders.reduce((text, placeholder) => text.replaceAll(placeholder, ''), line);
      if (rest.includes('{{')) problems.push(`${file.absPath}: line ${index + 1} has an unrendered "{{"`);
    });
    for (const target of installing) {
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

/** A prompt file as most tools read it: YAML frontmatter (when there is any), then the Markdown text. */
function markdownFile(frontmatter: Record<string, unknown>, text: string): string {
  const head = Object.keys(frontmatter).length > 0 ? `---\n${stringifyYaml(frontmatter, { lineWidth: 0 })}---\n` : '';
  return head + text;
}

/** Renders prompt sources for one target and install location. */
class PromptRenderer {
  constructor(
    private readonly target: Target,
    private readonly layout: TargetLayout,
  ) {}

  command(command: CommandSource, extraFrontmatter: Record<string, unknown> = {}): RenderedFile {
    return this.prompt(this.layout.commandFile(command.name), 'command', { ...this.target.commandFrontmatter(command, this.layout), ...extraFrontmatter }, command);
  }

  skill(skill: SkillSource): RenderedFile {
    return this.prompt(this.layout.skillFile(skill.name), 'skill', this.target.skillFrontmatter(skill), skill);
  }

  rule(rule: RuleSource, ref: FileRef): RenderedFile {
    return this.prompt(ref, 'rule', rule.frontmatter, rule);
  }

  verbatim(ref: FileRef, kind: RenderedKind, content: string, mode: number): RenderedFile {
    return { ref, absPath: resolveRef(this.layout.roots, ref), targets: [this.target.id], kind, content, mode, frontmatter: {}, references: [] };
  }

  private prompt(ref: FileRef, kind: 'command' | 'skill' | 'rule', frontmatter: Record<string, unknown>, source: CommandSource | SkillSource | RuleSource): RenderedFile {
    const { body, references } = this.renderBody(source);
    const note = this.layout.pathsNote && references.length > 0 ? `${this.layout.pathsNote}\n\n` : '';
    const content = this.target.formatPromptFile?.(kind, frontmatter, note + body) ?? markdownFile(frontmatter, note + body);
    return { ...this.verbatim(ref, kind, content, 0o644), frontmatter, references };
  }

  private renderBody(source: CommandSource | SkillSource | RuleSource): { body: string; references: string[] } {
    const { layout, target } = this;
    // Every installed path a prompt names is recorded, so the output check can see that it exists.
    const references = new Set<string>();
    const named = (ref: FileRef) => {
      references.add(resolveRef(layout.roots, ref));
      return ref;
    };
    const inPack = (sub: string) => layout.display(named(inPackDir(layout, sub)));
    const hb = Handlebars.create();
    hb.registerHelper('baton', () => layout.shellWord(named(inPackDir(layout, 'bin/baton'))));
    hb.registerHelper('packdir', () => layout.display(named(layout.packDir)));
    hb.registerHelper('rule', (name: string) => inPack(`rules/${name}.md`));
    hb.registerHelper('template', (name: string) => inPack(`templates/${name}`));
    hb.registerHelper('skill', (name: string) => layout.display(named(layout.skillFile(name))));
    hb.registerHelper('arg', (name: string) => `<${name}>`);
    hb.registerHelper('command', (name: string) => target.invocation(name));
    hb.registerHelper('arguments', () => {
      if (source.kind !== 'command') throw new Error(`{{arguments}} outside a command in ${source.file}`);
      return target.argumentsBlock(source, target.invocation(source.name));
    });
    hb.registerHelper('tool', function (this: unknown, name: string, options: Handlebars.HelperOptions) {
      return name === target.tool ? options.fn(this) : '';
    });
    const knownHelpers = Object.fromEntries(Object.keys(PROMPT_HELPERS).map((name) => [name, true]));
    const render = hb.compile(source.body, { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers });
    return { body: render({}), references: [...references].sort() };
  }
}
