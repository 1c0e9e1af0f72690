import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PackError, readPack } from '../../installer/pack/read-pack.js';
import type { PackProblem } from '../../installer/pack/pack.js';
import { TARGETS } from '../../installer/targets/index.js';
import { REPO_ROOT } from '../helpers/run.js';
import { testdir } from '../helpers/testdir.js';

const SLICE = "'^S\\d+[a-z]?-[a-z0-9]+(-[a-z0-9]+)*$'";

/** A command file with the given frontmatter lines and body. */
function command(frontmatter: string, body: string): string {
  return `---\n${frontmatter}\n---\n${body}\n`;
}

const ARGS = `arguments:\n  - name: slice\n    shape: ${SLICE}\n    required: true\n    meaning: The slice.`;
const OK_COMMAND = command(`description: A fine command.\n${ARGS}`, '# Fine\n\n{{arguments}}\n\nUse {{arg "slice"}}.');

async function problemsOf(files: Record<string, string>): Promise<PackProblem[]> {
  const dir = await testdir(files);
  try {
    await readPack(dir, TARGETS);
  } catch (error) {
    if (error instanceof PackError) return error.problems;
    throw error;
  }
  return [];
}

interface Case {
  name: string;
  files: Record<string, string>;
  file: string;
  field: string;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: 'a description with angle brackets',
    files: { 'commands/a.md': command('description: Use <slice> here', '# A') },
    file: 'commands/a.md',
    field: 'description',
    message: /"<" or ">"/,
  },
  {
    name: 'a description on two lines',
    files: { 'commands/a.md': command('description: |\n  one\n  two', '# A') },
    file: 'commands/a.md',
    field: 'description',
    message: /more than one line/,
  },
  {
    name: 'a description over 1024 characters',
    files: { 'commands/a.md': command(`description: ${'x'.repeat(1025)}`, '# A') },
    file: 'commands/a.md',
    field: 'description',
    message: /1025 characters/,
  },
  {
    name: 'a missing description',
    files: { 'skills/role/SKILL.md': command('claude: {}', '# Role') },
    file: 'skills/role/SKILL.md',
    field: 'description',
    message: /missing or empty/,
  },
  {
    name: 'arguments that are not a list',
    files: { 'commands/a.md': command('description: A.\narguments: slice', '# A') },
    file: 'commands/a.md',
    field: 'arguments',
    message: /must be a list/,
  },
  {
    name: 'an argument shape that is not anchored',
    files: { 'commands/a.md': command("description: A.\narguments:\n  - name: slice\n    shape: 'S\\d+'\n    required: true\n    meaning: The slice.", '# A\n{{arguments}}') },
    file: 'commands/a.md',
    field: 'arguments[0].shape',
    message: /not an anchored regular expression/,
  },
  {
    name: 'an argument shape that does not compile',
    files: { 'commands/a.md': command("description: A.\narguments:\n  - name: slice\n    shape: '^S(\\d+$'\n    required: true\n    meaning: The slice.", '# A\n{{arguments}}') },
    file: 'commands/a.md',
    field: 'arguments[0].shape',
    message: /not an anchored regular expression/,
  },
  {
    name: 'an argument without required',
    files: { 'commands/a.md': command(`description: A.\narguments:\n  - name: slice\n    shape: ${SLICE}\n    meaning: The slice.`, '# A\n{{arguments}}') },
    file: 'commands/a.md',
    field: 'arguments[0].required',
    message: /true or false/,
  },
  {
    name: 'an argument without meaning',
    files: { 'commands/a.md': command(`description: A.\narguments:\n  - name: slice\n    shape: ${SLICE}\n    required: true`, '# A\n{{arguments}}') },
    file: 'commands/a.md',
    field: 'arguments[0].meaning',
    message: /one non-empty line/,
  },
  {
    name: 'an argument declared twice',
    files: { 'commands/a.md': command(`description: A.\n${ARGS}\n  - name: slice\n    shape: ${SLICE}\n    required: false\n    meaning: Again.`, '# A\n{{arguments}}') },
    file: 'commands/a.md',
    field: 'arguments',
    message: /declares "slice" twice/,
  },
  {
    name: 'a command name that is not hyphen-case',
    files: { 'commands/Plan_Release.md': command('description: A.', '# A') },
    file: 'commands/Plan_Release.md',
    field: 'name',
    message: /not hyphen-case/,
  },
  {
    name: 'a skill name too long with the baton- prefix',
    files: { [`skills/${'a'.repeat(60)}/SKILL.md`]: command('description: A.', '# A') },
    file: `skills/${'a'.repeat(60)}/SKILL.md`,
    field: 'name',
    message: /66 characters/,
  },
  {
    name: 'a positional placeholder in a body',
    files: { 'commands/a.md': command('description: A.', "# A\n\n```sh\ngit worktree list | awk '{print $2}'\n```") },
    file: 'commands/a.md',
    field: 'body line 7',
    message: /"\$2", a positional placeholder/,
  },
  {
    name: 'a literal $ARGUMENTS in a body',
    files: { 'rules/r.md': '# R\n\nRead $ARGUMENTS.\n' },
    file: 'rules/r.md',
    field: 'body line 3',
    message: /literal \$ARGUMENTS/,
  },
  {
    name: 'an unknown Handlebars helper',
    files: { 'rules/r.md': '# R\n\n{{homedir}}\n' },
    file: 'rules/r.md',
    field: 'body line 3',
    message: /unknown Handlebars helper or variable "homedir"/,
  },
  {
    name: 'a reference to a rule the pack does not have',
    files: { 'rules/r.md': '# R\n\nSee {{rule "missing"}}.\n' },
    file: 'rules/r.md',
    field: 'body line 3',
    message: /names rule "missing", which the pack does not have/,
  },
  {
    name: 'an undeclared argument',
    files: { 'commands/a.md': command(`description: A.\n${ARGS}`, '# A\n{{arguments}}\n{{arg "release"}}') },
    file: 'commands/a.md',
    field: 'body line',
    message: /names argument "release"/,
  },
  {
    name: 'a command with arguments but no arguments block',
    files: { 'commands/a.md': command(`description: A.\n${ARGS}`, '# A\n{{arg "slice"}}') },
    file: 'commands/a.md',
    field: 'body',
    message: /uses \{\{arguments\}\} 0 times/,
  },
  {
    name: 'a tool-specific helper in a shared rule',
    files: { 'commands/a.md': OK_COMMAND, 'rules/r.md': '# R\n\nRun {{command "a"}}.\n' },
    file: 'rules/r.md',
    field: 'body line 3',
    message: /differs per tool/,
  },
  {
    name: "a role skill's path in a shared rule",
    files: { 'skills/role/SKILL.md': command('description: A.', '# Role'), 'rules/r.md': '# R\n\nSee {{skill "role"}}.\n' },
    file: 'rules/r.md',
    field: 'body line 3',
    message: /differs per tool/,
  },
  {
    name: 'an unclosed block',
    files: { 'skills/role/SKILL.md': command('description: A.', '{{#tool "claude"}}\nonly Claude') },
    file: 'skills/role/SKILL.md',
    field: 'body',
    message: /not valid Handlebars/,
  },
  {
    name: 'a block for a tool that does not exist',
    files: { 'skills/role/SKILL.md': command('description: A.', '{{#tool "windsurf"}}x{{/tool}}') },
    file: 'skills/role/SKILL.md',
    field: 'body line',
    message: /names target "windsurf"/,
  },
  {
    name: 'a partial',
    files: { 'rules/r.md': '# R\n{{> header}}\n' },
    file: 'rules/r.md',
    field: 'body line 2',
    message: /partial/,
  },
  {
    name: 'frontmatter with a duplicate key',
    files: { 'commands/a.md': command('description: A.\ndescription: B.', '# A') },
    file: 'commands/a.md',
    field: 'frontmatter',
    message: /not valid YAML/,
  },
  {
    name: 'frontmatter with an unquoted colon',
    files: { 'commands/a.md': command('description: Usage: /a now', '# A') },
    file: 'commands/a.md',
    field: 'frontmatter',
    message: /not valid YAML/,
  },
  {
    name: 'an unknown frontmatter key',
    files: { 'commands/a.md': command('description: A.\nargument-hint: x', '# A') },
    file: 'commands/a.md',
    field: 'argument-hint',
    message: /not a known frontmatter key/,
  },
  {
    name: 'a tool hint the tool does not accept',
    files: { 'commands/a.md': command('description: A.\ncodex:\n  model: gpt', '# A') },
    file: 'commands/a.md',
    field: 'codex.model',
    message: /not a frontmatter key Codex accepts/,
  },
  {
    name: 'a role that is not a skill',
    files: { 'commands/a.md': command('description: A.\nrole: captain', '# A') },
    file: 'commands/a.md',
    field: 'role',
    message: /names "captain"/,
  },
  {
    name: 'a skill folder without SKILL.md',
    files: { 'skills/role/README.md': '# R\n' },
    file: 'skills/role',
    field: 'SKILL.md',
    message: /is missing/,
  },
  {
    name: 'a command and a skill that would share a Codex name',
    files: { 'commands/verifier.md': command('description: A.', '# A'), 'skills/verifier/SKILL.md': command('description: B.', '# B') },
    file: 'commands/verifier.md',
    field: 'name',
    message: /both would install as baton-verifier/,
  },
  {
    name: 'a template with an unknown helper',
    files: { 'templates/spec.md': '# {{upper title}}\n' },
    file: 'templates/spec.md',
    field: 'line 1',
    message: /unknown Handlebars helper "upper"/,
  },
  {
    name: 'a template with an unknown variable',
    files: { 'templates/spec.md': '# {{slice}} {{owner}}\n' },
    file: 'templates/spec.md',
    field: 'line 1',
    message: /unknown template variable "owner"/,
  },
  {
    name: 'a stray file in commands/',
    files: { 'commands/notes.txt': 'x' },
    file: 'commands/notes.txt',
    field: 'file',
    message: /not part of the pack layout/,
  },
];

