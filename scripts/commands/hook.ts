import type { BatonCommand } from '../cli.js';

/**
 * `baton hook stop --client <client>`: the stop hook an agent client runs when its agent is about to
 * end a turn (docs/stop-hook.md). It reads the client's JSON on stdin and answers on stdout in the
 * client's format. It always exits 0: to Claude Code and Codex exit 2 means "block", so no error of
 * baton's may look like one; a hook that cannot check lets the session stop and says why.
 */
export const hookCommand: BatonCommand = {
  command: 'hook <event>',
  describe: "Run by an agent client as its stop hook: sends the agent back while its slice's baton verify fails",
  builder: (yargs) =>
    yargs
      .positional('event', { type: 'string', describe: 'stop: the agent is about to end its turn' })
      .option('client', { type: 'string', default: 'claude', requiresArg: true, describe: 'The client running the hook: claude, codex or gemini' }),
  async run(args, io) {
    const { answerStopHook } = await import('../hook/answer-stop-hook.js');
    io.write(await answerStopHook({ event: String(args.event), client: String(args.client) }, io));
    return 0;
  },
};
