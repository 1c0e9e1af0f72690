import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readPack } from '../../installer/pack/read-pack.js';
import { checkRenderedFiles, renderPack, type RenderedFile } from '../../installer/render/render-pack.js';
import { claudeTarget } from '../../installer/targets/claude.js';
import { TARGETS } from '../../installer/targets/index.js';
import { opencodeTarget } from '../../installer/targets/opencode.js';
import { qwenTarget } from '../../installer/targets/qwen.js';
import { resolveRef, type InstallDirs, type Target } from '../../installer/targets/target.js';
import { REPO_ROOT } from '../helpers/run.js';

/**
 * The OpenCode and Qwen Code targets: where their files go under each environment, how a command is
 * typed and reads its arguments, and what their output checks refuse. Facts behind them were checked
 * in the real clients (test/conformance/opencode.test.ts and qwen.test.ts).
 */

const HOME = '/home/a b';
const BUNDLE = { batonScript: '// baton\n', programScript: '// program\n', tokenizerScript: '// tokenizer\n' };

function user(env: Record<string, string | undefined> = {}): InstallDirs {
  return { scope: 'user', home: HOME, cwd: '/work', env };
}

/** Where a target puts a command, a role and its pack folder. */
function places(target: Target, dirs: InstallDirs): string[] {
  const layout = target.layout(dirs);
  return [layout.commandFile('verify-slice'), layout.skillFile('verifier'), layout.packDir].map((ref) => resolveRef(layout.roots, ref));
}

describe('where the files go', () => {
  test.each([
    { env: {}, expected: ['/home/a b/.config/opencode/commands/baton-verify-slice.md', '/home/a b/.config/opencode/baton/roles/verifier.md', '/home/a b/.config/opencode/baton'] },
    { env: { XDG_CONFIG_HOME: '/x/config' }, expected: ['/x/config/opencode/commands/baton-verify-slice.md', '/x/config/opencode/baton/roles/verifier.md', '/x/config/opencode/baton'] },
    { env: { XDG_CONFIG_HOME: '/x/config', OPENCODE_CONFIG_DIR: '~/oc' }, expected: ['/home/a b/oc/commands/baton-verify-slice.md', '/home/a b/oc/baton/roles/verifier.md', '/home/a b/oc/baton'] },
    { env: { OPENCODE_CONFIG_DIR: 'rel/oc' }, expected: ['/work/rel/oc/commands/baton-verify-slice.md', '/work/rel/oc/baton/roles/verifier.md', '/work/rel/oc/baton'] },
  ])('OpenCode with $env', ({ env, expected }) => {
    expect(places(opencodeTarget, user(env))).toEqual(expected);
  });

  test.each([
    { env: {}, expected: ['/home/a b/.qwen/commands/baton-verify-slice.md', '/home/a b/.qwen/skills/baton-verifier/SKILL.md', '/home/a b/.qwen/baton'] },
    { env: { QWEN_HOME: '/q home' }, expected: ['/q home/commands/baton-verify-slice.md', '/q home/skills/baton-verifier/SKILL.md', '/q home/baton'] },
  ])('Qwen Code with $env', ({ env, expected }) => {
    expect(places(qwenTarget, user(env))).toEqual(expected);
  });

  test('a project install uses each tool\'s folder and the shared .baton/', () => {
    const project: InstallDirs = { scope: 'project', projectRoot: '/repo' };
    expect(places(opencodeTarget, project)).toEqual(['/repo/.opencode/commands/baton-verify-slice.md', '/repo/.opencode/baton/roles/verifier.md', '/repo/.baton']);
    expect(places(qwenTarget, project)).toEqual(['/repo/.qwen/commands/baton-verify-slice.md', '/repo/.qwen/skills/baton-verifier/SKILL.md', '/repo/.baton']);
  });
});

