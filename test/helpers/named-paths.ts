import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every installed path the text names, resolved to an absolute path. A quoted path runs to its closing
 * quote; a code span that is not a whole path is a command, whose first word is the path; elsewhere
 * (a fenced shell block) the path is one shell word. An unquoted path with a space in it therefore
 * comes out cut short and is reported as missing.
 */
export async function namedPaths(text: string, roots: string[], projectRoot?: string): Promise<string[]> {
  const found = new Set<string>();
  for (const root of roots) {
    for (let index = text.indexOf(root); index !== -1; index = text.indexOf(root, index + root.length)) {
      const opener = text[index - 1] ?? '';
      const closer = ({ "'": "'", '"': '"', '>': '<', '`': '`' } as Record<string, string>)[opener];
      const word = text.slice(index).split(/[\s`]/)[0] as string;
      if (!closer || closer === '`') {
        const span = closer ? text.slice(index, text.indexOf('`', index)) : word;
        found.add((await exists(span)) ? span : word);
        continue;
      }
      found.add(text.slice(index, text.indexOf(closer, index)));
    }
  }
  if (projectRoot) {
    // Only the folders a project install writes: `.baton/config.json` and `.baton/releases/` are the
    // repository's own records, which the commands name before they exist.
    for (const match of text.matchAll(/`(\.(?:baton\/(?:bin|rules|templates)|claude\/(?:commands|skills)|agents\/skills)\/[^`\s]*)/g)) {
      found.add(path.join(projectRoot, match[1] as string));
    }
  }
  return [...found].map((named) => named.replace(/\/$/, ''));
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    // Reported by the caller as a path that does not exist.
    return false;
  }
}
