import type { Argv } from 'yargs';
import type { BatonCommand, BatonIo } from '../cli.js';
import { UsageError, type ExitCode } from '../lib/errors.js';
import type { ChangeReport, LockedIo } from '../lifecycle/records.js';
import { UNBLOCK_STATES } from '../lifecycle/state-machine.js';

/** The state-changing commands: argument wiring only; each loads its implementation when it runs. */

/**
 * Every state change is committed with its receipt; --json prints what changed as JSON, and --brief
 * names the brief the session started from, which the receipt records (docs/cli.md, baton brief).
 */
const withJson = (yargs: Argv) =>
  yargs
    .option('json', { type: 'boolean', default: false, describe: 'Print what changed (files, commits) as JSON' })
    .option('brief', { type: 'string', requiresArg: true, describe: 'The digest baton brief printed for this session, recorded in the receipt (Baton-Brief)' });
const slicePositionals = (yargs: Argv) =>
  yargs.positional('slice', { type: 'string', describe: 'Slice id' }).positional('release', { type: 'string', describe: 'Release id; found from the board when omitted' });

/**
 * Runs a state-changing command under the repository lock (taken before it reads anything it
 * changes, released after its commit) and prints what it changed only then.
 */
async function change(io: BatonIo, args: Record<string, unknown>, command: string, run: (io: BatonIo & LockedIo) => Promise<ChangeReport>): Promise<ExitCode> {
  const [{ formatChangeReport }, { withRepoLock }] = await Promise.all([import('../lifecycle/records.js'), import('../lifecycle/with-repo-lock.js')]);
  const brief = briefDigest(args.brief);
  const report = await withRepoLock({ ...io, ...(brief === undefined ? {} : { brief }) }, command, run);
  io.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatChangeReport(report)}\n`);
  return 0;
}

/** --brief: the 64 hexadecimal digits baton brief printed; anything else is refused before anything is read. */
function briefDigest(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const fix = 'Pass the digest from the first line of baton brief (64 hexadecimal digits), or leave --brief out.';
  if (Array.isArray(value)) throw new UsageError('--brief was given more than once: a state change records the one brief its session started from.', { fix });
  const digest = String(value).trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(digest)) throw new UsageError(`--brief ${JSON.stringify(String(value).slice(0, 80))} is not the digest of a brief.`, { fix });
  return digest;
}

const str = (value: unknown) => (value === undefined ? undefined : String(value));
const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);
/** `<slice> [release]`, as every slice command takes them. */
const sliceOptions = (args: Record<string, unknown>) => ({ slice: String(args.slice), release: str(args.release) });

export const lifecycleCommands: BatonCommand[] = [
  {
    command: 'new-release <release>',
    describe: 'Create a release folder (intake.md, index.md) from the templates',
    builder: (y) =>
      withJson(y.positional('release', { type: 'string', describe: 'Release id, e.g. 2026-11-21-billing-export' }))
        .option('integration-branch', { type: 'string', requiresArg: true, describe: 'The branch the release merges into (default: the current branch)' })
        .option('title', { type: 'string', requiresArg: true, describe: 'A one-line title' }),
    async run(args, io) {
      const { newRelease } = await import('../lifecycle/scaffold.js');
      return change(io, args, 'new-release', (locked) => newRelease(locked, { release: String(args.release), integrationBranch: str(args['integration-branch']), title: str(args.title) }));
    },
  },
  {
    command: 'new-slice <slice>',
    describe: "Create a slice folder from the templates and register it in its track (the track is created if new)",
    builder: (y) =>
      withJson(y.positional('slice', { type: 'string', describe: 'Slice id, e.g. S03-export-csv' }))
        .option('release', { type: 'string', requiresArg: true, describe: 'Release id; the one open release when omitted' })
        .option('track', { type: 'string', demandOption: true, requiresArg: true, describe: 'Track id, e.g. T1-exports' })
        .option('depends-on', { type: 'string', array: true, describe: 'Tracks a new track depends on (repeatable)' })
        .option('title', { type: 'string', requiresArg: true, describe: "The slice's user outcome in a few words" }),
    async run(args, io) {
      const { newSlice } = await import('../lifecycle/scaffold.js');
      const { releaseOrOnlyOpen } = await import('../lifecycle/open-release.js');
      return change(io, args, 'new-slice', async (locked) => newSlice(locked, { slice: String(args.slice), release: await releaseOrOnlyOpen(locked, str(args.release), `new-slice ${String(args.slice)} --release <release> --track ${String(args.track)}`), track: String(args.track), dependsOn: list(args['depends-on']), title: str(args.title) }));
    },
  },
  {
    command: 'track-deps <track> [release]',
    describe: 'Set the tracks a track depends on (replacing its list); refuses cycles, and new dependencies once the track has started',
    builder: (y) =>
      withJson(y.positional('track', { type: 'string', describe: 'Track id' }).positional('release', { type: 'string', describe: 'Release id; found from the board when omitted' }))
        .option('depends-on', { type: 'string', array: true, describe: 'A track it depends on (repeatable): the whole new list' })
        .option('none', { type: 'boolean', default: false, describe: 'Depend on no track' })
        .check((argv) => {
          const given = Array.isArray(argv['depends-on']) && argv['depends-on'].length > 0;
          if (given === Boolean(argv.none)) throw new UsageError('Give the new list as --depends-on <track> (repeatable), or --none for no dependency.', { fix: 'baton track-deps T2-pdf --depends-on T1-exports' });
          return true;
        }),
    async run(args, io) {
      const { setTrackDependencies } = await import('../lifecycle/plan-edits.js');
      return change(io, args, 'track-deps', (locked) => setTrackDependencies(locked, { track: String(args.track), release: str(args.release), dependsOn: list(args['depends-on']) }));
    },
  },
  {
    command: 'drop-slice <slice> [release]',
    describe: 'Remove a planned slice that was never started: out of its track in index.md, and its folder removed',
    builder: (y) => withJson(slicePositionals(y)),
    async run(args, io) {
      const { dropSlice } = await import('../lifecycle/plan-edits.js');
      return change(io, args, 'drop-slice', (locked) => dropSlice(locked, sliceOptions(args)));
    },
  },
  {
    command: 'worktree <slice> [release]',
    describe: "Create the release branch and worktree and the slice's track branch and worktree when absent",
    builder: (y) => withJson(slicePositionals(y)),
    async run(args, io) {
      const { materialiseWorktree } = await import('../lifecycle/worktrees.js');
      return change(io, args, 'worktree', (locked) => materialiseWorktree(locked, sliceOptions(args)));
    },
  },
  {
    command: 'start <slice> [release]',
    describe: 'planned or failed_verification → in_progress; records start_commit the first time only',
    builder: (y) => withJson(slicePositionals(y)),
    async run(args, io) {
      const { startSlice } = await import('../lifecycle/slice-actions.js');
      return change(io, args, 'start', (locked) => startSlice(locked, sliceOptions(args)));
    },
  },
  {
    command: 'evidence <slice> [release]',
    describe: 'Record the test commands and reachability artefacts of an in-progress slice',
    builder: (y) =>
      withJson(slicePositionals(y))
        .option('test-command', { type: 'string', array: true, describe: 'A command that runs the slice\'s tests (repeatable)' })
        .option('reachability', { type: 'string', array: true, describe: 'An artefact: "path", "path:line" or "path — what it shows" (repeatable)' }),
    async run(args, io) {
      const { recordEvidence } = await import('../lifecycle/slice-actions.js');
      return change(io, args, 'evidence', (locked) => recordEvidence(locked, { ...sliceOptions(args), testCommands: list(args['test-command']), reachability: list(args.reachability) }));
    },
  },
  {
    command: 'stopped <slice> [release]',
    describe: 'Record that the implementation of an in_progress slice stopped, and why; the slice stays in_progress',
    builder: (y) => withJson(slicePositionals(y)).option('reason', { type: 'string', demandOption: true, requiresArg: true, describe: 'What blocks the slice, what works, and what is needed from whom' }),
    async run(args, io) {
      const { recordStop } = await import('../lifecycle/slice-actions.js');
      return change(io, args, 'stopped', (locked) => recordStop(locked, { ...sliceOptions(args), reason: String(args.reason) }));
    },
  },
  {
    command: 'transition <slice> <state> [release]',
    describe: 'in_progress → implemented, only when baton verify passes; fills actual_files',
    // Positionals declared in the order they are typed, so --help lists them in that order.
    builder: (y) => withJson(y.positional('slice', { type: 'string', describe: 'Slice id' }).positional('state', { type: 'string', describe: 'implemented' }).positional('release', { type: 'string', describe: 'Release id; found from the board when omitted' })),
    async run(args, io) {
      const state = String(args.state);
      if (state !== 'implemented') {
        const other: Record<string, string> = { in_progress: 'baton start', verified: 'baton verdict <slice> PASS', failed_verification: 'baton verdict <slice> FAIL', deferred: 'baton defer', shipped: 'baton ship', planned: 'baton unblock --state planned' };
        throw new UsageError(`baton transition only moves a slice to implemented, not to ${state}.`, { fix: other[state] ? `Use ${other[state]}.` : `The one state it takes is implemented: baton transition ${String(args.slice)} implemented.` });
      }
      const { markImplemented } = await import('../lifecycle/slice-actions.js');
      return change(io, args, 'transition', (locked) => markImplemented(locked, sliceOptions(args)));
    },
  },
  {
    command: 'verdict <slice> <verdict> [release]',
    describe: "Record a verifier's verdict (PASS, FAIL or BLOCKED) in status.json and journal.md",
    builder: (y) =>
      withJson(y.positional('slice', { type: 'string', describe: 'Slice id' }).positional('verdict', { type: 'string', choices: ['PASS', 'FAIL', 'BLOCKED'], coerce: (value: string) => String(value).toUpperCase(), describe: 'The verdict (any case)' }).positional('release', { type: 'string', describe: 'Release id; found from the board when omitted' }))
        .option('notes-file', { type: 'string', demandOption: true, requiresArg: true, describe: 'The verdict body: numbered violations for FAIL, the reason for BLOCKED' }),
    async run(args, io) {
      const { recordVerdict } = await import('../lifecycle/slice-actions.js');
      return change(io, args, 'verdict', (locked) => recordVerdict(locked, { ...sliceOptions(args), verdict: args.verdict as 'PASS' | 'FAIL' | 'BLOCKED', notesFile: String(args['notes-file']) }));
    },
  },
  {
    command: 'unblock <slice> [release]',
    describe: "The planner's answer to a BLOCKED verdict: clear it and set the state",
    builder: (y) =>
      withJson(slicePositionals(y))
        .option('state', { type: 'string', demandOption: true, choices: [...UNBLOCK_STATES], describe: 'Where the slice goes after the spec was amended' })
        .option('notes-file', { type: 'string', demandOption: true, requiresArg: true, describe: 'What the planner changed and why' })
        .option('spec-unchanged-because', { type: 'string', requiresArg: true, describe: 'Why no spec.md amendment answers the verdict (else spec.md must have changed since it)' }),
    async run(args, io) {
      const { resolveBlocked } = await import('../lifecycle/slice-actions.js');
      return change(io, args, 'unblock', (locked) => resolveBlocked(locked, { ...sliceOptions(args), state: args.state as 'implemented', notesFile: String(args['notes-file']), specUnchangedBecause: str(args['spec-unchanged-because']) }));
    },
  },
  {
    command: 'reopen <slice> [release]',
    describe: "The planner's way back to implementation: a verified slice whose code changed after its PASS, or one that failed verification maxAttempts times",
    builder: (y) => withJson(slicePositionals(y)).option('notes-file', { type: 'string', demandOption: true, requiresArg: true, describe: 'Why it is re-opened, and what the implementer must do' }),
    async run(args, io) {
      const { reopenSlice } = await import('../lifecycle/slice-actions.js');
      return change(io, args, 'reopen', (locked) => reopenSlice(locked, { ...sliceOptions(args), notesFile: String(args['notes-file']) }));
    },
  },
  {
    command: 'defer <slice> [release]',
    describe: 'Move a slice that is not verified or shipped out of the release, with its deferral card',
    builder: (y) => withJson(slicePositionals(y)).option('notes-file', { type: 'string', demandOption: true, requiresArg: true, describe: 'Lines "Reason: ...", "Tracking: ...", "Acknowledged: ..."' }),
    async run(args, io) {
      const { deferSlice } = await import('../lifecycle/slice-actions.js');
      return change(io, args, 'defer', (locked) => deferSlice(locked, { ...sliceOptions(args), notesFile: String(args['notes-file']) }));
    },
  },
  {
    command: 'merged <track> [release]',
    describe: "Record a track as merged once its branch is contained in release-wt",
    builder: (y) => withJson(y.positional('track', { type: 'string', describe: 'Track id' }).positional('release', { type: 'string', describe: 'Release id' })),
    async run(args, io) {
      const { recordTrackMerged } = await import('../lifecycle/worktrees.js');
      return change(io, args, 'merged', (locked) => recordTrackMerged(locked, { track: String(args.track), release: str(args.release) }));
    },
  },
  {
    command: 'ship [release]',
    describe: 'Every verified slice → shipped, only when the deployed commit contains the release merge',
    builder: (y) =>
      withJson(y.positional('release', { type: 'string', describe: 'Release id; the one open release when omitted' }))
        .option('deployed', { type: 'string', demandOption: true, requiresArg: true, describe: 'The commit that was deployed' })
        .option('deploy-ref', { type: 'string', requiresArg: true, describe: 'A tag, URL or ticket for the deploy' }),
    async run(args, io) {
      const { shipRelease } = await import('../lifecycle/ship.js');
      const { releaseOrOnlyOpen } = await import('../lifecycle/open-release.js');
      return change(io, args, 'ship', async (locked) => shipRelease(locked, { release: await releaseOrOnlyOpen(locked, str(args.release), `ship <release> --deployed ${String(args.deployed)}`), deployed: String(args.deployed), deployRef: str(args['deploy-ref']) }));
    },
  },
  {
    command: 'gate <gate> [target] [release]',
    describe: 'Is a gate open? merge-track <track> [<release>], merge-release <release>, mark-shipped <release> (exit 0 open, 1 closed)',
    builder: (y) =>
      y
        .positional('gate', { type: 'string', choices: ['merge-track', 'merge-release', 'mark-shipped'], describe: 'Which gate' })
        .positional('target', { type: 'string', describe: 'The track (merge-track) or the release (the one open release when omitted)' })
        .positional('release', { type: 'string', describe: 'The release, for merge-track' })
        .option('json', { type: 'boolean', default: false, describe: 'Print { gate, release, target, open, reasons } as JSON' }),
    async run(args, io) {
      const gates = await import('../lifecycle/gates.js');
      if (args.gate === 'merge-track' && args.target === undefined) throw new UsageError('baton gate merge-track needs the track.', { fix: 'Run baton gate merge-track <track> [release]; baton board lists the tracks.' });
      const { releaseOrOnlyOpen } = await import('../lifecycle/open-release.js');
      const target = args.gate === 'merge-track' ? String(args.target) : await releaseOrOnlyOpen(io, str(args.target), `gate ${String(args.gate)} <release>`);
      const result =
        args.gate === 'merge-track' ? await gates.gateMergeTrack(io, target, str(args.release)) : args.gate === 'merge-release' ? await gates.gateMergeRelease(io, target) : await gates.gateMarkShipped(io, target);
      io.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${gates.formatGate(result)}\n`);
      return result.open ? 0 : 1;
    },
  },
  {
    command: 'matrix [release]',
    describe: "The touchpoint matrix from the specs' Planned touchpoints, as Markdown for index.md (exit 1 on a collision)",
    builder: (y) => y.positional('release', { type: 'string', describe: 'Release id; the one open release when omitted' }).option('json', { type: 'boolean', default: false, describe: 'Print the matrix as JSON' }),
    async run(args, io) {
      const { formatMatrix, readMatrix } = await import('../lifecycle/matrix.js');
      const { releaseOrOnlyOpen } = await import('../lifecycle/open-release.js');
      const matrix = await readMatrix(io, await releaseOrOnlyOpen(io, str(args.release), 'matrix <release>'));
      io.write(args.json ? `${JSON.stringify(matrix, null, 2)}\n` : `${formatMatrix(matrix)}\n`);
      return matrix.collisions.length > 0 ? 1 : 0;
    },
  },
];
