import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { exitCodeOf, formatError, UsageError, type ExitCode } from './lib/errors.js';
import { VERSION } from './lib/version.js';
import { COMMANDS } from './commands/index.js';

/** What a baton command takes from its process; tests pass their own. */
export interface BatonIo {
  env: Record<string, string | undefined>;
  cwd: string;
  now(): Date;
  /** The release-artefact templates the scaffolding commands fill (<pack dir>/templates beside the tool). */
  templatesDir: string;
  write(text: string): void;
  writeError(text: string): void;
}

/** A subcommand: its yargs wiring and a handler that returns the exit code. */
export interface BatonCommand {
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv;
  run: (args: Record<string, unknown>, io: BatonIo) => Promise<ExitCode>;
}


function parser(argv: string[], io: BatonIo, onRun: (code: ExitCode) => void) {
  // Help and version are plain options, printed by us, so output goes through io like everything else.
  let cli = yargs(argv)
    .help(false)
    .version(false)
    .scriptName('baton')
    .usage('$0 <command> [options]\n\nThe deterministic tools of the baton protocol.')
    .option('C', { type: 'string', describe: 'Run as if baton was started in this directory', requiresArg: true })
    .option('help', { alias: 'h', type: 'boolean', describe: 'Show help' })
    .option('version', { type: 'boolean', describe: 'Show the version' })
    .strict()
    .exitProcess(false)
    .wrap(100)
    .fail((message, error) => {
      throw error ?? new UsageError(message, { fix: 'Run baton --help for the commands and their options.' });
    });
  for (const command of COMMANDS) {
    cli = cli.command(command.command, command.describe, command.builder, async (args) => {
      const cwd = typeof args.C === 'string' ? path.resolve(io.cwd, args.C) : io.cwd;
      onRun(await command.run(args, { ...io, cwd }));
    });
  }
  return cli;
}

/** Runs `baton <argv>` and returns its exit code; every error is printed here and nowhere else. */
export async function runBatonCli(argv: string[], io: BatonIo): Promise<ExitCode> {
  let code: ExitCode | undefined;
  try {
    const cli = parser(argv, io, (result) => {
      code = result;
    });
    const args = await cli.parseAsync();
    if (code !== undefined) return code;
    if (args.version) {
      io.write(`${VERSION}\n`);
      return 0;
    }
    const help = await cli.getHelp();
    if (args.help) {
      io.write(`${help}\n`);
      return 0;
    }
    throw new UsageError(args._.length > 0 ? `Unknown command "${String(args._[0])}".` : 'No command given.', {
      fix: `Run baton --help for the commands.`,
    });
  } catch (error) {
    io.writeError(`${formatError(error, { verbose: Boolean(io.env.DEBUG) })}\n`);
    return exitCodeOf(error);
  }
}
