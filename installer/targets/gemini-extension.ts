import { geminiTarget } from './gemini.js';
import type { InstallDirs, Target, TargetLayout } from './target.js';

/** The extension's name in Gemini CLI, and the folder of its commands: they are typed `/baton:<command>`. */
export const EXTENSION_NAME = 'baton';

/**
 * Gemini CLI, as an extension rather than as files in its config folder. Gemini CLI copies an extension
 * into `~/.gemini/extensions/<name>` (or links it where it is), so the prompts cannot name absolute
 * paths. Gemini CLI fills in `${extensionPath}` in an extension's skills and hooks but not in its
 * commands (checked against 0.61.0): a command says `${extensionPath}` and the agent puts the folder in
 * its place, which the extension's GEMINI.md, loaded into every session with its full path, gives it.
 */
export const geminiExtensionTarget: Target = {
  ...geminiTarget,
  id: 'gemini-extension',
  label: 'Gemini CLI extension',

  layout(dirs: InstallDirs): TargetLayout {
    if (dirs.scope !== 'plugin') throw new Error('the gemini-extension target renders only an extension');
    return {
      roots: { extension: dirs.pluginRoot },
      commandFile: (name) => ({ root: 'extension', path: `commands/${EXTENSION_NAME}/${name}.toml` }),
      skillFile: (name) => ({ root: 'extension', path: `skills/baton-${name}/SKILL.md` }),
      packDir: { root: 'extension', path: 'baton' },
      display: (ref) => `\${extensionPath}/${ref.path}`,
      // Single quotes: run as typed, the path fails loudly instead of losing its first part to the shell.
      shellWord: (ref) => `'\${extensionPath}/${ref.path}'`,
      pathsNote:
        "> Paths here that start with `${extensionPath}` are in the folder of the baton extension for Gemini CLI, the folder that holds its `gemini-extension.json`. Your context names it: the `Context from:` line of the baton extension's GEMINI.md. Put that folder in place of `${extensionPath}` before you read a file or run a command, and keep the quotes around a path in a command.",
    };
  },
};
