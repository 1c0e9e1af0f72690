import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { askOnTerminal, runInstallCli } from './cli.js';
import { ignoreClosedOutput } from '../scripts/lib/closed-output.js';

// The edge: everything the installer takes from its process is read here and passed in.
// Built into dist/baton-install.mjs, so the package root is one folder up.
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

ignoreClosedOutput();
process.exitCode = await runInstallCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  home: homedir(),
  now: new Date(),
  packageRoot,
  interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  write: (text) => process.stdout.write(text),
  writeError: (text) => process.stderr.write(text),
  ask: askOnTerminal,
});
