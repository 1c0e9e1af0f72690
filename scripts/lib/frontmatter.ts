import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { clip } from './excerpt.js';

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

/**
 * Splits a leading `---` fenced YAML block from the body; CRLF files work the same, and so does a
 * file that starts with a byte order mark (some Windows editors write one).
 */
export function splitFrontmatter(text: string): Frontmatter {
  const match = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { yaml: undefined, body: text, offset: 0 };
  const head = match[0];
  return { yaml: match[1] ?? '', body: text.slice(head.length), offset: head.split('\n').length - (head.endsWith('\n') ? 1 : 0) };
}

/**
 * The largest frontmatter baton reads, in characters. A release of 20 tracks of 20 slices has an
 * index.md frontmatter of about 10 KB; anything near this limit is damaged or hostile.
 */
export const MAX_FRONTMATTER_CHARS = 256 * 1024;

/**
 * How much data YAML aliases (`*name`) may add, counted as values plus string characters. baton never
 * writes anchors; a person may, a little. js-yaml shares an aliased value by reference, so nine nested
 * lists of nine aliases load instantly but are 9^9 values to anything that walks them: bounded here,
 * while parsing, so no caller has to care.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/**
 * Strict YAML 1.2 (the core schema: no dates, no yes/no booleans; duplicate keys are errors); returns
 * the mapping or a message naming the file line. Read-only parsing uses js-yaml, several times faster
 * than the yaml package on the board's hot path; edits go through yaml's document model
 * (frontmatter-edit.ts), which keeps comments and layout. Size, nesting (js-yaml's maxDepth) and
 * alias expansion are bounded, so a hostile file costs milliseconds.
 */
export function parseYamlMapping(yaml: string, lineOffset = 1): { data: Record<string, unknown> } | { error: string } {
  if (yaml.length > MAX_FRONTMATTER_CHARS) {
    return { error: `the frontmatter is ${kilobytes(yaml.length)} KB, over the ${kilobytes(MAX_FRONTMATTER_CHARS)} KB baton reads` };
  }
  const aliases = new AliasBudget();
  let value: unknown;
  try {
    value = load(yaml, { schema: CORE_SCHEMA, listener: (event, state) => aliases.onNode(event, state) });
  } catch (error) {
    if (error instanceof AliasLimit) return { error: `${error.message} (line ${error.line + 1 + lineOffset}); baton never writes anchors or aliases: replace them with the values they stand for` };
    if (error instanceof YAMLException) return { error: `not valid YAML: ${clip(error.reason, 120)} at line ${error.mark.line + 1 + lineOffset}` };
    throw error;
  }
  if (value === null || value === undefined) return { data: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { error: 'the frontmatter is not a mapping of keys to values' };
  return { data: value as Record<string, unknown> };
}

function kilobytes(chars: number): string {
  return (chars / 1024).toFixed(chars < 10 * 1024 ? 1 : 0);
}

class AliasLimit extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** The part of js-yaml's parser state the listener reads. */
interface NodeState {
  kind: string | null;
  result: unknown;
  line: number;
}

/**
 * Counts what aliases add while js-yaml composes the document. js-yaml calls the listener on closing
 * every node; an alias is the one node closed with no kind of its own (scalars are 'scalar',
 * collections 'sequence' or 'mapping') and the anchored value as its result. Each alias adds its
 * value's expanded size, computed once per distinct collection.
 */
class AliasBudget {
  private used = 0;
  /** Collections completely read, with their expanded size once asked. */
  private readonly closed = new WeakMap<object, number | undefined>();

  onNode(event: 'open' | 'close', state: NodeState): void {
    if (event !== 'close' || state.result === null || state.result === undefined) return;
    if (state.kind === 'sequence' || state.kind === 'mapping') {
      if (!this.closed.has(state.result as object)) this.closed.set(state.result as object, undefined);
      return;
    }
    if (state.kind !== null) return;
    // An alias to a collection still being read refers to itself: infinite once walked.
    if (typeof state.result === 'object' && !this.closed.has(state.result)) throw new AliasLimit('a YAML alias refers to a list or mapping that contains it', state.line);
    this.used += this.sizeOf(state.result);
    if (this.used > MAX_ALIAS_EXPANSION) {
      throw new AliasLimit(`YAML aliases (*name) expand it to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} values and characters`, state.line);
    }
  }

  /** Values plus string characters, stopping as soon as the budget is spent. */
  private sizeOf(value: unknown): number {
    if (typeof value === 'string') return value.length;
    if (typeof value !== 'object' || value === null) return 1;
    const known = this.closed.get(value);
    if (known !== undefined) return known;
    let size = 1;
    for (const [key, item] of Object.entries(value)) {
      size += (Array.isArray(value) ? 0 : key.length) + this.sizeOf(item);
      if (this.used + size > MAX_ALIAS_EXPANSION) break;
    }
    this.closed.set(value, size);
    return size;
  }
}
