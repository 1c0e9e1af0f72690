import { claudeTarget } from './claude.js';
import type { InstallDirs, Target, TargetLayout } from './target.js';

/** The plugin's name in Claude Code: its commands are typed `/baton:<command>`. */
export const PLUGIN_NAME = 'baton';

/**
 * Claude Code, as a plugin rather than as commands in a config folder. Claude Code installs a plugin
 * where it likes and names that folder `${CLAUDE_PLUGIN_ROOT}`, which it fills in when a command runs;
 * plugin commands are namespaced, so `/verify-slice` is typed `/baton:verify-slice` (checked against
 * Claude Code 2.1.329: the plain name is not expanded for a plugin command).
 */
export const claudePluginTarget: Target = {
  ...claudeTarget,
  id: 'claude-plugin',
  label: 'Claude Code plugin',

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope !== 'plugin') throw new Error('the claude-plugin target renders only a plugin');
    return {
      roots: { plugin: dirs.pluginRoot },
      commandFile: (name) => ({ root: 'plugin', path: `commands/${name}.md` }),
      skillFile: (name) => ({ root: 'plugin', path: `skills/baton-${name}/SKILL.md` }),
      packDir: { root: 'plugin', path: 'baton' },
      // Claude Code fills in the variable; in a shell it may arrive unexpanded, so double quotes.
      display: (ref) => `\${CLAUDE_PLUGIN_ROOT}/${ref.path}`,
      shellWord: (ref) => `"\${CLAUDE_PLUGIN_ROOT}/${ref.path}"`,
      pathsNote:
        "> Paths here that start with `${CLAUDE_PLUGIN_ROOT}` are in the baton plugin's folder, the one that holds `commands/`, `skills/` and `baton/`. Claude Code fills in that folder when it runs a command; when you read a file of the plugin yourself, put that folder in its place.",
    };
  },

  invocation: (command) => `/${PLUGIN_NAME}:${command}`,
};
