import { TEMPLATE_BLOCK_HELPERS, TEMPLATE_HELPERS, TEMPLATE_VARIABLES } from '../../scripts/lib/template-vocabulary.js';
import type { Target } from '../targets/target.js';
import { listHandlebarsCalls, type HandlebarsCall } from './list-handlebars-calls.js';
import type { Pack, PackProblem, PackSource } from './pack.js';
import { describePromptHelpers, PROMPT_HELPERS, type ReferenceKind } from './prompt-helpers.js';

/**
 * Checks that need the whole pack: bodies, helper references between files, tool hints and name
 * clashes. Returns every problem found, so an author fixes them in one pass.
 */
export function validatePack(pack: Pack, targets: readonly Target[]): PackProblem[] {
  const problems: PackProblem[] = [];
  const names: Record<ReferenceKind, Set<string>> = {
    argument: new Set(),
    rule: new Set(pack.rules.map((rule) => rule.name)),
    template: new Set(pack.templates.map((template) => template.name)),
    skill: new Set(pack.skills.map((skill) => skill.name)),
    command: new Set(pack.commands.map((command) => command.name)),
    target: new Set(targets.map((target) => target.tool)),
  };

  for (const source of [...pack.commands, ...pack.skills, ...pack.rules]) {
    checkPromptBody(source, names, problems);
  }
  for (const template of pack.templates) checkTemplate(template.file, template.content, problems);

  for (const source of [...pack.commands, ...pack.skills]) {
    for (const target of targets) {
      for (const key of Object.keys(source.hints[target.tool] ?? {})) {
        if (!target.hintKeys.includes(key)) {
          problems.push({
            file: source.file,
            field: `${target.tool}.${key}`,
            message: `is not a frontmatter key ${target.label} accepts`,
            fix: `Use only: ${target.hintKeys.join(', ')}.`,
          });
        }
      }
    }
  }

  for (const command of pack.commands) {
    if (command.role !== undefined && !names.skill.has(command.role)) {
      problems.push({ file: command.file, field: 'role', message: `names "${command.role}", which is not a folder under skills/`, fix: `Use one of: ${[...names.skill].join(', ') || '(no skills yet)'}.` });
    }
    // Codex installs commands and role skills side by side as baton-<name>.
    if (names.skill.has(command.name)) {
      problems.push({ file: command.file, field: 'name', message: `clashes with the skill skills/${command.name}: both would install as baton-${command.name}`, fix: 'Rename one of them.' });
    }
  }
  return problems;
}

