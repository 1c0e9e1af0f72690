import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import { REPO_ROOT, runBin } from '../helpers/run.js';
import { git, GIT_ENV } from '../helpers/testdir.js';
import { runCodex } from './clients.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

/**
 * What baton tells an agent in Codex's workspace-write sandbox (Codex CLI 0.169.0) when the setting the
 * README asks for is missing: the git folder is read-only, or a worktree lies outside the folder Codex
 * started in. The message must name the exact setting, with this repository's paths, because the
 * agent can only pass it on to the human. The repository is outside /tmp, which the sandbox lets
 * every command write.
 */

let server: RecordingServer;
let commands: string[] = [];
let results: string[] = [];
let base: string;
const BATON = shellQuote(path.join(REPO_ROOT, 'dist/baton.mjs'));

beforeAll(async () => {
  server = await startRecordingServer({
    script: (conversation) => {
      results = conversation.results;
      return commands[conversation.results.length];
    },
  });
  base = await mkdtemp(path.join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'baton sandbox-'));
});
afterAll(async () => {
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

/** A repository with one planned slice, made outside the sandbox. */
async function plannedRepo(name: string): Promise<string> {
  const repo = path.join(base, name);
  await mkdir(repo);
  await git(repo, 'init', '-q', '--initial-branch=main');
  await git(repo, 'commit', '-q', '--allow-empty', '-m', 'initial commit');
  for (const args of [['new-release', '2026-12-01-shop', '--integration-branch', 'main'], ['new-slice', 'S01-cart', '--release', '2026-12-01-shop', '--track', 'T1-cart', '--title', 'A cart']]) {
    const result = await runBin('baton', ['-C', repo, ...args], { env: GIT_ENV });
    if (result.exitCode !== 0) throw new Error(result.stderr);
  }
  return repo;
}

async function inCodex(repo: string, command: string, settings: string): Promise<string> {
  const home = path.join(base, `home ${path.basename(repo)}`);
  commands = [`env ${Object.entries(GIT_ENV).map(([key, value]) => `${key}=${shellQuote(value)}`).join(' ')} node ${BATON} ${command}`];
  results = [];
  await runCodex(server, { prompt: 'Run baton.', home, codexHome: path.join(home, '.codex'), cwd: repo, settings });
  return results[0] ?? '(no result)';
}

describe('baton in Codex\'s workspace-write sandbox names the setting that lets it write', () => {
  test('the git folder read-only: writable_roots with this repository\'s .git', async () => {
    const repo = await plannedRepo('shop');
    const said = await inCodex(repo, 'worktree S01-cart 2026-12-01-shop', 'sandbox_mode = "workspace-write"');
    expect(said).toMatch(/Process exited with code 2/);
    expect(said).toContain(`[sandbox_workspace_write] writable_roots = [${JSON.stringify(path.join(repo, '.git'))}]`);
    expect(said).toContain(`--add-dir ${shellQuote(path.join(repo, '.git'))}`);
  });

  test('the git folder writable but the worktrees beside the repository: keep them in .worktrees', async () => {
    const repo = await plannedRepo('store');
    const settings = ['sandbox_mode = "workspace-write"', '[sandbox_workspace_write]', `writable_roots = [${JSON.stringify(path.join(repo, '.git'))}]`].join('\n');
    const said = await inCodex(repo, 'worktree S01-cart 2026-12-01-shop', settings);
    expect(said).toMatch(/Process exited with code 2/);
    expect(said).toMatch(/git could not create the worktree .*store-worktrees/);
    expect(said).toContain('"worktreeRoot": ".worktrees"');
  });

  test('with both, as the README says, the worktree is made inside the repository and git status stays clean', async () => {
    const repo = await plannedRepo('market');
    await mkdir(path.join(repo, '.baton'));
    await writeFile(path.join(repo, '.baton/config.json'), '{"worktreeRoot": ".worktrees"}\n');
    await git(repo, 'add', '.baton/config.json');
    await git(repo, 'commit', '-q', '-m', 'worktrees inside');
    const settings = ['sandbox_mode = "workspace-write"', '[sandbox_workspace_write]', `writable_roots = [${JSON.stringify(path.join(repo, '.git'))}]`].join('\n');
    const said = await inCodex(repo, 'worktree S01-cart 2026-12-01-shop', settings);
    expect(said).toMatch(/Process exited with code 0/);
    expect(said).toContain(`Track worktree: ${path.join(repo, '.worktrees/2026-12-01-shop/T1-cart')}`);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
  });
});
