import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import yargs from 'yargs';
import { exitCodeOf, FindingError, formatError, OperationalError, UsageError, type ExitCode } from '../scripts/lib/errors.js';
import { VERSION } from '../scripts/lib/version.js';
import { applyPlan, type ApplyResult } from './install/apply-plan.js';
import { finishJournal, removeLeftovers, type BeforeStep } from './install/install-journal.js';
import { findLeftovers, type Leftover } from './install/find-leftovers.js';
import { findInterruptedInstalls, prepareInstall, type PreparedInstall } from './install/prepare-install.js';
import { writePlugin } from './plugin/write-plugin.js';
import type { ToolBundle } from './render/tool-files.js';
import { shellQuote } from '../scripts/lib/shell-quote.js';
import { formatNextSteps, formatOutcome, formatPlan, hasChanges, nextSteps, planJson, type ReportContext } from './report.js';
import { resolveInstallDirs, type InstallEnv } from './resolve-install-dirs.js';
import { describeSelection, selectionJson, selectTargets } from './select-targets.js';
import { TARGET_IDS, TARGETS } from './targets/index.js';
import { resolveRef, type InstallDirs, type Scope } from './targets/target.js';

/** The options of one `baton-install` run, as parsed from the command line. */
export interface InstallOptions {
  /** As given: one tool id, several separated by commas, or `all`; undefined for the default. */
  target: string | undefined;
  scope: Scope;
  dryRun: boolean;
  yes: boolean;
  json: boolean;
  /** List every file of the plan, `unchanged` ones too. */
  verbose: boolean;
  force: boolean;
  uninstall: boolean;
  help: boolean;
  version: boolean;
  /** Write the plugins (Claude Code, Codex) and the Gemini CLI extension into this folder instead of installing. */
  plugin: string | undefined;
  /** `--stop-hook` / `--no-stop-hook`; undefined keeps what the install was made with (docs/stop-hook.md). */
  stopHook: boolean | undefined;
}

/** What the CLI takes from its process, so tests and the real binary run the same code. */
export interface InstallIo {
  env: InstallEnv & { DEBUG?: string | undefined; BATON_INSTALL_CRASH_AT?: string | undefined; BATON_INSTALL_ENOSPC_AT?: string | undefined };
  cwd: string;
  home: string;
  now: Date;
  /** The package folder holding commands/, skills/, rules/, templates/ and dist/. */
  packageRoot: string;
  interactive: boolean;
  write(text: string): void;
  writeError(text: string): void;
  ask(question: string): Promise<string>;
}

function parser(argv: string[]) {
  // Help and version are plain options, printed by us, so output goes through io like everything else.
  return yargs(argv)
    .help(false)
    .version(false)
    .scriptName('baton-install')
    .usage(`$0 [options]\n\nInstall the baton commands, role skills, rules and tools for ${TARGETS.map((target) => target.label).join(', ')}.`)
    .option('target', {
      type: 'string',
      requiresArg: true,
      describe: `The tools to install for: ${TARGET_IDS.join(', ')}, several separated by commas, or all. Default: every tool whose folder exists here (all when none does)`,
    })
    .option('scope', { choices: ['user', 'project'] as const, default: 'user' as Scope, requiresArg: true, describe: "Your home directories, or the current repository (each tool's folder and .baton/)" })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Show the plan and write nothing' })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the plan and the outcome as JSON' })
    .option('verbose', { type: 'boolean', default: false, describe: 'List every file of the plan, unchanged ones too (--dry-run shows the plan the real run would: the same way)' })
    .option('force', { type: 'boolean', default: false, describe: 'Replace files you edited (a backup of each is kept)' })
    .option('uninstall', { type: 'boolean', default: false, describe: 'Remove what baton-install installed, except files you edited' })
    .option('plugin', { type: 'string', requiresArg: true, describe: 'Write the Claude Code and Codex plugins with their marketplace files, and the Gemini CLI extension, into this folder instead of installing' })
    .option('stop-hook', {
      type: 'boolean',
      describe: 'Install the stop hook: an implementer session cannot end while its slice fails baton verify (kept on later runs; --no-stop-hook removes it; the plugin has it unless --no-stop-hook)',
    })
    .option('help', { alias: 'h', type: 'boolean', default: false, describe: 'Show this help' })
    .option('version', { type: 'boolean', default: false, describe: 'Show the version' })
    .epilogue(`Environment: ${[...new Set(TARGETS.flatMap((target) => target.environment))].join(', ')}.`)
    .strict()
    .exitProcess(false)
    .wrap(100)
    .fail((message, error) => {
      // yargs reports its own parsing problems (such as an option given no value) as a YError.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(message ?? error?.message ?? 'The arguments could not be read.', { fix: 'Run baton-install --help for the options.' });
    });
}

