import path from 'node:path';
import type { RenderedPrompt } from './target.js';

/**
 * The Agent Skills rules (agentskills.io) a SKILL.md must meet to load at all; VS Code says a name
 * with invalid characters makes the skill "silently fail to load". Only the keys the tool documents,
 * a kebab-case name of at most 64 characters equal to its folder's name, and a one-line description
 * of 1 to 1024 characters.
 */
export function checkSkillFrontmatter(file: RenderedPrompt, keys: readonly string[], label: string): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(file.frontmatter)) {
    if (!keys.includes(key)) problems.push(`frontmatter key "${key}" is not one ${label} documents for a skill`);
  }
  const { name, description } = file.frontmatter;
  if (typeof name !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name) || name.length > 64) {
    problems.push(`name ${JSON.stringify(name)} is not a kebab-case name of at most 64 characters`);
  } else if (path.basename(path.dirname(file.path)) !== name) {
    problems.push(`name "${name}" is not the name of the skill's folder`);
  }
  if (typeof description !== 'string' || description.length === 0 || description.length > 1024 || description.includes('\n')) {
    problems.push('description must be one line of 1 to 1024 characters');
  }
  return problems;
}