describe('the real pack, rendered', () => {
  async function render(target: Target): Promise<RenderedFile[]> {
    return renderPack(await readPack(REPO_ROOT, TARGETS), [target], user(), BUNDLE);
  }
  const find = (files: RenderedFile[], suffix: string) => {
    const found = files.find((file) => file.absPath.endsWith(suffix));
    if (!found) throw new Error(`nothing rendered at ${suffix}`);
    return found;
  };

  test('OpenCode: /baton-<command> with $ARGUMENTS, a description only, and roles as plain documents', async () => {
    const files = await render(opencodeTarget);
    const command = find(files, '/.config/opencode/commands/baton-verify-slice.md');
    expect(Object.keys(command.frontmatter)).toEqual(['description']);
    expect(command.content).toContain('The text typed after `/baton-verify-slice`, exactly as OpenCode received it (it may be empty), is between these fences:\n\n```text\n$ARGUMENTS\n```');
    expect(command.content).toContain('Read `/home/a b/.config/opencode/baton/roles/verifier.md`');
    const role = find(files, '/.config/opencode/baton/roles/verifier.md');
    expect(role.content.startsWith('# The verifier\n')).toBe(true);
    expect(files.filter((file) => /\/(skills?|agents?|modes?)\//.test(file.absPath))).toEqual([]);
  });

  test('Qwen Code: /baton-<command> with {{args}} and an argument hint; roles are skills that are not commands', async () => {
    const files = await render(qwenTarget);
    const command = find(files, '/.qwen/commands/baton-verify-slice.md');
    expect(command.frontmatter).toMatchObject({ 'argument-hint': '<slice> [<release>]' });
    expect(command.content).toContain('The text typed after `/baton-verify-slice`, exactly as Qwen Code received it (it may be empty), is between these fences:\n\n```text\n{{args}}\n```');
    expect(command.content).not.toContain('$ARGUMENTS');
    const role = find(files, '/.qwen/skills/baton-verifier/SKILL.md');
    expect(role.frontmatter).toEqual({ name: 'baton-verifier', description: expect.stringMatching(/verifier/) as unknown, 'user-invocable': false });
  });
});

describe('what the output checks refuse', () => {
  const prompt = (target: Target, kind: 'command' | 'rule', text: string) => target.checkRendered({ path: 'x', kind, frontmatter: {}, text });

  test.each([
    { text: 'Run `awk` on field $2.', problem: 'line 1 contains "$2", which OpenCode replaces with a positional argument' },
    { text: 'Now !`git status` shows it.', problem: 'line 1 contains "!`git status`", which OpenCode runs as a shell command' },
    { text: 'ok\nSee @README.md first.', problem: 'line 2 contains "@README.md", which OpenCode attaches as a file' },
  ])('OpenCode, in a command: $text', ({ text, problem }) => {
    expect(prompt(opencodeTarget, 'command', text)).toEqual([problem]);
    // A rule is a file the agent reads; OpenCode does not process it.
    expect(prompt(opencodeTarget, 'rule', text)).toEqual([]);
  });

  test('OpenCode leaves an address and a backquoted @ alone', () => {
    expect(prompt(opencodeTarget, 'command', 'Mail test@example.com or see `@scope/pkg`.')).toEqual([]);
  });

  test.each(['Run !{git status}.', 'Inline @{README.md}.'])('Qwen Code, in a command: %s', (text) => {
    expect(prompt(qwenTarget, 'command', text)).toHaveLength(1);
    expect(prompt(qwenTarget, 'rule', text)).toEqual([]);
  });

  test("{{args}} passes only in a command of the tool that fills it in", () => {
    const file = (kind: RenderedFile['kind'], targets: string[]): RenderedFile => ({ ref: { root: 'r', path: 'p' }, absPath: path.join('/out', kind, targets.join('-')), targets, kind, content: 'x\n{{args}}\n', mode: 0o644, frontmatter: {}, references: [] });
    const targets = [claudeTarget, qwenTarget];
    expect(checkRenderedFiles([file('command', ['qwen'])], targets)).toEqual([]);
    expect(checkRenderedFiles([file('command', ['claude'])], targets)).toEqual(['/out/command/claude: line 2 has an unrendered "{{"']);
    expect(checkRenderedFiles([file('rule', ['qwen'])], targets)).toEqual(['/out/rule/qwen: line 2 has an unrendered "{{"']);
  });
});