async function parseInstallArgs(argv: string[]): Promise<InstallOptions> {
  const args = await parser(argv).parseAsync();
  if (args._.length > 0) {
    throw new UsageError(`Unexpected argument "${String(args._[0])}".`, { fix: 'baton-install takes only options; run baton-install --help.' });
  }
  return {
    target: args.target,
    scope: args.scope,
    dryRun: args['dry-run'],
    yes: args.yes,
    json: args.json,
    verbose: args.verbose,
    force: args.force,
    uninstall: args.uninstall,
    help: args.help,
    version: args.version,
    plugin: args.plugin,
    stopHook: args['stop-hook'],
  };
}

/** Runs baton-install and returns its exit code; every error is printed here and nowhere else. */
export async function runInstallCli(argv: string[], io: InstallIo): Promise<ExitCode> {
  try {
    return await install(await parseInstallArgs(argv), io);
  } catch (error) {
    io.writeError(`${formatError(error, { verbose: Boolean(io.env.DEBUG) || argv.includes('--verbose') })}\n`);
    return exitCodeOf(error);
  }
}

async function install(options: InstallOptions, io: InstallIo): Promise<ExitCode> {
  if (options.help) {
    io.write(`${await parser([]).getHelp()}\n`);
    return 0;
  }
  if (options.version) {
    io.write(`${VERSION}\n`);
    return 0;
  }
  if (options.plugin !== undefined) return writePluginFolder(options, io);
  const dirs = await resolveInstallDirs(options.scope, io.env, io.home, io.cwd);
  const selection = await selectTargets(options.target, dirs, options.uninstall);
  const { targets } = selection;
  const beforeStep = testFailpoint(io.env);
  await finishInterrupted(dirs, options.dryRun, io, beforeStep);
  const prepared = await prepareInstall({
    packRoot: io.packageRoot,
    bundle: options.uninstall ? undefined : await readBundle(io.packageRoot),
    targets,
    dirs,
    uninstall: options.uninstall,
    force: options.force,
    stopHook: options.stopHook,
    version: VERSION,
    backupStamp: io.now.toISOString().replace(/[:.]/g, '-'),
  });
  const context: ReportContext = {
    version: VERSION,
    uninstall: options.uninstall,
    dryRun: options.dryRun,
    scope: options.scope,
    verbose: options.verbose,
    today: io.now.toISOString().slice(0, 10),
  };
  const { plan } = prepared;
  const steps = options.uninstall ? [] : nextSteps(prepared, context);
  const report = (result: ApplyResult | undefined, leftovers?: Leftover[]) => {
    if (options.json) io.write(`${JSON.stringify({ ...planJson(prepared, context, result, steps, leftovers), selection: selectionJson(selection) }, null, 2)}\n`);
  };
  const outcome = (result: ApplyResult | undefined, leftovers?: Leftover[]) => {
    const text = formatOutcome(plan, result, context, leftovers);
    if (!options.json && text !== '') io.write(`${text}\n`);
  };
  const chosen = describeSelection(selection);
  if (!options.json) io.write(`${chosen ? `${chosen}\n` : ''}${formatPlan(prepared, context)}\n`);

  if (options.dryRun) {
    report(undefined);
    if (!options.json && hasChanges(plan)) io.write('Dry run: nothing was written. Run again without --dry-run to apply this plan.\n');
    // The same exit code the real run would give: 1 when it would keep a file you edited.
    return plan.summary.conflict > 0 ? 1 : 0;
  }
  const temporaries = await removeLeftovers([path.dirname(prepared.journalPath), ...plan.files.map((file) => path.dirname(file.absPath))], beforeStep ?? (() => undefined));
  if (temporaries.length > 0) io.writeError(`note: removed ${temporaries.length} temporary file(s) left by an interrupted install.\n`);
  if (!hasChanges(plan)) {
    const leftovers = await uninstallLeftovers(prepared, options);
    report(undefined, leftovers);
    outcome(undefined, leftovers);
    return plan.summary.conflict > 0 ? 1 : 0;
  }
  if (io.interactive && !options.yes) {
    const answer = await io.ask(`${options.uninstall ? 'Remove' : 'Install'} as listed above? [y/N] `);
    if (!/^(y|yes)$/i.test(answer.trim())) {
      io.writeError('Aborted: nothing was written.\n');
      return 0;
    }
  }
  const result = await applyPlan(plan, { journalPath: prepared.journalPath, ...(beforeStep ? { beforeStep } : {}) });
  const leftovers = await uninstallLeftovers(prepared, options);
  report(result, leftovers);
  outcome(result, leftovers);
  if (!options.json && steps.length > 0) io.write(`${formatNextSteps(steps)}\n`);
  return plan.summary.conflict > 0 ? 1 : 0;
}