describe('pack validation', () => {
  test.each(cases)('reports $name', async ({ files, file, field, message }) => {
    const problems = await problemsOf(files);
    const match = problems.find((p) => p.file === file && p.field.startsWith(field) && message.test(p.message));
    expect(match, `problems were:\n${JSON.stringify(problems, null, 2)}`).toBeDefined();
    expect(match?.fix).toMatch(/\S/);
  });

  test('a name and a description exactly at their limits are accepted', async () => {
    // baton-<name> is 64 characters: the longest skill name Codex accepts; 1,024 is the description limit.
    const name = 'a'.repeat(64 - 'baton-'.length);
    const problems = await problemsOf({ [`skills/${name}/SKILL.md`]: command(`description: ${'x'.repeat(1024)}`, '# A') });
    expect(problems).toEqual([]);
    expect(await problemsOf({ [`skills/${name}a/SKILL.md`]: command('description: A.', '# A') })).toMatchObject([{ field: 'name', message: expect.stringMatching(/65 characters/) }]);
  });

  test('a valid fixture pack has no problems', async () => {
    const pack = await readPack(path.join(REPO_ROOT, 'test/fixtures/packs/valid'), TARGETS);
    expect(pack.commands.map((c) => c.name)).toEqual(['check-thing']);
    expect(pack.skills.map((s) => s.name)).toEqual(['checker']);
  });

  test('every problem is reported at once, each with its file, field and fix', async () => {
    const dir = await testdir({
      'commands/a.md': command('description: Use <x>', '# A\n{{nope}}'),
      'rules/r.md': '# R\n$1\n',
    });
    const error = await readPack(dir, TARGETS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PackError);
    const message = (error as PackError).message;
    expect(message).toMatch(/The pack has 3 problems/);
    expect(message).toContain('commands/a.md: description contains "<" or ">".');
    expect(message).toContain('commands/a.md: body line 5 uses unknown Handlebars helper or variable "nope".');
    expect(message).toContain('rules/r.md: body line 2 contains "$1"');
    expect(message).toMatch(/Remove angle brackets/);
  });

  test('the argument shapes in the real pack are the id shapes the tools validate', async () => {
    const { ID_SHAPES } = await import('../../scripts/lib/ids.js');
    const pack = await readPack(REPO_ROOT, TARGETS);
    const known = new Set(Object.values(ID_SHAPES).map((shape) => shape.source));
    for (const spec of pack.commands.flatMap((c) => c.arguments)) expect(known).toContain(spec.shape);
  });
});
