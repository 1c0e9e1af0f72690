import path from 'node:path';
import { readPack } from '../pack/read-pack.js';
import { renderPack } from '../render/render-pack.js';
import type { ToolBundle } from '../render/tool-files.js';
import { EXTENSION_NAME, geminiExtensionTarget } from '../targets/gemini-extension.js';
import { TARGETS } from '../targets/index.js';
import { writeOwnedFolder, type OwnedFile, type OwnedFolderWrite } from './write-owned-folder.js';

/**
 * `baton-install --gemini-extension <folder>`: the pack as a Gemini CLI extension, which the user adds
 * with Gemini CLI's own commands (`gemini extensions install <folder>`, or `link`), or shares as a git
 * repository that `gemini extensions install <url>` clones.
 */

export interface ExtensionRequest {
  packRoot: string;
  bundle: ToolBundle;
  version: string;
  /** The extension's folder: it gets `gemini-extension.json` at its top. */
  outDir: string;
}

/** baton's record of the files it wrote into the extension folder. */
export const EXTENSION_RECORD = 'baton/extension-files.json';

const MANIFEST = 'gemini-extension.json';
const DESCRIPTION = 'The baton protocol for agent work that survives session boundaries: plan, implement, verify and merge releases slice by slice, with proof bundles checked by baton.';

/** Renders every file of the extension; nothing is written. */
async function renderExtension(request: ExtensionRequest): Promise<OwnedFile[]> {
  const pack = await readPack(request.packRoot, TARGETS);
  const rendered = renderPack(pack, [geminiExtensionTarget], { scope: 'plugin', pluginRoot: path.resolve(request.outDir) }, request.bundle);
  const commands = pack.commands.map((command) => `\`${geminiExtensionTarget.invocation(command.name)}\``).join(', ');
  const manifest = { name: EXTENSION_NAME, version: request.version, description: DESCRIPTION, contextFileName: 'GEMINI.md' };
  return [
    ...rendered.map((file) => ({ path: file.ref.path, content: file.content, mode: file.mode })),
    { path: MANIFEST, mode: 0o644, content: `${JSON.stringify(manifest, null, 2)}\n` },
    {
      // Loaded into every session, after a line naming its full path: that is how a command's
      // ${extensionPath} is resolved. No "@" in it: Gemini CLI reads @<path> in GEMINI.md as an import.
      path: 'GEMINI.md',
      mode: 0o644,
      content: [
        '# baton extension',
        '',
        "This file is in the baton extension's folder: the folder of the GEMINI.md named on the `Context from:` line",
        "just above. baton's commands name the extension's files as `${extensionPath}/…`; put that folder in place",
        "of `${extensionPath}`. Start baton's work only when the human invokes one of its commands:",
        '',
        commands,
        '',
      ].join('\n'),
    },
    {
      path: 'README.md',
      mode: 0o644,
      content: [
        '# baton for Gemini CLI',
        '',
        DESCRIPTION,
        '',
        `Commands: ${commands}. The role prompts are the skills \`baton-planner\`, \`baton-implementer\`,`,
        "`baton-verifier` and `baton-integrator`; the rules, templates and the `baton` tool are in `baton/`. Paste",
        "`baton/rules/agents-fragment.md` into your project's GEMINI.md or AGENTS.md.",
        '',
        '## Install',
        '',
        '```sh',
        'gemini extensions install <this folder or its git URL>   # or: gemini extensions link <this folder>',
        'gemini extensions update baton                           # after baton-install --gemini-extension rewrote it',
        'gemini extensions uninstall baton',
        '```',
        '',
        'Start a new Gemini CLI session afterwards and type `/baton:plan-release <release>`.',
        '',
      ].join('\n'),
    },
  ];
}

/** Writes the extension folder; see writeOwnedFolder for what it keeps and when it refuses. */
export async function writeGeminiExtension(request: ExtensionRequest): Promise<OwnedFolderWrite> {
  return writeOwnedFolder({
    folder: request.outDir,
    what: 'the Gemini CLI extension',
    files: await renderExtension(request),
    record: EXTENSION_RECORD,
    marker: { path: MANIFEST, isOurs: isBatonManifest },
  });
}

function isBatonManifest(text: string): boolean {
  try {
    return (JSON.parse(text) as { name?: unknown }).name === EXTENSION_NAME;
  } catch {
    // Not JSON: not a file baton wrote.
    return false;
  }
}
