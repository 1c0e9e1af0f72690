import path from 'node:path';

export interface NamedPaths {
  /** Every installed path the text names, absolute. */
  paths: string[];
  /** Paths a shell would split: outside quotes, in a command, with a space in them. */
  unquoted: string[];
}

/**
 * The installed paths a text names. A quoted path runs to its closing quote (or, in Codex's `<path>`
 * tag, to the next tag). Otherwise the path is one word after its root: a whole code span may be a
 * path with a space in its root, but a path followed by arguments, or in a fenced shell block, is a
 * shell word and must be quoted if its root has a space.
 */
export function namedPaths(text: string, roots: string[], projectRoot?: string): NamedPaths {
  const paths = new Set<string>();
  const unquoted = new Set<string>();
  for (const root of roots) {
    for (let index = text.indexOf(root); index !== -1; index = text.indexOf(root, index + root.length)) {
      const opener = text[index - 1] ?? '';
      const rest = text.slice(index + root.length);
      const closer = ({ "'": "'", '"': '"', '>': '<' } as Record<string, string>)[opener];
      if (closer) {
        paths.add(root + rest.slice(0, rest.indexOf(closer)));
        continue;
      }
      const word = rest.split(/[\s`]/)[0] as string;
      paths.add(root + word);
      const wholeSpan = opener === '`' && rest[word.length] === '`';
      if (!wholeSpan && /\s/.test(root)) unquoted.add(root + word);
    }
  }
  if (projectRoot) {
    // Only the folders a project install writes: `.baton/config.json` and `.baton/releases/` are the
    // repository's own records, which the commands name before they exist.
    for (const match of text.matchAll(/`(\.(?:baton\/(?:bin|rules|templates)|claude\/(?:commands|skills)|codex\/skills|gemini\/(?:commands|skills)|agents\/skills|opencode\/(?:commands|baton\/roles)|qwen\/(?:commands|skills))\/[^`\s]*)/g)) {
      paths.add(path.join(projectRoot, match[1] as string));
    }
  }
  const trimmed = (set: Set<string>) => [...set].map((named) => named.replace(/\/$/, ''));
  return { paths: trimmed(paths), unquoted: trimmed(unquoted) };
}
