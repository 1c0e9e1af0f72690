import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { errorJson, exitCodeOf, formatError, UsageError, type ExitCode } from './lib/errors.js';
import { VERSION } from './lib/version.js';
import { workingFolderProblem } from './lib/working-folder.js';
import { COMMANDS } from './commands/index.js';
import { EXAMPLES } from './commands/examples.js';
import { checkSliceFirst, slicePositionalCommands } from './commands/swapped-ids.js';

/** What a baton command takes from its process; tests pass their own. */
export interface BatonIo {
  env: Record<string, string | undefined>;
  cwd: string;
  now(): Date;
  /** The release-artefact templates the scaffolding commands fill (<pack dir>/templates beside the tool). */
  templatesDir: string;
  write(text: string): void;
  writeError(text: string): void;
  /** Standard input, up to `limit` bytes; empty when it is a terminal (the stop hook reads its client's JSON here). */
  readStdin(limit: number): Promise<string>;
  /** The shell word that runs this baton again, for commands it tells an agent to run. */
  self: string;
}

/** A subcommand: its yargs wiring and a handler that returns the exit code. */
export interface BatonCommand {
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv;
  run: (args: Record<string, unknown>, io: BatonIo) => Promise<ExitCode>;
}


function parser(argv: string[], io: BatonIo, onRun: (code: ExitCode) => void) {
  // Version is a plain option, printed by us, so output goes through io like everything else. Help is
  // yargs' own, collected through a parse callback (see helpFor), so that `baton verify --help` shows
  // the command's help without its arguments and never runs it.
  let cli = yargs(argv)
    .help('help')
    .alias('help', 'h')
    .version(false)
    .scriptName('baton')
    .usage('$0 <command> [options]\n\nThe deterministic tools of the baton protocol.')
    .option('C', { type: 'string', describe: 'Run as if baton was started in this directory', requiresArg: true })
    .option('version', { type: 'boolean', describe: 'Show the version' })
    .strict()
    .recommendCommands()
    .exitProcess(false)
    .wrap(100)
    .fail((message, error) => {
      // yargs reports its own parsing problems (such as an option given no value) as a YError.
      if (error && error.name !== 'YError') throw error;
      // recommendCommands() reports a near miss as "Did you mean board?": name what was typed too.
      const recommended = /^Did you mean (\S+)\?$/.exec(message ?? '')?.[1];
      if (recommended) {
        throw new UsageError(`Unknown command "${firstWord(argv) ?? ''}".`, { fix: `Did you mean baton ${recommended}? Run baton --help for the commands.` });
      }
      throw new UsageError(message ?? error?.message ?? 'The arguments could not be read.', { fix: 'Add --help after the command to see its arguments and options.' });
    });
  // Before validation, so a swapped `verdict <release> <slice> PASS` is not refused for its verdict word.
  const sliceFirst = slicePositionalCommands(COMMANDS);
  cli = cli.middleware((args) => checkSliceFirst(argv, args, sliceFirst), true);
  for (const command of COMMANDS) {
    const name = command.command.split(' ')[0] as string;
    const builder = (y: Argv) => (EXAMPLES[name] ?? []).reduce((built, [example, what]) => built.example(example, what), command.builder(y));
    cli = cli.command(command.command, command.describe, builder, async (args) => {
      const cwd = typeof args.C === 'string' ? path.resolve(io.cwd, args.C) : io.cwd;
      const problem = typeof args.C === 'string' ? workingFolderProblem(cwd) : undefined;
      if (problem) throw new UsageError(`The folder given to -C, ${cwd}, ${problem}.`, { fix: 'Pass the folder of a git repository, or leave -C out to use the current folder.' });
      onRun(await command.run(args, { ...io, cwd }));
    });
  }
  return cli;
}

/** The first word of argv that is not an option or the value of -C: the command as typed. */
function firstWord(argv: string[]): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index] as string;
    if (word === '-C') index += 1;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

/** The words before a `--`: after it, `--json` or `--help` are values, not options. */
function optionWords(argv: string[]): string[] {
  return argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
}

/** `--help` anywhere before a `--`: the help of the command it follows, or of baton. */
function wantsHelp(argv: string[]): boolean {
  const options = optionWords(argv);
  return options.includes('--help') || options.includes('-h');
}

/** yargs hands its help text to a parse callback instead of printing it, and runs no handler. */
function helpFor(argv: string[], io: BatonIo): Promise<string> {
  return new Promise((resolve) => {
    void parser(argv, io, () => undefined).parse(argv, {}, (_error, _args, output) => resolve(output));
  });
}

/** Runs `baton <argv>` and returns its exit code; every error is printed here and nowhere else. */
export async function runBatonCli(argv: string[], io: BatonIo): Promise<ExitCode> {
  let code: ExitCode | undefined;
  try {
    if (wantsHelp(argv)) {
      io.write(`${await helpFor(argv, io)}\n`);
      return 0;
    }
    const cli = parser(argv, io, (result) => {
      code = result;
    });
    const args = await cli.parseAsync();
    if (code !== undefined) return code;
    if (args.version) {
      io.write(`${VERSION}\n`);
      return 0;
    }
    throw new UsageError(args._.length > 0 ? `Unknown command "${String(args._[0])}".` : 'No command given.', {
      fix: `Run baton --help for the commands.`,
    });
  } catch (error) {
    io.writeError(`${formatError(error, { verbose: Boolean(io.env.DEBUG) })}\n`);
    // A script that asked for JSON parses stdout: give it the error as JSON too, never an empty string.
    // One line, so a reader of `baton log --json`'s NDJSON reads it as one more record.
    if (optionWords(argv).includes('--json')) io.write(`${JSON.stringify(errorJson(error))}\n`);
    // An agent client reads a hook's exit 2 as "block the stop": a hook command it cannot even parse
    // must not hold its session, so that error is exit 1, which the clients show and pass over.
    if (firstWord(argv) === 'hook' && exitCodeOf(error) === 2) return 1;
    return exitCodeOf(error);
  }
}
