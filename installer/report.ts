import { resolveRef } from './targets/target.js';
import type { ApplyResult } from './install/apply-plan.js';
import type { FileAction, InstallPlan } from './install/plan-install.js';
import type { PreparedInstall } from './install/prepare-install.js';
import { shellQuote } from '../scripts/lib/shell-quote.js';

/** Printing an install: the plan as text or JSON, the outcome, and what to do next. Pure functions. */

const ACTIONS: FileAction[] = ['create', 'update', 'unchanged', 'remove', 'conflict'];

export interface ReportContext {
  version: string;
  uninstall: boolean;
  dryRun: boolean;
  scope: string;
  /** Today's date as YYYY-MM-DD, for the example release name. */
  today: string;
}

export function formatPlan(prepared: PreparedInstall, context: ReportContext): string {
  const { plan, layouts } = prepared;
  const verb = context.uninstall ? 'uninstall' : 'install';
  const labels = layouts.map(({ target }) => target.label).join(' and ');
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
    const note = file.note ? `  (${file.note})` : '';
    lines.push(`  ${file.action.padEnd(width)}  ${file.absPath}${note}`);
  }
  if (plan.files.length === 0) lines.push(context.uninstall ? '  (no baton install found here)' : '  (nothing to install)');
  lines.push('', summarise(plan));
  return lines.join('\n');
}

function summarise(plan: InstallPlan): string {
  const s = plan.summary;
  return `${s.create} to create, ${s.update} to update, ${s.unchanged} unchanged, ${s.remove} to remove, ${s.conflict} conflict${s.conflict === 1 ? '' : 's'}.`;
}

/** Whether applying the plan would change anything on disk. */
export function hasChanges(plan: InstallPlan): boolean {
  return plan.summary.create + plan.summary.update + plan.summary.remove > 0 || plan.removeDirs.length > 0;
}

export function formatOutcome(plan: InstallPlan, result: ApplyResult | undefined, context: ReportContext): string {
  const lines: string[] = [];
  if (!result) {
    if (plan.summary.conflict === 0) lines.push(context.uninstall ? 'Nothing to remove.' : 'Everything is up to date; nothing was written.');
    else lines.push('Nothing was written.');
  } else {
    lines.push(`Done: ${result.written.length} file(s) written, ${result.removed.length} removed.`);
    for (const backup of result.backups) lines.push(`  backup kept: ${backup}`);
    for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
  }
  if (plan.summary.conflict > 0) {
    lines.push(
      `${plan.summary.conflict} file(s) were kept as you left them (see "conflict" above). Run with --force to ${context.uninstall ? 'remove' : 'replace'} them; a backup of each is kept.`,
    );
  }
  return lines.join('\n');
}

/** What to do after a successful install, in the paths of this install. */
export function nextSteps(prepared: PreparedInstall, context: ReportContext): string[] {
  const steps: string[] = [];
  const first = prepared.layouts[0];
  if (!first) return steps;
  const packDir = resolveRef(first.layout.roots, first.layout.packDir);
  const fragment = prepared.rendered.find((file) => file.kind === 'rule' && file.absPath.endsWith('/rules/agents-fragment.md'));
  if (fragment) {
    steps.push(
      `Wire the rules into each repository where you use baton: copy ${fragment.absPath} into that repository's AGENTS.md (Codex) or CLAUDE.md (Claude Code). baton-install never edits those files.`,
    );
  }
  const planRelease = prepared.rendered.some((file) => file.kind === 'command' && /plan-release/.test(file.ref.path));
  if (planRelease) {
    const examples = prepared.layouts.map(({ target }) => `${target.label}: ${target.invocation('plan-release')} ${context.today}-<theme>`);
    steps.push(`Open a fresh session in that repository and plan your first release (${examples.join('; ')}).`);
  }
  steps.push(`See the release board at any time: ${shellQuote(`${packDir}/bin/baton`)} board (add ${packDir}/bin to your PATH to type baton).`);
  steps.push('Sessions that were already open load the new commands only after a restart.');
  return steps;
}

export function formatNextSteps(steps: string[]): string {
  return ['', 'Next steps:', ...steps.map((step, index) => `  ${index + 1}. ${step}`)].join('\n');
}

/** The machine-readable report: the same plan, and the outcome when it was applied. */
export function planJson(prepared: PreparedInstall, context: ReportContext, result: ApplyResult | undefined, steps: string[]) {
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
  };
}
