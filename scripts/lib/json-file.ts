import { OperationalError } from './errors.js';
import { clip, excerpt } from './excerpt.js';

/**
 * The largest JSON file baton reads (status.json, config.json), in characters. A status.json is about
 * 1 KB, and 100 KB with 2,000 changed files listed; anything near this limit is damaged or hostile.
 */
export const MAX_JSON_CHARS = 1024 * 1024;

/** A JSON document that is not valid, with the line (1-based) where the problem is, when there is one. */
export class JsonError extends OperationalError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}.`, {
      fix: line === undefined ? `Restore ${file} from git.` : `Correct ${file} at line ${line}; it must be plain JSON with each key once.`,
    });
  }
}

/** Why a JSON text is too large to read, or undefined when it is not. */
export function jsonSizeProblem(text: string): string | undefined {
  if (text.length <= MAX_JSON_CHARS) return undefined;
  return `it is ${Math.ceil(text.length / 1024)} KB, over the ${MAX_JSON_CHARS / 1024} KB baton reads from a JSON file`;
}

/**
 * JSON.parse, stricter and more helpful: a syntax error names its line, and a key given twice in one
 * object is an error (JSON.parse silently keeps the last one, which hides a hand-edit gone wrong).
 */
export function parseJsonStrict(text: string, file: string): unknown {
  const tooLarge = jsonSizeProblem(text);
  if (tooLarge) throw new JsonError(file, undefined, tooLarge);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const line = position ? lineAt(text, Number(position[1])) : text.split('\n').length;
    throw new JsonError(file, line, `not valid JSON (${clip(message.replace(/ in JSON at position \d+.*$/, ''), 120)})`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate) throw new JsonError(file, lineAt(text, duplicate.offset), `the key ${excerpt(duplicate.key)} appears twice in the same object`);
  return value;
}

/**
 * The first key repeated within one object of a text already known to be valid JSON. A small scan:
 * strings are skipped as units, objects and arrays kept on a stack of key sets.
 */
function findDuplicateKey(text: string): { key: string; offset: number } | undefined {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '"') {
      let end = index + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (keys.has(key)) return { key, offset: index };
        keys.add(key);
      }
      expectKey = false;
      index = end;
    } else if (char === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (char === '[') {
      stack.push(null);
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ',') {
      expectKey = stack[stack.length - 1] !== null;
    }
  }
  return undefined;
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}
