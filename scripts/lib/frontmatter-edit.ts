import { parseDocument, type Document } from 'yaml';
import { OperationalError } from './errors.js';
import { clip } from './excerpt.js';
import { parseYamlMapping, splitFrontmatter } from './frontmatter.js';

/**
 * Edits a Markdown file's YAML frontmatter through the yaml library's document model, so comments,
 * key order, quoting and the body are kept as written; only what `edit` changes is rewritten.
 */
export function editFrontmatter(text: string, file: string, edit: (document: Document) => void): string {
  const { yaml, body } = splitFrontmatter(text);
  if (yaml === undefined) throw new OperationalError(`${file} has no frontmatter to edit.`, { fix: 'Restore its --- fenced YAML block from git.' });
  // The reader's limits first (size, nesting, alias expansion): what the board cannot read is not edited.
  const readable = parseYamlMapping(yaml);
  if ('error' in readable) throw new OperationalError(`${file} cannot be changed: ${readable.error}.`, { fix: `Restore it from git (git log -- ${file}) before changing it with baton.` });
  const document = parseDocument(yaml, { uniqueKeys: true, keepSourceTokens: true });
  if (document.errors.length > 0) {
    throw new OperationalError(`${file} has frontmatter that is not valid YAML: ${clip(document.errors[0]?.message.split('\n')[0] ?? '', 120)}`, { fix: 'Correct it (or restore it from git) before changing it with baton.' });
  }
  edit(document);
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const rendered = document.toString({ lineWidth: 0 }).replace(/\n/g, newline);
  const mark = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  return `${mark}---${newline}${rendered}---${newline}${body}`;
}