function checkPromptBody(source: PackSource, names: Record<ReferenceKind, Set<string>>, problems: PackProblem[]): void {
  if (source.kind === 'template') return;
  const { file, body } = source;
  body.split('\n').forEach((line, index) => {
    const positional = /\$\{?\d/.exec(line);
    if (positional) {
      problems.push({
        file,
        field: `body line ${lineInFile(source, index + 1)}`,
        message: `contains "${positional[0]}", a positional placeholder Claude Code would replace`,
        fix: 'Name arguments with {{arg "name"}}; in shell snippets avoid $1-style fields (for example use cut -d" " -f2 instead of awk).',
      });
    }
    if (line.includes('$ARGUMENTS')) {
      problems.push({ file, field: `body line ${lineInFile(source, index + 1)}`, message: 'contains a literal $ARGUMENTS', fix: 'Put {{arguments}} where the argument instructions belong; the renderer writes each tool\'s form.' });
    }
  });

  let calls: HandlebarsCall[];
  try {
    calls = listHandlebarsCalls(body);
  } catch (error) {
    problems.push({ file, field: 'body', message: `is not valid Handlebars: ${firstLine(error)}`, fix: 'Balance every {{#block}} with {{/block}} and close every {{ with }}.' });
    return;
  }
  const argumentNames = new Set(source.kind === 'command' ? source.arguments.map((arg) => arg.name) : []);
  for (const call of calls) {
    const field = `body line ${lineInFile(source, call.line)}`;
    const report = (message: string, fix: string) => problems.push({ file, field, message, fix });
    const spec = PROMPT_HELPERS[call.name];
    if (call.kind === 'partial' || call.kind === 'decorator' || call.kind === 'subexpression') {
      report(`uses a Handlebars ${call.kind}, which the pack does not support`, `Use only: ${describePromptHelpers()}.`);
      continue;
    }
    if (!spec) {
      report(`uses unknown Handlebars helper or variable "${call.name}"`, `Use only: ${describePromptHelpers()}.`);
      continue;
    }
    if (spec.commandsOnly && source.kind !== 'command') {
      report(`uses {{${call.name}}}, which exists only in commands`, 'Move the text into a command, or name the argument in words.');
    }
    if (spec.toolSpecific && source.kind === 'rule') {
      report(`uses {{${call.name}}}, which differs per tool, but rules are shared by every tool`, 'Describe the step without the tool-specific form, or move it into a command or skill.');
    }
    if (Boolean(spec.block) !== call.block) {
      report(spec.block ? `uses {{${call.name}}} without #` : `uses {{#${call.name}}} as a block`, `Write it as ${spec.block ? `{{#${call.name} "x"}}…{{/${call.name}}}` : `{{${call.name}}}`}.`);
    }
    if (call.hasHash) report(`passes key=value options to {{${call.name}}}`, 'Remove them; no helper takes options.');
    const expected = spec.param ? 1 : 0;
    if (call.params.length !== expected) {
      report(`gives {{${call.name}}} ${call.params.length} parameter(s), it takes ${expected}`, `Write it as ${spec.param ? `{{${call.name} "<${spec.param}>"}}` : `{{${call.name}}}`}.`);
      continue;
    }
    const param = call.params[0];
    if (!spec.param || !param) continue;
    if (param.kind !== 'string') {
      report(`gives {{${call.name}}} a parameter that is not a quoted string`, `Quote it: {{${call.name} "name"}}.`);
      continue;
    }
    const known = spec.param === 'argument' ? argumentNames : names[spec.param];
    if (!known.has(param.value)) {
      report(`names ${spec.param} "${param.value}", which the pack does not have`, `Use one of: ${[...known].join(', ') || `(none declared)`}.`);
    }
  }

  if (source.kind === 'command') {
    const uses = calls.filter((call) => call.name === 'arguments').length;
    if (source.arguments.length > 0 && uses !== 1) {
      problems.push({ file, field: 'body', message: `uses {{arguments}} ${uses} times; a command with arguments needs it exactly once`, fix: 'Put {{arguments}} once, where the agent should read how to resolve its arguments.' });
    }
  }
}

/** Templates are filled by the scaffolding commands, so they may use only the variables those provide. */
function checkTemplate(file: string, content: string, problems: PackProblem[]): void {
  let calls: HandlebarsCall[];
  try {
    calls = listHandlebarsCalls(content);
  } catch (error) {
    problems.push({ file, field: 'content', message: `is not valid Handlebars: ${firstLine(error)}`, fix: 'Balance every {{#block}} with {{/block}}.' });
    return;
  }
  const variables: readonly string[] = TEMPLATE_VARIABLES;
  const helpers: readonly string[] = [...TEMPLATE_HELPERS, ...TEMPLATE_BLOCK_HELPERS];
  const fix = `Use the variables ${variables.join(', ')} and the helpers ${helpers.join(', ')}.`;
  for (const call of calls) {
    const field = `line ${call.line}`;
    const isHelper = call.block || call.params.length > 0;
    if (isHelper && !helpers.includes(call.name)) {
      problems.push({ file, field, message: `uses unknown Handlebars helper "${call.name}"`, fix });
    }
    if (!isHelper && !variables.includes(call.name)) {
      problems.push({ file, field, message: `uses unknown template variable "${call.name}"`, fix });
    }
    for (const param of call.params) {
      if (param.kind === 'path' && !variables.includes(param.name) && param.name !== 'this') {
        problems.push({ file, field, message: `uses unknown template variable "${param.name}"`, fix });
      }
    }
  }
}

/** Body line numbers count from the body; authors want the line in the file, after the frontmatter. */
function lineInFile(source: PackSource, bodyLine: number): number {
  if (source.kind === 'template') return bodyLine;
  return bodyLine + source.frontmatterLines;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
