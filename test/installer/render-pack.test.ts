import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readPack } from '../../installer/pack/read-pack.js';
import { checkRenderedFiles, renderPack, type RenderedFile } from '../../installer/render/render-pack.js';
import { claudeTarget } from '../../installer/targets/claude.js';
import { codexTarget } from '../../installer/targets/codex.js';
import { copilotTarget } from '../../installer/targets/copilot.js';
import { cursorTarget } from '../../installer/targets/cursor.js';
import { geminiTarget } from '../../installer/targets/gemini.js';
import { geminiExtensionTarget } from '../../installer/targets/gemini-extension.js';
import { tomlString } from '../../installer/render/toml-string.js';
import { TARGET_IDS, TARGETS } from '../../installer/targets/index.js';
import type { InstallDirs } from '../../installer/targets/target.js';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/run.js';
import { testdir } from '../helpers/testdir.js';

const USER: InstallDirs = { scope: 'user', home: '/home/a b', cwd: '/home/a b', env: {} };
const PROJECT: InstallDirs = { scope: 'project', projectRoot: '/work/repo' };
const BUNDLE = { batonScript: '#!/usr/bin/env node\n', programScript: 'exports.main = async () => {};\n', tokenizerScript: 'exports.countTokens = () => 0;\n' };

async function renderFixture(dirs: InstallDirs, packDir = path.join(REPO_ROOT, 'test/fixtures/packs/valid')) {
  return renderPack(await readPack(packDir, TARGETS), TARGETS, dirs, BUNDLE);
}

function file(files: RenderedFile[], absPath: string): RenderedFile {
  const found = files.find((candidate) => candidate.absPath === absPath);
  if (!found) throw new Error(`no rendered file ${absPath}; have ${files.map((f) => f.absPath).join(', ')}`);
  return found;
}

function frontmatterOf(content: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(content);
  if (!match?.[1]) throw new Error('no frontmatter');
  return parseYaml(match[1], { strict: true }) as Record<string, unknown>;
}

