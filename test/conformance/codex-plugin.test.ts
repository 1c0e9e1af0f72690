import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runInstall } from '../helpers/package.js';
import { gitdir, testdir } from '../helpers/testdir.js';
import { CODEX, runCodex } from './clients.js';
import { ARGS } from './command-args.js';
import { checkExpansion, missingSkills } from './expansion-checks.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

/**
 * The Codex plugin written by `baton-install --plugin`, added with Codex's own commands
 * (`codex plugin marketplace add`, `codex plugin add`) and invoked as `$baton:<command>` in the real
 * Codex binary against the recording server.
 */

const ROLES = ['implementer', 'integrator', 'planner', 'verifier'];

let server: RecordingServer;
let project: string;
let folder: string;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startRecordingServer();
  project = await gitdir({ 'README.md': '# a project\n' }, 'baton-codex-plugin-project-');
  folder = path.join(await testdir({}, 'baton-codex-plugin-'), 'baton plugin');
  home = await testdir({}, 'baton codex plugin home ');
  env = { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: path.join(home, '.codex') };
  await mkdir(env.CODEX_HOME as string);
  const written = await runInstall(['--plugin', folder], { home });
  if (written.exitCode !== 0) throw new Error(`baton-install --plugin failed: ${written.stderr}`);
});
afterAll(async () => server?.close());

async function codex(args: string[]) {
  const result = await execa(CODEX, args, { env, extendEnv: false, reject: false, input: '' });
  expect(result.exitCode, `codex ${args.join(' ')}: ${result.stdout} ${result.stderr}`).toBe(0);
  return result.stdout;
}

describe('the Codex plugin', () => {
  test('codex plugin marketplace add and codex plugin add install it, and codex plugin list shows it enabled', async () => {
    expect(await codex(['plugin', 'marketplace', 'add', folder])).toContain('Added marketplace `baton`');
    expect(await codex(['plugin', 'add', 'baton@baton'])).toContain('Added plugin `baton` from marketplace `baton`.');
    const listed = await codex(['plugin', 'list']);
    expect(listed).toContain(path.join(folder, '.agents/plugins/marketplace.json'));
    expect(listed).toMatch(/baton@baton +installed, enabled +0\.\d+\.\d+/);
  });

  for (const command of Object.keys(ARGS)) {
    test(`$baton:${command} arrives with its skill and its arguments, every file it names exists in the installed copy, every baton skill is listed`, async () => {
      const run = await runCodex(server, { prompt: `$baton:${command} ${ARGS[command]}`, home, codexHome: path.join(home, '.codex'), cwd: project });
      // Codex copies the plugin into its cache and shows the copy's path with the skill.
      const shown = new RegExp(`<name>baton:${command}</name>\\s*<path>([^<]+)</path>`).exec(run.text)?.[1];
      expect(shown, 'the path Codex shows with the skill').toMatch(new RegExp(`/plugins/cache/baton/baton/[^/]+/skills/${command}/SKILL\\.md$`));
      const pluginRoot = path.dirname(path.dirname(path.dirname(shown as string)));
      expect(await checkExpansion(run, { tool: 'codex', invocation: `$baton:${command}`, args: ARGS[command] as string, file: shown as string, roots: [pluginRoot], pluginRoot, pluginWord: '<baton-plugin>' })).toEqual([]);
      expect((await stat(path.join(pluginRoot, 'baton/bin/baton'))).mode & 0o111).not.toBe(0);
      const skills = await Promise.all(
        [...Object.keys(ARGS), ...ROLES].map(async (name) => {
          const frontmatter = parseYaml(/^---\n([\s\S]*?)\n---/.exec(await readFile(path.join(pluginRoot, 'skills', name, 'SKILL.md'), 'utf8'))?.[1] ?? '') as { description: string };
          return { name: `baton:${name}`, description: frontmatter.description };
        }),
      );
      expect(missingSkills(run, skills)).toEqual([]);
    });
  }

  test("Codex's skill validator accepts every skill of the plugin", async () => {
    // Codex installs its system skills, the validator among them, when it first runs (the tests above).
    const validator = path.join(home, '.codex/skills/.system/skill-creator/scripts/quick_validate.py');
    const skills = path.join(folder, 'codex-plugin/skills');
    const names = (await readdir(skills)).sort();
    expect(names).toEqual([...Object.keys(ARGS), ...ROLES].sort());
    for (const name of names) {
      const result = await execa('python3', [validator, path.join(skills, name)], { reject: false });
      expect(`${name}: ${result.stdout}${result.stderr}`.trim()).toBe(`${name}: Skill is valid!`);
    }
  });
});
