import { claudeTarget } from './claude.js';
import { claudePluginTarget } from './claude-plugin.js';
import { codexTarget } from './codex.js';
import { codexPluginTarget } from './codex-plugin.js';
import { geminiTarget } from './gemini.js';
import { copilotTarget } from './copilot.js';
import { cursorTarget } from './cursor.js';
import { opencodeTarget } from './opencode.js';
import { qwenTarget } from './qwen.js';
import type { Target } from './target.js';

/** Every tool baton installs into, in the order plans list them. */
export const TARGETS: readonly Target[] = [claudeTarget, codexTarget, geminiTarget, opencodeTarget, qwenTarget, copilotTarget, cursorTarget];

export const TARGET_IDS: readonly string[] = TARGETS.map((target) => target.id);

/**
 * The targets that package the pack for a tool to manage (a plugin) rather than install it into the
 * tool's folders. Their commands are typed their own way (the Claude Code plugin's `/baton:<command>`),
 * so whatever shows a command for each tool (the dashboard's "Commands for" choice) lists them too.
 */
export const PACKAGE_TARGETS: readonly Target[] = [claudePluginTarget, codexPluginTarget];

/**
 * One sentence for output that shows commands as Claude Code types them (the board, the brief):
 * how every other tool types the same command, tools of one form named together.
 */
export function commandFormsSentence(): string {
  const [reference, ...others] = [...TARGETS, ...PACKAGE_TARGETS];
  if (!reference) return '';
  const typed = (target: Target) => target.invocation('<command>');
  const byForm = new Map<string, string[]>();
  for (const target of others) {
    if (typed(target) === typed(reference)) continue;
    byForm.set(typed(target), [...(byForm.get(typed(target)) ?? []), target.label]);
  }
  const forms = [...byForm].map(([form, labels]) => `in ${listed(labels)} ${form}`);
  return `Commands are shown as typed in ${reference.label}; ${forms.join(', ')}, with the same arguments.`;
}

function listed(labels: readonly string[]): string {
  return labels.length < 2 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}
