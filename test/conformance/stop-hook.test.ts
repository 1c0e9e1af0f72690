import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import { runInstall } from '../helpers/package.js';
import { receiptedSlice, type ReceiptedSlice } from '../helpers/receipted-slice.js';
import { CODE, proof, RELEASE, SLICE, SLICE_DIR, TRACK } from '../helpers/slice-repo.js';
import { git, GIT_ENV, testdir } from '../helpers/testdir.js';
import { CLAUDE, runClaude, runCodex, type ClientRun } from './clients.js';
import { startRecordingServer, type ModelScript, type RecordingServer } from './recording-server.js';

/**
 * The stop hook (docs/stop-hook.md) in the real clients, installed the way users install it, with a
 * scripted model: a session that starts a slice and tries to end its turn while `baton verify` fails
 * is sent back with the failing checks in its next request; once the model has done the work (or
 * recorded the stop), the hook lets it end and the client exits. A session that implements nothing
 * ends at once.
 */

let server: RecordingServer;
/** The script of the current session: commands before the first block, then after it. */
let before: string[] = [];
let after: string[] = [];
/** What the scripted model received, request by request. */
let seen: { text: string; results: string[] }[] = [];
/** The text that marks a request as coming after the hook sent the agent back. */
const SENT_BACK = 'baton verify fails for it';

const script: ModelScript = (conversation) => {
  seen.push(conversation);
  const blocked = conversation.text.includes(SENT_BACK);
  const firstBlockAt = seen.findIndex((request) => request.text.includes(SENT_BACK));
  if (!blocked) return before[conversation.results.length];
  // Results already in the conversation when the block came back belong to the first phase.
  const resultsBefore = seen[firstBlockAt]?.results.length ?? 0;
  return after[conversation.results.length - resultsBefore];
};

beforeAll(async () => {
  server = await startRecordingServer({ script });
});
afterAll(async () => server?.close());

function newSession(first: string[], second: string[] = []): void {
  before = first;
  after = second;
  seen = [];
}

/** A shell command that writes `content` to `file` (base64, so no quoting can break it). */
function writeCommand(file: string, content: string): string {
  return `printf '%s' '${Buffer.from(content).toString('base64')}' | base64 -d > ${shellQuote(file)}`;
}

/** The commands an implementer runs to do the slice's work, as the implement-slice command orders them. */
function workCommands(baton: string, worktree: string): string[] {
  const wt = shellQuote(worktree);
  const files = Object.entries(CODE).map(([file, content]) => `mkdir -p ${shellQuote(path.dirname(path.join(worktree, file)))} && ${writeCommand(path.join(worktree, file), content)}`);
  return [
    `${files.join(' && ')} && git -C ${wt} add -- ${Object.keys(CODE).join(' ')} && git -C ${wt} commit -q -m "feat(export): land ${SLICE} — CSV export"`,
    `${writeCommand(path.join(worktree, SLICE_DIR, 'proof.md'), proof(Object.keys(CODE)))} && git -C ${wt} commit -q -am "docs(release/${RELEASE}/${SLICE}): proof bundle"`,
    `${baton} -C ${wt} evidence ${SLICE} ${RELEASE} --test-command "npm test" --reachability "test/export.test.ts:3 — clicks Export and gets a CSV"`,
  ];
}

/** The Stop hook runs Claude Code reported with --include-hook-events: what each answered. */
function stopHookAnswers(run: ClientRun): string[] {
  return run.exit.stdout
    .split('\n')
    .filter((line) => line.includes('"subtype":"hook_response"'))
    .map((line) => JSON.parse(line) as { hook_event: string; stdout: string; exit_code: number })
    .filter((event) => event.hook_event === 'Stop')
    .map((event) => (event.exit_code === 0 ? event.stdout.trim() : `exit ${event.exit_code}`));
}

const HOOK_EVENTS = ['--output-format', 'stream-json', '--verbose', '--include-hook-events'];
const WORKTREE = (s: ReceiptedSlice) => path.join(`${s.repo}-worktrees`, RELEASE, TRACK);

