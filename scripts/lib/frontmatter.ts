import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';

/**
 * The YAML frontmatter of the protocol's Markdown files, read-only. Kept apart from markdown.ts so
 * the board, which reads only frontmatter, does not load a Markdown parser at start-up.
 */

export interface Frontmatter {
  /** The YAML text between the fences, or undefined when the file has no frontmatter. */
  yaml: string | undefined;
  /** Everything after the closing fence. */
  body: string;
  /** Number of lines before the body, to turn body line numbers into file line numbers. */
  offset: number;
}

/** Splits a leading `---` fenced YAML block from the body; CRLF files work the same. */
export function splitFrontmatter(text: string): Frontmatter {
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { yaml: undefined, body: text, offset: 0 };
  const head = match[0];
  return { yaml: match[1] ?? '', body: text.slice(head.length), offset: head.split('\n').length - (head.endsWith('\n') ? 1 : 0) };
}

/**
 * Strict YAML 1.2 (the core schema: no dates, no yes/no booleans; duplicate keys are errors); returns
 * the mapping or a message naming the file line. Read-only parsing uses js-yaml, several times faster
 * than the yaml package on the board's hot path; edits go through yaml's document model
 * (frontmatter-edit.ts), which keeps comments and layout.
 */
export function parseYamlMapping(yaml: string, lineOffset = 1): { data: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = load(yaml, { schema: CORE_SCHEMA });
  } catch (error) {
    if (error instanceof YAMLException) return { error: `${error.reason} at line ${error.mark.line + 1 + lineOffset}` };
    throw error;
  }
  if (value === null || value === undefined) return { data: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { error: 'the frontmatter is not a mapping of keys to values' };
  return { data: value as Record<string, unknown> };
}
