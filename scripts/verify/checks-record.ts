import { parseYamlMapping, splitFrontmatter } from '../lib/frontmatter.js';
import { isInsideRootLexically } from '../lib/inside-root.js';
import { fail, pass, skip, type CheckResult } from './report.js';
import type { VerifyContext } from './verify-slice.js';

/** Checks of the slice's record: its files, its status.json and what the status claims. */

const ARTEFACTS = ['spec.md', 'proof.md', 'status.json', 'journal.md'] as const;

export function checkArtefacts(context: VerifyContext): CheckResult {
  const present = { 'spec.md': context.spec, 'proof.md': context.proof, 'status.json': context.statusText, 'journal.md': context.journal };
  const missing = ARTEFACTS.filter((name) => present[name] === undefined);
  if (missing.length === 0) return pass('artefacts', 'spec.md, proof.md, status.json and journal.md are present');
  return fail('artefacts', `${missing.join(', ')} missing from ${context.sliceDir}; restore them from git, or create the slice with baton new-slice`, missing.map((name) => `${context.sliceDir}/${name}`));
}

export function checkStatusSchema(context: VerifyContext): CheckResult {
  if (context.statusText === undefined) return skip('status-schema', 'there is no status.json to check');
  if (context.statusProblems.length > 0) {
    const file = `${context.sliceDir}/status.json`;
    const last = context.receipts.last;
    const restore = last ? `restore the record baton last wrote: git checkout ${last.commit.slice(0, 12)} -- ${file}` : `restore a good copy from git (git log -- ${file} lists the commits that wrote it)`;
    return fail('status-schema', `${file} is not a usable record (only baton commands write it); ${restore}`, context.statusProblems);
  }
  const status = context.status;
  const mismatches: string[] = [];
  if (status && status.slice_id !== context.slice) mismatches.push(`slice_id is ${status.slice_id}, but the folder is ${context.slice}`);
  if (status && status.release !== context.release) mismatches.push(`release is ${status.release}, but the folder is in ${context.release}`);
  if (mismatches.length > 0) return fail('status-schema', 'status.json names another slice or release than its folder', mismatches);
  return pass('status-schema', 'status.json is valid JSON and matches the schema');
}

export function checkReceipts(context: VerifyContext): CheckResult {
  const { receipts } = context;
  if (receipts.writtenBy) return pass('receipts', `status.json is the record baton wrote (${receipts.writtenBy.event} in ${receipts.writtenBy.commit.slice(0, 12)})`);
  if (receipts.count === 0) return skip('receipts', 'no baton receipt names this slice: the board reports such a record as unreceipted, and no gate opens for it');
  return fail('receipts', `status.json is not the record any baton receipt wrote (edited by hand, or changed and not committed); the receipts prove ${receipts.proven ?? 'another state'}, and that is the state judged here. Restore it from git`);
}

const STATE_ADVICE: Record<string, string> = {
  planned: 'the slice has not been started; run baton start in its track worktree and implement it first',
  failed_verification: 'the last verdict was FAIL; fix every numbered violation in journal.md, then run baton start to resume',
  deferred: 'the slice was deferred out of the release; there is nothing to verify',
};

export function checkState(context: VerifyContext): CheckResult {
  const state = context.state;
  if (state === undefined) return skip('state', 'the state cannot be read from status.json');
  if (state === 'in_progress' || state === 'implemented') return pass('state', state);
  if (state === 'verified' || state === 'shipped') return pass('state', `${state}: this slice already passed verification; the checks below describe it as it is now`);
  return fail('state', `${state}: ${STATE_ADVICE[state] ?? 'not a state that can be verified'}`);
}

export function checkSpecFrontmatter(context: VerifyContext): CheckResult {
  const problems: string[] = [];
  const files: [string, string | undefined][] = [
    [`${context.sliceDir}/spec.md`, context.spec],
    [`${context.repo.config.releaseDir}/${context.release}/index.md`, context.index],
  ];
  for (const [name, text] of files) {
    if (text === undefined) {
      problems.push(`${name}: the file is missing`);
      continue;
    }
    const { yaml } = splitFrontmatter(text);
    if (yaml === undefined) {
      problems.push(`${name}: no frontmatter (the file must start with a --- fenced YAML block)`);
      continue;
    }
    const parsed = parseYamlMapping(yaml);
    if ('error' in parsed) problems.push(`${name}: ${parsed.error}`);
  }
  if (problems.length > 0) return fail('spec-frontmatter', 'frontmatter that is not strict YAML; quote values containing ": " or starting with a special character', problems);
  return pass('spec-frontmatter', 'the frontmatter of spec.md and index.md is strict YAML');
}

/** The path of a reachability entry: the text before " — " (or " -- "), without a trailing ":<line>". */
export function reachabilityPath(entry: string): string {
  const head = entry.split(/ (?:—|--) /)[0] ?? entry;
  return head.trim().replace(/:\d+(?::\d+)?$/, '');
}

export async function checkReachability(context: VerifyContext): Promise<CheckResult> {
  const entries = context.status?.reachability_artifacts;
  if (entries === undefined) return skip('reachability', 'status.json cannot be read');
  if (entries.length === 0) {
    if (context.state === 'in_progress') return skip('reachability', 'none recorded yet; record them with baton evidence --reachability before the transition');
    return fail('reachability', 'no reachability artefact is recorded; record one with baton evidence --reachability');
  }
  const missing: string[] = [];
  for (const entry of entries) {
    const file = reachabilityPath(entry);
    // A path from the record is data: one that leaves the repository is not looked up at all.
    if (!isInsideRootLexically(file) || !(await context.exists(file))) missing.push(`${file} (from "${entry}")`);
  }
  if (missing.length > 0) return fail('reachability', `${missing.length} recorded reachability artefact(s) do not exist in the repository`, missing);
  return pass('reachability', `${entries.length} reachability artefact(s) exist`, entries.map(reachabilityPath));
}

export function checkTestCommands(context: VerifyContext): CheckResult {
  const commands = context.status?.test_commands;
  if (commands === undefined) return skip('test-commands', 'status.json cannot be read');
  if (commands.length > 0) return pass('test-commands', `${commands.length} test command(s) recorded`, commands);
  if (context.state === 'in_progress') return skip('test-commands', 'none recorded yet; they are required at implemented (record them with baton evidence --test-command)');
  if (context.state === 'implemented' || context.state === 'verified' || context.state === 'shipped') {
    return fail('test-commands', `no test command is recorded for a slice at ${context.state}; record them with baton evidence --test-command`);
  }
  return skip('test-commands', `not required at ${context.state ?? 'an unknown state'}`);
}
