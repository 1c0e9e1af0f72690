import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installOrFail } from '../helpers/package.js';
import { gitdir, testdir } from '../helpers/testdir.js';
import { runQwen, type ClientRun, type QwenRun } from './clients.js';
import { ARGS, COMMANDS } from './command-args.js';
import { checkExpansion, expansionMarker, type Expectation } from './expansion-checks.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';
import { codexSkillsInSharedFolder } from './shared-skills.js';

/**
 * The pack in the real Qwen Code (@qwen-code/qwen-code 0.24.4), driven offline with `qwen -p`: every
 * command typed `/baton-<command> <args>`, with what reaches the model checked, and what Qwen Code
 * makes of the skills that Claude Code's and Codex's installs put beside it.
 */

const ROLES = ['implementer', 'integrator', 'planner', 'verifier'];
/** For a test that runs a client several times: on a shared, loaded machine one run may take 20 s. */
const SLOW = 240_000;

let server: RecordingServer;
let project: string;

beforeAll(async () => {
  server = await startRecordingServer();
  project = await gitdir({ 'README.md': '# a project\n' }, 'baton-qwen-project-');
});
afterAll(async () => server?.close());

/** `/baton-<command> <args>` in Qwen Code; fails with Qwen Code's own output when no request carried the command. */
async function typeCommand(command: string, options: { home: string; cwd: string; env?: Record<string, string> }): Promise<ClientRun> {
  const invocation = `/baton-${command}`;
  const result = await runQwen(server, { prompt: `${invocation} ${ARGS[command]}`, marker: expansionMarker(invocation), ...options });
  if (!result.run) throw new Error(`Qwen Code sent no request carrying ${invocation} (exit ${result.exitCode}):\n${result.output}`);
  // The model's answer came back and Qwen Code printed it: the whole turn ran, not only the request.
  if (result.exitCode !== 0 || !/^ok$/m.test(result.output)) throw new Error(`Qwen Code's turn for ${invocation} did not end with the model's answer (exit ${result.exitCode}):\n${result.output}`);
  return result.run;
}

/** Every command, each in its own `qwen -p`, all at once: what Qwen Code sent for each must conform. */
async function expectEveryCommand(options: { home: string; cwd: string; env?: Record<string, string> }, where: (command: string) => Omit<Expectation, 'tool' | 'invocation' | 'args'>): Promise<ClientRun[]> {
  return Promise.all(
    COMMANDS.map(async (command) => {
      const run = await typeCommand(command, options);
      const expected: Expectation = { tool: 'qwen', invocation: `/baton-${command}`, args: ARGS[command] as string, ...where(command) };
      expect(await checkExpansion(run, expected), `${expected.invocation} ${expected.args}`).toEqual([]);
      return run;
    }),
  );
}

/** The skills Qwen Code lists to the model, name to description. */
function listedSkills(run: ClientRun): Map<string, string> {
  const listed = new Map<string, string>();
  for (const match of run.text.matchAll(/<skill>\s*<name>\s*(\S+)\s*<\/name>\s*<description>\s*([\s\S]*?)\s*<\/description>/g)) {
    listed.set(match[1] as string, match[2] as string);
  }
  return listed;
}

/** A role typed as a command: Qwen Code refuses it when the skill it finds says `user-invocable: false`. */
async function expectRoleRefused(options: { home: string; cwd: string; env?: Record<string, string> }): Promise<QwenRun> {
  const result = await runQwen(server, { prompt: '/baton-verifier S03a-export-csv', marker: '# The verifier', ...options });
  expect(result.run === undefined, 'Qwen Code ran the role as a command').toBe(true);
  expect(result.output).toContain('The command "/baton-verifier" is not supported in this mode.');
  expect(result.exitCode).toBe(1);
  return result;
}

describe("user scope, every tool installed, Codex's skills also in ~/.agents/skills, in a home whose path has a space", () => {
  let home: string;
  let runs: ClientRun[] = [];
  beforeAll(async () => {
    home = await testdir({}, 'baton qwen home ');
    await installOrFail([], home);
    await codexSkillsInSharedFolder(path.join(home, '.codex/skills'), path.join(home, '.agents/skills'));
  });

  test('every /baton-<command> expands with its arguments in place of {{args}}, and every file it names exists', async () => {
    const qwen = path.join(home, '.qwen');
    runs = await expectEveryCommand({ home, cwd: project }, (command) => ({ file: path.join(qwen, 'commands', `baton-${command}.md`), roots: [qwen] }));
  }, SLOW);

  test("the role skills are listed to the model, and Qwen Code's copies, which are not commands, win over Codex's", async () => {
    const [run] = runs;
    if (!run) throw new Error('This test reads the skill list from the runs of the test above; run that test too.');
    const listed = listedSkills(run);
    for (const role of ROLES) expect(listed.get(`baton-${role}`), role).toMatch(/role/);
    await expectRoleRefused({ home, cwd: project });
  }, SLOW);
});

