import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The repository root, where package.json and dist/ live. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built program of this package (dist/<name>.mjs) as a real process. The environment is
 * reduced to what the program needs, so a developer's own ~/.claude or CODEX_HOME never leaks in.
 */
export async function runBin(
  name: 'baton-install' | 'baton',
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<RunResult> {
  const result = await execa('node', [path.join(REPO_ROOT, 'dist', `${name}.mjs`), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    extendEnv: false,
    reject: false,
    input: options.input ?? '',
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
