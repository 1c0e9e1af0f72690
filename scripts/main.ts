import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBatonCli } from './cli.js';
import { ignoreClosedOutput } from './lib/closed-output.js';
import { readStream } from './lib/read-stdin.js';
import { shellQuote } from './lib/shell-quote.js';

/** How long a command waits for its standard input to close (the stop hook reads its client's JSON there). */
const STDIN_TIMEOUT_MS = 10_000;

/**
 * The baton program, started by the launcher (bin.ts). The edge: the only place that reads the
 * process; everything below takes it as arguments.
 */
export async function main(): Promise<void> {
  ignoreClosedOutput();
  // Built into <dir>/baton-program.cjs; the templates sit beside that folder, in the repository and in every install.
  const dir = path.dirname(fileURLToPath(import.meta.url));
  process.exitCode = await runBatonCli(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    templatesDir: path.join(dir, '..', 'templates'),
    write: (text) => process.stdout.write(text),
    writeError: (text) => process.stderr.write(text),
    readStdin: (limit) => readStream(process.stdin, limit, STDIN_TIMEOUT_MS),
    self: selfCommand(dir),
  });
}

/** An install has the `baton` wrapper beside the program (bin/baton); a build has only dist/baton.mjs. */
function selfCommand(dir: string): string {
  const wrapper = path.join(dir, 'baton');
  return existsSync(wrapper) ? shellQuote(wrapper) : `node ${shellQuote(path.join(dir, 'baton.mjs'))}`;
}
