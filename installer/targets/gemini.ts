import path from 'node:path';
import type { CommandSource, SkillSource } from '../pack/pack.js';
import { tomlString } from '../render/toml-string.js';
import { userFolder } from '../resolve-install-dirs.js';
import { describeArgumentRules } from './describe-arguments.js';
import { absolutePaths, repositoryPaths, type InstallDirs, type RenderedPrompt, type Target, type TargetLayout, type UserDirs } from './target.js';

/** Gemini CLI's own placeholder for the text typed after a command. */
const ARGS = '{{args}}';

/**
 * Gemini CLI (checked against 0.61.0). Commands are TOML files with `description` and `prompt`; a file
 * in a subfolder of `commands/` is typed with the folder as a prefix, so `commands/baton/verify-slice.toml`
 * is `/baton:verify-slice`. The prefix is needed: when the user's and the project's folders both hold a
 * command of one name, Gemini CLI renames both (`/user.<name>`, `/workspace.<name>`) and the plain name
 * no longer runs, so a `/plan-release` of the user's own would disable ours and theirs.
 *
 * Gemini CLI puts the words typed after the command, joined by single spaces, where the prompt says
 * `{{args}}`; it runs `!{…}` as a shell command and replaces `@{…}` with a file's contents before the
 * model sees the prompt, so a prompt must hold neither. Role prompts are skills
 * (`skills/baton-<role>/SKILL.md`), which Gemini CLI lists to the model by name, description and path.
 * `GEMINI_CLI_HOME` replaces the home folder, not `.gemini`: the user folders are
 * `$GEMINI_CLI_HOME/.gemini/…`.
 */
export const geminiTarget: Target = {
  id: 'gemini',
  tool: 'gemini',
  label: 'Gemini CLI',
  environment: ['GEMINI_CLI_HOME (default: your home folder; Gemini CLI reads $GEMINI_CLI_HOME/.gemini)'],
  hintKeys: [],
  commandPlaceholders: [ARGS],

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope === 'plugin') throw new Error('a Gemini CLI extension is rendered by the gemini-extension target');
    if (dirs.scope === 'project') {
      return {
        roots: { project: dirs.projectRoot },
        commandFile: (name) => ({ root: 'project', path: `.gemini/commands/baton/${name}.toml` }),
        skillFile: (name) => ({ root: 'project', path: `.gemini/skills/baton-${name}/SKILL.md` }),
        packDir: { root: 'project', path: '.baton' },
        ...repositoryPaths(),
      };
    }
    const roots = { gemini: geminiUserFolder(dirs) };
    return {
      roots,
      commandFile: (name) => ({ root: 'gemini', path: `commands/baton/${name}.toml` }),
      skillFile: (name) => ({ root: 'gemini', path: `skills/baton-${name}/SKILL.md` }),
      packDir: { root: 'gemini', path: 'baton' },
      ...absolutePaths(roots),
    };
  },

  markers: (dirs) => [dirs.scope === 'project' ? path.join(dirs.projectRoot, '.gemini') : geminiUserFolder(dirs)],

  instructionsFile: 'GEMINI.md',

  invocation: (command) => `/baton:${command}`,

  argumentsBlock(command: CommandSource, invocation: string): string {
    if (command.arguments.length === 0) return describeArgumentRules(command, invocation);
    return [
      `The text typed after \`${invocation}\`, as Gemini CLI received it (it may be empty; Gemini CLI joins the words with single spaces), is between these fences:`,
      '',
      '```text',
      ARGS,
      '```',
      '',
      describeArgumentRules(command, invocation),
    ].join('\n');
  },

  commandFrontmatter: (command: CommandSource) => ({ description: command.description }),

  skillFrontmatter: (skill: SkillSource) => ({ name: `baton-${skill.name}`, description: skill.description }),

  formatPromptFile(kind, frontmatter, text) {
    if (kind !== 'command') return undefined;
    return `description = ${tomlString(String(frontmatter.description))}\nprompt = ${tomlString(text)}\n`;
  },

  checkRendered: checkGeminiFile,
};

/** `~/.gemini`, or `$GEMINI_CLI_HOME/.gemini`: the variable moves the home folder Gemini CLI looks in. */
function geminiUserFolder(dirs: UserDirs): string {
  return path.join(userFolder(dirs, 'GEMINI_CLI_HOME', ''), '.gemini');
}

/** What would make Gemini CLI run, inject or mangle part of a rendered file. */
export function checkGeminiFile({ kind, frontmatter, text }: RenderedPrompt): string[] {
  const problems: string[] = [];
  if (kind === 'command') {
    text.split('\n').forEach((line, index) => {
      for (const trigger of ['!{', '@{']) {
        if (line.includes(trigger)) problems.push(`line ${index + 1} contains "${trigger}", which Gemini CLI ${trigger === '!{' ? 'runs as a shell command' : 'replaces with a file'}`);
      }
      if (line.includes(ARGS) && line.trim() !== ARGS) problems.push(`line ${index + 1} has ${ARGS} beside other text; it belongs alone in the arguments block`);
    });
    if (text.split(ARGS).length > 2) problems.push(`${ARGS} appears more than once`);
  }
  if (kind === 'command' || kind === 'skill') {
    const { description } = frontmatter;
    if (typeof description !== 'string' || /[\n\r]/.test(description)) problems.push('description must be one line');
  }
  if (kind === 'skill' && (typeof frontmatter.name !== 'string' || /[:\\/<>*?"|]/.test(frontmatter.name))) {
    problems.push(`skill name ${JSON.stringify(frontmatter.name)} holds a character Gemini CLI replaces`);
  }
  return problems;
}
