import matter from 'gray-matter';
import { parse as parseYaml } from 'yaml';
import { SHELL_ACCESS, type ArgumentSpec, type CommandSource, type PackProblem, type RuleSource, type ShellAccess, type SkillSource, type TemplateSource, type ToolHints } from './pack.js';

/**
 * Parsing of single pack files: text in, a source object and its problems out. Nothing here reads
 * the file system or knows about other files; cross-file checks live in validate-pack.ts.
 */

export interface Parsed<T> {
  source: T | undefined;
  problems: PackProblem[];
}

const COMMAND_KEYS = ['description', 'arguments', 'role', 'shell'];
const SKILL_KEYS = ['description'];
const RULE_KEYS = ['title', 'description'];
const ARGUMENT_KEYS = ['name', 'shape', 'required', 'meaning'];

/** Strict YAML: duplicate keys and anything YAML 1.2 would not accept are errors, not guesses. */
function parseStrictYaml(text: string): object {
  const value: unknown = parseYaml(text, { strict: true, uniqueKeys: true, prettyErrors: true });
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error('frontmatter must be a mapping of keys to values');
  return value;
}

function readFrontmatter(text: string, file: string, problems: PackProblem[]) {
  try {
    const parsed = matter(text, { engines: { yaml: parseStrictYaml } });
    const frontmatterLines = text.split('\n').length - parsed.content.split('\n').length;
    return { data: parsed.data as Record<string, unknown>, body: parsed.content, frontmatterLines, ok: true };
  } catch (error) {
    problems.push({
      file,
      field: 'frontmatter',
      message: `is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      fix: 'Quote values that contain ": " or start with a special character, and give each key once.',
    });
    return { data: {}, body: '', frontmatterLines: 0, ok: false };
  }
}

function checkKeys(data: Record<string, unknown>, allowed: string[], file: string, problems: PackProblem[]): void {
  for (const key of Object.keys(data)) {
    if (!allowed.includes(key)) {
      problems.push({ file, field: key, message: 'is not a known frontmatter key', fix: `Use only: ${allowed.join(', ')}.` });
    }
  }
}

/** Description rules shared by every tool: Codex's validator is the strictest, so its rules apply. */
function checkDescription(value: unknown, file: string, problems: PackProblem[]): string {
  const field = 'description';
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ file, field, message: 'is missing or empty', fix: 'Add a one-line description a user would recognise in a picker.' });
    return '';
  }
  if (/[\r\n]/.test(value.trim())) {
    problems.push({ file, field, message: 'spans more than one line', fix: 'Write it as a single line.' });
  }
  if (value.length > 1024) {
    problems.push({ file, field, message: `is ${value.length} characters long`, fix: 'Shorten it to at most 1024 characters.' });
  }
  if (/[<>]/.test(value)) {
    problems.push({ file, field, message: 'contains "<" or ">"', fix: "Remove angle brackets: Codex's skill validator rejects them." });
  }
  return value.trim();
}

/** Skill names are `baton-<name>` in both tools: hyphen-case, at most 64 characters. */
function checkSkillName(name: string, file: string, problems: PackProblem[]): void {
  const full = `baton-${name}`;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
    problems.push({ file, field: 'name', message: `"${name}" is not hyphen-case`, fix: 'Rename the file or folder to lower-case words joined by single hyphens.' });
  }
  if (full.length > 64) {
    problems.push({ file, field: 'name', message: `"${full}" is ${full.length} characters long`, fix: 'Shorten the name so that baton-<name> has at most 64 characters.' });
  }
}

/** Frontmatter keys named after a tool (`claude:`, `codex:`) carry that tool's extra frontmatter. */
function readHints(data: Record<string, unknown>, toolIds: readonly string[], file: string, problems: PackProblem[]): ToolHints {
  const hints: ToolHints = {};
  for (const tool of toolIds) {
    const value = data[tool];
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ file, field: tool, message: 'must be a mapping of frontmatter keys for that tool', fix: `Write it as "${tool}:" followed by indented keys.` });
      continue;
    }
    hints[tool] = value as Record<string, unknown>;
  }
  return hints;
}

function readArguments(value: unknown, file: string, problems: PackProblem[]): ArgumentSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({ file, field: 'arguments', message: 'must be a list', fix: 'Declare each argument as a list item with name, shape, required and meaning.' });
    return [];
  }
  const specs: ArgumentSpec[] = [];
  value.forEach((item: unknown, index) => {
    const field = `arguments[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ file, field, message: 'is not a mapping', fix: 'Give name, shape, required and meaning.' });
      return;
    }
    const entry = item as Record<string, unknown>;
    checkKeys(entry, ARGUMENT_KEYS, file, problems);
    const { name, shape, required, meaning } = entry;
    let ok = true;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name)) {
      problems.push({ file, field: `${field}.name`, message: `${JSON.stringify(name)} is not a lower-case name`, fix: 'Use a short lower-case name such as slice or release.' });
      ok = false;
    }
    if (typeof shape !== 'string' || !isAnchoredRegex(shape)) {
      problems.push({ file, field: `${field}.shape`, message: `${JSON.stringify(shape)} is not an anchored regular expression`, fix: 'Write a regular expression that starts with ^ and ends with $, in single quotes.' });
      ok = false;
    }
    if (typeof required !== 'boolean') {
      problems.push({ file, field: `${field}.required`, message: 'must be true or false', fix: 'Write required: true or required: false.' });
      ok = false;
    }
    if (typeof meaning !== 'string' || meaning.trim() === '' || /[\r\n]/.test(meaning.trim())) {
      problems.push({ file, field: `${field}.meaning`, message: 'must be one non-empty line', fix: 'Say in one line what the argument is.' });
      ok = false;
    }
    if (ok) specs.push({ name: name as string, shape: shape as string, required: required as boolean, meaning: (meaning as string).trim() });
  });
  const names = specs.map((spec) => spec.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) problems.push({ file, field: 'arguments', message: `declares "${duplicate}" twice`, fix: 'Give each argument a distinct name.' });
  return specs;
}

