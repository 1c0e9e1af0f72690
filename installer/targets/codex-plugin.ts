import type { CommandSource, SkillSource } from '../pack/pack.js';
import { codexTarget } from './codex.js';
import type { InstallDirs, Target, TargetLayout } from './target.js';

/** Stands for the installed plugin's folder in the prompts; the agent puts the real folder in its place. */
const PLUGIN_FOLDER = '<baton-plugin>';

/**
 * Codex, as a plugin: `codex plugin marketplace add <folder>`, then `codex plugin add baton@baton`.
 * Codex copies the plugin into `$CODEX_HOME/plugins/cache/<marketplace>/<plugin>/<version>/` and
 * names its skills `<plugin>:<skill>`, so a command is typed `$baton:<command>` and its skill folder
 * is `skills/<command>`. Codex fills in no variable in a skill (nothing like `${CLAUDE_PLUGIN_ROOT}`),
 * but it shows the path of every SKILL.md it injects; the prompts name the plugin's folder
 * `<baton-plugin>` and say how to find it from that path (checked against Codex 0.169).
 */
export const codexPluginTarget: Target = {
  ...codexTarget,
  id: 'codex-plugin',
  label: 'Codex plugin',

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope !== 'plugin') throw new Error('the codex-plugin target renders only a plugin');
    return {
      roots: { plugin: dirs.pluginRoot },
      commandFile: (name) => ({ root: 'plugin', path: `skills/${name}/SKILL.md` }),
      skillFile: (name) => ({ root: 'plugin', path: `skills/${name}/SKILL.md` }),
      packDir: { root: 'plugin', path: 'baton' },
      display: (ref) => `${PLUGIN_FOLDER}/${ref.path}`,
      shellWord: (ref) => `"${PLUGIN_FOLDER}/${ref.path}"`,
      pathsNote: `> \`${PLUGIN_FOLDER}\` here stands for the folder of the baton plugin, the one that holds \`skills/\` and \`baton/\`: Codex gives the path of each baton skill's SKILL.md, and the plugin's folder is two levels above it. Put that folder in its place in every path and command below.`,
    };
  },

  invocation: (command) => `$baton:${command}`,

  commandFrontmatter: (command: CommandSource) => ({ name: command.name, description: command.description, ...command.hints.codex }),

  skillFrontmatter: (skill: SkillSource) => ({ name: skill.name, description: skill.description, ...skill.hints.codex }),
};
