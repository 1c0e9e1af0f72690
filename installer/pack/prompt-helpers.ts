/**
 * The Handlebars vocabulary of prompt sources (commands, skills, rules). A body names installed files,
 * the tool and its arguments only through these helpers, so the renderer can put each tool's form in
 * their place and the validator can prove every reference points at something the pack contains.
 */

/** What a helper's single string parameter must name. */
export type ReferenceKind = 'argument' | 'rule' | 'template' | 'skill' | 'command' | 'target';

export interface PromptHelperSpec {
  /** The kind of thing the one parameter names; absent for helpers without parameters. */
  param?: ReferenceKind;
  /** Used as `{{#name "x"}}...{{/name}}`. */
  block?: boolean;
  /** Only meaningful inside a command (arguments exist only there). */
  commandsOnly?: boolean;
  /** Renders differently per tool, so it cannot appear in rules, which every tool shares. */
  toolSpecific?: boolean;
  /** What it renders to, for error messages. */
  summary: string;
}

export const PROMPT_HELPERS: Readonly<Record<string, PromptHelperSpec>> = {
  baton: { summary: 'the command that runs the installed baton tool, quoted for a shell' },
  packdir: { summary: 'the directory holding the installed rules, templates and tools' },
  arguments: { commandsOnly: true, toolSpecific: true, summary: "the block telling the agent how to read this command's arguments" },
  arg: { param: 'argument', commandsOnly: true, summary: 'the placeholder for a declared argument, e.g. <slice>' },
  rule: { param: 'rule', summary: 'the installed path of rules/<name>.md' },
  template: { param: 'template', summary: 'the installed path of templates/<name>' },
  // Each tool keeps skills in its own folder, so a shared rule cannot name one by path.
  skill: { param: 'skill', toolSpecific: true, summary: "the installed path of a role skill's SKILL.md" },
  command: { param: 'command', toolSpecific: true, summary: 'how the user invokes a command in this tool, e.g. /verify-slice' },
  tool: { param: 'target', block: true, toolSpecific: true, summary: 'a block kept only when rendering for the named tool' },
};

export function describePromptHelpers(): string {
  return Object.entries(PROMPT_HELPERS)
    .map(([name, spec]) => {
      const param = spec.param ? ` "<${spec.param}>"` : '';
      return spec.block ? `{{#${name}${param}}}…{{/${name}}}` : `{{${name}${param}}}`;
    })
    .join(', ');
}
