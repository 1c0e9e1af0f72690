import { chmod, cp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { packageWith, runInstall, selfContainedPackageWith } from '../helpers/package.js';
import { pathExists } from '../../scripts/lib/read-text.js';
import { namedPaths } from '../helpers/named-paths.js';
import { REPO_ROOT } from '../helpers/run.js';
import { VERSION } from '../../scripts/lib/version.js';
import { TARGET_IDS } from '../../installer/targets/index.js';
import { chownTree, contentOnly, snapshotTree } from '../helpers/tree.js';
import { git, gitdir, testdir, writeFiles } from '../helpers/testdir.js';

const FIXTURE_PACK = path.join(REPO_ROOT, 'test/fixtures/packs/valid');

/** A copy of the fixture pack with some files replaced or removed, for upgrade tests. */
async function fixturePack(changes: Record<string, string | null> = {}): Promise<string> {
  const dir = await testdir({}, 'baton-pack-');
  await cp(FIXTURE_PACK, dir, { recursive: true });
  for (const [file, content] of Object.entries(changes)) {
    if (content === null) await import('node:fs/promises').then((fs) => fs.rm(path.join(dir, file)));
    else await writeFiles(dir, { [file]: content });
  }
  return dir;
}

interface JsonPlan {
  files: { action: string; path: string; kind: string; targets: string[]; note?: string; backup?: string }[];
  summary: Record<string, number>;
  applied: boolean;
}

function planLines(stdout: string): { action: string; path: string }[] {
  return stdout
    .split('\n')
    .map((line) => /^ {2}(create|update|unchanged|remove|conflict) +(\/\S.*?)(?: {2}\(.*\))?$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ action: match[1] as string, path: match[2] as string }));
}

let v1: string;
let v2: string;
beforeAll(async () => {
  v1 = await packageWith(await fixturePack({ 'rules/old-rule.md': '# Old\n\nGoes away in v2.\n' }));
  v2 = await packageWith(
    await fixturePack({
      'commands/check-thing.md': (await readFile(path.join(FIXTURE_PACK, 'commands/check-thing.md'), 'utf8')).replace('Check twice', 'Check twice') + '\n6. Also say thanks.\n',
      'rules/be-careful.md': '---\ntitle: Be careful\n---\n# Be careful\n\nCheck three times. The tool: `{{baton}}`.\n',
      'skills/checker/SKILL.md': '---\ndescription: The checker role, version two.\n---\n# Checker\n\nRead `{{rule "be-careful"}}`.\n',
    }),
  );
});

describe('baton-install --dry-run', () => {
  test('lists every file for both tools and leaves the home byte-for-byte unchanged', async () => {
    const home = await testdir({ '.claude/settings.json': '{}\n', '.codex/config.toml': 'model = "x"\n' });
    const before = await snapshotTree(home);
    const result = await runInstall(['--dry-run'], { home });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = JSON.parse((await runInstall(['--dry-run', '--json'], { home })).stdout) as JsonPlan;
    const listed = planLines(result.stdout);
    expect(listed.map((line) => line.path).sort()).toEqual(json.files.map((file) => file.path).sort());
    expect(listed.every((line) => line.action === 'create')).toBe(true);
    for (const root of ['.claude/commands/', '.claude/skills/baton-', '.claude/baton/bin/baton', '.codex/skills/baton-', '.codex/baton/bin/baton']) {
      expect(listed.some((line) => line.path.startsWith(path.join(home, root))), root).toBe(true);
    }
    expect(result.stdout).toMatch(/Dry run: nothing was written/);
    expect(json.applied).toBe(false);
    expect(await snapshotTree(home)).toEqual(before);
  });
});

