import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBatonCli } from './cli.js';
import { ignoreClosedOutput } from './lib/closed-output.js';

/**
 * The baton program, started by the launcher (bin.ts). The edge: the only place that reads the
 * process; everything below takes it as arguments.
 */
export async function main(): Promise<void> {
  ignoreClosedOutput();
  process.exitCode = await runBatonCli(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    // Built into <dir>/baton-program.cjs; the templates sit beside that folder, in the repository and in every install.
    templatesDir: path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'templates'),
    write: (text) => process.stdout.write(text),
    writeError: (text) => process.stderr.write(text),
  });
}
