import type { BatonCommand } from '../cli.js';
import { assertId } from '../lib/ids.js';
import { openRepo } from '../lib/repo.js';

export const logCommand: BatonCommand = {
  command: 'log [target] [release]',
  describe: "The lifecycle timeline from the receipts in git history: a release's, a slice's, or everything",
  builder: (yargs) =>
    yargs
      .positional('target', { type: 'string', describe: 'A release id, or a slice id (then optionally its release)' })
      .positional('release', { type: 'string', describe: 'The release of the slice' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object per receipt and line (NDJSON)' }),
  async run(args, io) {
    const { formatReceiptLog, logFilter, readReceiptLog } = await import('../lifecycle/receipt-log.js');
    const target = args.target === undefined ? undefined : String(args.target);
    const filter = logFilter(target, args.release === undefined ? undefined : String(args.release));
    if (filter.release !== undefined) assertId('release', filter.release);
    if (filter.slice !== undefined) assertId('slice', filter.slice);
    const entries = await readReceiptLog(await openRepo(io.cwd, io.env), filter);
    io.write(args.json ? entries.map((entry) => `${JSON.stringify(entry)}\n`).join('') : `${formatReceiptLog(entries)}\n`);
    return 0;
  },
};
