import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { pathExists } from '../../scripts/lib/read-text.js';
import { namedPaths } from '../helpers/named-paths.js';
import type { ClientRun } from './clients.js';

/**
 * What must be true of what a client sent to the model when the human invoked a baton command. Each
 * check returns problems in words, so a failing test says what is wrong, and the same checks run on a
 * deliberately broken install to prove they catch it.
 */

/** Where a tool puts the typed arguments in a command's body; Codex substitutes nothing. */
const PLACEHOLDERS = { claude: '$ARGUMENTS', gemini: '{{args}}', opencode: '$ARGUMENTS', qwen: '{{args}}' } as const;

export interface Expectation {
  tool: 'codex' | keyof typeof PLACEHOLDERS;
  /** As the human typed it: `/verify-slice`, `/baton:verify-slice` or `$baton-verify-slice`. */
  invocation: string;
  args: string;
  /** The installed file the command comes from: a command file (a Gemini CLI one is TOML), or a Codex SKILL.md. */
  file: string;
  /** For a plugin: the folder Claude Code puts where the text says `${CLAUDE_PLUGIN_ROOT}`, or the agent where it says `pluginWord`. */
  pluginRoot?: string;
  /** For the Codex plugin and the Gemini CLI extension: the word the text uses for the plugin's folder (`<baton-plugin>`, `${extensionPath}`), which the tool leaves for the agent to fill in. */
  pluginWord?: string;
  /** Absolute folders whose files the text may name (user and plugin installs). */
  roots: string[];
  /** For a project install: the repository, against which `.baton/...`, `.claude/...`, `.codex/...` resolve. */
  projectRoot?: string;
}

/** The part of the request that is the command's own text: the expanded command, or the invoked skill. */
function commandText(run: ClientRun, expected: Expectation, heading: string): string | undefined {
  if (expected.tool === 'codex') {
    const name = expected.invocation.slice(1);
    const match = new RegExp(`<skill>\\s*<name>${name}</name>[\\s\\S]*?</skill>`).exec(run.text);
    return match?.[0];
  }
  // The other tools send the expanded command as a text block of its own (Claude Code after the command-name block).
  const block = run.texts.find((text) => text.includes(heading));
  return block?.slice(block.indexOf(heading));
}

/** A Gemini CLI command's prompt, read with a real TOML parser (Python's tomllib). */
async function tomlPrompt(file: string): Promise<string> {
  const script = 'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))["prompt"]))';
  return JSON.parse((await execa('python3', ['-c', script, file])).stdout) as string;
}

/** What the model should read of the installed file: its body from the first heading, as the tool fills it in. */
async function expectedBody(expected: Expectation): Promise<{ heading: string; body: string }> {
  const source = expected.tool === 'gemini' ? await tomlPrompt(expected.file) : await readFile(expected.file, 'utf8');
  const heading = /^# .*$/m.exec(source)?.[0];
  if (!heading) throw new Error(`${expected.file} has no heading`);
  let body = source.slice(source.indexOf(heading)).trim();
  if (expected.tool !== 'codex') body = body.replace(PLACEHOLDERS[expected.tool], expected.args).replaceAll('${CLAUDE_PLUGIN_ROOT}', expected.pluginRoot ?? '${CLAUDE_PLUGIN_ROOT}');
  return { heading, body };
}

export async function checkExpansion(run: ClientRun, expected: Expectation): Promise<string[]> {
  const problems: string[] = [];
  const { heading, body } = await expectedBody(expected);
  const text = commandText(run, expected, heading);
  if (text === undefined) return [`the command's text ("${heading}") did not reach the model`];
  // The whole body, as installed (with the arguments, and Claude Code's plugin folder, filled in).
  const whole = expected.tool !== 'codex' ? text.trim() === body : text.includes(body);
  if (!whole) problems.push(`the text that reached the model is not the installed ${expected.file} as the tool fills it in`);

  // The arguments: the other tools put them where their placeholder was; Codex passes the message as typed.
  if (expected.tool !== 'codex') {
    if (!text.includes(`\`\`\`text\n${expected.args}\n\`\`\``)) problems.push(`the arguments "${expected.args}" are not in the expanded body`);
  } else if (!run.text.includes(`${expected.invocation} ${expected.args}`)) {
    problems.push(`the message "${expected.invocation} ${expected.args}" did not reach the model`);
  }
  text.split('\n').forEach((line, index) => {
    if (line.includes('$ARGUMENTS')) problems.push(`line ${index + 1} still holds a literal $ARGUMENTS`);
    const positional = /\$\{?\d/.exec(line);
    if (positional) problems.push(`line ${index + 1} holds "${positional[0]}", a positional placeholder`);
    if (line.includes('{{')) problems.push(`line ${index + 1} holds an unrendered "{{"`);
  });

  const filled = expected.pluginWord && expected.pluginRoot ? text.replaceAll(expected.pluginWord, expected.pluginRoot) : text;
  const named = namedPaths(filled, expected.roots, expected.projectRoot);
  // Every command names installed files; none found means the paths point somewhere unexpected.
  if (named.paths.length === 0) problems.push(`the text names no file under ${[...expected.roots, expected.projectRoot ?? ''].filter(Boolean).join(' or ')}`);
  for (const file of named.paths) {
    if (!(await pathExists(file))) problems.push(`the text names ${file}, which does not exist`);
  }
  for (const file of named.unquoted) problems.push(`the text names ${file} in a command without quotes, though the path has a space`);
  return problems;
}

/** Codex lists every available skill with its description; the baton ones must all be there. */
export function missingSkills(run: ClientRun, skills: { name: string; description: string }[]): string[] {
  return skills.filter((skill) => !run.text.includes(`${skill.name}: ${skill.description}`)).map((skill) => `${skill.name} is not listed with its description`);
}

/**
 * Text that only the expansion of the command typed as `invocation` carries: the start of its
 * arguments block. It finds that command's request among those of commands run at the same time.
 */
export function expansionMarker(invocation: string): string {
  return `The text typed after \`${invocation}\``;
}
