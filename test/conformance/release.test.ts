import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import { runInstall } from '../helpers/package.js';
import { REPO_ROOT, runBin } from '../helpers/run.js';
import { git } from '../helpers/testdir.js';
import { AgentSession, CLAUDE_TOOLS, CODEX_TOOLS, type AgentTools, type Turn } from './agent-script.js';
import { runClaude, runCodex, type ClientRun } from './clients.js';
import { briefDigestOf, commandLines, exitCodeOf, jsonOf, outputOf, promptLine } from './prompt-commands.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

/**
 * A whole release carried through the real clients, one fresh client process per session, with the
 * permissions and sandbox a user has after following the README: Claude Code with nothing but what
 * each command's frontmatter allows; Codex's `exec` in its workspace-write sandbox with the
 * repository's git folder writable and the worktrees inside the repository (README, "Codex"). A
 * scripted model runs the command lines each expanded prompt shows, filled in with what it found, and
 * writes files with the client's own tools. Each session starts from the `baton brief` line its prompt
 * shows and passes the digest that brief printed to every state change it makes, as `--brief <digest>`.
 * After each session the repository is checked (branches, commits, receipts and the brief each names,
 * the board), and so is what the tool results told the model.
 */

const RELEASE = '2026-11-21-invoice-export';
const SLICE = 'S01-export-csv';
const TRACK = 'T1-csv-export';
const TITLE = 'An accountant exports the invoices as CSV';
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/example-release');
const fixture = (...parts: string[]) => readFileSync(path.join(FIXTURE, ...parts), 'utf8');

interface Board {
  releaseDir: string;
  releases: {
    id: string;
    integrationBranch: string;
    releaseWorktree: string | null;
    mergedToIntegration: boolean;
    warnings: unknown[];
    counts: Record<string, number>;
    slices: { id: string; state: string; hasSpec: boolean; track: string; receipts: { attempt: number; failures: number } }[];
    tracks: { id: string; state: string; worktree: string | null }[];
  }[];
}

interface Client {
  name: string;
  tools: AgentTools;
  /** How a user types a command in this client. */
  invocation(command: string, args: string): string;
  /** Where the installer puts the baton program for this client, under the home folder. */
  batonFile(home: string): string;
  /** What a user sets up once, after the README: the install, and the client's own settings. */
  prepare(setup: Setup): Promise<void>;
  run(server: RecordingServer, setup: Setup, prompt: string): Promise<ClientRun>;
  /** A tool result that says the client refused or could not run a call. */
  refusal: RegExp;
}

interface Setup {
  home: string;
  repo: string;
}

const CLIENTS: Client[] = [
  {
    name: 'Claude Code',
    tools: CLAUDE_TOOLS,
    invocation: (command, args) => `/${command} ${args}`,
    batonFile: (home) => path.join(home, '.claude/baton/bin/baton'),
    prepare: async ({ home }) => install(home, 'claude'),
    // No --allowedTools and no --dangerously-skip-permissions: only the command's frontmatter grants.
    run: (server, { home, repo }, prompt) => runClaude(server, { prompt, home, cwd: repo }),
    refusal: /requires approval|needs approval|was blocked/i,
  },
  {
    name: 'Codex',
    tools: CODEX_TOOLS,
    invocation: (command, args) => `$baton-${command} ${args}`,
    batonFile: (home) => path.join(home, '.codex/baton/bin/baton'),
    prepare: async ({ home, repo }) => {
      await install(home, 'codex');
      // README, "Codex": the worktrees inside the repository, where the sandbox may write.
      await writeFile(path.join(repo, '.baton/config.json'), `${JSON.stringify({ worktreeRoot: '.worktrees' }, null, 2)}\n`);
      await git(repo, 'add', '.baton/config.json');
      await git(repo, 'commit', '-q', '-m', 'Keep baton worktrees inside the repository, where Codex may write');
    },
    // README, "Codex": workspace-write, and the repository's git folder writable.
    run: (server, { home, repo }, prompt) =>
      runCodex(server, {
        prompt,
        home,
        codexHome: path.join(home, '.codex'),
        cwd: repo,
        settings: ['sandbox_mode = "workspace-write"', '', '[sandbox_workspace_write]', `writable_roots = [${JSON.stringify(path.join(repo, '.git'))}]`].join('\n'),
      }),
    refusal: /read-only file system|operation not permitted|rejected/i,
  },
];