describe('installing and re-running', () => {
  test('a second run says in one line that everything is up to date, rewrites nothing; --verbose lists every file', async () => {
    const home = await testdir();
    const first = await runInstall(['--yes'], { packageRoot: v1, home });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Next steps:/);
    const installed = planLines(first.stdout).length;
    const after = await snapshotTree(home);
    const second = await runInstall(['--yes'], { packageRoot: v1, home });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toBe(`baton-install ${VERSION}: Claude Code, Codex, Gemini CLI, OpenCode, Qwen Code, GitHub Copilot and Cursor (user scope) is up to date: ${installed} files unchanged, nothing was written (--verbose lists them).`);
    // A dry run shows the plan the real run would, the same way.
    expect((await runInstall(['--dry-run'], { packageRoot: v1, home })).stdout).toBe(second.stdout);
    const verbose = await runInstall(['--yes', '--verbose'], { packageRoot: v1, home });
    expect(verbose.exitCode, verbose.stderr).toBe(0);
    const lines = planLines(verbose.stdout);
    expect(lines).toHaveLength(installed);
    expect(lines.every((line) => line.action === 'unchanged')).toBe(true);
    expect(verbose.stdout).toMatch(/0 to create, 0 to update, \d+ unchanged, 0 to remove, 0 conflicts/);
    expect(verbose.stdout).toMatch(/Everything is up to date; nothing was written/);
    expect(verbose.stdout).not.toMatch(/Next steps/);
    expect(await snapshotTree(home)).toEqual(after);
  });

  test('an upgrade lists only the files it changes and counts the rest', async () => {
    const home = await testdir();
    expect((await runInstall(['--yes'], { packageRoot: v1, home })).exitCode).toBe(0);
    const upgrade = await runInstall(['--yes'], { packageRoot: v2, home });
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    const lines = planLines(upgrade.stdout);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.action === 'unchanged')).toEqual([]);
    expect(upgrade.stdout).toMatch(/, [1-9]\d* unchanged \(--verbose lists them\), /);
  });

  test('an upgrade keeps a file the user edited and reports a conflict; --force replaces it and keeps a backup', async () => {
    const home = await testdir();
    expect((await runInstall(['--yes'], { packageRoot: v1, home })).exitCode).toBe(0);
    const command = path.join(home, '.claude/commands/check-thing.md');
    const edited = `${await readFile(command, 'utf8')}\nMy own extra step.\n`;
    await writeFile(command, edited);

    const upgrade = await runInstall(['--yes'], { packageRoot: v2, home });
    expect(upgrade.exitCode).toBe(1);
    expect(upgrade.stdout).toContain(`conflict   ${command}  (you edited it; kept as it is`);
    expect(upgrade.stdout).toMatch(/1 file\(s\) were kept as you left them/);
    expect(await readFile(command, 'utf8')).toBe(edited);
    // Everything the user did not edit was upgraded, and the rule the pack dropped was removed.
    expect(await readFile(path.join(home, '.claude/baton/rules/be-careful.md'), 'utf8')).toContain('Check three times');
    expect(planLines(upgrade.stdout)).toContainEqual({ action: 'remove', path: path.join(home, '.claude/baton/rules/old-rule.md') });
    await expect(readFile(path.join(home, '.claude/baton/rules/old-rule.md'))).rejects.toThrow(/ENOENT/);

    const again = await runInstall(['--yes'], { packageRoot: v2, home });
    expect(again.exitCode).toBe(1);
    expect(planLines(again.stdout).filter((line) => line.action === 'conflict')).toEqual([{ action: 'conflict', path: command }]);

    const forced = await runInstall(['--yes', '--force', '--json'], { packageRoot: v2, home });
    expect(forced.exitCode, forced.stderr).toBe(0);
    const plan = JSON.parse(forced.stdout) as JsonPlan;
    const replaced = plan.files.find((file) => file.path === command);
    expect(replaced).toMatchObject({ action: 'update', note: 'replaces your edited copy; a backup is kept' });
    expect(await readFile(command, 'utf8')).toContain('6. Also say thanks.');
    expect(await readFile(replaced?.backup ?? '', 'utf8')).toBe(edited);
    expect(replaced?.backup).toMatch(/\.claude\/baton\/backups\/\d{4}-.*\/claude\/commands\/check-thing\.md$/);
    const settled = await runInstall(['--yes'], { packageRoot: v2, home });
    expect(settled.exitCode).toBe(0);
    expect(settled.stdout).toMatch(/is up to date: \d+ files unchanged, nothing was written/);
  });
});