function isAnchoredRegex(text: string): boolean {
  if (!text.startsWith('^') || !text.endsWith('$')) return false;
  try {
    new RegExp(text);
    return true;
  } catch {
    // An invalid pattern is reported by the caller as "not an anchored regular expression".
    return false;
  }
}

export function parseCommandFile(text: string, file: string, name: string, toolIds: readonly string[]): Parsed<CommandSource> {
  const problems: PackProblem[] = [];
  const { data, body, frontmatterLines, ok } = readFrontmatter(text, file, problems);
  if (!ok) return { source: undefined, problems };
  checkKeys(data, [...COMMAND_KEYS, ...toolIds], file, problems);
  checkSkillName(name, file, problems);
  const description = checkDescription(data.description, file, problems);
  const args = readArguments(data.arguments, file, problems);
  let role: string | undefined;
  if (data.role !== undefined) {
    if (typeof data.role === 'string') role = data.role;
    else problems.push({ file, field: 'role', message: 'must be the name of a skill folder', fix: 'Write role: verifier (or planner, implementer, integrator).' });
  }
  const shell = readShellAccess(data.shell, file, problems);
  const hints = readHints(data, toolIds, file, problems);
  return { source: { kind: 'command', name, file, description, arguments: args, role, shell, hints, body, frontmatterLines }, problems };
}

function readShellAccess(value: unknown, file: string, problems: PackProblem[]): ShellAccess | undefined {
  if (value === undefined) return undefined;
  if ((SHELL_ACCESS as readonly unknown[]).includes(value)) return value as ShellAccess;
  problems.push({
    file,
    field: 'shell',
    message: `is ${JSON.stringify(value)}, not one of ${SHELL_ACCESS.join(', ')}`,
    fix: 'Write shell: protocol for a command that runs only baton and git, or shell: project for one that runs the project\'s own commands (its tests).',
  });
  return undefined;
}

export function parseSkillFile(text: string, file: string, name: string, toolIds: readonly string[]): Parsed<SkillSource> {
  const problems: PackProblem[] = [];
  const { data, body, frontmatterLines, ok } = readFrontmatter(text, file, problems);
  if (!ok) return { source: undefined, problems };
  checkKeys(data, [...SKILL_KEYS, ...toolIds], file, problems);
  checkSkillName(name, file, problems);
  const description = checkDescription(data.description, file, problems);
  const hints = readHints(data, toolIds, file, problems);
  return { source: { kind: 'skill', name, file, description, hints, body, frontmatterLines }, problems };
}

export function parseRuleFile(text: string, file: string, name: string): Parsed<RuleSource> {
  const problems: PackProblem[] = [];
  const { data, body, frontmatterLines, ok } = readFrontmatter(text, file, problems);
  if (!ok) return { source: undefined, problems };
  checkKeys(data, RULE_KEYS, file, problems);
  if (data.description !== undefined) checkDescription(data.description, file, problems);
  return { source: { kind: 'rule', name, file, frontmatter: data, body, frontmatterLines }, problems };
}

export function parseTemplateFile(text: string, file: string, name: string): Parsed<TemplateSource> {
  return { source: { kind: 'template', name, file, content: text }, problems: [] };
}