describe('Claude Code runs the stop hook of /implement-slice (baton-install --stop-hook)', () => {
  let home: string;
  let baton: string;
  beforeAll(async () => {
    home = await testdir({}, 'baton hook claude ');
    const result = await runInstall(['--yes', '--target', 'claude', '--stop-hook'], { home });
    if (result.exitCode !== 0) throw new Error(`baton-install failed: ${result.stderr}`);
    baton = shellQuote(path.join(home, '.claude/baton/bin/baton'));
    // The commands the scripted model runs are the ones the installed command tells the agent to run.
    const command = await readFile(path.join(home, '.claude/commands/implement-slice.md'), 'utf8');
    for (const line of [`${baton} worktree <slice> <release>`, `${baton} -C "<wt>" start <slice> <release>`, `${baton} -C "<wt>" evidence <slice> <release>`, `${baton} -C "<wt>" stopped <slice> <release> --reason`]) {
      expect(command).toContain(line);
    }
  });

  test('a session that ends its turn while baton verify fails gets the failures back; after the work is done it ends', async () => {
    const s = await receiptedSlice('planned');
    const wt = WORKTREE(s);
    newSession([`${baton} worktree ${SLICE} ${RELEASE}`, `${baton} -C ${shellQuote(wt)} start ${SLICE} ${RELEASE}`], workCommands(baton, wt));
    const started = Date.now();
    const run = await runClaude(server, { prompt: `/implement-slice ${SLICE} ${RELEASE}`, home, cwd: s.repo, env: GIT_ENV, args: ['--allowedTools', 'Bash', ...HOOK_EVENTS] });
    const seconds = (Date.now() - started) / 1000;

    expect(run.exit.code, run.exit.stderr).toBe(0);
    // Two tool calls, then the early end of turn; the hook's answer is the model's next message.
    const firstBlock = seen.findIndex((request) => request.text.includes(SENT_BACK));
    expect(firstBlock).toBe(3);
    const feedback = seen[firstBlock]?.text ?? '';
    expect(feedback).toContain(`Stop hook feedback:\nbaton: this session implements ${SLICE} (release ${RELEASE}), which is in_progress, and baton verify fails for it:`);
    expect(feedback).toMatch(/FAIL diff-nonempty: /);
    expect(feedback).toContain(`${baton} -C "${wt}" stopped ${SLICE} ${RELEASE} --reason`);
    // The work, then the second end of turn, which the hook let through: one block, then a clean stop.
    expect(seen).toHaveLength(firstBlock + 4);
    expect(seen.at(-1)?.results.at(-1)).toMatch(/record evidence/);
    const answers = stopHookAnswers(run);
    expect(answers).toHaveLength(2);
    expect(JSON.parse(answers[0] ?? '{}')).toMatchObject({ decision: 'block' });
    expect(answers[1]).toBe('');

    const session = (await git(wt, 'log', '-1', '--format=%(trailers:key=Baton-Session,valueonly)')).trim();
    expect(session).toMatch(/^claude:[0-9a-f-]{36}$/);
    expect((await s.baton(['verify', SLICE, RELEASE], { cwd: wt })).stdout).toMatch(/^PASS: /m);
    console.log(`claude -p, one block then a clean stop: ${seconds.toFixed(1)} s`);
  });

  test('a session that implements nothing ends at once: the hook answers nothing', async () => {
    const s = await receiptedSlice('in_progress', { env: { CLAUDE_CODE_SESSION_ID: '00000000-0000-4000-8000-000000000000' } });
    newSession([]);
    const started = Date.now();
    const run = await runClaude(server, { prompt: `/implement-slice ${SLICE} ${RELEASE}`, home, cwd: s.repo, env: GIT_ENV, args: ['--allowedTools', 'Bash', ...HOOK_EVENTS] });
    expect(run.exit.code, run.exit.stderr).toBe(0);
    expect(seen).toHaveLength(1);
    expect(stopHookAnswers(run)).toEqual(['']);
    console.log(`claude -p, a session implementing nothing: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});

describe('Claude Code, project scope: the hook finds the repository\'s .baton', () => {
  test('a session started in a subfolder of the repository is sent back, records the stop, and ends', async () => {
    const s = await receiptedSlice('planned');
    const result = await runInstall(['--yes', '--target', 'claude', '--scope', 'project', '--stop-hook'], { home: await testdir(), cwd: s.repo });
    expect(result.exitCode, result.stderr).toBe(0);
    // Committed, as a team shares it: the track worktree made from main has it too.
    await git(s.repo, 'add', '.claude', '.baton');
    await git(s.repo, 'commit', '-q', '-m', 'chore: install baton for the team');
    const home = await testdir({}, 'baton-hook-project-home-');
    const baton = shellQuote(path.join(s.repo, '.baton/bin/baton'));
    const wt = WORKTREE(s);
    newSession([`${baton} worktree ${SLICE} ${RELEASE}`, `${baton} -C ${shellQuote(wt)} start ${SLICE} ${RELEASE}`], [`${baton} -C ${shellQuote(wt)} stopped ${SLICE} ${RELEASE} --reason "Waiting for the accountant."`]);
    const run = await runClaude(server, { prompt: `/implement-slice ${SLICE} ${RELEASE}`, home, cwd: path.join(s.repo, 'src'), env: GIT_ENV, args: ['--allowedTools', 'Bash', ...HOOK_EVENTS] });
    expect(run.exit.code, run.exit.stderr).toBe(0);
    expect(stopHookAnswers(run).map((answer) => (answer === '' ? 'stop' : (JSON.parse(answer) as { decision: string }).decision))).toEqual(['block', 'stop']);
  });
});

describe('the Claude Code plugin ships the stop hook in hooks/hooks.json', () => {
  test('the session is sent back, records the stop with baton stopped, and then ends', async () => {
    const home = await testdir({}, 'baton-hook-plugin-home-');
    const folder = path.join(await testdir({}, 'baton-hook-plugin-'), 'baton plugin');
    expect((await runInstall(['--plugin', folder], { home })).exitCode).toBe(0);
    const env = { PATH: process.env.PATH ?? '', HOME: home };
    for (const args of [['plugin', 'marketplace', 'add', folder], ['plugin', 'install', 'baton@baton']]) {
      const result = await execa(CLAUDE, args, { env, extendEnv: false, reject: false });
      expect(result.exitCode, `claude ${args.join(' ')}: ${result.stdout} ${result.stderr}`).toBe(0);
    }
    const baton = `"${path.join(folder, 'plugin')}/baton/bin/baton"`;
    const s = await receiptedSlice('planned');
    const wt = WORKTREE(s);
    const reason = 'The CSV separator needs the accountant: asked whether commas or semicolons.';
    newSession([`${baton} worktree ${SLICE} ${RELEASE}`, `${baton} -C ${shellQuote(wt)} start ${SLICE} ${RELEASE}`], [`${baton} -C ${shellQuote(wt)} stopped ${SLICE} ${RELEASE} --reason "${reason}"`]);
    const run = await runClaude(server, { prompt: `/baton:implement-slice ${SLICE} ${RELEASE}`, home, cwd: s.repo, env: GIT_ENV, args: ['--allowedTools', 'Bash', ...HOOK_EVENTS] });
    expect(run.exit.code, run.exit.stderr).toBe(0);
    expect(seen.filter((request) => request.text.includes(SENT_BACK))).toHaveLength(2);
    expect(seen.at(-1)?.results.at(-1)).toContain(`${SLICE}: stays in_progress; the implementation stopped: ${reason}`);
    expect(stopHookAnswers(run).map((answer) => (answer === '' ? 'stop' : (JSON.parse(answer) as { decision: string }).decision))).toEqual(['block', 'stop']);
    expect((await git(wt, 'log', '-1', '--format=%(trailers:key=Baton-Event,valueonly)')).trim()).toBe('stopped');
  });
});

describe('Codex runs the stop hook from hooks.json (baton-install --stop-hook)', () => {
  let home: string;
  let codexHome: string;
  let baton: string;
  beforeAll(async () => {
    home = await testdir({}, 'baton hook codex ');
    codexHome = path.join(home, '.codex');
    const result = await runInstall(['--yes', '--target', 'codex', '--stop-hook'], { home });
    if (result.exitCode !== 0) throw new Error(`baton-install failed: ${result.stderr}`);
    baton = shellQuote(path.join(codexHome, 'baton/bin/baton'));
    // The commits the model makes need an identity; a user has one in ~/.gitconfig.
    await writeFile(path.join(home, '.gitconfig'), '[user]\n\tname = Baton Test\n\temail = test@example.com\n');
  });

  test('once trusted, a session that ends its turn while baton verify fails gets the failures back; after the work it ends', async () => {
    const s = await receiptedSlice('planned');
    const wt = WORKTREE(s);
    newSession([`${baton} worktree ${SLICE} ${RELEASE}`, `${baton} -C ${shellQuote(wt)} start ${SLICE} ${RELEASE}`], workCommands(baton, wt));
    const started = Date.now();
    // Trust is given in Codex's /hooks screen, which needs a terminal; --dangerously-bypass-hook-trust
    // is Codex's own stand-in for it in automation. The sandbox is not this test's subject.
    const run = await runCodex(server, { prompt: `$baton-implement-slice ${SLICE} ${RELEASE}`, home, codexHome, cwd: s.repo, args: ['--dangerously-bypass-hook-trust', '--sandbox', 'danger-full-access'] });
    const seconds = (Date.now() - started) / 1000;
    expect(run.exit.code, run.exit.stderr).toBe(0);
    const firstBlock = seen.findIndex((request) => request.text.includes(SENT_BACK));
    expect(firstBlock).toBe(3);
    expect(seen[firstBlock]?.text).toMatch(/<hook_prompt hook_run_id="[^"]*">baton: this session implements S01-export-csv \(release 2026-11-21-billing\), which is in_progress, and baton verify fails for it:/);
    expect(seen[firstBlock]?.text).toMatch(/FAIL diff-nonempty: /);
    expect(seen).toHaveLength(firstBlock + 4);
    expect(run.exit.stderr).toMatch(/hook: Stop Blocked[\s\S]*hook: Stop Completed/);
    const session = (await git(wt, 'log', '-1', '--format=%(trailers:key=Baton-Session,valueonly)')).trim();
    expect(session).toMatch(/^codex:[0-9a-f-]{36}$/);
    expect((await s.baton(['verify', SLICE, RELEASE], { cwd: wt })).stdout).toMatch(/^PASS: /m);
    console.log(`codex exec, one block then a clean stop: ${seconds.toFixed(1)} s`);
  });

  test('untrusted, the hook does not run: codex exec ends the turn without a word', async () => {
    const s = await receiptedSlice('planned');
    const wt = WORKTREE(s);
    newSession([`${baton} worktree ${SLICE} ${RELEASE}`, `${baton} -C ${shellQuote(wt)} start ${SLICE} ${RELEASE}`]);
    const run = await runCodex(server, { prompt: `$baton-implement-slice ${SLICE} ${RELEASE}`, home, codexHome, cwd: s.repo, args: ['--sandbox', 'danger-full-access'] });
    expect(run.exit.code, run.exit.stderr).toBe(0);
    expect(seen).toHaveLength(3);
    expect(run.exit.stderr).not.toMatch(/hook: Stop/);
    expect((await s.baton(['verify', SLICE, RELEASE], { cwd: wt, exitCode: 1 })).stdout).toMatch(/^FAIL: /m);
  });
});
