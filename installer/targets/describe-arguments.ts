import type { CommandSource } from '../pack/pack.js';

/** The usage line of a command's arguments: `<slice> [<release>]`. */
export function argumentUsage(command: CommandSource): string {
  return command.arguments.map((arg) => (arg.required ? `<${arg.name}>` : `[<${arg.name}>]`)).join(' ');
}

/**
 * The tool-independent half of an arguments block: how to assign tokens by shape, and when to stop.
 * Each target prefixes it with where its tool puts the raw text.
 */
export function describeArgumentRules(command: CommandSource, invocation: string): string {
  if (command.arguments.length === 0) {
    return 'This command takes no arguments. If any text follows it, ignore that text and say so to the human.';
  }
  const shapes = command.arguments
    .map((arg) => `- \`<${arg.name}>\` (${arg.required ? 'required' : 'optional'}): ${arg.meaning} Shape: \`${arg.shape}\``)
    .join('\n');
  const names = command.arguments.map((arg) => `\`<${arg.name}>\``).join(', ');
  return [
    'Split that text on whitespace and give each token to the argument whose shape it matches, in whatever order the tokens came:',
    '',
    shapes,
    '',
    `Stop before doing anything else if a required argument has no matching token, a token matches no shape, or two tokens match the same argument. Show the human the raw text exactly as received and the expected form \`${invocation} ${argumentUsage(command)}\`, and ask them to invoke the command again.`,
    '',
    `From here on, ${names} stand for the values you resolved. Where an optional argument was not given, the steps below say how to find it.`,
  ].join('\n');
}

/**
 * For a tool that substitutes nothing (Codex skills, Copilot skills, Cursor commands): the arguments
 * are the rest of the message in which the human typed the invocation.
 */
export function messageArgumentsBlock(command: CommandSource, invocation: string): string {
  if (command.arguments.length === 0) return describeArgumentRules(command, invocation);
  return [
    `The human invokes this by writing \`${invocation}\` followed by its arguments. The raw argument text is everything after \`${invocation}\` in the message that invoked it (it may be empty). If it was chosen without that text, ask the human for the arguments first.`,
    '',
    describeArgumentRules(command, invocation),
  ].join('\n');
}

/**
 * The arguments block of a tool that puts the raw text typed after the command where the body holds
 * `placeholder` (Claude Code's and OpenCode's `$ARGUMENTS`, Qwen Code's `{{args}}`).
 */
export function substitutedArgumentsBlock(command: CommandSource, invocation: string, tool: { label: string; placeholder: string }): string {
  if (command.arguments.length === 0) return describeArgumentRules(command, invocation);
  return [
    `The text typed after \`${invocation}\`, exactly as ${tool.label} received it (it may be empty), is between these fences:`,
    '',
    '```text',
    tool.placeholder,
    '```',
    '',
    describeArgumentRules(command, invocation),
  ].join('\n');
}
