import { resolveRef } from './targets/target.js';
import type { ApplyResult } from './install/apply-plan.js';
import type { FileAction, InstallPlan } from './install/plan-install.js';
import type { PreparedInstall } from './install/prepare-install.js';
import { doubleQuote, escapeInDoubleQuotes } from '../scripts/lib/shell-quote.js';
import type { Leftover } from './install/find-leftovers.js';

/** Printing an install: the plan as text or JSON, the outcome, and what to do next. Pure functions. */

const ACTIONS: FileAction[] = ['create', 'update', 'unchanged', 'remove', 'conflict'];

export interface ReportContext {
  version: string;
  uninstall: boolean;
  dryRun: boolean;
  scope: string;
  /** List every file, `unchanged` ones too; without it they are only counted. */
  verbose: boolean;
  /** Today's date as YYYY-MM-DD, for the example release name. */
  today: string;
}

export function formatPlan(prepared: PreparedInstall, context: ReportContext): string {
  const { plan, layouts } = prepared;
  const verb = context.uninstall ? 'uninstall' : 'install';
  const labels = listInWords(layouts.map(({ target }) => target.label));
  // A re-run with nothing to do is the common case: one line, not one per file.
  if (!context.verbose && plan.files.length > 0 && !hasChanges(plan) && plan.summary.conflict === 0) {
    const count = plan.summary.unchanged;
    return `baton-install ${context.version}: ${labels} (${context.scope} scope) ${context.uninstall ? 'has nothing to remove' : 'is up to date'}: ${count} file${count === 1 ? '' : 's'} unchanged, nothing was written (--verbose lists them).`;
  }
  const lines = [`baton-install ${context.version}: ${verb} for ${labels} (${context.scope} scope)`];
  for (const { target, layout } of layouts) {
    const where = [
      resolveRef(layout.roots, layout.commandFile('<command>')),
      resolveRef(layout.roots, layout.skillFile('<role>')),
      `${resolveRef(layout.roots, layout.packDir)}/`,
    ];
    lines.push(`  ${target.label}: ${where.join(', ')}`);
  }
  lines.push('');
  const width = Math.max(...ACTIONS.map((action) => action.length));
  for (const file of plan.files) {
    if (file.action === 'unchanged' && !context.verbose) continue;
    const note = file.note ? `  (${file.note})` : '';
    lines.push(`  ${file.action.padEnd(width)}  ${file.absPath}${note}`);
  }
  if (plan.files.length === 0) lines.push(context.uninstall ? '  (no baton install found here)' : '  (nothing to install)');
  lines.push('', summarise(plan, context.verbose));
  return lines.join('\n');
}

function summarise(plan: InstallPlan, verbose: boolean): string {
  const s = plan.summary;
  const unchanged = s.unchanged > 0 && !verbose ? `${s.unchanged} unchanged (--verbose lists them)` : `${s.unchanged} unchanged`;
  return `${s.create} to create, ${s.update} to update, ${unchanged}, ${s.remove} to remove, ${s.conflict} conflict${s.conflict === 1 ? '' : 's'}.`;
}

/** Whether applying the plan would change anything on disk. */
export function hasChanges(plan: InstallPlan): boolean {
  return plan.summary.create + plan.summary.update + plan.summary.remove > 0 || plan.removeDirs.length > 0;
}

export function formatOutcome(plan: InstallPlan, result: ApplyResult | undefined, context: ReportContext, leftovers: readonly Leftover[] = []): string {
  const lines: string[] = [];
  if (!result) {
    // An install with nothing to do said so in its one-line plan, unless --verbose listed every file.
    if (plan.summary.conflict > 0 || plan.files.length === 0) lines.push(context.uninstall && plan.files.length === 0 ? 'Nothing to remove.' : 'Nothing was written.');
    else if (context.verbose) lines.push('Everything is up to date; nothing was written.');
  } else {
    lines.push(`Done: ${result.written.length} file(s) written, ${result.removed.length} removed.`);
    for (const backup of result.backups) lines.push(`  backup kept: ${backup}`);
    for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
  }
  if (plan.summary.conflict > 0) {
    const hooks = plan.files.filter((file) => file.action === 'conflict' && file.kind === 'hook').length;
    const others = plan.summary.conflict - hooks;
    lines.push(
      `${plan.summary.conflict} file(s) were kept as you left them (see "conflict" above).${others > 0 ? ` Run with --force to ${context.uninstall ? 'remove' : 'replace'} ${hooks > 0 ? 'all but the hooks file' : 'them'}; a backup of each is kept.` : ''}${hooks > 0 ? ' baton never replaces or removes a hooks file that it did not write or that you edited; its note says what to do.' : ''}`,
    );
  }
  if (leftovers.length > 0) {
    lines.push('', 'Left in place:');
    for (const { path, why } of leftovers) lines.push(`  ${path}${why === 'backups' || why === 'not-empty' ? '/' : ''}  (${LEFTOVER_WHY[why]})`);
  }
  return lines.join('\n');
}

