import { PACKAGE_TARGETS, TARGETS } from '../../installer/targets/index.js';

/**
 * The tools the dashboard shows commands for, each with how a command is typed in it: every target
 * the installer has, a tool's packaged form (its plugin) right after the tool. A target added to the
 * installer is offered here with nothing else to change.
 */

export interface CommandTool {
  /** The target's id: the value of the "Commands for" choice and the `data-<id>` attribute holding the command's form. */
  id: string;
  label: string;
  /** `/verify-slice`, `/baton:verify-slice`, `$baton-verify-slice`… */
  invocation: (command: string) => string;
}

export const COMMAND_TOOLS: readonly CommandTool[] = commandTools();

function commandTools(): CommandTool[] {
  const all = [...TARGETS, ...PACKAGE_TARGETS];
  const tools = [...new Set(all.map((target) => target.tool))];
  return tools.flatMap((tool) => all.filter((target) => target.tool === tool)).map(({ id, label, invocation }) => ({ id, label, invocation }));
}
