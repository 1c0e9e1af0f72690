import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { shellQuote } from '../scripts/lib/shell-quote.js';
import { runInstall } from './helpers/package.js';
import { REPO_ROOT } from './helpers/run.js';
import { testdir } from './helpers/testdir.js';

/**
 * The installed pack keeps every part a fresh agent needs. Each command and role is read as the tool
 * will show it, for both tools, and checked for its required parts, so a later edit cannot silently
 * drop a gate, a stop condition, a commit subject or the next command.
 */

/** What the pack holds, read from its sources, so a new command or role cannot go unchecked. */
const names = async (folder: string, suffix = '') => (await readdir(path.join(REPO_ROOT, folder))).filter((name) => name.endsWith(suffix)).map((name) => name.slice(0, name.length - suffix.length)).sort();
const COMMANDS = await names('commands', '.md');
const ROLES = await names('skills');
const RULES = await names('rules', '.md');

let home: string;
const claude = (file: string) => readFile(path.join(home, '.claude', file), 'utf8');
const codex = (file: string) => readFile(path.join(home, '.codex', file), 'utf8');
const copilot = (file: string) => readFile(path.join(home, '.copilot', file), 'utf8');
const cursor = (file: string) => readFile(path.join(home, '.cursor', file), 'utf8');
const gemini = (file: string) => readFile(path.join(home, '.gemini', file), 'utf8');

beforeAll(async () => {
  home = await testdir();
  const result = await runInstall(['--yes'], { home });
  if (result.exitCode !== 0) throw new Error(result.stderr);
});

const escape = (text: string) => text.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');

/** Every tool's rendering of a command, with its invocation form for the next command and where its arguments arrive. */
async function renderings(command: string) {
  const afterInvocation = (invocation: string) => new RegExp(`everything after \`${escape(invocation)}\``);
  return [
    { tool: 'Claude Code', text: await claude(`commands/${command}.md`), invoke: (name: string) => `/${name}`, argumentsAt: /```text\n\$ARGUMENTS\n```/ },
    { tool: 'Codex', text: await codex(`skills/baton-${command}/SKILL.md`), invoke: (name: string) => `$baton-${name}`, argumentsAt: afterInvocation(`$baton-${command}`) },
    // A TOML file whose prompt is a literal string: the text Gemini CLI sends, as written.
    { tool: 'Gemini CLI', text: await gemini(`commands/baton/${command}.toml`), invoke: (name: string) => `/baton:${name}`, argumentsAt: /```text\n\{\{args\}\}\n```/ },
    { tool: 'GitHub Copilot', text: await copilot(`skills/baton-${command}/SKILL.md`), invoke: (name: string) => `/baton-${name}`, argumentsAt: afterInvocation(`/baton-${command}`) },
    { tool: 'Cursor', text: await cursor(`commands/${command}.md`), invoke: (name: string) => `/${name}`, argumentsAt: afterInvocation(`/${command}`) },
  ];
}

interface Required {
  role: string;
  /** baton subcommands the procedure must run. */
  baton: string[];
  /** State changes whose receipt must name the session's brief (`--brief <digest>`). */
  acknowledged: string[];
  /** Commit subjects (or their fixed part) the procedure must name. */
  subjects: string[];
  /** Gates and stop conditions, as phrases that must appear. */
  gates: RegExp[];
  /** Protocol commands it must offer as the next step. */
  next: string[];
  /** Turn-ending states it must be able to end with. */
  states: string[];
}

