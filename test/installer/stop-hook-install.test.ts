import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { pathExists } from '../../scripts/lib/read-text.js';
import { shellQuote } from '../../scripts/lib/shell-quote.js';
import { runInstall } from '../helpers/package.js';
import { gitdir, testdir } from '../helpers/testdir.js';
import { snapshotTree } from '../helpers/tree.js';

/**
 * `baton-install --stop-hook`: the stop hook (docs/stop-hook.md) goes into /implement-slice's
 * frontmatter for Claude Code and into hooks.json for Codex, with no edit of any settings file of the
 * user's; the choice is kept by later runs; `--no-stop-hook` takes it out. The real clients running
 * the installed hook are in test/conformance/stop-hook.test.ts.
 */

const HOOK = (command: string) => ({ Stop: [{ hooks: [{ type: 'command', command, timeout: 120 }] }] });

/** For Claude Code and Codex, whichever of their folders the home already has. */
async function install(args: string[], home: string, cwd?: string) {
  return runInstall(['--yes', '--target', 'claude,codex', ...args], { home, ...(cwd ? { cwd } : {}) });
}

async function frontmatter(file: string): Promise<Record<string, unknown>> {
  return parseYaml(/^---\n([\s\S]*?)\n---/.exec(await readFile(file, 'utf8'))?.[1] ?? '') as Record<string, unknown>;
}

async function commandsWithHooks(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const name of (await readdir(dir)).sort()) if ((await frontmatter(path.join(dir, name))).hooks !== undefined) names.push(name);
  return names;
}

