import type { BatonCommand } from '../cli.js';
import { UsageError } from '../lib/errors.js';
import { assertId } from '../lib/ids.js';
import { openRepo } from '../lib/repo.js';

const DEFAULT_PORT = 4321;
const DEFAULT_REFRESH = 10;

interface NumberOption {
  name: string;
  fallback: number;
  /** A whole number or a decimal, digits only: no sign, exponent, hex or spaces. */
  shape: RegExp;
  min: number;
  max: number;
  /** The accepted values in words, for the message. */
  range: string;
  example: string;
}

const PORT: NumberOption = { name: 'port', fallback: DEFAULT_PORT, shape: /^\d+$/, min: 0, max: 65535, range: 'a whole number from 0 to 65535', example: '--port 4321, or --port 0 for a free port' };
// At most a day: the page passes it to setInterval in milliseconds, and browsers treat a delay above
// 2^31-1 ms (about 24.8 days) as 0, which would refresh the page as fast as they can.
const REFRESH: NumberOption = { name: 'refresh', fallback: DEFAULT_REFRESH, shape: /^\d+(\.\d+)?$/, min: 1, max: 86400, range: 'a number of seconds from 1 to 86400', example: '--refresh 10' };

/** The value of a `board serve` number option, or its default when it is not given; a usage error for anything else. */
function servingOption(option: NumberOption, value: unknown): number {
  if (value === undefined) return option.fallback;
  const fix = `For example ${option.example}.`;
  if (Array.isArray(value)) throw new UsageError(`--${option.name} was given more than once (${value.map((one) => JSON.stringify(String(one))).join(', ')}); it takes ${option.range}.`, { fix });
  const text = String(value);
  if (text === '') throw new UsageError(`--${option.name} was given no value; it takes ${option.range}.`, { fix });
  const number = Number(text);
  if (!option.shape.test(text) || number < option.min || number > option.max) {
    throw new UsageError(`--${option.name} ${JSON.stringify(text.slice(0, 40))} is not valid; it takes ${option.range}.`, { fix });
  }
  return number;
}

export const boardCommand: BatonCommand = {
  command: 'board [serve]',
  describe: 'The release board from git: every release, track and slice, and what to do next (exit 0 when ready to ship)',
  builder: (yargs) =>
    yargs
      .positional('serve', { type: 'string', choices: ['serve'], describe: 'Serve a local dashboard on 127.0.0.1 instead' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the board as JSON (the oracle the prompts read; not with serve)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'List every slice of every track (not with serve)' })
      .option('release', { type: 'string', requiresArg: true, describe: 'Only this release' })
      // Strings, not numbers, and no yargs default: yargs turns `--port abc` into NaN and a bare `--port`
      // into the default, and either must be refused with the value the user typed (see servingOption).
      .option('port', { type: 'string', describe: `Dashboard port (with serve; default ${DEFAULT_PORT}, 0 picks a free one)` })
      .option('refresh', { type: 'string', describe: `Seconds between dashboard refreshes (with serve; default ${DEFAULT_REFRESH})` }),
  async run(args, io) {
    const release = args.release === undefined ? undefined : assertId('release', String(args.release));
    if (args.serve === 'serve') {
      // The dashboard is a page, not a print: --json and --verbose would be silently ignored.
      for (const name of ['json', 'verbose'] as const) {
        if (args[name] === true) throw new UsageError(`--${name} does not apply to baton board serve: the dashboard shows every slice, in a page.`, { fix: `Leave --${name} out, or run baton board --${name} for the printed board.` });
      }
      const port = servingOption(PORT, args.port);
      const refreshSeconds = servingOption(REFRESH, args.refresh);
      const { serveBoard } = await import('../board/serve-board.js');
      return serveBoard({ cwd: io.cwd, env: io.env, release, port, refreshSeconds }, io);
    }
    // Only the dashboard has a port; `baton board --port 5000` silently printing the text board would
    // leave the user waiting for a server that never starts.
    for (const name of ['port', 'refresh'] as const) {
      if (args[name] !== undefined) throw new UsageError(`--${name} only applies to baton board serve.`, { fix: `Add serve (baton board serve --${name} ...), or leave --${name} out.` });
    }
    const { readBoard } = await import('../board/read-board.js');
    const { boardVerdict, formatBoard } = await import('../board/format-board.js');
    const board = await readBoard(await openRepo(io.cwd, io.env), release);
    io.write(args.json ? `${JSON.stringify(board, null, 2)}\n` : `${formatBoard(board, { verbose: Boolean(args.verbose) })}\n`);
    return boardVerdict(board).exitCode;
  },
};

export const nextCommand: BatonCommand = {
  command: 'next <slice> [release]',
  describe: 'The next protocol command for a slice, from the board',
  builder: (yargs) =>
    yargs
      .positional('slice', { type: 'string', describe: 'Slice id' })
      .positional('release', { type: 'string', describe: 'Release id; found from the board when omitted' })
      .option('json', { type: 'boolean', default: false, describe: 'Print { slice, release, next, reason } as JSON' }),
  async run(args, io) {
    const slice = assertId('slice', String(args.slice));
    const release = args.release === undefined ? undefined : assertId('release', String(args.release));
    const { readBoard } = await import('../board/read-board.js');
    const { checkedNextStep } = await import('../lifecycle/gates.js');
    const { formatNext } = await import('../board/format-board.js');
    const repo = await openRepo(io.cwd, io.env);
    const step = await checkedNextStep(repo, await readBoard(repo, release), slice, release);
    if (args.json) io.write(`${JSON.stringify(step, null, 2)}\n`);
    else if (step.next) {
      const rest = `${step.next.command} ${step.next.args.join(' ')}`;
      io.write(`${formatNext(step.next)}\n  (with the Claude Code plugin: /baton:${rest}; Codex: $baton-${rest})\n  because ${step.reason}\n`);
    }
    else io.write(`No protocol command is next: ${step.reason}.\n`);
    return 0;
  },
};