describe('rendering for Claude Code', () => {
  test('a command reads its arguments from $ARGUMENTS and resolves them by shape', async () => {
    const files = await renderFixture(USER);
    const text = file(files, '/home/a b/.claude/commands/check-thing.md').content;
    expect(text.match(/\$ARGUMENTS/g)).toHaveLength(1);
    expect(text).not.toMatch(/\$\{?\d/);
    expect(text).toContain('`<slice>` (required): The slice to check. Shape: `^S\\d+[a-z]?-[a-z0-9]+(-[a-z0-9]+)*$`');
    expect(text).toContain('the expected form `/check-thing <slice> [<release>]`');
    expect(text).toContain('tell the human to run `/check-thing <slice>`');
  });

  test('frontmatter is real YAML: a colon in the description is quoted, hints pass through', async () => {
    const files = await renderFixture(USER);
    const frontmatter = frontmatterOf(file(files, '/home/a b/.claude/commands/check-thing.md').content);
    expect(frontmatter).toEqual({
      description: 'Check one thing: a fixture command with two arguments.',
      'argument-hint': '<slice> [<release>]',
      'disable-model-invocation': true,
    });
  });

  test('paths are absolute, and the tool command is quoted for a home with a space', async () => {
    const files = await renderFixture(USER);
    const text = file(files, '/home/a b/.claude/commands/check-thing.md').content;
    expect(text).toContain("Run `'/home/a b/.claude/baton/bin/baton' verify <slice> <release> --json`");
    expect(text).toContain('Read `/home/a b/.claude/skills/baton-checker/SKILL.md` and follow it.');
    expect(text).toContain('Read `/home/a b/.claude/baton/rules/be-careful.md`.');
  });

  test('only the Claude Code block is kept', async () => {
    const text = file(await renderFixture(USER), '/home/a b/.claude/commands/check-thing.md').content;
    expect(text).toContain('Claude Code note');
    expect(text).not.toContain('Codex note');
  });

  test('a $ followed by a digit that reaches the output is refused', async () => {
    const dir = await testdir({
      'commands/pay.md': "---\ndescription: Pay.\narguments:\n  - name: amount\n    shape: '^\\d+$'\n    required: true\n    meaning: Costs $5 per run.\n---\n{{arguments}}\n",
    });
    await expect(renderFixture(USER, dir)).rejects.toThrow(/line \d+ contains "\$5", which Claude Code replaces/);
  });

  test('an escaped {{ that survives rendering is refused', async () => {
    const dir = await testdir({ 'rules/r.md': '# R\n\n\\{{baton}}\n' });
    await expect(renderFixture(USER, dir)).rejects.toThrow(/line 3 has an unrendered "\{\{"/);
  });

  test('a rendered file that names a path the install does not write is refused', async () => {
    const files = await renderFixture(USER);
    const skill = file(files, '/home/a b/.codex/skills/baton-checker/SKILL.md');
    expect(checkRenderedFiles(files, TARGETS)).toEqual([]);
    const broken = files.map((candidate) => (candidate === skill ? { ...skill, references: [...skill.references, '/home/a b/.codex/baton/rule/be-careful.md'] } : candidate));
    expect(checkRenderedFiles(broken, TARGETS)).toEqual([`${skill.absPath}: names /home/a b/.codex/baton/rule/be-careful.md, which the install does not write`]);
  });
});

describe('rendering for Codex', () => {
  test('a command becomes a skill named baton-<name> that reads the text after its invocation', async () => {
    const files = await renderFixture(USER);
    const text = file(files, '/home/a b/.codex/skills/baton-check-thing/SKILL.md').content;
    expect(frontmatterOf(text)).toEqual({ name: 'baton-check-thing', description: 'Check one thing: a fixture command with two arguments.' });
    expect(text).not.toContain('$ARGUMENTS');
    expect(text).toContain('everything after `$baton-check-thing` in the message');
    expect(text).toContain('Codex note');
    expect(text).not.toContain('Claude Code note');
    expect(text).toContain("'/home/a b/.codex/baton/bin/baton' verify");
  });

  test('skills and the pack directory are in the Codex home, none in the shared .agents folder', async () => {
    const files = await renderFixture(USER);
    const skill = file(files, '/home/a b/.codex/skills/baton-checker/SKILL.md');
    expect(skill.content).toContain('`/home/a b/.codex/baton/rules/be-careful.md`');
    expect(skill.references).toEqual(['/home/a b/.codex/baton', '/home/a b/.codex/baton/rules/be-careful.md']);
    expect(files.filter((f) => f.absPath.includes('/.agents/'))).toEqual([]);
    const moved = await renderFixture({ ...USER, env: { CODEX_HOME: '~/codex home' } });
    expect(file(moved, '/home/a b/codex home/skills/baton-checker/SKILL.md').content).toContain('`/home/a b/codex home/baton/rules/be-careful.md`');
  });

  test('the output check refuses frontmatter keys Codex does not accept', () => {
    const problems = codexTarget.checkRendered({ path: 'x', kind: 'skill', frontmatter: { name: 'baton-x', description: 'd', model: 'm' }, text: '' });
    expect(problems).toEqual(['frontmatter key "model" is not accepted by Codex']);
    expect(claudeTarget.checkRendered({ path: 'x', kind: 'rule', frontmatter: {}, text: 'ok\nawk $1' })).toHaveLength(1);
  });
});

/** TOML text parsed by a real TOML parser (Python's tomllib), as Gemini CLI's parser would read it. */
async function parseToml(text: string): Promise<Record<string, unknown>> {
  const script = 'import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))';
  return JSON.parse((await execa('python3', ['-c', script], { input: text })).stdout) as Record<string, unknown>;
}

describe('rendering for Gemini CLI', () => {
  test('a command is a TOML file under commands/baton/, typed /baton:<name>, with {{args}} once in its arguments block', async () => {
    const files = await renderFixture(USER);
    const command = file(files, '/home/a b/.gemini/commands/baton/check-thing.toml');
    const toml = await parseToml(command.content);
    expect(Object.keys(toml).sort()).toEqual(['description', 'prompt']);
    expect(toml.description).toBe('Check one thing: a fixture command with two arguments.');
    const prompt = toml.prompt as string;
    expect(prompt.startsWith('# Check a thing\n')).toBe(true);
    expect(prompt).toContain('The text typed after `/baton:check-thing`, as Gemini CLI received it');
    expect(prompt).toContain('```text\n{{args}}\n```');
    expect(prompt.split('{{args}}')).toHaveLength(2);
    expect(prompt).toContain('tell the human to run `/baton:check-thing <slice>`');
    expect(prompt).toContain("Run `'/home/a b/.gemini/baton/bin/baton' verify <slice> <release> --json`");
    expect(prompt).toContain('Read `/home/a b/.gemini/skills/baton-checker/SKILL.md` and follow it.');
    expect(prompt).not.toMatch(/Claude Code note|Codex note/);
  });

  test('a role is a skill with the name and description Gemini CLI lists; the folders follow GEMINI_CLI_HOME', async () => {
    const files = await renderFixture({ ...USER, env: { GEMINI_CLI_HOME: '~/gem home' } });
    const skill = file(files, '/home/a b/gem home/.gemini/skills/baton-checker/SKILL.md');
    expect(frontmatterOf(skill.content)).toEqual({ name: 'baton-checker', description: 'The checker role for the fixture pack; loaded by the check-thing command.' });
    expect(skill.content).toContain('`/home/a b/gem home/.gemini/baton/rules/be-careful.md`');
  });

  test('in a project, commands and skills go under .gemini/ beside the shared .baton/', async () => {
    const files = await renderFixture(PROJECT);
    const prompt = (await parseToml(file(files, '/work/repo/.gemini/commands/baton/check-thing.toml').content)).prompt as string;
    expect(prompt).toContain('are relative to the top-level directory of the repository checkout');
    expect(prompt).toContain('Read `.gemini/skills/baton-checker/SKILL.md` and follow it.');
    expect(prompt).toContain('Run `.baton/bin/baton verify');
  });

  test('text Gemini CLI would run, inject or fill in is refused in a command, and {{args}} anywhere else', async () => {
    const command = (body: string) => `---\ndescription: Pay.\narguments:\n  - name: amount\n    shape: '^[0-9]+$'\n    required: true\n    meaning: How much.\n---\n{{arguments}}\n${body}\n`;
    for (const [body, message] of [
      ['Run !{git status} first.', /contains "!\{", which Gemini CLI runs as a shell command/],
      ['Read @{README.md}.', /contains "@\{", which Gemini CLI replaces with a file/],
      ['Echo \\{{args}} again.', /has \{\{args\}\} beside other text/],
    ] as const) {
      await expect(renderFixture(USER, await testdir({ 'commands/pay.md': command(body) }))).rejects.toThrow(message);
    }
    const rule = await readPack(await testdir({ 'rules/r.md': '# R\n\n\\{{args}}\n' }), TARGETS);
    expect(() => renderPack(rule, [geminiTarget], USER, BUNDLE)).toThrow(/gemini\/baton\/rules\/r\.md: line 3 has an unrendered "\{\{"/);
    expect(geminiTarget.checkRendered({ path: 'x', kind: 'skill', frontmatter: { name: 'baton:x', description: 'd' }, text: '' })).toEqual(['skill name "baton:x" holds a character Gemini CLI replaces']);
  });

  test('the extension names its files through ${extensionPath}, which the agent fills in from GEMINI.md', async () => {
    const pack = await readPack(path.join(REPO_ROOT, 'test/fixtures/packs/valid'), TARGETS);
    const files = renderPack(pack, [geminiExtensionTarget], { scope: 'plugin', pluginRoot: '/x/ext' }, BUNDLE);
    const prompt = (await parseToml(file(files, '/x/ext/commands/baton/check-thing.toml').content)).prompt as string;
    expect(prompt).toMatch(/^> Paths here that start with `\$\{extensionPath\}` are in the folder of the baton extension/);
    expect(prompt).toContain("Run `'${extensionPath}/baton/bin/baton' verify <slice> <release> --json`");
    expect(prompt).toContain('Read `${extensionPath}/skills/baton-checker/SKILL.md` and follow it.');
    expect(prompt).not.toContain('/x/ext');
  });
});

describe('TOML strings', () => {
  for (const value of ['one line', 'two\nlines\n', "it's\nquoted'", "three '''\nquotes", 'a "b" \\ c\td', 'bell \u0007\nline', 'crlf\r\nline', '# heading\n\n```text\n{{args}}\n```\n']) {
    test(JSON.stringify(value), async () => {
      expect((await parseToml(`v = ${tomlString(value)}\n`)).v).toBe(value);
    });
  }

  test('a prompt of several lines stays readable: a literal string, no escapes', () => {
    expect(tomlString('# Title\n\nShape: `^S\\d+$`\n')).toBe("'''\n# Title\n\nShape: `^S\\d+$`\n'''");
  });
});

describe('rendering for GitHub Copilot (checked against the documented format; no client runs here)', () => {
  test('a command is a skill baton-<name>, typed /baton-<name>, whose arguments are the rest of the message', async () => {
    const files = await renderFixture(USER);
    const text = file(files, '/home/a b/.copilot/skills/baton-check-thing/SKILL.md').content;
    expect(frontmatterOf(text)).toEqual({ name: 'baton-check-thing', description: 'Check one thing: a fixture command with two arguments.', 'argument-hint': '<slice> [<release>]' });
    expect(text).toContain('everything after `/baton-check-thing` in the message');
    expect(text).toContain('tell the human to run `/baton-check-thing <slice>`');
    expect(text).toContain("Run `'/home/a b/.copilot/baton/bin/baton' verify <slice> <release> --json`");
    expect(text).not.toMatch(/\$ARGUMENTS|\$\{input:|Claude Code note|Codex note/);
  });

  test('a role is a skill hidden from the / menu; COPILOT_HOME moves the user folder; a project uses .github/skills', async () => {
    const files = await renderFixture({ ...USER, env: { COPILOT_HOME: '/elsewhere/copilot' } });
    expect(frontmatterOf(file(files, '/elsewhere/copilot/skills/baton-checker/SKILL.md').content)).toEqual({ name: 'baton-checker', description: 'The checker role for the fixture pack; loaded by the check-thing command.', 'user-invocable': false });
    const project = await renderFixture(PROJECT);
    expect(file(project, '/work/repo/.github/skills/baton-check-thing/SKILL.md').content).toContain('Read `.github/skills/baton-checker/SKILL.md`');
    expect(project.some((f) => f.absPath.includes('/.github/prompts/'))).toBe(false);
  });

  test('the output check refuses what makes a skill fail to load: a name not equal to its folder, an unknown key', () => {
    const check = (frontmatter: Record<string, unknown>) => copilotTarget.checkRendered({ path: '/h/.copilot/skills/baton-x/SKILL.md', kind: 'command', frontmatter, text: '' });
    expect(check({ name: 'baton-x', description: 'd' })).toEqual([]);
    expect(check({ name: 'baton-y', description: 'd' })).toEqual(['name "baton-y" is not the name of the skill\'s folder']);
    expect(check({ name: 'baton:x', description: 'd', tools: [] })).toEqual(['frontmatter key "tools" is not one GitHub Copilot documents for a skill', 'name "baton:x" is not a kebab-case name of at most 64 characters']);
  });
});

describe('rendering for Cursor (checked against the documented format; no client runs here)', () => {
  test('a command is commands/<name>.md, typed /<name>, with only its description above the text', async () => {
    const files = await renderFixture(USER);
    const text = file(files, '/home/a b/.cursor/commands/check-thing.md').content;
    expect(frontmatterOf(text)).toEqual({ description: 'Check one thing: a fixture command with two arguments.' });
    expect(text).toContain('everything after `/check-thing` in the message');
    expect(text).toContain("Run `'/home/a b/.cursor/baton/bin/baton' verify");
    expect(text).toContain('Read `/home/a b/.cursor/skills/baton-checker/SKILL.md` and follow it.');
    expect(frontmatterOf(file(files, '/home/a b/.cursor/skills/baton-checker/SKILL.md').content)).toEqual({ name: 'baton-checker', description: 'The checker role for the fixture pack; loaded by the check-thing command.' });
    const project = await renderFixture(PROJECT);
    expect(file(project, '/work/repo/.cursor/commands/check-thing.md').content).toContain('Read `.cursor/skills/baton-checker/SKILL.md`');
  });

  test('the output check refuses a command frontmatter key that would reach the agent as text', () => {
    expect(cursorTarget.checkRendered({ path: '/h/.cursor/commands/x.md', kind: 'command', frontmatter: { description: 'd', 'argument-hint': '<x>' }, text: '' })).toEqual([
      'frontmatter key "argument-hint" in a command would reach Cursor\'s agent as text; a Cursor command keeps only its description',
    ]);
  });
});

describe('rendering for a project', () => {
  test('paths are relative to the repository, with a note saying so', async () => {
    const files = await renderFixture(PROJECT);
    const text = file(files, '/work/repo/.claude/commands/check-thing.md').content;
    expect(text).toContain('relative to the top-level directory of the repository checkout');
    expect(text).toContain('Run `.baton/bin/baton verify <slice> <release> --json`');
    expect(text).toContain('Read `.claude/skills/baton-checker/SKILL.md`');
    const codex = file(files, '/work/repo/.codex/skills/baton-check-thing/SKILL.md').content;
    expect(codex).toContain('Read `.codex/skills/baton-checker/SKILL.md`');
  });

  test('every tool shares one pack directory, written once', async () => {
    const files = await renderFixture(PROJECT);
    expect(file(files, '/work/repo/.baton/rules/be-careful.md').targets).toEqual(TARGET_IDS);
    expect(file(files, '/work/repo/.baton/bin/baton').targets).toEqual(TARGET_IDS);
    expect(files.filter((f) => f.absPath.startsWith('/work/repo/.baton/'))).toHaveLength(7);
  });

  test('templates and tools are copied verbatim, commands executable', async () => {
    const files = await renderFixture(PROJECT);
    expect(file(files, '/work/repo/.baton/templates/spec.md').content).toBe('---\ntitle: {{yaml title}}\n---\n# {{slice}} in {{release}}\n');
    expect(file(files, '/work/repo/.baton/bin/baton.mjs')).toMatchObject({ content: BUNDLE.batonScript, mode: 0o755 });
    expect(file(files, '/work/repo/.baton/bin/baton-program.cjs')).toMatchObject({ content: BUNDLE.programScript, mode: 0o644 });
    expect(file(files, '/work/repo/.baton/bin/baton-tokenizer.cjs')).toMatchObject({ content: BUNDLE.tokenizerScript, mode: 0o644 });
    expect(file(files, '/work/repo/.baton/bin/release-verify').content).toContain('baton.mjs" verify "$@"');
  });
});

describe('a command\'s shell access, as Claude Code allowed-tools', () => {
  const pack = (shell: string) => testdir({ 'commands/run-it.md': `---\ndescription: Run it.\nshell: ${shell}\n---\nRun \`{{baton}} board\`.\n` });

  test.each([
    { dirs: USER, shell: 'protocol', file: '/home/a b/.claude/commands/run-it.md', expected: "Bash('/home/a b/.claude/baton/bin/baton':*), Bash(git:*), Read, Grep, Glob, Edit, Write" },
    { dirs: PROJECT, shell: 'protocol', file: '/work/repo/.claude/commands/run-it.md', expected: 'Bash(.baton/bin/baton:*), Bash(git:*), Read, Grep, Glob, Edit, Write' },
    { dirs: USER, shell: 'project', file: '/home/a b/.claude/commands/run-it.md', expected: 'Bash, Read, Grep, Glob, Edit, Write' },
  ])('$shell in a $dirs.scope install: $expected', async ({ dirs, shell, file: name, expected }) => {
    const files = await renderFixture(dirs, await pack(shell));
    expect(frontmatterOf(file(files, name).content)['allowed-tools']).toBe(expected);
    // A baton rule is the word the prompt runs, so that Claude Code's prefix match finds the call.
    const rule = /^Bash\((.+?):\*\), /.exec(expected)?.[1];
    if (rule) expect(file(files, name).content).toContain(`Run \`${rule} board\``);
  });

  test('Codex gets no allowed-tools: it runs commands in its sandbox instead', async () => {
    const files = await renderFixture(USER, await pack('protocol'));
    expect(frontmatterOf(file(files, '/home/a b/.codex/skills/baton-run-it/SKILL.md').content)).not.toHaveProperty('allowed-tools');
  });

  test('an unknown shell access is refused with the values it may take', async () => {
    await expect(renderFixture(USER, await pack('everything'))).rejects.toThrow(/shell.*"everything", not one of protocol, project/);
  });
});