describe('baton-install --stop-hook, user scope', () => {
  test("puts the hook in /implement-slice's frontmatter and in Codex's hooks.json, and nowhere else", async () => {
    const home = await testdir({ '.claude/settings.json': '{ "theme": "dark" }\n' }, 'baton hook home ');
    const result = await install(['--stop-hook'], home);
    expect(result.exitCode, result.stderr).toBe(0);
    const baton = (root: string) => shellQuote(path.join(home, root, 'baton/bin/baton'));
    expect(await commandsWithHooks(path.join(home, '.claude/commands'))).toEqual(['implement-slice.md']);
    expect((await frontmatter(path.join(home, '.claude/commands/implement-slice.md'))).hooks).toEqual(HOOK(`${baton('.claude')} hook stop --client claude`));
    expect(JSON.parse(await readFile(path.join(home, '.codex/hooks.json'), 'utf8'))).toEqual({ hooks: HOOK(`${baton('.codex')} hook stop --client codex`) });
    expect(await readFile(path.join(home, '.claude/settings.json'), 'utf8')).toBe('{ "theme": "dark" }\n');
    expect(result.stdout).toContain(`Codex runs the stop hook in ${path.join(home, '.codex/hooks.json')} only once you trust it: start codex, type /hooks and trust baton's Stop hook.`);
    for (const manifest of ['.claude/baton/manifest.json', '.codex/baton/manifest.json']) {
      expect(JSON.parse(await readFile(path.join(home, manifest), 'utf8')), manifest).toMatchObject({ options: { stopHook: true } });
    }
  });

  test('a later run keeps it, --no-stop-hook takes it out, and an install without the flag never had it', async () => {
    const home = await testdir();
    expect((await install(['--stop-hook'], home)).exitCode).toBe(0);
    const installed = await snapshotTree(home);
    const again = await install([], home);
    expect(again.stdout).toMatch(/is up to date: \d+ files unchanged/);
    expect(await snapshotTree(home)).toEqual(installed);

    const off = await install(['--no-stop-hook'], home);
    expect(off.exitCode, off.stderr).toBe(0);
    expect(off.stdout).toContain(`remove     ${path.join(home, '.codex/hooks.json')}`);
    expect(await commandsWithHooks(path.join(home, '.claude/commands'))).toEqual([]);
    expect(await pathExists(path.join(home, '.codex/hooks.json'))).toBe(false);
    expect(JSON.parse(await readFile(path.join(home, '.claude/baton/manifest.json'), 'utf8'))).not.toHaveProperty('options');

    const plain = await testdir();
    expect((await install([], plain)).exitCode).toBe(0);
    expect(await commandsWithHooks(path.join(plain, '.claude/commands'))).toEqual([]);
    expect(await pathExists(path.join(plain, '.codex/hooks.json'))).toBe(false);
  });

  test("a hooks.json of the user's is never replaced or removed, not even with --force; the note says what to add", async () => {
    const theirs = '{ "hooks": { "PreToolUse": [] } }\n';
    const home = await testdir({ '.codex/hooks.json': theirs });
    const result = await install(['--stop-hook', '--force'], home);
    expect(result.exitCode).toBe(1);
    const command = `${shellQuote(path.join(home, '.codex/baton/bin/baton'))} hook stop --client codex`;
    expect(result.stdout).toContain(
      `conflict   ${path.join(home, '.codex/hooks.json')}  (a hooks file of yours is in the way; kept as it is, even with --force. For baton's stop hook, add this handler under "Stop" yourself: ${JSON.stringify({ type: 'command', command, timeout: 120 })}; or run with --no-stop-hook)`,
    );
    expect(result.stdout).not.toContain('Codex runs the stop hook in');
    expect(await readFile(path.join(home, '.codex/hooks.json'), 'utf8')).toBe(theirs);
    // Claude Code's hook needs no file of the user's: it is in place.
    expect(await commandsWithHooks(path.join(home, '.claude/commands'))).toEqual(['implement-slice.md']);
    expect((await install(['--uninstall', '--force'], home)).exitCode).toBe(0);
    expect(await readFile(path.join(home, '.codex/hooks.json'), 'utf8')).toBe(theirs);
  });

  test('baton\'s hooks.json with a hook of the user\'s added stays, through --force and --uninstall --force', async () => {
    const home = await testdir();
    expect((await install(['--stop-hook'], home)).exitCode).toBe(0);
    const file = path.join(home, '.codex/hooks.json');
    const edited = JSON.parse(await readFile(file, 'utf8')) as { hooks: Record<string, unknown> };
    edited.hooks.PreToolUse = [{ hooks: [{ type: 'command', command: 'my-guard' }] }];
    await writeFile(file, JSON.stringify(edited));
    const forced = await install(['--force'], home);
    expect(forced.stdout).toContain(`conflict   ${file}  (you edited it; kept as it is, even with --force.`);
    const gone = await install(['--uninstall', '--force'], home);
    expect(gone.stdout).toContain(`conflict   ${file}`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(edited);
  });
});

describe('baton-install --stop-hook, project scope', () => {
  test('the hook finds the repository\'s .baton from any folder of it', async () => {
    const repo = await gitdir({ 'README.md': '# shared\n' }, 'baton-hook-project-');
    const result = await install(['--scope', 'project', '--stop-hook'], await testdir(), repo);
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await frontmatter(path.join(repo, '.claude/commands/implement-slice.md'))).hooks).toEqual(HOOK('"$(git rev-parse --show-toplevel)"/.baton/bin/baton hook stop --client claude'));
    expect(JSON.parse(await readFile(path.join(repo, '.codex/hooks.json'), 'utf8'))).toEqual({ hooks: HOOK('"$(git rev-parse --show-toplevel)"/.baton/bin/baton hook stop --client codex') });
    expect(JSON.parse(await readFile(path.join(repo, '.baton/manifest.json'), 'utf8'))).toMatchObject({ options: { stopHook: true } });
  });
});

describe('baton-install --plugin', () => {
  test('ships hooks/hooks.json with the hook, unless --no-stop-hook', async () => {
    const out = path.join(await testdir(), 'plugin');
    expect((await runInstall(['--plugin', out], { home: await testdir() })).exitCode).toBe(0);
    const hooks = JSON.parse(await readFile(path.join(out, 'plugin/hooks/hooks.json'), 'utf8')) as { hooks: unknown };
    expect(hooks.hooks).toEqual(HOOK('"${CLAUDE_PLUGIN_ROOT}/baton/bin/baton" hook stop --client claude'));
    expect(await readFile(path.join(out, 'plugin/README.md'), 'utf8')).toContain("`hooks/hooks.json` is baton's stop hook");

    const without = path.join(await testdir(), 'plugin');
    expect((await runInstall(['--plugin', without, '--no-stop-hook'], { home: await testdir() })).exitCode).toBe(0);
    expect(await pathExists(path.join(without, 'plugin/hooks'))).toBe(false);
  });
});
