import path from 'node:path';
import { findSection, type Section } from '../lib/markdown.js';
import { commentText } from './comment-text.js';
import { DEFAULT_MARKERS } from './markers.js';
import { fail, pass, skip, type CheckResult } from './report.js';
import type { VerifyContext } from './verify-slice.js';

/** Checks of the slice's work: its changes, and the proof bundle's claims about them. */

const PROOF_SECTIONS = ['Scope', 'Files changed', 'Test results', 'Reachability artefact', 'Delivered', 'Not delivered', 'Divergence from plan'] as const;
const FIRST_PASS_SECTION = 'First-pass output';

/** How the templates write an unfilled placeholder: `[fill: what goes here]`. */
const PLACEHOLDER = /\[fill:[^\]]*\]/g;

const PLACEHOLDER_ATTRIBUTE = /(?<![A-Za-z0-9_-])placeholder\s*=/gi;
const COMPLIANT_DEFERRAL = /deferred:\s*\S.*?\s(?:—|--)\s+tracked at\s+([^\s,;)]+)/gi;
const LOCK_FILES = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'Cargo.lock', 'Gemfile.lock', 'poetry.lock', 'composer.lock', 'go.sum', 'Pipfile.lock', 'uv.lock']);
const DOC_EXTENSIONS = new Set(['.md', '.mdx', '.markdown', '.rst', '.adoc', '.txt']);

export function checkDiffNonEmpty(context: VerifyContext): CheckResult {
  const count = context.changes.files.length;
  if (count === 0) return fail('diff-nonempty', 'the slice has changed nothing since its base (its own record folder is not counted)');
  return pass('diff-nonempty', `${count} file(s) changed`);
}

/** Docs, lock files and the release docs are not scanned for markers. */
function isDocOrLock(file: string, releaseDir: string): boolean {
  if (file.startsWith(`${releaseDir}/`) || file.startsWith('docs/')) return true;
  return LOCK_FILES.has(path.posix.basename(file)) || file.endsWith('.lock') || DOC_EXTENSIONS.has(path.posix.extname(file).toLowerCase());
}

export function checkDarkCode(context: VerifyContext, proofSections: Section[] | undefined): CheckResult {
  const notDelivered = proofSections ? findSection(proofSections, 'Not delivered')?.text ?? '' : '';
  const hits: string[] = [];
  let scanned = 0;
  for (const file of context.changes.files) {
    if (file.binary || isDocOrLock(file.path, context.repo.config.releaseDir)) continue;
    scanned += 1;
    // The changes hold only the added lines that contain a marker word (the markers' line filter);
    // only the comments on them count (comment-text.ts says how a line's comments are found).
    for (const { line, text } of file.addedLines) {
      const comment = commentText(file.path, text);
      if (comment === '') continue;
      // A compliant deferral names where it is tracked; it passes when the proof lists that reference.
      let rest = comment.replace(COMPLIANT_DEFERRAL, (match, reference: string) => {
        if (notDelivered.includes(reference)) return ' '.repeat(match.length);
        hits.push(`${file.path}:${line}: deferral tracked at ${reference} is not listed under "Not delivered" in proof.md`);
        return ' '.repeat(match.length);
      });
      // An HTML or JSX placeholder= attribute (in commented-out markup) is not a marker; the rest is scanned.
      rest = rest.replace(PLACEHOLDER_ATTRIBUTE, (match) => ' '.repeat(match.length));
      const found = context.markers.find(rest);
      if (found.length > 0) hits.push(`${file.path}:${line}: ${found.join(', ')}: ${text.trim().slice(0, 160)}`);
    }
  }
  const words = context.markers.words;
  const configured = words === DEFAULT_MARKERS ? '' : ` (markers from .baton/config.json: ${words.join(', ')})`;
  if (hits.length > 0) {
    return fail('dark-code', `${hits.length} added comment(s) carry a marker of unfinished work${configured}; finish the work, or record a deferral (deferred: <reason> — tracked at <ref>) and list <ref> under "Not delivered"`, hits);
  }
  return pass('dark-code', `no markers in the comments of the added lines of ${scanned} file(s)${configured}`);
}

export function checkProofSections(context: VerifyContext, sections: Section[] | undefined): CheckResult {
  if (!sections) return skip('proof-sections', 'there is no proof.md');
  const missing = PROOF_SECTIONS.filter((title) => !findSection(sections, title));
  const empty = PROOF_SECTIONS.filter((title) => {
    const section = findSection(sections, title);
    return section !== undefined && section.text.trim() === '';
  });
  const details = [...missing.map((title) => `missing: ${title}`), ...empty.map((title) => `empty: ${title} (write "None" if there is nothing)`)];
  if (details.length > 0) return fail('proof-sections', 'proof.md lacks sections or leaves them empty', details);
  return pass('proof-sections', `all ${PROOF_SECTIONS.length} sections are present and not empty (unfilled placeholders are the next check)`);
}

