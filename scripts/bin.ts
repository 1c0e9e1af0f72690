import { runBatonCli } from './cli.js';

// The edge: the only place that reads the process; everything below takes it as arguments.
process.exitCode = await runBatonCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  now: new Date(),
  write: (text) => process.stdout.write(text),
  writeError: (text) => process.stderr.write(text),
});