async function install(home: string, target: string): Promise<void> {
  const result = await runInstall(['--yes', '--target', target], { home });
  if (result.exitCode !== 0) throw new Error(`baton-install --target ${target} failed:\n${result.stdout}\n${result.stderr}`);
}

/** A folder outside /tmp, as a user's home and projects are: Codex's sandbox lets every command write /tmp. */
async function scratchFolder(): Promise<string> {
  const parent = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  return mkdtemp(path.join(parent, 'baton e2e-'));
}

let server: RecordingServer;
let current: AgentSession | undefined;
let results: string[] = [];
let scriptError: unknown;
const folders: string[] = [];

beforeAll(async () => {
  server = await startRecordingServer({
    script: (conversation) => {
      results = conversation.results;
      return current?.script((error) => (scriptError = error))(conversation);
    },
  });
});
afterAll(async () => {
  await server?.close();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe.each(CLIENTS)('a release from plan-release to mark-shipped in $name', (client) => {
  test('every session runs its commands, and the repository records each step', { timeout: 600_000 }, async () => {
    const base = await scratchFolder();
    folders.push(base);
    const home = path.join(base, 'home');
    const repo = path.join(base, 'invoices app');
    await mkdir(path.join(home), { recursive: true });
    await writeFile(path.join(home, '.gitconfig'), '[user]\n\tname = E2E User\n\temail = e2e@example.com\n');
    await cp(path.join(FIXTURE, 'app'), repo, { recursive: true });
    await mkdir(path.join(repo, '.baton'));
    await git(repo, 'init', '-q', '--initial-branch=main');
    await git(repo, 'add', '--all');
    await git(repo, 'commit', '-q', '-m', 'The invoices app before the export release');
    const setup = { home, repo };
    await client.prepare(setup);

    const B = shellQuote(client.batonFile(home));
    const baton = async (...args: string[]) => runBin('baton', ['-C', repo, ...args]);
    const board = async () => (JSON.parse((await baton('board', '--json')).stdout) as Board).releases.find((r) => r.id === RELEASE);
    const slice = async () => (await board())?.slices.find((s) => s.id === SLICE);
    const timings: Record<string, number> = {};

    /**
     * One session: a fresh client process typing `command args`, the model taking `steps`. Returns the
     * receipts the session committed, oldest first.
     */
    const session = async (name: string, command: string, args: string, agent: AgentSession): Promise<ReceiptCommit[]> => {
      const before = new Set((await receiptCommits(repo)).map((receipt) => receipt.commit));
      current = agent;
      results = [];
      scriptError = undefined;
      const started = Date.now();
      const run = await client.run(server, setup, client.invocation(command, args));
      timings[name] = Date.now() - started;
      for (const result of results) expect(result, `${client.name}, ${name}: no call was refused`).not.toMatch(client.refusal);
      if (scriptError) throw new Error(`${client.name}, ${name}: the scripted model could not go on: ${String(scriptError)}`);
      const said = results.map((result, index) => `[${index}] ${result.slice(0, 400)}`).join('\n');
      expect(results.length, `${client.name}, ${name}: every step got its result (exit ${run.exit.code}):\n${said}\n${run.exit.stderr.slice(-2000)}`).toBe(agent.steps.length);
      return (await receiptCommits(repo)).filter((receipt) => !before.has(receipt.commit));
    };
    /**
     * The session's brief ran and printed its digest, every receipt the session committed names that
     * digest (but those listed in `without`, made before the brief existed), and `baton log` shows it.
     */
    const expectBrief = async (name: string, agent: AgentSession, receipts: ReceiptCommit[], without: string[] = []) => {
      const brief = agent.resultOf(results, 'brief');
      expect(exitCodeOf(brief), `${client.name}, ${name}: the brief ran`).toBe(0);
      const digest = briefDigestOf(brief);
      const log = (await baton('log', RELEASE)).stdout.split('\n');
      for (const receipt of receipts) {
        const expected = without.includes(receipt.event) ? '' : digest;
        expect(receipt.brief, `${client.name}, ${name}: Baton-Brief of ${receipt.event} ${receipt.commit}`).toBe(expected);
        const entry = log.find((text) => text.includes(`commit ${receipt.commit.slice(0, 12)}`));
        expect(entry, `${client.name}, ${name}: baton log shows ${receipt.event} ${receipt.commit}`).toBeDefined();
        if (expected === '') expect(entry).not.toMatch(/ brief /);
        else expect(entry).toContain(`brief ${digest.slice(0, 12)}`);
      }
      return digest;
    };

    // Values an agent finds as it goes; `<placeholder>`s of the prompts' command lines take them.
    const values: Record<string, string> = { repo, release: RELEASE, integration: 'main', slice: SLICE, track: TRACK, outcome: TITLE, 'release-id': RELEASE };
    const rdir = path.join(repo, 'docs/release', RELEASE);
    values.rdir = rdir;
    const line = (turn: Turn, start: string, extra: Record<string, string> = {}, drop: string[] = []) => promptLine(turn.text, start, { ...values, ...extra }, drop);
    /** The digest this session's brief printed, for the `<digest>` of its state changes. */
    const digest = (turn: Turn) => ({ digest: briefDigestOf(turn.result('brief')) });
    /** A slice's brief line, with the release added after the slice, as the prompt says when it was given. */
    const sliceBrief = (turn: Turn) => line(turn, `${B} brief`).replace(`brief ${SLICE} `, `brief ${SLICE} ${RELEASE} `);
    const skill = (role: string) => (turn: Turn) => {
      const file = commandLines(turn.text).find((text) => text.endsWith(`/baton-${role}/SKILL.md`));
      if (!file) throw new Error(`The prompt names no baton-${role}/SKILL.md to read`);
      return file;
    };

    // --- plan-release: the release, one slice in one track, its spec, the matrix. ---
    const plan = new AgentSession(client.tools)
      .read(skill('planner'))
      .shell((t) => line(t, 'git rev-parse --show-toplevel'))
      .shell((t) => line(t, 'git worktree list --porcelain'))
      .shell((t) => line(t, `${B} -C "<repo>" brief`), 'no-brief')
      .shell((t) => line(t, `${B} -C "<repo>" board --json`), 'board')
      .shell((t) => line(t, 'git -C "<repo>" branch --show-current'))
      .shell((t) => line(t, `${B} -C "<repo>" new-release`), 'new-release')
      // A new release has a brief only once it exists: the session's digest is this one's.
      .shell((t) => line(t, `${B} -C "<repo>" brief`), 'brief')
      .write(() => path.join(rdir, 'intake.md'), () => fixture('release/intake.md'))
      .commit(() => repo, () => [path.join(rdir, 'intake.md')], (t) => [line(t, 'docs(release/<release>): confirm release goal')])
      .shell((t) => line(t, `${B} -C "<repo>" new-slice`, digest(t)), 'new-slice')
      .write(() => path.join(rdir, SLICE, 'spec.md'), () => fixture('release', SLICE, 'spec.md'))
      .shell((t) => line(t, 'grep -n "\\[fill:" "<rdir>/<slice>/spec.md"', { slice: SLICE }))
      .commit(() => repo, () => [path.join(rdir, SLICE, 'spec.md')], (t) => [line(t, 'docs(release/<release>/<slice>): write spec')])
      .shell((t) => line(t, `${B} -C "<repo>" matrix`), 'matrix')
      .write(() => path.join(rdir, 'index.md'), (t) => filledIndex(readFileSync(path.join(rdir, 'index.md'), 'utf8'), outputOf(t.result('matrix'))))
      .commit(() => repo, () => [path.join(rdir, 'index.md')], (t) => [line(t, 'docs(release/<release>): record touchpoint matrix')])
      .shell((t) => line(t, `${B} -C "<repo>" board --json --release`), 'final-board')
      .shell((t) => line(t, 'git -C "<repo>" status --porcelain -- "<rdir>"'), 'status');
    const planReceipts = await session('plan-release', 'plan-release', RELEASE, plan);
    const said = (agent: AgentSession, label: string) => agent.resultOf(results, label);
    expect(exitCodeOf(said(plan, 'no-brief'))).toBe(2);
    expect(outputOf(said(plan, 'no-brief'))).toMatch(new RegExp(`Release ${RELEASE} was not found`));
    expect(planReceipts.map((receipt) => receipt.event)).toEqual(['release-opened', 'slice-planned']);
    await expectBrief('plan-release', plan, planReceipts, ['release-opened']);
    expect(jsonOf<Board>(said(plan, 'board')).releaseDir).toBe('docs/release');
    expect(outputOf(said(plan, 'new-release'))).toContain(path.join(rdir, 'index.md'));
    expect(outputOf(said(plan, 'status'))).toBe('');
    const afterPlan = await board();
    expect(afterPlan?.slices).toMatchObject([{ id: SLICE, state: 'planned', hasSpec: true, track: TRACK }]);
    expect(afterPlan?.warnings).toEqual([]);
    expect((await git(repo, 'log', '--format=%s', 'main')).split('\n').slice(0, 5)).toEqual([
      `docs(release/${RELEASE}): record touchpoint matrix`,
      `docs(release/${RELEASE}/${SLICE}): write spec`,
      `docs(release/${RELEASE}/${SLICE}): plan slice in ${TRACK}`,
      `docs(release/${RELEASE}): confirm release goal`,
      `docs(release/${RELEASE}): open release`,
    ]);

    // --- implement-slice, twice; verify-slice, twice: FAIL on the first candidate, PASS on the fix. ---
    const implement = (attempt: number) => {
      const found: Record<string, string> = {};
      const wt = () => found.wt ?? '';
      const dir = () => path.join(wt(), 'docs/release', RELEASE, SLICE);
      const v = () => ({ wt: wt(), releaseDir: 'docs/release', dir: dir(), scratch: found.scratch ?? '', command: 'npm test', n: '1', area: 'export' });
      const files = attempt === 1 ? FIRST_ATTEMPT : SECOND_ATTEMPT;
      const session = new AgentSession(client.tools)
        .read(skill('implementer'))
        .shell(sliceBrief, 'brief')
        .shell((t) => line(t, `${B} board --json`))
        .shell((t) => line(t, `${B} worktree`, digest(t)), 'worktree')
        .shell((t) => line(t, `${B} board --json`), 'board')
        .shell((t) => {
          found.wt = jsonOf<Board>(t.result('board')).releases[0]?.tracks.find((track) => track.id === TRACK)?.worktree ?? '';
          return line(t, 'git -C "<wt>" rev-parse --abbrev-ref HEAD', v());
        }, 'branch')
        .read(() => path.join(dir(), 'spec.md'))
        .shell((t) => line(t, 'git -C "<wt>" status --short', v()))
        .shell((t) => line(t, `${B} -C "<wt>" matrix`, v()))
        .shell((t) => line(t, `${B} -C "<wt>" start`, { ...v(), ...digest(t) }), 'start')
        .shell((t) => line(t, 'date -u'), 'date')
        .write(() => path.join(dir(), 'journal.md'), (t) => appendEntry(path.join(dir(), 'journal.md'), `### ${outputOf(t.result('date'))} — ${attempt === 1 ? 'started' : `fixing FAIL, attempt ${attempt}`}`, attempt === 1 ? 'Plan: the page link, the route, then the exporter, tested through the link.' : 'Violation 1: format every total with two decimals, and assert it through the route.'));
      for (const [file, content] of Object.entries(files)) session.write(() => path.join(wt(), file), () => content);
      session
        .commit(wt, () => [...Object.keys(files).map((file) => path.join(wt(), file)), path.join(dir(), 'journal.md')], () => attempt === 1
          ? [`feat(export): land ${SLICE} — ${TITLE.toLowerCase()}`, 'What: the Export CSV link, its route and the exporter. Why: accountants re-type invoices.\nDecisions: quote only when needed. Deferrals: none.']
          : [`fix(export): ${SLICE} — totals with two decimals`, 'Fixes violation 1: every total is formatted with two decimals.'])
        .shell((t) => line(t, 'mktemp -d'), 'scratch')
        .shell((t) => {
          found.scratch = outputOf(t.result('scratch')).trim();
          return line(t, '(cd "<wt>" && <command>) >', v());
        }, 'tests')
        .shell((t) => line(t, `${B} -C "<wt>" evidence`, { ...v(), ...digest(t), 'path — what it shows': 'test/export-csv.test.js:5 — follows the Export CSV link from the invoices page' }, [' ...']), 'evidence')
        .shell((t) => line(t, `${B} -C "<wt>" changed-files`, v()), 'changed-files')
        .read(() => path.join(found.scratch ?? '', '1.log'), 'log')
        .write(() => path.join(dir(), 'proof.md'), (t) => proofText(outputOf(t.result('changed-files')), readLog(t.result('log')), outputOf(t.result('tests'))))
        .write(() => path.join(dir(), 'journal.md'), () => appendEntry(path.join(dir(), 'journal.md'), '### ready for the first pass', 'Delivered all four acceptance checks; nothing deferred.'))
        .commit(wt, () => [path.join(dir(), 'proof.md'), path.join(dir(), 'journal.md')], (t) => [line(t, 'docs(release/<release>/<slice>): proof bundle')])
        .shell((t) => line(t, `${B} -C "<wt>" verify`, v()), 'first-pass')
        .write(() => path.join(dir(), 'proof.md'), (t) => readFileSync(path.join(dir(), 'proof.md'), 'utf8').replace(/\[fill: paste the output here\]/, outputOf(t.result('first-pass'))))
        .commit(wt, () => [path.join(dir(), 'proof.md')], (t) => [line(t, 'docs(release/<release>/<slice>): proof bundle')])
        .shell((t) => line(t, 'git -C "<wt>" status --short', v()), 'clean')
        .shell((t) => line(t, `${B} -C "<wt>" transition`, { ...v(), ...digest(t) }), 'transition');
      return { session, found };
    };

    const verify = () => {
      const found: Record<string, string> = {};
      const v = () => ({ wt: found.wt ?? '', command: found.command ?? 'npm test', file: found.notes ?? '', VERDICT: found.verdict ?? '' });
      const session = new AgentSession(client.tools)
        .read(skill('verifier'))
        .shell(sliceBrief, 'brief')
        .shell((t) => line(t, `${B} board --json`), 'board')
        .shell((t) => {
          found.wt = jsonOf<Board>(t.result('board')).releases[0]?.tracks.find((track) => track.id === TRACK)?.worktree ?? '';
          return line(t, 'git -C "<wt>" status --porcelain', v());
        })
        .shell((t) => line(t, 'git -C "<wt>" rev-parse HEAD', v()), 'head')
        .shell((t) => line(t, `${B} -C "<wt>" verify`, v()), 'first-pass')
        .shell((t) => line(t, `${B} -C "<wt>" changed-files`, v()))
        .shell((t) => line(t, '(cd "<wt>" && <command>)', v()).replace(/\)$/, ') 2>&1'), 'tests')
        // The verifier's own probe of acceptance check 4: the CSV as the accountant receives it.
        .shell((t) => {
          found.command = `node --input-type=module -e "const { handle } = await import('./src/server.js'); console.log((await handle('/invoices/export.csv')).body)"`;
          return line(t, '(cd "<wt>" && <command>)', v());
        }, 'probe')
        .shell((t) => line(t, 'mktemp'), 'notes')
        .write((t) => (found.notes = outputOf(t.result('notes')).trim()), (t) => {
          const passes = /^INV-1001,.*,1200\.50\r?$/m.test(outputOf(t.result('probe')));
          found.verdict = passes ? 'PASS' : 'FAIL';
          return verdictNotes(found.verdict, outputOf(t.result('head')).trim(), outputOf(t.result('probe')));
        })
        .shell((t) => line(t, `${B} -C "<wt>" verdict`, { ...v(), ...digest(t) }), 'verdict')
        .shell((t) => line(t, 'git -C "<wt>" log -1 --format=%s', v()), 'subject')
        .shell((t) => line(t, `${B} -C "<wt>" next`, v()), 'next');
      return { session, found };
    };

    const first = implement(1);
    const firstReceipts = await session('implement-slice (attempt 1)', 'implement-slice', `${SLICE} ${RELEASE}`, first.session);
    expect(firstReceipts.map((receipt) => receipt.event)).toEqual(['worktree', 'started', 'evidence', 'implemented']);
    const firstDigest = await expectBrief('implement-slice (attempt 1)', first.session, firstReceipts);
    expect(outputOf(said(first.session, 'worktree'))).toMatch(/Created worktree .* on track\/2026-11-21-invoice-export\/T1-csv-export/);
    expect(outputOf(said(first.session, 'branch'))).toBe(`track/${RELEASE}/${TRACK}`);
    expect(outputOf(said(first.session, 'start'))).toMatch(/planned → in_progress/);
    expect(outputOf(said(first.session, 'tests'))).toBe('exit code: 0');
    expect(exitCodeOf(said(first.session, 'first-pass'))).toBe(0);
    expect(outputOf(said(first.session, 'transition'))).toMatch(/in_progress → implemented/);
    const wt = first.found.wt ?? '';
    if (client.name === 'Codex') expect(wt).toBe(path.join(repo, '.worktrees', RELEASE, TRACK));
    else expect(wt).toBe(path.join(base, 'invoices app-worktrees', RELEASE, TRACK));
    expect(await slice()).toMatchObject({ state: 'implemented', receipts: { attempt: 1 } });
    expect(await git(repo, 'status', '--porcelain')).toBe('');

    const failing = verify();
    const failReceipts = await session('verify-slice (FAIL)', 'verify-slice', `${SLICE} ${RELEASE}`, failing.session);
    expect(failReceipts.map((receipt) => receipt.event)).toEqual(['verdict']);
    await expectBrief('verify-slice (FAIL)', failing.session, failReceipts);
    expect(failing.found.verdict).toBe('FAIL');
    expect(outputOf(said(failing.session, 'probe'))).toMatch(/INV-1001,Acme Ltd,2026-10-03,1200\.5\r?$/m);
    expect(outputOf(said(failing.session, 'subject'))).toBe(`chore(release/${RELEASE}/${SLICE}): verifier verdict — FAIL`);
    expect(await slice()).toMatchObject({ state: 'failed_verification', receipts: { failures: 1 } });

    const second = implement(2);
    const secondReceipts = await session('implement-slice (attempt 2)', 'implement-slice', `${SLICE} ${RELEASE}`, second.session);
    // The worktree exists, so baton worktree records nothing this time.
    expect(secondReceipts.map((receipt) => receipt.event)).toEqual(['started', 'evidence', 'implemented']);
    const secondDigest = await expectBrief('implement-slice (attempt 2)', second.session, secondReceipts);
    expect(secondDigest, 'a new session starts from a new brief').not.toBe(firstDigest);
    expect(await slice()).toMatchObject({ state: 'implemented', receipts: { attempt: 2 } });

    const passing = verify();
    const passReceipts = await session('verify-slice (PASS)', 'verify-slice', `${SLICE} ${RELEASE}`, passing.session);
    expect(passReceipts.map((receipt) => receipt.event)).toEqual(['verdict']);
    await expectBrief('verify-slice (PASS)', passing.session, passReceipts);
    expect(passing.found.verdict).toBe('PASS');
    expect(outputOf(said(passing.session, 'subject'))).toBe(`chore(release/${RELEASE}/${SLICE}): verifier verdict — PASS`);
    expect(await slice()).toMatchObject({ state: 'verified' });
    expect(outputOf(said(passing.session, 'next'))).toMatch(/merge-track/);

    // --- merge-track, merge-release, mark-shipped. ---
    const merging: Record<string, string> = {};
    const m = () => ({ rwt: merging.rwt ?? '', twt: merging.twt ?? '', n: '1', m: '0', body: 'The track holds one verified slice, S01-export-csv.' });
    const mergeTrack = new AgentSession(client.tools)
      .read(skill('integrator'))
      .shell((t) => line(t, `${B} board --json`), 'board')
      .shell((t) => {
        const release = jsonOf<Board>(t.result('board')).releases[0];
        merging.rwt = release?.releaseWorktree ?? '';
        merging.twt = release?.tracks[0]?.worktree ?? '';
        return line(t, `${B} brief`);
      }, 'brief')
      .shell((t) => line(t, `${B} gate merge-track`), 'gate')
      .shell((t) => line(t, 'git -C "<rwt>" status --porcelain', m()))
      .shell((t) => line(t, 'git -C "<twt>" status --porcelain', m()))
      .shell((t) => line(t, 'git -C "<twt>" remote', m()))
      .shell((t) => line(t, 'git -C "<rwt>" rev-list --count track/', m()), 'drift')
      .shell((t) => line(t, 'git -C "<rwt>" merge --no-ff track/', m()), 'merge')
      .shell((t) => line(t, 'git -C "<rwt>" rev-parse HEAD', m()))
      .shell((t) => line(t, `${B} -C "<rwt>" merged`, { ...m(), ...digest(t) }), 'merged');
    const mergeReceipts = await session('merge-track', 'merge-track', `${TRACK} ${RELEASE}`, mergeTrack);
    expect(mergeReceipts.map((receipt) => receipt.event)).toEqual(['track-merged']);
    await expectBrief('merge-track', mergeTrack, mergeReceipts);
    expect(exitCodeOf(said(mergeTrack, 'gate'))).toBe(0);
    expect(outputOf(said(mergeTrack, 'drift'))).toBe('0');
    expect((await board())?.tracks).toMatchObject([{ id: TRACK, state: 'merged' }]);
    expect(await git(repo, 'log', '-1', '--format=%s', `release-wt/${RELEASE}~1`)).toBe(`Merge track ${TRACK} into release-wt/${RELEASE} — 1 slices verified`);

    const mergeRelease = new AgentSession(client.tools)
      .read(skill('integrator'))
      .shell((t) => line(t, `${B} brief`), 'brief')
      .shell((t) => line(t, 'git worktree list --porcelain | head'))
      .shell((t) => line(t, 'git rev-parse --show-toplevel'))
      .shell((t) => line(t, `${B} board --json`))
      .shell((t) => line(t, 'git branch --show-current'))
      .shell((t) => line(t, 'git status --porcelain'), 'clean')
      .shell((t) => line(t, 'git remote'))
      .shell((t) => line(t, `${B} gate merge-release`), 'gate')
      .shell((t) => line(t, 'git rev-list --count release-wt/'), 'ahead')
      .shell((t) => line(t, 'git merge --no-ff release-wt/', m()), 'merge')
      .shell((t) => line(t, 'git rev-parse HEAD'));
    // merge-release records no state change: its brief's digest goes on nothing.
    expect(await session('merge-release', 'merge-release', RELEASE, mergeRelease)).toEqual([]);
    await expectBrief('merge-release', mergeRelease, []);
    expect(outputOf(said(mergeRelease, 'clean'))).toBe('');
    expect(exitCodeOf(said(mergeRelease, 'gate'))).toBe(0);
    expect(await git(repo, 'log', '-1', '--format=%P', 'main')).toMatch(/^[0-9a-f]{40} [0-9a-f]{40}$/);
    expect(await git(repo, 'log', '-1', '--format=%s', 'main')).toBe(`chore(main): merge release-wt/${RELEASE} — 1 slices verified, 0 deferred`);
    expect(await board()).toMatchObject({ mergedToIntegration: true });

    const shipping: Record<string, string> = {};
    const markShipped = new AgentSession(client.tools)
      .read(skill('integrator'))
      .shell((t) => line(t, `${B} brief`), 'brief')
      .shell((t) => line(t, 'git worktree list --porcelain | head'), 'primary')
      .shell((t) => line(t, 'git rev-parse --show-toplevel'))
      .shell((t) => line(t, `${B} board --json`))
      .shell((t) => line(t, 'git branch --show-current'))
      .shell((t) => line(t, 'git status --porcelain'))
      .shell((t) => line(t, 'git remote'))
      .shell((t) => line(t, `${B} gate mark-shipped`), 'gate')
      .shell((t) => line(t, 'git rev-parse <integration>'), 'head')
      // The human confirms the deploy of main's head, with a reference.
      .shell((t) => line(t, 'git rev-parse --verify "<answer>^{commit}"', { answer: outputOf(t.result('head')).trim() }), 'deployed')
      .shell((t) => {
        shipping.deployed = outputOf(t.result('deployed')).trim();
        return line(t, `${B} ship <release>`, { deployed: shipping.deployed, reference: 'deploy #42', ...digest(t) });
      }, 'ship')
      .shell((t) => line(t, 'git rev-parse HEAD'));
    const shipReceipts = await session('mark-shipped', 'mark-shipped', RELEASE, markShipped);
    expect(shipReceipts.map((receipt) => receipt.event)).toEqual(['shipped']);
    await expectBrief('mark-shipped', markShipped, shipReceipts);
    expect(outputOf(said(markShipped, 'primary'))).toBe(repo);
    expect(outputOf(said(markShipped, 'ship'))).toMatch(/S01-export-csv/);
    expect(await slice()).toMatchObject({ state: 'shipped' });
    expect((await board())?.counts).toMatchObject({ shipped: 1 });

    // The receipts: every state change of the slice, in order, each a commit made by baton.
    const log = await baton('log', SLICE, RELEASE);
    expect(log.stdout.match(/\b(start|implemented|verdict|ship)\w*/g)?.join(' ')).toMatch(/start.*implemented.*verdict.*start.*implemented.*verdict.*ship/);
    console.log(`${client.name}: ${Object.entries(timings).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  });
});

interface ReceiptCommit {
  commit: string;
  /** Its Baton-Event. */
  event: string;
  /** Its Baton-Brief, '' when it has none. */
  brief: string;
}

/** Every receipt on the repository's branches, oldest first, its trailers as git itself parses them. */
async function receiptCommits(repo: string): Promise<ReceiptCommit[]> {
  const log = await git(repo, 'log', '--branches', '--reverse', '--topo-order', '--format=%H%x1f%(trailers:key=Baton-Event,valueonly,separator=)%x1f%(trailers:key=Baton-Brief,valueonly,separator=)');
  return log
    .split('\n')
    .map((text) => text.split('\x1f'))
    .map(([commit = '', event = '', brief = '']) => ({ commit, event, brief }))
    .filter((receipt) => receipt.event !== '');
}

/** The index.md of a planned release: the matrix pasted in and every other section filled. */
function filledIndex(index: string, matrix: string): string {
  return index
    .replace(/\[fill: one sentence, the release goal[^\]]*\]/, 'Accountants export the invoice list as CSV.')
    .replace(/\[fill: a date, or "uncommitted"\]/, 'uncommitted')
    .replace(/\[fill: the output of `baton matrix[^\]]*\]/, matrix)
    .replace(/\[fill: migrations,[^\]]*\]/, 'None')
    .replace(/\[fill: each deferral[^\]]*\]/, 'None');
}