export function checkProofPlaceholders(context: VerifyContext, proofSections: Section[] | undefined): CheckResult {
  const hits: string[] = [];
  if (context.spec !== undefined) hits.push(...placeholdersIn(context.spec, `${context.sliceDir}/spec.md`, []));
  if (context.proof !== undefined) {
    const exempt = proofSections?.filter((section) => section.title.toLowerCase() === FIRST_PASS_SECTION.toLowerCase()) ?? [];
    hits.push(...placeholdersIn(context.proof, `${context.sliceDir}/proof.md`, exempt));
  }
  if (context.spec === undefined && context.proof === undefined) return skip('proof-placeholders', 'there is neither spec.md nor proof.md');
  if (hits.length > 0) return fail('proof-placeholders', `${hits.length} template placeholder(s) are still unfilled`, hits);
  return pass('proof-placeholders', 'no unfilled [fill: ...] placeholder in spec.md or proof.md');
}

function placeholdersIn(text: string, file: string, exempt: Section[]): string[] {
  const hits: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const number = index + 1;
    const inExempt = exempt.some((section) => number >= section.line && number < section.textLine + section.text.split('\n').length);
    if (inExempt) return;
    for (const match of line.matchAll(PLACEHOLDER)) hits.push(`${file}:${number}: ${match[0]}`);
  });
  return hits;
}

/** The paths listed in the proof's "Files changed" section: its first fenced block, minus `$ ` command lines. */
function listedFiles(section: Section): string[] | undefined {
  const block = section.fences[0];
  if (!block) return undefined;
  return block.content
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('$ '));
}

export function checkProofFiles(context: VerifyContext, sections: Section[] | undefined): CheckResult {
  if (!sections) return skip('proof-files', 'there is no proof.md');
  const section = findSection(sections, 'Files changed');
  if (!section) return fail('proof-files', 'proof.md has no "Files changed" section');
  const listed = listedFiles(section);
  if (!listed) return fail('proof-files', '"Files changed" has no fenced block; paste the output of baton changed-files inside ``` fences');
  const live = new Set(context.changes.files.map((file) => file.path));
  const claimed = new Set(listed);
  const missing = [...live].filter((file) => !claimed.has(file)).sort();
  const extra = [...claimed].filter((file) => !live.has(file)).sort();
  if (missing.length + extra.length > 0) {
    return fail('proof-files', `"Files changed" does not match the slice's changes; paste the output of baton changed-files ${context.slice} ${context.release} again`, [
      ...missing.map((file) => `changed but not listed: ${file}`),
      ...extra.map((file) => `listed but not changed: ${file}`),
    ]);
  }
  return pass('proof-files', `"Files changed" lists exactly the ${live.size} changed file(s)`);
}

/** Planned touchpoints: the first backticked path of each list item in the spec's section. */
export function plannedTouchpoints(section: Section): string[] {
  const paths: string[] = [];
  for (const line of section.text.split('\n')) {
    if (!/^\s*(?:[-*+]|\d+[.)])\s/.test(line)) continue;
    const match = /`([^`]+)`/.exec(line);
    if (match?.[1]) paths.push(match[1].trim().replace(/^\.\//, ''));
  }
  return paths;
}

/** A planned entry ending in "/" covers everything below it. */
function covers(planned: string, file: string): boolean {
  return planned.endsWith('/') ? file.startsWith(planned) : planned === file;
}

export function checkTouchpoints(context: VerifyContext, specSections: Section[] | undefined, proofSections: Section[] | undefined): CheckResult {
  if (!specSections) return skip('touchpoints', 'there is no spec.md');
  const plannedSection = findSection(specSections, 'Planned touchpoints');
  if (!plannedSection) return fail('touchpoints', 'spec.md has no "Planned touchpoints" section');
  const planned = plannedTouchpoints(plannedSection);
  const divergence = proofSections ? findSection(proofSections, 'Divergence from plan')?.text ?? '' : '';
  const notDelivered = proofSections ? findSection(proofSections, 'Not delivered')?.text ?? '' : '';
  const changed = context.changes.files.map((file) => file.path).filter((file) => !file.startsWith(`${context.repo.config.releaseDir}/`));

  const unplanned = changed.filter((file) => !planned.some((entry) => covers(entry, file)) && !divergence.includes(file));
  const untouched = planned.filter((entry) => !changed.some((file) => covers(entry, file)) && !divergence.includes(entry) && !notDelivered.includes(entry));
  if (unplanned.length + untouched.length > 0) {
    return fail('touchpoints', 'changes and plan disagree: explain each file below under "Divergence from plan" (or "Not delivered" for planned files left untouched)', [
      ...unplanned.map((file) => `changed but not planned: ${file}`),
      ...untouched.map((file) => `planned but untouched: ${file}`),
    ]);
  }
  return pass('touchpoints', `${changed.length} changed file(s) against ${planned.length} planned touchpoint(s): all accounted for`);
}