const LEFTOVER_WHY: Record<Leftover['why'], string> = {
  edited: 'you edited it',
  manifest: 'records the files kept above, so baton-install --uninstall --force can still remove them',
  backups: 'copies of files you edited, kept by --force; delete the folder when you no longer need them',
  'not-empty': 'a folder baton made; it still holds files that are not baton\'s',
};

/** What to do after a successful install, in the paths of this install. */
export function nextSteps(prepared: PreparedInstall, context: ReportContext): string[] {
  const steps: string[] = [];
  const first = prepared.layouts[0];
  if (!first) return steps;
  const packDir = resolveRef(first.layout.roots, first.layout.packDir);
  const fragment = prepared.rendered.find((file) => file.kind === 'rule' && file.absPath.endsWith('/rules/agents-fragment.md'));
  // Commands go on lines of their own, quoted for a POSIX shell, so they paste as they are.
  if (fragment) {
    // One line per instructions file: several tools read AGENTS.md.
    const byFile = new Map<string, string[]>();
    for (const { target } of prepared.layouts) {
      const file = target.instructionsFile ?? 'AGENTS.md';
      byFile.set(file, [...(byFile.get(file) ?? []), target.label]);
    }
    steps.push(
      [
        `Wire the rules into each repository where you use baton (baton-install never edits ${[...byFile.keys()].join(' or ')}); in that repository, run:`,
        ...[...byFile].map(([file, labels]) => `cat ${doubleQuote(fragment.absPath)} >> ${file}   # ${labels.join(', ')}`),
      ].join('\n'),
    );
  }
  const planRelease = prepared.rendered.some((file) => file.kind === 'command' && /plan-release/.test(file.ref.path));
  if (planRelease) {
    const examples = prepared.layouts.map(({ target }) => `${target.label}: ${target.invocation('plan-release')} ${context.today}-<theme>`);
    steps.push(`Open a fresh session in that repository and plan your first release (${examples.join('; ')}).`);
  }
  steps.push(
    [
      'Put the baton tool on your PATH (add the line to your shell start-up file to keep it), then see the release board at any time:',
      `export PATH="${escapeInDoubleQuotes(`${packDir}/bin`)}:$PATH"`,
      'baton board',
    ].join('\n'),
  );
  const codexHooks = prepared.plan.files.find((file) => file.kind === 'hook' && file.targets.includes('codex') && file.action !== 'conflict' && file.action !== 'remove');
  if (codexHooks) {
    steps.push(`Codex runs the stop hook in ${codexHooks.absPath} only once you trust it: start codex, type /hooks and trust baton's Stop hook. Until then Codex skips it without a word (docs/stop-hook.md).`);
  }
  steps.push('Sessions that were already open load the new commands only after a restart.');
  return steps;
}

export function formatNextSteps(steps: string[]): string {
  const numbered = steps.map((step, index) => {
    const [first, ...commands] = step.split('\n');
    return [`  ${index + 1}. ${first}`, ...commands.map((command) => `       ${command}`)].join('\n');
  });
  return ['', 'Next steps:', ...numbered].join('\n');
}

/** The machine-readable report: the same plan, and the outcome when it was applied. */
export function planJson(prepared: PreparedInstall, context: ReportContext, result: ApplyResult | undefined, steps: string[], leftovers?: readonly Leftover[]) {
  return {
    version: context.version,
    mode: context.uninstall ? 'uninstall' : 'install',
    dryRun: context.dryRun,
    scope: context.scope,
    targets: prepared.layouts.map(({ target, layout }) => ({ id: target.id, label: target.label, roots: layout.roots, packDir: resolveRef(layout.roots, layout.packDir) })),
    files: prepared.plan.files.map((file) => ({
      action: file.action,
      path: file.absPath,
      kind: file.kind,
      targets: file.targets,
      ...(file.note ? { note: file.note } : {}),
      ...(file.backupPath ? { backup: file.backupPath } : {}),
    })),
    summary: prepared.plan.summary,
    applied: result !== undefined,
    ...(result ? { result } : {}),
    nextSteps: steps,
    ...(leftovers ? { leftovers } : {}),
  };
}

/** `a`, `a and b`, `a, b and c`. */
function listInWords(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