/** A file's text with a Session log entry appended at the end of that section. */
function appendEntry(file: string, heading: string, body: string): string {
  const text = readFileSync(file, 'utf8');
  const entry = `${heading}\n\n${body}\n\n`;
  const open = text.indexOf('## Open questions');
  return open === -1 ? `${text}\n${entry}` : `${text.slice(0, open)}${entry}${text.slice(open)}`;
}

function readLog(result: string): string {
  // Claude Code's Read numbers each line ("    1\t…"); Codex's cat does not.
  return outputOf(result).split('\n').map((text) => text.replace(/^\s*\d+\t/, '')).join('\n');
}

/** The proof bundle: the example's, with the live Files changed and Test results put in. */
function proofText(changedFiles: string, log: string, exit: string): string {
  const proof = fixture('release', SLICE, 'proof.md');
  return proof
    .replace(/```text\n\$ baton changed-files[\s\S]*?```/, `\`\`\`text\n$ baton changed-files ${SLICE} ${RELEASE}\n${changedFiles}\n\`\`\``)
    .replace(/```text\n\$ npm test[\s\S]*?```/, `\`\`\`text\n$ npm test\n${log.trim()}\n${exit.trim()}\n\`\`\``);
}

function verdictNotes(verdict: string, head: string, csv: string): string {
  const header = `VERDICT: ${verdict}\nSlice: ${SLICE} (release ${RELEASE}, track ${TRACK})\nCommit verified: ${head}\nSession: fresh session, artefacts only\n`;
  if (verdict === 'FAIL') {
    const total = /^INV-1001,.*$/m.exec(csv)?.[0]?.trim() ?? '';
    return `${header}Violations:\n1. Gate 6 — acceptance check 4 (totals have two decimals) is not met: /invoices/export.csv prints "${total}".\nRequired fixes:\n1. Format every total with two decimals, and assert it through the route.\n`;
  }
  return `${header}Gates:\n1. Reachable outcome: the Export CSV link on /invoices downloads the CSV.\n2. Touchpoints: the four planned files, nothing else.\n3. Tests: npm test passes in my run.\n4. Reachability artefact: test/export-csv.test.js follows the link.\n5. No silent deferrals: none found.\n6. Scope: all four acceptance checks met; totals print 1200.50 and 89.99.\n`;
}

/** The first candidate: everything but two-decimal totals (the fixture's exporter, with the bug a verifier finds). */
const FIRST_ATTEMPT: Record<string, string> = {
  'src/export-csv.js': fixture('changes', SLICE, 'src/export-csv.js').replace('i.total.toFixed(2)', 'i.total'),
  'src/server.js': fixture('changes', SLICE, 'src/server.js'),
  'public/invoices.html': fixture('changes', SLICE, 'public/invoices.html'),
  'test/export-csv.test.js': fixture('changes', SLICE, 'test/export-csv.test.js'),
};

/** The fix: two decimals, and a test that holds the route to it. */
const SECOND_ATTEMPT: Record<string, string> = {
  'src/export-csv.js': fixture('changes', SLICE, 'src/export-csv.js'),
  'test/export-csv.test.js': fixture('changes', SLICE, 'test/export-csv.test.js').replace(
    /(\n\}\);\n)$/,
    "\n  assert.match(csv.body, /^INV-1001,Acme Ltd,2026-10-03,1200\\.50$/m);$1",
  ),
};

