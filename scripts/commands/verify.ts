import type { Argv } from 'yargs';
import type { BatonCommand, BatonIo } from '../cli.js';

// Each command loads its implementation when it runs, so a command pays only for its own code at start-up.

/** Both commands take the same slice, release and base, and read the slice's changes the same way. */
const sliceAndBase = (yargs: Argv, json: string) =>
  yargs
    .positional('slice', { type: 'string', describe: 'Slice id, e.g. S03-export-csv' })
    .positional('release', { type: 'string', describe: 'Release id; searched for when omitted' })
    .option('base', { type: 'string', requiresArg: true, describe: "Diff base; default: the slice's start_commit" })
    .option('json', { type: 'boolean', default: false, describe: json });

/**
 * The options of both commands, run in the worktree that holds the slice's record, wherever they were
 * started; a note on stderr says when that is another worktree.
 */
async function sliceOptions(args: Record<string, unknown>, io: BatonIo) {
  const { sliceCheckout } = await import('../lifecycle/slice-checkout.js');
  const slice = String(args.slice);
  const release = args.release === undefined ? undefined : String(args.release);
  const checkout = await sliceCheckout({ cwd: io.cwd, env: io.env, now: io.now, slice, release });
  if (checkout.movedFrom) io.writeError(`baton: ${slice}'s record lives on ${checkout.movedFrom.branch}; checking it in ${checkout.root} (as with -C).\n`);
  return { cwd: checkout.root, env: io.env, slice, release, base: args.base === undefined ? undefined : String(args.base) };
}

export const verifyCommand: BatonCommand = {
  command: 'verify <slice> [release]',
  describe: "Check a slice's proof bundle against the repository: the first pass before any verifier",
  builder: (yargs) => sliceAndBase(yargs, 'Print the report as JSON'),
  async run(args, io) {
    const { verifySlice } = await import('../verify/verify-slice.js');
    const { formatVerifyReport } = await import('../verify/report.js');
    const { report } = await verifySlice(await sliceOptions(args, io));
    io.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatVerifyReport(report)}\n`);
    return report.verdict === 'PASS' ? 0 : 1;
  },
};

export const changedFilesCommand: BatonCommand = {
  command: 'changed-files <slice> [release]',
  describe: "List the slice's changed files, one per line, as verify counts them (for the proof's Files changed)",
  builder: (yargs) => sliceAndBase(yargs, 'Print the files with their status and added lines as JSON'),
  async run(args, io) {
    const { sliceChanges } = await import('../verify/verify-slice.js');
    const { changes, baseSource } = await sliceChanges(await sliceOptions(args, io));
    if (args.json) {
      const files = changes.files.map(({ path, status, renamedFrom, binary, addedCount }) => ({ path, status, ...(renamedFrom ? { renamedFrom } : {}), binary, addedLines: addedCount }));
      io.write(`${JSON.stringify({ base: changes.base, baseSource, files }, null, 2)}\n`);
    } else {
      // One line per file, even for a name with a newline in it: quoted as git quotes it.
      const { quotePath } = await import('../lib/quote-path.js');
      io.write(changes.files.map((file) => `${quotePath(file.path)}\n`).join(''));
    }
    return 0;
  },
};
