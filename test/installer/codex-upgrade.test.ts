import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { packageWith, runInstall } from '../helpers/package.js';
import { toOldCodexLayout } from '../helpers/old-codex-layout.js';
import { REPO_ROOT } from '../helpers/run.js';
import { gitdir, testdir } from '../helpers/testdir.js';

/**
 * baton 0.1 put Codex's skills in the shared `.agents/skills`; this version puts them in Codex's own
 * folders. An upgrade removes the old ones, which the earlier manifest lists, so Codex never sees a
 * skill twice (which makes `$baton-<name>` inject nothing: see test/conformance/codex-skills.test.ts).
 */

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/packs/valid');

function lines(stdout: string, action: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`  ${action} `))
    .map((line) => line.slice(2 + action.length).trim().replace(/ {2}\(.*\)$/, ''));
}

describe('upgrading a Codex install from the .agents/skills layout', () => {
  test('user scope: the skills move to $CODEX_HOME/skills and ~/.agents, which baton made, goes', async () => {
    const pkg = await packageWith(FIXTURE);
    const home = await testdir();
    expect((await runInstall(['--yes', '--target', 'codex'], { packageRoot: pkg, home })).exitCode).toBe(0);
    await toOldCodexLayout({ home });

    const upgrade = await runInstall(['--yes'], { packageRoot: pkg, home });
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    expect(upgrade.stdout).toContain(`Tools found: Codex (${home}/.codex).`);
    expect(lines(upgrade.stdout, 'remove').sort()).toEqual([path.join(home, '.agents/skills/baton-check-thing/SKILL.md'), path.join(home, '.agents/skills/baton-checker/SKILL.md')]);
    expect(lines(upgrade.stdout, 'create').sort()).toEqual([path.join(home, '.codex/skills/baton-check-thing/SKILL.md'), path.join(home, '.codex/skills/baton-checker/SKILL.md')]);
    expect((await readdir(home)).sort()).toEqual(['.codex']);
    const manifest = await readFile(path.join(home, '.codex/baton/manifest.json'), 'utf8');
    expect(manifest).not.toContain('"agents"');
    const again = await runInstall(['--yes'], { packageRoot: pkg, home });
    expect(again.stdout).toMatch(/is up to date/);
  });

  test('user scope: a skill you edited in ~/.agents/skills is kept and reported, and other files there stay', async () => {
    const pkg = await packageWith(FIXTURE);
    const home = await testdir({ '.agents/skills/my-skill/SKILL.md': '---\nname: my-skill\ndescription: mine\n---\n' });
    expect((await runInstall(['--yes', '--target', 'codex'], { packageRoot: pkg, home })).exitCode).toBe(0);
    await toOldCodexLayout({ home });
    const edited = path.join(home, '.agents/skills/baton-checker/SKILL.md');
    await writeFile(edited, `${await readFile(edited, 'utf8')}\nMy note.\n`);

    const upgrade = await runInstall(['--yes'], { packageRoot: pkg, home });
    expect(upgrade.exitCode).toBe(1);
    expect(upgrade.stdout).toContain(`conflict   ${edited}  (baton would remove it, but you edited it; kept as it is; --force removes it after a backup)`);
    expect((await readdir(path.join(home, '.agents/skills'))).sort()).toEqual(['baton-checker', 'my-skill']);
    const forced = await runInstall(['--yes', '--force'], { packageRoot: pkg, home });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await readdir(path.join(home, '.agents/skills'))).toEqual(['my-skill']);
  });

  test('project scope: the skills move from .agents/skills to .codex/skills', async () => {
    const pkg = await packageWith(FIXTURE);
    const repo = await gitdir();
    const home = await testdir();
    expect((await runInstall(['--yes', '--scope', 'project', '--target', 'codex'], { packageRoot: pkg, home, cwd: repo })).exitCode).toBe(0);
    await toOldCodexLayout({ repo });
    expect((await readdir(repo)).sort()).toEqual(['.agents', '.baton', '.git', 'README.md']);

    const upgrade = await runInstall(['--yes', '--scope', 'project'], { packageRoot: pkg, home, cwd: repo });
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    expect(lines(upgrade.stdout, 'remove').sort()).toEqual([path.join(repo, '.agents/skills/baton-check-thing/SKILL.md'), path.join(repo, '.agents/skills/baton-checker/SKILL.md')]);
    expect((await readdir(repo)).sort()).toEqual(['.baton', '.codex', '.git', 'README.md']);
    expect(await readdir(path.join(repo, '.codex/skills'))).toEqual(['baton-check-thing', 'baton-checker']);
  });
});
