import { createHash } from 'node:crypto';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { packageWith, runInstall } from '../helpers/package.js';
import { REPO_ROOT, type RunResult } from '../helpers/run.js';
import { contentOnly, snapshotTree } from '../helpers/tree.js';
import { testdir, writeFiles } from '../helpers/testdir.js';

/**
 * An install interrupted at any moment (SIGKILL, a full disk) is finished or undone: the next run
 * exits 0, reports no false conflict, leaves no temporary file and every recorded file is there.
 */

const FIXTURE_PACK = path.join(REPO_ROOT, 'test/fixtures/packs/valid');
const LEFTOVER = /\.baton-(tmp|old)-|install-journal/;

let v1: string;
let v2: string;
/** A home with v1 installed, copied for each run. */
let installedV1: string;
/** What a clean upgrade to v2 leaves in the home. */
let upgraded: string[];
/** How long a whole upgrade took here, to spread the random kills over it. */
let upgradeMs: number;

async function pack(changes: Record<string, string>): Promise<string> {
  const dir = await testdir({}, 'baton-pack-');
  await cp(FIXTURE_PACK, dir, { recursive: true });
  await writeFiles(dir, changes);
  return packageWith(dir);
}

beforeAll(async () => {
  v1 = await pack({ 'rules/old-rule.md': '# Old\n\nGoes away in v2.\n' });
  const command = await readFile(path.join(FIXTURE_PACK, 'commands/check-thing.md'), 'utf8');
  v2 = await pack({
    'commands/check-thing.md': `${command}\n6. Also say thanks.\n`,
    'commands/new-thing.md': '---\ndescription: New in v2.\n---\n# New thing\n\nDo the new thing.\n',
    'rules/be-careful.md': '---\ntitle: Be careful\n---\n# Be careful\n\nCheck three times.\n',
    'skills/checker/SKILL.md': '---\ndescription: The checker role, version two.\n---\n# Checker\n\nRead `{{rule "be-careful"}}`.\n',
  });
  installedV1 = await testdir();
  // Two tools share the journal and the steps every target goes through; each later run finds just
  // these two, so the step-by-step kills stay within their time with every tool baton knows.
  const first = await runInstall(['--yes', '--target', 'claude,codex'], { packageRoot: v1, home: installedV1 });
  expect(first.exitCode, first.stderr).toBe(0);
  const reference = await homeWithV1();
  const started = Date.now();
  expect((await runInstall(['--yes'], { packageRoot: v2, home: reference })).exitCode).toBe(0);
  upgradeMs = Date.now() - started;
  upgraded = Object.keys(await snapshotTree(reference)).sort();
}, 60_000);

async function homeWithV1(): Promise<string> {
  const home = await testdir();
  await cp(installedV1, home, { recursive: true });
  return home;
}

/** The checks after an interrupted upgrade and one more run. */
async function expectSettled(home: string, rerun: RunResult, what: string): Promise<void> {
  expect(rerun.exitCode, `${what}\n${rerun.stdout}\n${rerun.stderr}`).toBe(0);
  expect(rerun.stdout, what).not.toMatch(/^ {2}conflict /m);
  const tree = await snapshotTree(home);
  expect(Object.keys(tree).filter((name) => LEFTOVER.test(name)), what).toEqual([]);
  for (const manifestFile of ['.claude/baton/manifest.json', '.codex/baton/manifest.json']) {
    const manifest = JSON.parse(await readFile(path.join(home, manifestFile), 'utf8')) as { files: { root: string; path: string; sha256: string }[] };
    const rootDir = path.dirname(path.dirname(path.join(home, manifestFile)));
    for (const entry of manifest.files) {
      const root = entry.root === 'agents' ? path.join(home, '.agents') : rootDir;
      const bytes = await readFile(path.join(root, entry.path)).catch(() => null);
      expect(bytes && createHash('sha256').update(bytes).digest('hex'), `${what}: ${entry.root}/${entry.path}`).toBe(entry.sha256);
    }
  }
  // The same files and folders as a clean upgrade, each with v2's content (content names the home, so
  // it is compared by a dry run here rather than with the reference home).
  expect(Object.keys(tree).sort(), what).toEqual(upgraded);
  const check = await runInstall(['--dry-run', '--json'], { packageRoot: v2, home });
  const plan = JSON.parse(check.stdout) as { files: { action: string; path: string }[] };
  expect(plan.files.filter((file) => file.action !== 'unchanged'), what).toEqual([]);
}