const REQUIRED: Record<string, Required> = {
  'plan-release': {
    role: 'planner',
    baton: ['brief', 'board --json', 'new-release', 'new-slice', 'matrix', 'track-deps', 'drop-slice'],
    acknowledged: ['new-slice', 'track-deps', 'drop-slice'],
    subjects: ['write spec', 'docs(release/<release>)'],
    // A new release has no brief before new-release: the session's digest is the one read right after it.
    gates: [/implementation has started/i, /is not a yes, stop/i, /collision/i, /new-release [\s\S]{0,600}?Then run the brief of step 2 again/],
    next: ['implement-slice', 'replan-release'],
    states: ['planned', 'stopped'],
  },
  'replan-release': {
    role: 'planner',
    baton: ['brief', 'board --json', 'unblock', 'reopen', 'defer', 'new-slice', 'matrix', 'gate merge-track', 'track-deps', 'drop-slice'],
    acknowledged: ['unblock', 'reopen', 'defer', 'new-slice', 'track-deps', 'drop-slice'],
    subjects: ['amend spec'],
    gates: [/BLOCKED/, /code conflict|conflict outside|any other conflict/i, /verified. or .shipped. slice.*never edit its spec/i, /escalated/, /changed after its PASS/],
    next: ['implement-slice'],
    states: ['planned', 'stopped'],
  },
  'implement-slice': {
    role: 'implementer',
    baton: ['brief', 'board --json', 'worktree', 'start', 'evidence', 'verify', 'changed-files', 'transition', 'stopped'],
    acknowledged: ['worktree', 'start', 'evidence', 'transition', 'stopped'],
    subjects: ['feat(<area>): land <slice>', 'proof bundle', 'fix(<area>)'],
    gates: [/open BLOCKED verdict/i, /receipts\.escalated/, /blockedBy/, /tracks run in order/i, /track collision/i, /Stopping/, /must print nothing/, /If the state is `failed_verification` or `in_progress`, this session resumes earlier work: do the\s+continuation handshake of `[^`]+proof-bundle\.md` before writing any code/, /re-run every command in\s+`test_commands`/],
    next: ['verify-slice', 'replan-release'],
    states: ['implemented', 'stopped'],
  },
  'verify-slice': {
    role: 'verifier',
    baton: ['brief', 'board --json', 'verify', 'changed-files', 'verdict', 'next'],
    acknowledged: ['verdict'],
    subjects: ['verifier verdict —'],
    gates: [/Freshness/, /six gates/i, /FAIL-versus-BLOCKED/, /INCONCLUSIVE/, /uncommitted changes/i, /receipts\.implemented\.commit/, /marked the slice implemented/],
    next: ['implement-slice', 'merge-track', 'replan-release', 'verify-slice'],
    states: ['verified', 'failed_verification', 'blocked', 'inconclusive', 'stopped'],
  },
  'merge-track': {
    role: 'integrator',
    baton: ['brief', 'gate merge-track', 'merged'],
    acknowledged: ['merged'],
    subjects: ['Merge track <track> into release-wt/<release>', 'sync before track merge'],
    gates: [/merge --abort/, /confirm/i, /(never|not) push/i, /after a slice's PASS/],
    next: ['merge-release', 'replan-release'],
    states: ['track_merged', 'stopped'],
  },
  'merge-release': {
    role: 'integrator',
    baton: ['brief', 'gate merge-release'],
    acknowledged: [],
    subjects: ['forward-merge', 'merge release-wt/<release>'],
    gates: [/primary checkout/i, /behind/i, /confirm/i, /merge --abort/],
    next: ['mark-shipped'],
    states: ['release_merged', 'stopped'],
  },
  'mark-shipped': {
    role: 'integrator',
    baton: ['brief', 'gate mark-shipped', 'ship'],
    acknowledged: ['ship'],
    subjects: ["ship <release> --deployed <deployed> --deploy-ref '<reference>'"],
    gates: [/deploy/i, /confirm/i, /does not contain the release merge|refuses/i],
    next: [],
    states: ['shipped', 'stopped'],
  },
};

describe('every command, as each tool shows it', () => {
  test('the pack has exactly the commands, roles and rules these tests know', () => {
    expect(COMMANDS).toEqual(Object.keys(REQUIRED).sort());
    expect(ROLES).toEqual(['implementer', 'integrator', 'planner', 'verifier']);
    expect(RULES).toEqual(['adversarial-verification', 'agents-fragment', 'capture-discipline', 'commit-messages', 'no-silent-deferrals', 'proof-bundle', 'reachability-gate', 'session-discipline', 'track-mode']);
  });

  for (const command of COMMANDS) {
    const required = REQUIRED[command] as Required;
    test(`${command} keeps its arguments, role, steps, gates, commits and next command`, async () => {
      for (const { tool, text, invoke, argumentsAt } of await renderings(command)) {
        const where = `${command} (${tool})`;
        // Arguments: where the tool puts them, resolved by shape, malformed invocations stopped.
        expect(text, where).toMatch(argumentsAt);
        expect(text, where).toContain('Shape: `^');
        expect(text, where).toMatch(/Stop before doing anything else if a required argument has no matching token/);
        expect(text.replace(argumentsAt, ''), where).not.toMatch(/\{\{|\$\{?\d/);
        // Every baton state command commits its own record; the option is gone.
        expect(text, where).not.toContain('--commit');
        // The role it puts the agent in.
        expect(text, where).toContain(`skills/baton-${required.role}/SKILL.md`);
        // The procedure: numbered steps after "## Steps", each mechanical step a baton command. The
        // arguments block above it names the command's own invocation, so nothing is looked for there.
        const start = text.search(/\n## (Steps|1\. )/);
        expect(start, `${where}: a Steps section`).toBeGreaterThan(0);
        const steps = text.slice(start);
        expect(steps, where).toMatch(/^\s*1\. /m);
        for (const sub of required.baton) expect(steps, `${where}: baton ${sub}`).toMatch(new RegExp(`bin/baton'?( -C "<[a-z ]+>")? ${escape(sub)}`));
        // The session starts from its brief (only a board lookup may come first, to find which release
        // it is about), says what a failed brief means, and names where the digest comes from; the state
        // changes it makes carry that digest.
        const calls = [...steps.matchAll(/bin\/baton'?( -C "<[a-z ]+>")? ([a-z-]+)/g)];
        const brief = calls.findIndex((call) => call[2] === 'brief');
        expect(brief, `${where}: baton brief`).toBeGreaterThanOrEqual(0);
        expect(calls.slice(0, brief).map((call) => call[2]).filter((sub) => sub !== 'board'), `${where}: the first baton command but a board lookup is brief`).toEqual([]);
        const briefStep = steps.slice(calls[brief]?.index).split(/\n\d+\. /)[0] ?? '';
        expect(briefStep, `${where}: what a brief that exits 2 means`).toMatch(/exit 2/i);
        if (required.acknowledged.length > 0) expect(briefStep, `${where}: where the digest comes from`).toMatch(/`Brief <digest>: …`/);
        for (const sub of required.acknowledged) expect(steps, `${where}: baton ${sub} --brief`).toMatch(new RegExp(`bin/baton'?( -C "<[a-z ]+>")? ${escape(sub)} [^\`\n]*--brief <digest>`));
        for (const subject of required.subjects) expect(text, `${where}: subject ${subject}`).toContain(subject);
        for (const gate of required.gates) expect(text, `${where}: ${gate}`).toMatch(gate);
        // Stop conditions in the steps themselves, each saying what stops the command.
        expect(steps.match(/\bstop\b/gi)?.length ?? 0, `${where}: stop conditions`).toBeGreaterThanOrEqual(3);
        for (const next of required.next) expect(steps, `${where}: next ${next}`).toContain(invoke(next));
        // The turn ends with the machine-readable block; every way it can end is written as a state line.
        expect(steps, where).toMatch(/<!-- baton\n\s*state: /);
        const states = [...text.matchAll(/state: `?<?([a-z_ |]+)/g)].flatMap((match) => (match[1] as string).split(/[ |]+/));
        for (const state of required.states) expect(states, `${where}: state ${state}`).toContain(state);
      }
    });
  }
});

describe('every role', () => {
  const required: Record<string, RegExp[]> = {
    planner: [/never|may not|must not/i, /spec/i, /touchpoint/i, /decision/i, /BLOCKED/, /reopen/, /track-deps/, /drop-slice/],
    implementer: [/never|may not|must not/i, /proof/i, /reachab/i, /deferral/i, /start_commit/],
    verifier: [/fresh/i, /Gate 1/i, /Gate 6/i, /FAIL-versus-BLOCKED|FAIL versus BLOCKED/i, /PASS/, /FAIL/, /BLOCKED/, /INCONCLUSIVE/, /never|may not|must not/i],
    integrator: [/never|may not|must not/i, /push/i, /conflict/i, /confirm/i, /gate/i],
  };
  for (const role of ROLES) {
    test(`${role} states its contract, for every tool`, async () => {
      for (const read of [claude, codex, gemini, copilot, cursor]) {
        const text = await read(`skills/baton-${role}/SKILL.md`);
        expect(text).toMatch(new RegExp(`^---\\nname: baton-${role}\\ndescription: `));
        expect(text).not.toMatch(/\{\{|\$\{?\d/);
        expect(text).not.toContain('--commit');
        for (const pattern of required[role] ?? []) expect(text, `${role}: ${pattern}`).toMatch(pattern);
      }
    });
  }
});

describe('the rules', () => {
  test('each rule says what failure it prevents, what it requires and how it is checked', async () => {
    for (const rule of RULES.filter((name) => name !== 'agents-fragment' && name !== 'track-mode')) {
      const text = await claude(`baton/rules/${rule}.md`);
      expect(text, rule).not.toContain('--commit');
      expect(text, rule).toMatch(/^## .*(prevent|failure)/im);
      expect(text, rule).toMatch(/^## .*requir/im);
      expect(text, rule).toMatch(/^## .*check/im);
    }
  });

  test('every turn-ending state a command uses is one session-discipline defines, for the role that ends with it', async () => {
    const text = await claude('baton/rules/session-discipline.md');
    const rows = new Map([...text.matchAll(/^\| `([a-z_]+)` \| ([^|]+) \|/gm)].map((match) => [match[1] as string, match[2] as string]));
    for (const [command, required] of Object.entries(REQUIRED)) for (const state of required.states) expect(rows.has(state), `${command}: ${state}`).toBe(true);
    // The planner's turn ends planned or stopped, whatever state its unblock or reopen gave a slice.
    expect(rows.get('planned')).toMatch(/baton unblock. or .baton reopen/);
    for (const state of ['implemented', 'failed_verification']) expect(rows.get(state), state).not.toMatch(/unblock|reopen|planner/);
  });

  test('track mode states its failure, its invariants, the matrix and the merge order', async () => {
    const text = await claude('baton/rules/track-mode.md');
    for (const heading of ['The failure it prevents', 'Branches', 'Worktrees', 'The registry', 'The four safety invariants', 'The touchpoint matrix', 'Lifecycle and merge order']) {
      expect(text, heading).toContain(`\n## ${heading}\n`);
    }
  });

  test('the fragment for AGENTS.md and CLAUDE.md names no installed path and no template syntax', async () => {
    const text = await claude('baton/rules/agents-fragment.md');
    expect(text).not.toContain(home);
    expect(text).not.toMatch(/\{\{|\[fill:/);
    for (const word of ['planned', 'in_progress', 'implemented', 'verified', 'shipped', 'failed_verification', 'deferred']) expect(text).toContain(word);
  });
});

describe('what each command may run without asking, in Claude Code', () => {
  // Planning and shipping run only baton and git; the rest run the project's own tests.
  const SHELL: Record<string, 'protocol' | 'project'> = {
    'plan-release': 'protocol',
    'replan-release': 'protocol',
    'mark-shipped': 'protocol',
    'implement-slice': 'project',
    'verify-slice': 'project',
    'merge-track': 'project',
    'merge-release': 'project',
  };

  test.each(COMMANDS)('%s declares its allowed-tools', async (command) => {
    const frontmatter = /^---\n([\s\S]*?)\n---/.exec(await claude(`commands/${command}.md`))?.[1] ?? '';
    const baton = shellQuote(path.join(home, '.claude/baton/bin/baton'));
    const bash = SHELL[command] === 'project' ? 'Bash' : `Bash(${baton}:*), Bash(git:*)`;
    expect(frontmatter).toContain(`allowed-tools: ${bash}, Read, Grep, Glob, Edit, Write`);
    expect(await codex(`skills/baton-${command}/SKILL.md`)).not.toContain('allowed-tools');
  });
});
