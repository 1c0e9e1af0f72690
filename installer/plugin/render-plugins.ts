import path from 'node:path';
import { readPack } from '../pack/read-pack.js';
import { renderPack } from '../render/render-pack.js';
import type { ToolBundle } from '../render/tool-files.js';
import { claudePluginTarget, PLUGIN_NAME } from '../targets/claude-plugin.js';
import { codexPluginTarget } from '../targets/codex-plugin.js';
import { EXTENSION_NAME, geminiExtensionTarget } from '../targets/gemini-extension.js';
import { stopHookCommand, stopHookSettings } from '../targets/stop-hook.js';
import { TARGETS } from '../targets/index.js';
import type { Target } from '../targets/target.js';

/**
 * What `baton-install --plugin <folder>` writes: one marketplace folder holding the baton plugin for
 * Claude Code and for Codex, each tool finding its own marketplace file there, and the baton extension
 * for Gemini CLI, which has no marketplace and installs the extension's own folder.
 */

export interface PluginRequest {
  packRoot: string;
  bundle: ToolBundle;
  version: string;
  /** The marketplace folder. */
  outDir: string;
  /** Ship the stop hook in the Claude Code plugin's `hooks/hooks.json` (docs/stop-hook.md). */
  stopHook: boolean;
}

export interface PluginFile {
  /** Path relative to the marketplace folder. */
  path: string;
  content: string;
  mode: number;
}

/** One tool's plugin: the folder baton owns, and the file by which baton knows it as its own. */
export interface PluginPart {
  label: string;
  /** The plugin's folder, relative to the marketplace folder. */
  dir: string;
  /**
   * Relative to the marketplace folder: the marketplace file that points at the plugin, beside its
   * folder, or (Gemini CLI, which has no marketplace) the extension's manifest inside it.
   */
  marker: string;
  /** Whether the marker file's content is the one baton writes for this part. */
  isOurs(marker: unknown): boolean;
}

const DESCRIPTION = 'The baton protocol for agent work that survives session boundaries: plan, implement, verify and merge releases slice by slice, with proof bundles checked by baton.';

export const PLUGIN_PARTS: readonly PluginPart[] = [
  {
    label: 'Claude Code',
    dir: 'plugin',
    marker: '.claude-plugin/marketplace.json',
    isOurs: (value) => onlyPlugin(value, (plugin) => plugin.source === './plugin'),
  },
  {
    label: 'Codex',
    dir: 'codex-plugin',
    // Codex reads `.agents/plugins/marketplace.json` first when a folder has it beside Claude Code's.
    marker: '.agents/plugins/marketplace.json',
    isOurs: (value) => onlyPlugin(value, (plugin) => isRecord(plugin.source) && plugin.source.source === 'local' && plugin.source.path === './codex-plugin'),
  },
  {
    label: 'Gemini CLI',
    dir: 'gemini-extension',
    marker: 'gemini-extension/gemini-extension.json',
    isOurs: (value) => isRecord(value) && value.name === EXTENSION_NAME,
  },
];

