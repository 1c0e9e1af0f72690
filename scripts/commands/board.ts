import type { BatonCommand } from '../cli.js';
import { UsageError } from '../lib/errors.js';
import { assertId } from '../lib/ids.js';
import { openRepo } from '../lib/repo.js';

export const boardCommand: BatonCommand = {
  command: 'board [serve]',
  describe: 'The release board from git: every release, track and slice, and what to do next (exit 0 when ready to ship)',
  builder: (yargs) =>
    yargs
      .positional('serve', { type: 'string', choices: ['serve'], describe: 'Serve a local dashboard on 127.0.0.1 instead' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the board as JSON (the oracle the prompts read)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'List every slice of every track' })
      .option('release', { type: 'string', requiresArg: true, describe: 'Only this release' })
      .option('port', { type: 'number', default: 4321, describe: 'Dashboard port (with serve; 0 picks a free one)' })
      .option('refresh', { type: 'number', default: 10, describe: 'Seconds between dashboard refreshes (with serve)' }),
  async run(args, io) {
    const release = args.release === undefined ? undefined : assertId('release', String(args.release));
    if (args.serve === 'serve') {
      const { serveBoard } = await import('../board/serve-board.js');
      const refreshSeconds = Number(args.refresh);
      if (!Number.isFinite(refreshSeconds) || refreshSeconds < 1) throw new UsageError('--refresh takes a number of seconds, at least 1.', { fix: 'For example --refresh 10.' });
      return serveBoard({ cwd: io.cwd, env: io.env, release, port: Number(args.port), refreshSeconds }, io);
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
    const { nextStep } = await import('../board/next-step.js');
    const { formatNext } = await import('../board/format-board.js');
    const step = nextStep(await readBoard(await openRepo(io.cwd, io.env), release), slice, release);
    if (args.json) io.write(`${JSON.stringify(step, null, 2)}\n`);
    else if (step.next) {
      const rest = `${step.next.command} ${step.next.args.join(' ')}`;
      io.write(`${formatNext(step.next)}\n  (with the Claude Code plugin: /baton:${rest}; Codex: $baton-${rest})\n  because ${step.reason}\n`);
    }
    else io.write(`No protocol command is next: ${step.reason}.\n`);
    return 0;
  },
};