describe('baton-install --uninstall', () => {
  const USER_FILES = {
    '.claude/settings.json': '{"theme": "dark"}\n',
    '.claude/commands/my-own.md': '# mine\n',
    '.agents/skills/other-skill/SKILL.md': '---\nname: other-skill\ndescription: not ours\n---\n',
    '.codex/config.toml': 'model = "x"\n',
  };

  test('returns the home to exactly its state before the install', async () => {
    const home = await testdir(USER_FILES);
    const before = contentOnly(await snapshotTree(home));
    expect((await runInstall(['--yes'], { packageRoot: v1, home })).exitCode).toBe(0);
    const result = await runInstall(['--uninstall', '--yes'], { packageRoot: v1, home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(planLines(result.stdout).every((line) => line.action === 'remove')).toBe(true);
    expect(contentOnly(await snapshotTree(home))).toEqual(before);
  });

  test('in a home that had none of the tool folders, removes the folders it created too', async () => {
    const home = await testdir();
    expect((await runInstall(['--yes'], { packageRoot: v1, home })).exitCode).toBe(0);
    expect((await runInstall(['--uninstall', '--yes'], { packageRoot: v1, home })).exitCode).toBe(0);
    expect(await readdir(home)).toEqual([]);
  });

  test('keeps the files the user edited, and only those', async () => {
    const home = await testdir(USER_FILES);
    const before = contentOnly(await snapshotTree(home));
    expect((await runInstall(['--yes'], { packageRoot: v1, home })).exitCode).toBe(0);
    const rule = path.join(home, '.codex/baton/rules/be-careful.md');
    await writeFile(rule, '# My rule now\n');
    // A dry run exits as the real run will: 1, because it keeps a file.
    expect((await runInstall(['--uninstall', '--dry-run'], { packageRoot: v1, home })).exitCode).toBe(1);
    const result = await runInstall(['--uninstall', '--yes'], { packageRoot: v1, home });
    expect(result.stdout).toContain(`conflict   ${rule}  (baton would remove it, but you edited it; kept as it is; --force removes it after a backup)`);
    expect(result.stdout).toContain('Run with --force to remove them; a backup of each is kept.');
    const manifest = path.join(home, '.codex/baton/manifest.json');
    expect(result.stdout).toContain(`Left in place:\n  ${rule}  (you edited it)\n  ${manifest}  (records the files kept above`);
    const after = contentOnly(await snapshotTree(home));
    const added = Object.keys(after).filter((name) => !(name in before));
    expect(added.sort()).toEqual(['.codex/baton', '.codex/baton/manifest.json', '.codex/baton/rules', '.codex/baton/rules/be-careful.md']);
    expect(await readFile(rule, 'utf8')).toBe('# My rule now\n');
    for (const name of Object.keys(before)) expect(after[name], name).toBe(before[name]);

    // What the message advises works: the manifest kept for the edited file lets --force find it.
    const forced = await runInstall(['--uninstall', '--force', '--yes'], { packageRoot: v1, home });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(planLines(forced.stdout)).toEqual([
      { action: 'remove', path: manifest },
      { action: 'remove', path: rule },
    ]);
    const backups = path.join(home, '.codex/baton/backups');
    expect(forced.stdout).toContain(`Left in place:\n  ${backups}/  (copies of files you edited, kept by --force`);
    const [stamp] = await readdir(backups);
    expect(await readFile(path.join(backups, stamp ?? '', 'codex/baton/rules/be-careful.md'), 'utf8')).toBe('# My rule now\n');
    // Only the backups remain of the install; the empty folders baton made are gone.
    const last = contentOnly(await snapshotTree(home));
    expect(Object.keys(last).filter((name) => !(name in before) && !name.startsWith('.codex/baton/backups/'))).toEqual(['.codex/baton', '.codex/baton/backups']);
  });

  test('names a folder it made that it cannot remove because it holds a file of yours', async () => {
    const home = await testdir();
    expect((await runInstall(['--yes', '--target', 'codex'], { packageRoot: v1, home })).exitCode).toBe(0);
    await writeFiles(home, { '.codex/baton/notes/mine.md': '# my notes\n' });
    // Without --target: the uninstall finds only Codex's manifest and keeps its journal beside it.
    const result = await runInstall(['--uninstall', '--yes'], { packageRoot: v1, home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Left in place:\n  ${path.join(home, '.codex/baton')}/  (a folder baton made; it still holds files that are not baton's)`);
    expect(await readFile(path.join(home, '.codex/baton/notes/mine.md'), 'utf8')).toBe('# my notes\n');
  });

  test('with nothing installed, says so and changes nothing', async () => {
    const home = await testdir(USER_FILES);
    const before = await snapshotTree(home);
    const result = await runInstall(['--uninstall', '--yes'], { packageRoot: v1, home });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/no baton install found here/);
    expect(await snapshotTree(home)).toEqual(before);
  });
});

describe('paths named in rendered files', () => {
  for (const [name, packageRoot] of [
    ['the fixture pack', () => v1],
    ['the real pack', () => REPO_ROOT],
  ] as const) {
    test(`with every tool's override in a directory with a space, every path ${name} names exists`, async () => {
      const base = await testdir({}, 'baton home with space-');
      const env = {
        CLAUDE_CONFIG_DIR: path.join(base, 'my claude'),
        CODEX_HOME: path.join(base, 'my codex'),
        COPILOT_HOME: path.join(base, 'my copilot'),
        GEMINI_CLI_HOME: path.join(base, 'my gemini'),
        OPENCODE_CONFIG_DIR: path.join(base, 'my opencode'),
        QWEN_HOME: path.join(base, 'my qwen'),
      };
      // GEMINI_CLI_HOME stands for the home folder, which must exist: baton writes its .gemini inside it.
      await mkdir(env.GEMINI_CLI_HOME);
      const home = await testdir();
      // Cursor's folder has no variable: it stays in the home, so it is left out here.
      const result = await runInstall(['--yes', '--json', '--target', 'claude,codex,gemini,opencode,qwen,copilot'], { packageRoot: packageRoot(), home, env });
      expect(result.exitCode, result.stderr).toBe(0);
      const plan = JSON.parse(result.stdout) as JsonPlan;
      expect(plan.files.every((file) => file.path.startsWith(base))).toBe(true);
      let checked = 0;
      for (const file of plan.files.filter((f) => ['command', 'skill', 'rule'].includes(f.kind))) {
        const named = namedPaths(await readFile(file.path, 'utf8'), Object.values(env));
        expect(named.unquoted, file.path).toEqual([]);
        for (const installed of named.paths) {
          expect(await pathExists(installed), `${file.path} names ${installed}`).toBe(true);
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThan(0);
      expect(await readdir(home)).toEqual([]);
    });
  }

  test('in a project install, every repository-relative path named exists', async () => {
    const repo = await gitdir();
    const home = await testdir();
    const result = await runInstall(['--yes', '--scope', 'project', '--json'], { packageRoot: v1, home, cwd: repo });
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as JsonPlan;
    let checked = 0;
    for (const file of plan.files.filter((f) => ['command', 'skill', 'rule'].includes(f.kind))) {
      for (const named of namedPaths(await readFile(file.path, 'utf8'), [], repo).paths) {
        expect(await pathExists(named), `${file.path} names ${named}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('next steps', () => {
  test('are commands that paste into a shell as they are, with a space, quotes and $ in the home', async () => {
    const home = path.join(await testdir(), `my home "it's" $HOME \\x`);
    await mkdir(home);
    const result = await runInstall(['--yes'], { home });
    expect(result.exitCode, result.stderr).toBe(0);
    const commands = result.stdout.split('\n').filter((line) => /^ {7}\S/.test(line)).map((line) => line.trim());
    const exportLine = commands.find((line) => line.startsWith('export PATH='));
    expect(exportLine).toMatch(/^export PATH=".*:\$PATH"$/);
    const { execa } = await import('execa');
    const found = await execa('sh', ['-c', `${exportLine ?? ''}\ncommand -v baton`], { env: { PATH: '/usr/bin:/bin' }, extendEnv: false });
    expect(found.stdout).toBe(path.join(home, '.claude/baton/bin/baton'));

    const repo = await testdir({ 'CLAUDE.md': '# My project\n' });
    const wire = commands.filter((line) => line.startsWith('cat '));
    expect(wire).toHaveLength(3);
    for (const line of wire) await execa('sh', ['-c', line], { cwd: repo });
    const fragment = await readFile(path.join(home, '.claude/baton/rules/agents-fragment.md'), 'utf8');
    expect(await readFile(path.join(repo, 'CLAUDE.md'), 'utf8')).toBe(`# My project\n${fragment}`);
    expect(await readFile(path.join(repo, 'AGENTS.md'), 'utf8')).toBe(fragment);
    expect(await readFile(path.join(repo, 'GEMINI.md'), 'utf8')).toBe(fragment);
  });
});

describe('confirmation on an interactive terminal', () => {
  /** Runs the installer on a real pseudo-terminal (util-linux script), typing `answer` at the prompt. */
  async function onTerminal(answer: string, home: string) {
    const { execa } = await import('execa');
    const command = `node '${path.join(v1, 'dist/baton-install.mjs')}' --target claude`;
    return execa('script', ['-qec', command, '/dev/null'], { input: answer, env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false, reject: false });
  }

  test('asks before writing; anything but yes writes nothing', async () => {
    const home = await testdir();
    const declined = await onTerminal('n\n', home);
    expect(declined.stdout).toContain('Install as listed above? [y/N]');
    expect(declined.stdout).toContain('Aborted: nothing was written.');
    expect(await readdir(home)).toEqual([]);
    const accepted = await onTerminal('y\n', home);
    expect(accepted.stdout).toMatch(/Done: \d+ file\(s\) written/);
    expect(await readdir(home)).toEqual(['.claude']);
  });

  test('a run without a terminal does not ask, prints the plan and installs', async () => {
    const home = await testdir();
    // A "no" on standard input would abort the install if the installer asked anyway.
    const result = await runInstall(['--target', 'claude'], { packageRoot: v1, home, input: 'n\n' });
    expect(result.exitCode).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain('[y/N]');
    expect(planLines(result.stdout).length).toBeGreaterThan(3);
    expect(result.stdout).toMatch(/Done: \d+ file\(s\) written/);
    expect(await readdir(home)).toEqual(['.claude']);
  });
});

describe('failures and refusals', () => {
  test('a failure part-way leaves the previous install intact and names the file and the cause', async () => {
    const home = await testdir();
    expect((await runInstall(['--yes'], { packageRoot: v1, home })).exitCode).toBe(0);
    const skillDir = path.join(home, '.claude/skills/baton-checker');
    // Root ignores permissions, so when the suite runs as root the installer runs as nobody.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chownTree(home, 65534);
    const before = await snapshotTree(home);
    await chmod(skillDir, 0o555);
    const result = await runInstall(['--yes'], asRoot ? { packageRoot: await selfContainedPackageWith(v2), home, uid: 65534 } : { packageRoot: v2, home });
    await chmod(skillDir, 0o755);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Could not install ${path.join(skillDir, 'SKILL.md')}: permission denied (EACCES).`);
    expect(result.stderr).toContain('Every change was rolled back; your files are as they were.');
    expect(result.stderr).toMatch(/fix: Make .*baton-checker writable/);
    const after = await snapshotTree(home);
    expect(contentOnly(after)).toEqual(contentOnly({ ...before, '.claude/skills/baton-checker': { ...before['.claude/skills/baton-checker']!, mode: after['.claude/skills/baton-checker']!.mode } }));
    for (const [name, entry] of Object.entries(before)) if (entry.type === 'file') expect(after[name]?.mtimeMs, name).toBe(entry.mtimeMs);
  });

  test('a symbolic link that leads outside the root is refused and nothing is written', async () => {
    const outside = await testdir({ 'cmds/keep.md': '# keep\n' });
    const home = await testdir({ '.claude/settings.json': '{}\n' });
    await symlink(path.join(outside, 'cmds'), path.join(home, '.claude/commands'));
    const homeBefore = await snapshotTree(home);
    const outsideBefore = await snapshotTree(outside);
    const result = await runInstall(['--yes'], { packageRoot: v1, home });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${path.join(home, '.claude/commands')} is a symbolic link to ${path.join(outside, 'cmds')}, outside ${path.join(home, '.claude')}; baton-install does not write through it.`);
    expect(result.stderr).toMatch(/fix: Replace the link/);
    expect(await snapshotTree(home)).toEqual(homeBefore);
    expect(await snapshotTree(outside)).toEqual(outsideBefore);
  });

  test('a root that is itself a link (a dotfiles checkout) is followed, and links inside the root are fine', async () => {
    const home = await testdir({ 'dotfiles/claude/settings.json': '{}\n', 'dotfiles/claude/shared/readme.md': 'x\n' });
    await symlink(path.join(home, 'dotfiles/claude'), path.join(home, '.claude'));
    await symlink(path.join(home, 'dotfiles/claude/shared'), path.join(home, 'dotfiles/claude/commands'));
    const result = await runInstall(['--yes', '--target', 'claude'], { packageRoot: v1, home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readFile(path.join(home, 'dotfiles/claude/shared/check-thing.md'), 'utf8')).toContain('# Check a thing');
  });

  test('bad options are usage errors with a fix', async () => {
    const home = await testdir();
    for (const value of ['windsurf', 'claude,windsurf', 'all,claude', ',']) {
      const target = await runInstall(['--target', value], { home });
      expect(target.exitCode, value).toBe(2);
      expect(target.stderr, value).toMatch(/--target ".*" names no tool[\s\S]*fix: Use one of claude, codex, gemini, opencode, qwen, copilot, cursor, several separated by commas \(--target claude,codex\), or all\./);
    }
    const project = await runInstall(['--scope', 'project', '--dry-run'], { home });
    expect(project.exitCode).toBe(2);
    expect(project.stderr).toMatch(/is not inside a git repository[\s\S]*fix: Run it from the repository/);
    // An option left without its value (--scope $EMPTY) is refused, not read as the default.
    for (const option of ['--scope', '--target']) {
      const empty = await runInstall([option, '--dry-run'], { home });
      expect(empty.exitCode, option).toBe(2);
      expect(empty.stderr).toBe(`error: Not enough arguments following: ${option.slice(2)}\nfix: Run baton-install --help for the options.`);
    }
    expect(await readdir(home)).toEqual([]);
  });

  test('a file where a folder belongs is named as such', async () => {
    const home = await testdir({ '.claude/commands': 'a file, not a folder' });
    const result = await runInstall(['--target', 'claude', '--dry-run'], { home });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`error: ${path.join(home, '.claude/commands')} is a file, but baton needs a folder there.\nfix: Move the file away, then run again.`);
  });

  test('an override whose parent folder is missing (a typo) is refused before anything is written, dry run too', async () => {
    const home = await testdir();
    const typo = path.join(home, 'confg', 'claude');
    for (const args of [['--dry-run'], ['--yes']]) {
      const result = await runInstall(['--target', 'claude', ...args], { home, env: { CLAUDE_CONFIG_DIR: typo } });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`baton would install into ${typo}, but the folder above it, ${path.dirname(typo)}, does not exist.`);
      expect(result.stderr).toMatch(/fix: Create that folder first/);
    }
    expect(await readdir(home)).toEqual([]);
  });
});

describe('project scope', () => {
  test('every tool shares .baton/ with one manifest; uninstalling one tool keeps what the others need', async () => {
    const repo = await gitdir();
    const home = await testdir();
    const clean = contentOnly(await snapshotTree(repo));
    const install = await runInstall(['--yes', '--scope', 'project'], { packageRoot: v1, home, cwd: path.join(repo) });
    expect(install.exitCode, install.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(repo, '.baton/manifest.json'), 'utf8')) as { files: { path: string; targets: string[] }[] };
    expect(manifest.files.find((entry) => entry.path === '.baton/rules/be-careful.md')?.targets).toEqual([...TARGET_IDS].sort());
    // A fresh repository has no tool's folder, so every tool is installed; none into .agents/.
    expect(await git(repo, 'status', '--porcelain')).toBe('?? .baton/\n?? .claude/\n?? .codex/\n?? .cursor/\n?? .gemini/\n?? .github/\n?? .opencode/\n?? .qwen/');

    const claudeOnly = await runInstall(['--yes', '--scope', 'project', '--uninstall', '--target', 'claude'], { packageRoot: v1, home, cwd: repo });
    expect(claudeOnly.exitCode, claudeOnly.stderr).toBe(0);
    await expect(readFile(path.join(repo, '.claude/commands/check-thing.md'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(path.join(repo, '.baton/rules/be-careful.md'), 'utf8')).toContain('Be careful');
    expect(await readFile(path.join(repo, '.codex/skills/baton-check-thing/SKILL.md'), 'utf8')).toContain('$baton-check-thing');

    const codex = await runInstall(['--yes', '--scope', 'project', '--uninstall'], { packageRoot: v1, home, cwd: repo });
    expect(codex.exitCode, codex.stderr).toBe(0);
    expect(contentOnly(await snapshotTree(repo))).toEqual(clean);
  });
});

describe('the real pack', () => {
  test('renders and installs cleanly, and the installed tool runs with plain Node.js from the install root', async () => {
    const home = await testdir();
    const result = await runInstall(['--yes', '--json'], { home });
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as JsonPlan;
    for (const file of plan.files) await expect(readFile(file.path), file.path).resolves.toBeDefined();
    const { execa } = await import('execa');
    for (const bin of ['.claude/baton/bin/baton', '.codex/baton/bin/baton']) {
      const run = await execa(path.join(home, bin), ['--version'], { cwd: home, env: { PATH: process.env.PATH ?? '' }, extendEnv: false });
      expect(run.stdout).toMatch(/^\d+\.\d+\.\d+/);
    }
    // A link on the user's PATH to the wrapper still finds the bundle beside the real file.
    await mkdir(path.join(home, 'bin'));
    await symlink(path.join(home, '.claude/baton/bin/baton'), path.join(home, 'bin/baton'));
    const linked = await execa(path.join(home, 'bin/baton'), ['--version'], { cwd: home });
    expect(linked.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