function onlyPlugin(value: unknown, sourceIsOurs: (plugin: Record<string, unknown>) => boolean): boolean {
  if (!isRecord(value) || value.name !== PLUGIN_NAME || !Array.isArray(value.plugins) || value.plugins.length !== 1) return false;
  const plugin: unknown = value.plugins[0];
  return isRecord(plugin) && plugin.name === PLUGIN_NAME && sourceIsOurs(plugin);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renders every file of the marketplace folder; nothing is written. */
export async function renderPlugins(request: PluginRequest): Promise<PluginFile[]> {
  const pack = await readPack(request.packRoot, TARGETS);
  const render = (target: Target, dir: string) =>
    renderPack(pack, [target], { scope: 'plugin', pluginRoot: path.join(request.outDir, dir) }, request.bundle).map((file) => ({ path: `${dir}/${file.ref.path}`, content: file.content, mode: file.mode }));
  const json = (file: string, value: unknown): PluginFile => ({ path: file, mode: 0o644, content: `${JSON.stringify(value, null, 2)}\n` });
  const readme = (file: string, lines: string[]): PluginFile => ({ path: file, mode: 0o644, content: `${lines.join('\n')}\n` });
  const author = { name: 'baton' };
  const commands = (form: (name: string) => string) => pack.commands.map((command) => `\`${form(command.name)}\``).join(', ');
  const roles = (form: (name: string) => string) => pack.skills.map((skill) => `\`${form(skill.name)}\``).join(', ');
  const keywords = ['agents', 'release', 'verification'];
  const claudeRoot = path.join(request.outDir, 'plugin');
  // A plugin's hooks run in every session while it is enabled; the hook stops at once for any session
  // that implements no in_progress slice.
  const stopHook = stopHookCommand('claude', { scope: 'plugin', pluginRoot: claudeRoot }, claudePluginTarget.layout({ scope: 'plugin', pluginRoot: claudeRoot }));
  const files: PluginFile[] = [
    ...render(claudePluginTarget, 'plugin'),
    ...(request.stopHook ? [json('plugin/hooks/hooks.json', { description: "baton's stop hook: an implementer session cannot end while its slice fails baton verify.", hooks: stopHookSettings(stopHook) })] : []),
    json('plugin/.claude-plugin/plugin.json', { name: PLUGIN_NAME, version: request.version, description: DESCRIPTION, author, license: 'MIT', keywords }),
    readme('plugin/README.md', [
      '# baton for Claude Code',
      '',
      DESCRIPTION,
      '',
      `Commands: ${commands((name) => `/baton:${name}`)}. The role prompts are the skills ${roles((name) => `baton-${name}`)};`,
      "the rules, templates and the `baton` tool are in `baton/`. Paste `baton/rules/agents-fragment.md` into your project's CLAUDE.md.",
      '',
      ...(request.stopHook
        ? [
            "`hooks/hooks.json` is baton's stop hook: a session that implements a slice cannot end its turn while",
            '`baton verify` fails for that slice; it is sent back with the failing checks. Every other session stops',
            'as usual. Write the plugin with `baton-install --plugin <folder> --no-stop-hook` to leave it out.',
            '',
          ]
        : []),
      '## Install',
      '',
      'This folder sits inside a marketplace folder (the one holding `.claude-plugin/marketplace.json`).',
      'Add that marketplace to Claude Code, then install the plugin from it:',
      '',
      '```sh',
      'claude plugin marketplace add <marketplace folder>',
      'claude plugin install baton@baton',
      '```',
      '',
      'In a Claude Code session the same two steps are `/plugin marketplace add <marketplace folder>` and',
      '`/plugin install baton@baton`. Start a new session afterwards and type `/baton:plan-release <release>`.',
    ]),
    json('.claude-plugin/marketplace.json', {
      name: PLUGIN_NAME,
      owner: author,
      metadata: { description: 'The baton plugin for Claude Code, generated by baton-install --plugin.', version: request.version },
      plugins: [{ name: PLUGIN_NAME, source: './plugin', description: DESCRIPTION, version: request.version }],
    }),
    ...render(codexPluginTarget, 'codex-plugin'),
    json('codex-plugin/.codex-plugin/plugin.json', { name: PLUGIN_NAME, version: request.version, description: DESCRIPTION, author, license: 'MIT', keywords, skills: './skills/' }),
    readme('codex-plugin/README.md', [
      '# baton for Codex',
      '',
      DESCRIPTION,
      '',
      `Commands: ${commands((name) => `$baton:${name}`)}. The role prompts are the skills ${roles((name) => `baton:${name}`)};`,
      "the rules, templates and the `baton` tool are in `baton/`. Paste `baton/rules/agents-fragment.md` into your project's AGENTS.md.",
      '',
      '## Install',
      '',
      'This folder sits inside a marketplace folder (the one holding `.agents/plugins/marketplace.json`).',
      'Add that marketplace to Codex, then install the plugin from it:',
      '',
      '```sh',
      'codex plugin marketplace add <marketplace folder>',
      'codex plugin add baton@baton',
      '```',
      '',
      'Start a new Codex session afterwards and type `$baton:plan-release <release>`.',
    ]),
    json('.agents/plugins/marketplace.json', {
      name: PLUGIN_NAME,
      interface: { displayName: 'baton' },
      plugins: [{ name: PLUGIN_NAME, source: { source: 'local', path: './codex-plugin' }, policy: { installation: 'AVAILABLE', authentication: 'ON_INSTALL' }, category: 'Productivity' }],
    }),
    ...render(geminiExtensionTarget, 'gemini-extension'),
    json('gemini-extension/gemini-extension.json', { name: EXTENSION_NAME, version: request.version, description: DESCRIPTION, contextFileName: 'GEMINI.md' }),
    // Loaded into every session, after a line naming its full path: that is how a command's
    // ${extensionPath} is resolved. No "@" in it: Gemini CLI reads @<path> in GEMINI.md as an import.
    readme('gemini-extension/GEMINI.md', [
      '# baton extension',
      '',
      "This file is in the baton extension's folder: the folder of the GEMINI.md named on the `Context from:` line",
      "just above. baton's commands name the extension's files as `${extensionPath}/…`; put that folder in place",
      "of `${extensionPath}`. Start baton's work only when the human invokes one of its commands:",
      '',
      commands((name) => `/baton:${name}`),
    ]),
    readme('gemini-extension/README.md', [
      '# baton for Gemini CLI',
      '',
      DESCRIPTION,
      '',
      `Commands: ${commands((name) => `/baton:${name}`)}. The role prompts are the skills ${roles((name) => `baton-${name}`)};`,
      "the rules, templates and the `baton` tool are in `baton/`. Paste `baton/rules/agents-fragment.md` into your project's GEMINI.md.",
      '',
      '## Install',
      '',
      'Gemini CLI has no marketplace: it installs this folder itself, by copying it or by linking to it.',
      '',
      '```sh',
      'gemini extensions link <this folder>      # read in place: a rewritten folder takes effect in the next session',
      'gemini extensions install <this folder>   # or a copy: gemini extensions update baton takes a new version',
      'gemini extensions uninstall baton',
      '```',
      '',
      'Start a new Gemini CLI session afterwards and type `/baton:plan-release <release>`.',
    ]),
  ];
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}
