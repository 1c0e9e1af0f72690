import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, OperationalError } from '../../scripts/lib/errors.js';
import type { Target } from '../targets/target.js';
import type { Pack, PackProblem } from './pack.js';
import { parseCommandFile, parseRuleFile, parseSkillFile, parseTemplateFile, type Parsed } from './parse-pack-file.js';
import { validatePack } from './validate-pack.js';

/** Thrown when the pack's sources have problems; lists every one with its fix. */
export class PackError extends OperationalError {
  constructor(readonly problems: PackProblem[]) {
    super(`The pack has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${formatProblems(problems)}`, {
      fix: 'Correct the files named above and run again.',
    });
  }
}

function formatProblems(problems: PackProblem[]): string {
  return problems.map((p) => `  ${p.file}: ${p.field} ${p.message}.\n    ${p.fix}`).join('\n');
}

/**
 * Reads and validates the pack under `packRoot`: `commands/*.md`, `skills/<name>/SKILL.md`,
 * `rules/*.md` and `templates/*`. A missing folder is an empty one (the pack may be partial).
 * Throws a PackError listing every problem.
 */
export async function readPack(packRoot: string, targets: readonly Target[]): Promise<Pack> {
  const toolIds = [...new Set(targets.map((target) => target.tool))];
  const problems: PackProblem[] = [];
  const pack: Pack = { commands: [], skills: [], rules: [], templates: [] };
  const keep = <T>(parsed: Parsed<T>, into: T[]) => {
    problems.push(...parsed.problems);
    if (parsed.source) into.push(parsed.source);
  };

  for (const entry of await listDir(packRoot, 'commands')) {
    const file = `commands/${entry.name}`;
    if (!entry.isFile() || !entry.name.endsWith('.md')) {
      problems.push(unexpected(file, 'commands/ holds only <name>.md files'));
      continue;
    }
    const text = await readFile(path.join(packRoot, file), 'utf8');
    keep(parseCommandFile(text, file, entry.name.slice(0, -3), toolIds), pack.commands);
  }

  for (const entry of await listDir(packRoot, 'skills')) {
    const folder = `skills/${entry.name}`;
    if (!entry.isDirectory()) {
      problems.push(unexpected(folder, 'skills/ holds only folders, each with a SKILL.md'));
      continue;
    }
    const inside = await listDir(packRoot, folder);
    for (const extra of inside.filter((item) => item.name !== 'SKILL.md')) {
      problems.push(unexpected(`${folder}/${extra.name}`, 'a skill folder holds only SKILL.md'));
    }
    if (!inside.some((item) => item.name === 'SKILL.md' && item.isFile())) {
      problems.push({ file: folder, field: 'SKILL.md', message: 'is missing', fix: 'Add SKILL.md with a description and the role text, or remove the folder.' });
      continue;
    }
    const text = await readFile(path.join(packRoot, folder, 'SKILL.md'), 'utf8');
    keep(parseSkillFile(text, `${folder}/SKILL.md`, entry.name, toolIds), pack.skills);
  }

  for (const entry of await listDir(packRoot, 'rules')) {
    const file = `rules/${entry.name}`;
    if (!entry.isFile() || !entry.name.endsWith('.md')) {
      problems.push(unexpected(file, 'rules/ holds only <name>.md files'));
      continue;
    }
    const text = await readFile(path.join(packRoot, file), 'utf8');
    keep(parseRuleFile(text, file, entry.name.slice(0, -3)), pack.rules);
  }

  for (const entry of await listDir(packRoot, 'templates')) {
    const file = `templates/${entry.name}`;
    if (!entry.isFile()) {
      problems.push(unexpected(file, 'templates/ holds only files'));
      continue;
    }
    const text = await readFile(path.join(packRoot, file), 'utf8');
    keep(parseTemplateFile(text, file, entry.name), pack.templates);
  }

  problems.push(...validatePack(pack, targets));
  if (problems.length > 0) throw new PackError(problems);
  return pack;
}

function unexpected(file: string, rule: string): PackProblem {
  return { file, field: 'file', message: 'is not part of the pack layout', fix: `Move or remove it: ${rule}.` };
}

/** Entries of a pack folder sorted by name; a folder that does not exist has none. */
async function listDir(packRoot: string, folder: string) {
  try {
    const entries = await readdir(path.join(packRoot, folder), { withFileTypes: true });
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw new OperationalError(`Cannot read the pack folder ${path.join(packRoot, folder)}.`, { cause: error, fix: 'Check that the folder is readable.' });
  }
}