describe("what Qwen Code makes of the other tools' skills", () => {
  test("it reads nothing from Claude Code's, Codex's or Copilot's folders, and offers each skill in ~/.agents/skills as a command", async () => {
    const home = await testdir({}, 'baton-qwen-others-');
    await installOrFail(['--target', 'claude,codex,copilot'], home);
    const alone = await runQwen(server, { prompt: 'hello', marker: 'hello', home, cwd: project });
    expect(alone.run === undefined, alone.output).toBe(false);
    expect([...listedSkills(alone.run as ClientRun).keys()].filter((name) => name.startsWith('baton-'))).toEqual([]);

    await codexSkillsInSharedFolder(path.join(home, '.codex/skills'), path.join(home, '.agents/skills'));
    const codex = await runQwen(server, { prompt: `/baton-plan-release ${ARGS['plan-release']}`, marker: '# Plan a release', home, cwd: project });
    expect(codex.run === undefined, codex.output).toBe(false);
    const run = codex.run as ClientRun;
    expect([...listedSkills(run).keys()].filter((name) => name.startsWith('baton-')).sort()).toEqual([...COMMANDS, ...ROLES].map((name) => `baton-${name}`).sort());
    // Codex's skill body, its arguments appended as typed: the text tells the human to type $baton-...
    expect(run.text).toContain('The human invokes this by writing `$baton-plan-release`');
    expect(run.text).toContain(`/baton-plan-release ${ARGS['plan-release']}`);
  }, SLOW);
});

describe('QWEN_HOME, in a folder whose path contains spaces', () => {
  test('the commands and roles go there and every command expands', async () => {
    const base = await testdir({}, 'baton qwen override ');
    const home = path.join(base, 'my home');
    await mkdir(home);
    const env = { QWEN_HOME: path.join(base, 'qwen home') };
    await installOrFail(['--target', 'qwen'], home, env);
    await expectEveryCommand({ home, cwd: project, env }, (command) => ({ file: path.join(env.QWEN_HOME, 'commands', `baton-${command}.md`), roots: [env.QWEN_HOME] }));
  }, SLOW);
});

describe('project scope', () => {
  test("every /baton-<command> comes from the repository's .qwen/commands, and its roles win over Codex's in .agents/skills there too", async () => {
    const repo = await gitdir({ 'README.md': '# shared project\n' }, 'baton-qwen-shared-');
    const home = await testdir({}, 'baton-qwen-empty-home-');
    await installOrFail(['--scope', 'project'], home, {}, repo);
    await codexSkillsInSharedFolder(path.join(repo, '.codex/skills'), path.join(repo, '.agents/skills'));
    await expectEveryCommand({ home, cwd: repo }, (command) => ({ file: path.join(repo, '.qwen/commands', `baton-${command}.md`), roots: [], projectRoot: repo }));
    await expectRoleRefused({ home, cwd: repo });
  }, SLOW);
});

describe("what Qwen Code does with other tools' placeholders, and why its output check refuses !{…}", () => {
  test('it leaves $ARGUMENTS and $1 as written, and refuses to run a command holding !{…}', async () => {
    const home = await testdir({}, 'baton-qwen-broken-');
    await installOrFail(['--target', 'qwen'], home);
    const file = path.join(home, '.qwen/commands/baton-verify-slice.md');
    const installed = await readFile(file, 'utf8');
    await appendFile(file, '\nLiteral: $ARGUMENTS and $1.\n');
    const args = ARGS['verify-slice'] as string;
    const literal = await runQwen(server, { prompt: `/baton-verify-slice ${args}`, marker: expansionMarker('/baton-verify-slice'), home, cwd: project });
    expect(literal.run?.text).toContain(`\`\`\`text\n${args}\n\`\`\``);
    expect(literal.run?.text).toContain('Literal: $ARGUMENTS and $1.');

    await writeFile(file, `${installed}\nStatus: !{echo SHELL-RAN}\n`);
    const shell = await runQwen(server, { prompt: `/baton-verify-slice ${args}`, marker: expansionMarker('/baton-verify-slice'), home, cwd: project });
    expect(shell.run === undefined, 'Qwen Code sent the command to the model').toBe(true);
    expect(shell.output).toContain('baton-verify-slice cannot be run. Blocked command: "echo SHELL-RAN"');
  }, SLOW);
});