describe('an upgrade killed at every step', () => {
  test('is finished or undone by the next run, whatever the step', async () => {
    let step = 1;
    for (; step < 500; step += 1) {
      const home = await homeWithV1();
      const crashed = await runInstall(['--yes'], { packageRoot: v2, home, env: { BATON_INSTALL_CRASH_AT: String(step) } });
      if (crashed.exitCode === 0) break; // fewer steps than that: the loop has covered them all
      expect(crashed.exitCode, `step ${step}: ${crashed.stderr}`).toBe(-1);
      await expectSettled(home, await runInstall(['--yes'], { packageRoot: v2, home }), `killed before step ${step}`);
    }
    expect(step).toBeGreaterThan(10);
  }, 300_000);

  test('killed at random moments, then run again', async () => {
    for (let run = 0; run < 8; run += 1) {
      const home = await homeWithV1();
      const child = execa('node', [path.join(v2, 'dist/baton-install.mjs'), '--yes'], { env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false, reject: false });
      // Mostly in the second half of the run, where the files are written (not a timing assertion:
      // wherever the kill lands, the next run must settle the home).
      setTimeout(() => child.kill('SIGKILL'), Math.floor(upgradeMs * (0.4 + Math.random() * 0.6)));
      await child;
      await expectSettled(home, await runInstall(['--yes'], { packageRoot: v2, home }), `random kill ${run}`);
    }
  }, 120_000);
});

describe('a full disk while staging', () => {
  test('rolls every change back, leaves no temporary file, and says so', async () => {
    let write = 1;
    for (; write < 200; write += 1) {
      const home = await homeWithV1();
      const before = contentOnly(await snapshotTree(home));
      const result = await runInstall(['--yes'], { packageRoot: v2, home, env: { BATON_INSTALL_ENOSPC_AT: String(write) } });
      if (result.exitCode === 0) break;
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr, `write ${write}`).toMatch(/: no space left on the device \(ENOSPC\)\. Every change was rolled back; your files are as they were\.\nfix: Free some disk space and run again\./);
      expect(contentOnly(await snapshotTree(home)), `write ${write}`).toEqual(before);
    }
    expect(write).toBeGreaterThan(3);
  }, 120_000);
});

describe('what an interrupted run leaves', () => {
  test('a dry run reports a pending journal and changes nothing; the real run then finishes it', async () => {
    // Killed just after the commit point (the first kill that leaves a journal saying "switching").
    let home = '';
    let state = '';
    const journal = () => path.join(home, '.claude/baton/install-journal.json');
    for (let step = 1; state !== 'switching' && step < 500; step += 1) {
      home = await homeWithV1();
      expect((await runInstall(['--yes'], { packageRoot: v2, home, env: { BATON_INSTALL_CRASH_AT: String(step + 3) } })).exitCode).toBe(-1);
      state = ((JSON.parse(await readFile(journal(), 'utf8').catch(() => '{}')) as { state?: string }).state) ?? '';
    }
    expect(state).toBe('switching');
    const before = await snapshotTree(home);
    const dry = await runInstall(['--dry-run'], { packageRoot: v2, home });
    expect(dry.exitCode).toBe(1);
    expect(dry.stderr).toBe(
      `error: An earlier baton-install was interrupted (${journal()}), so the plan cannot be shown yet.\nfix: Run baton-install without --dry-run: it first finishes (or undoes) the interrupted install, then shows and applies its plan.`,
    );
    expect(await snapshotTree(home)).toEqual(before);
    const real = await runInstall(['--yes'], { packageRoot: v2, home });
    expect(real.stderr).toContain(`note: an earlier baton-install was interrupted; it has been finished (${journal()}).`);
    await expectSettled(home, real, 'after the dry run');
  });

  test('leftovers of a run without a journal are removed; only names of baton\'s own pattern', async () => {
    const home = await homeWithV1();
    await writeFiles(home, {
      '.claude/commands/check-thing.md.baton-tmp-0badf00d': '',
      '.claude/baton/rules/be-careful.md.baton-old-12345678': 'old\n',
      '.claude/commands/mine.baton-tmp-notours': 'mine\n',
      'elsewhere/x.baton-tmp-0badf00d': 'not a folder baton manages\n',
    });
    const result = await runInstall(['--yes'], { packageRoot: v1, home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('note: removed 2 temporary file(s) left by an interrupted install.');
    const names = Object.keys(await snapshotTree(home));
    expect(names.filter((name) => name.includes('.baton-'))).toEqual(['.claude/commands/mine.baton-tmp-notours', 'elsewhere/x.baton-tmp-0badf00d']);
  });

  test('a journal committed in a repository that names a file outside it is refused', async () => {
    const base = await testdir({ 'victim/secret.txt': 'do not touch\n' });
    const repo = path.join(base, 'repo');
    await execa('git', ['init', '--quiet', repo]);
    const victim = path.join(base, 'victim/secret.txt');
    await writeFiles(repo, {
      '.baton/install-journal.json': JSON.stringify({ format: 1, tx: '0badf00d', state: 'switching', createDirs: [], backups: [], steps: [{ path: victim, op: 'remove' }], removeDirs: [path.join(base, 'victim')] }),
    });
    const before = await snapshotTree(base);
    const result = await runInstall(['--yes', '--scope', 'project'], { packageRoot: v1, home: base, cwd: repo });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: The install journal ${path.join(repo, '.baton/install-journal.json')} is damaged: it names "${path.dirname(victim)}", which is not inside the folders baton installs into.`);
    expect(await snapshotTree(base)).toEqual(before);
  });
});