/** After an uninstall, what it left and why; undefined for an install, which leaves everything by design. */
async function uninstallLeftovers(prepared: PreparedInstall, options: InstallOptions): Promise<Leftover[] | undefined> {
  if (!options.uninstall) return undefined;
  return findLeftovers(prepared.plan, prepared.layouts.map(({ layout }) => resolveRef(layout.roots, layout.packDir)));
}

/**
 * A run interrupted earlier (killed, power lost) is finished, or undone if it had not staged
 * everything, before this run plans: planning over half-switched files would report false conflicts.
 * A dry run writes nothing, so it only reports it: its plan would not be the one the real run shows.
 */
async function finishInterrupted(dirs: InstallDirs, dryRun: boolean, io: InstallIo, beforeStep: BeforeStep | undefined): Promise<void> {
  const interrupted = await findInterruptedInstalls(dirs);
  if (interrupted.length > 0 && dryRun) {
    throw new FindingError(`An earlier baton-install was interrupted (${interrupted.map(({ file }) => file).join(', ')}), so the plan cannot be shown yet.`, {
      fix: 'Run baton-install without --dry-run: it first finishes (or undoes) the interrupted install, then shows and applies its plan.',
    });
  }
  for (const { file, journal } of interrupted) {
    const outcome = await finishJournal(file, journal, beforeStep ?? (() => undefined));
    io.writeError(`note: an earlier baton-install was interrupted; it has been ${outcome} (${file}).\n`);
  }
}

/**
 * Test hooks, not features. BATON_INSTALL_CRASH_AT=<n> makes the process SIGKILL itself right before
 * the n-th file-system step of applying the plan, so a test can prove that a run interrupted at any
 * step is finished or undone by the next one. BATON_INSTALL_ENOSPC_AT=<n> makes the n-th file written
 * fail as on a full disk, which a test cannot otherwise arrange without root.
 */
function testFailpoint(env: InstallIo['env']): BeforeStep | undefined {
  const crashAt = Number(env.BATON_INSTALL_CRASH_AT ?? 0);
  const fullAt = Number(env.BATON_INSTALL_ENOSPC_AT ?? 0);
  if (!(crashAt > 0) && !(fullAt > 0)) return undefined;
  let steps = 0;
  let writes = 0;
  return (op, target) => {
    steps += 1;
    if (steps === crashAt) process.kill(process.pid, 'SIGKILL');
    if (op !== 'write') return;
    writes += 1;
    if (writes !== fullAt) return;
    // As a full disk does: the file is created, nothing fits in it.
    writeFileSync(target, '', { flag: 'wx' });
    throw Object.assign(new Error(`ENOSPC: no space left on device, write '${target}'`), { code: 'ENOSPC' });
  };
}

