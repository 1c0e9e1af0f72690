import { build } from 'esbuild';
import { execa } from 'execa';
import { chmod, cp, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../scripts/lib/errors.js';
import { REPO_ROOT, type RunResult } from './run.js';
import { testdir } from './testdir.js';

let published: Promise<string[]> | undefined;

/** The files `npm pack` puts in this package's tarball, asked once per test process. */
export function publishedFiles(): Promise<string[]> {
  published ??= execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT }).then(
    (result) => (JSON.parse(result.stdout) as { files: { path: string }[] }[]).flatMap((pack) => pack.files.map((file) => file.path)),
  );
  return published;
}

/**
 * A copy of this package whose pack is the given folder: the built programs, a link to the
 * repository's node_modules, and the pack's commands/, skills/, rules/ and templates/. Running its
 * dist/baton-install.mjs is running the real installer on that pack, exactly as a user would.
 */
export async function packageWith(packDir: string): Promise<string> {
  const root = await testdir({}, 'baton-package-');
  await mkdir(path.join(root, 'dist'));
  // The built programs npm would publish, so a program left out of package.json's "files" fails here.
  for (const file of (await publishedFiles()).filter((name) => name.startsWith('dist/'))) {
    await cp(path.join(REPO_ROOT, file), path.join(root, file));
  }
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  for (const folder of ['commands', 'skills', 'rules', 'templates']) {
    await cp(path.join(packDir, folder), path.join(root, folder), { recursive: true }).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error;
    });
  }
  // Readable by any user, so a test may run the installer as an unprivileged one.
  await chmod(root, 0o755);
  return root;
}

/**
 * The same package for a run as another user (see InstallRun.uid): that user may not be able to reach
 * this repository's node_modules (a clone under a private temporary folder), so the installer is
 * bundled with its dependencies instead of linked to them. Same source, same behaviour.
 */
export async function selfContainedPackageWith(packDir: string): Promise<string> {
  const root = await packageWith(packDir);
  await rm(path.join(root, 'node_modules'));
  const { version } = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  await build({
    entryPoints: [path.join(REPO_ROOT, 'installer/bin.ts')],
    outfile: path.join(root, 'dist', 'baton-install.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    define: { __BATON_VERSION__: JSON.stringify(version) },
    // Bundled CommonJS dependencies call require(), which an ES module lacks.
    banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  });
  return root;
}

export interface InstallRun {
  /** The package root holding dist/baton-install.mjs. */
  packageRoot?: string;
  home: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this numeric user id (for permission tests when the suite runs as root). */
  uid?: number;
  /** Standard input (default: empty). */
  input?: string;
}

/** Runs baton-install as a process with HOME set to a test home and nothing else inherited. */
export async function runInstall(args: string[], run: InstallRun): Promise<RunResult> {
  const program = path.join(run.packageRoot ?? REPO_ROOT, 'dist', 'baton-install.mjs');
  const command = run.uid === undefined ? ['node', program] : ['setpriv', `--reuid=${run.uid}`, `--regid=${run.uid}`, '--clear-groups', 'node', program];
  const [file, ...rest] = command as [string, ...string[]];
  const result = await execa(file, [...rest, ...args], {
    cwd: run.cwd ?? run.home,
    env: { PATH: process.env.PATH ?? '', HOME: run.home, ...run.env },
    extendEnv: false,
    reject: false,
    input: run.input ?? '',
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `baton-install --yes <args>` into a test home; fails the test with the installer's message. */
export async function installOrFail(args: string[], home: string, env: Record<string, string> = {}, cwd?: string): Promise<void> {
  const result = await runInstall(['--yes', ...args], { home, env, ...(cwd ? { cwd } : {}) });
  if (result.exitCode !== 0) throw new Error(`baton-install failed: ${result.stderr}`);
}