async function writePluginFolder(options: InstallOptions, io: InstallIo): Promise<ExitCode> {
  if (options.uninstall || options.target !== undefined || options.scope !== 'user' || options.force || options.dryRun) {
    throw new UsageError('--plugin writes a plugin folder; it does not combine with --target, --scope, --force, --dry-run or --uninstall.', {
      fix: 'Run baton-install --plugin <folder> on its own.',
    });
  }
  const outDir = path.resolve(io.cwd, options.plugin ?? '.');
  // Claude Code pastes the folder into "${CLAUDE_PLUGIN_ROOT}/baton/bin/baton" in the prompts, inside
  // double quotes, where these characters would change what the shell runs.
  if (/["$`\\\n\r]/.test(outDir)) {
    throw new UsageError(`The plugin folder ${JSON.stringify(outDir)} contains a quote, $, backtick, backslash or line break, which would break the shell commands in the prompts.`, {
      fix: 'Choose a folder whose path has none of them.',
    });
  }
  const { files, kept, warnings } = await writePlugin({ packRoot: io.packageRoot, bundle: await readBundle(io.packageRoot), version: VERSION, outDir, stopHook: options.stopHook ?? true });
  if (options.json) {
    const paths = (list: string[]) => list.map((file) => path.join(outDir, file));
    io.write(`${JSON.stringify({ version: VERSION, plugin: outDir, files: paths(files.map((file) => file.path)), kept: paths(kept), warnings }, null, 2)}\n`);
    return 0;
  }
  io.write(`baton-install ${VERSION}: wrote the Claude Code and Codex plugins with their marketplace files, and the Gemini CLI extension, into ${outDir}\n`);
  for (const file of files) io.write(`  ${path.join(outDir, file.path)}\n`);
  for (const file of kept) io.write(`  ${path.join(outDir, file)}  (kept: a file of yours, not baton's)\n`);
  for (const warning of warnings) io.writeError(`warning: ${warning}\n`);
  io.write(
    [
      '',
      'Next steps for Claude Code:',
      `  1. claude plugin marketplace add ${shellQuote(outDir)}`,
      '  2. claude plugin install baton@baton',
      '  3. In a new Claude Code session, type /baton:plan-release <YYYY-MM-DD-theme> (every command is /baton:<command>).',
      '',
      'Next steps for Codex:',
      `  1. codex plugin marketplace add ${shellQuote(outDir)}`,
      '  2. codex plugin add baton@baton',
      '  3. In a new Codex session, type $baton:plan-release <YYYY-MM-DD-theme> (every command is $baton:<command>).',
      '',
      'Next steps for Gemini CLI:',
      `  1. gemini extensions link ${shellQuote(path.join(outDir, 'gemini-extension'))}   (or install, for a copy: then gemini extensions update baton after an upgrade)`,
      '  2. In a new Gemini CLI session, type /baton:plan-release <YYYY-MM-DD-theme> (every command is /baton:<command>).',
      '',
    ].join('\n'),
  );
  return 0;
}

async function readBundle(packageRoot: string): Promise<ToolBundle> {
  const read = async (name: string) => {
    const file = path.join(packageRoot, 'dist', name);
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new OperationalError(`The bundled tool ${file} is missing.`, { cause: error, fix: 'Run npm run build (npm install does it for you).' });
    }
  };
  return { batonScript: await read('baton.mjs'), programScript: await read('baton-program.cjs'), tokenizerScript: await read('baton-tokenizer.cjs') };
}

/** The terminal's answer to a question, asked on stderr so stdout stays clean for --json. */
export async function askOnTerminal(question: string): Promise<string> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await prompt.question(question);
  } finally {
    prompt.close();
  }
}
