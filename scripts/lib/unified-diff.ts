/**
 * A parser for the patches git prints with `-U0` (`git log -p`, `git diff`). Hunk bodies are read by
 * their line counts, never by their first characters, so an added line that itself starts with "+"
 * or "diff --git" is still an added line. Paths are read from the `---`/`+++` and `rename` headers,
 * which git C-quotes when they hold special characters.
 */

export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** Text of the added lines, in order, without the leading "+" (and without a trailing CR). */
  added: string[];
}

export interface FilePatch {
  /** Path before the change, or null for a new file. */
  oldPath: string | null;
  /** Path after the change, or null for a deleted file. */
  newPath: string | null;
  binary: boolean;
  modeChanged: boolean;
  hunks: Hunk[];
}

export interface CommitPatch {
  commit: string;
  parents: string[];
  files: FilePatch[];
}

/** The commit header line the callers ask git for: `--format=%x01%H%x02%P`. */
const COMMIT_MARK = '\x01';
export const LOG_FORMAT = '--format=%x01%H%x02%P';

/** Parses `git log -p` output made with LOG_FORMAT into commits and their file patches. */
export function parseLogPatches(text: string): CommitPatch[] {
  const commits: CommitPatch[] = [];
  const lines = text.split('\n');
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    const [commit = '', parents = ''] = (lines[start] as string).slice(1).split('\x02');
    commits.push({ commit, parents: parents.split(' ').filter(Boolean), files: parseFilePatches(lines, start + 1, end) });
  };
  for (let index = 0; index < lines.length; index += 1) {
    if ((lines[index] as string).startsWith(COMMIT_MARK)) {
      flush(index);
      start = index;
    }
  }
  flush(lines.length);
  return commits;
}

/** Parses `git diff` output into file patches. */
export function parseDiff(text: string): FilePatch[] {
  const lines = text.split('\n');
  return parseFilePatches(lines, 0, lines.length);
}

function parseFilePatches(lines: string[], from: number, to: number): FilePatch[] {
  const patches: FilePatch[] = [];
  let patch: FilePatch | undefined;
  let index = from;
  while (index < to) {
    const line = lines[index] as string;
    const first = line.charCodeAt(0);
    // Outside hunks, only header lines matter; they start with one of these letters or signs.
    if (first !== 100 /* d */ && first !== 64 /* @ */ && first !== 45 /* - */ && first !== 43 /* + */ && first !== 114 /* r */ && first !== 110 /* n */ && first !== 111 /* o */ && first !== 66 /* B */ && first !== 71 /* G */) {
      index += 1;
      continue;
    }
    if (line.startsWith('diff --git ')) {
      const [oldPath, newPath] = headerPaths(line.slice('diff --git '.length));
      patch = { oldPath, newPath, binary: false, modeChanged: false, hunks: [] };
      patches.push(patch);
      index += 1;
      continue;
    }
    if (!patch) {
      index += 1;
      continue;
    }
    if (line.startsWith('@@ ')) {
      index = readHunk(lines, index, to, patch);
      continue;
    }
    if (line.startsWith('--- ')) patch.oldPath = filePath(line.slice(4), 'a/');
    else if (line.startsWith('+++ ')) patch.newPath = filePath(line.slice(4), 'b/');
    else if (line.startsWith('rename from ')) patch.oldPath = unquote(line.slice('rename from '.length));
    else if (line.startsWith('rename to ')) patch.newPath = unquote(line.slice('rename to '.length));
    else if (line.startsWith('new file mode ')) patch.oldPath = null;
    else if (line.startsWith('deleted file mode ')) patch.newPath = null;
    else if (line.startsWith('old mode ') || line.startsWith('new mode ')) patch.modeChanged = true;
    else if (line.startsWith('Binary files ') || line === 'GIT binary patch') patch.binary = true;
    index += 1;
  }
  return patches;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function readHunk(lines: string[], at: number, to: number, patch: FilePatch): number {
  const match = HUNK.exec(lines[at] as string);
  if (!match) return at + 1;
  const hunk: Hunk = {
    oldStart: Number(match[1]),
    oldCount: match[2] === undefined ? 1 : Number(match[2]),
    newStart: Number(match[3]),
    newCount: match[4] === undefined ? 1 : Number(match[4]),
    added: [],
  };
  patch.hunks.push(hunk);
  let removed = 0;
  let index = at + 1;
  while (index < to && (removed < hunk.oldCount || hunk.added.length < hunk.newCount)) {
    const line = lines[index] as string;
    const first = line.charCodeAt(0);
    if (first === 43 /* + */ && hunk.added.length < hunk.newCount) {
      hunk.added.push(line.charCodeAt(line.length - 1) === 13 ? line.slice(1, -1) : line.slice(1));
    } else if (first === 45 /* - */ && removed < hunk.oldCount) {
      removed += 1;
    } else if (first !== 92 /* \\ */ && first !== 32 /* space */) {
      break; // malformed: stop at anything unexpected
    }
    index += 1;
  }
  // A "\ No newline at end of file" marker may follow the last line.
  while (index < to && (lines[index] as string).startsWith('\\')) index += 1;
  return index;
}

/** `a/x b/x` or `"a/x" "b/y"` from a `diff --git` line; for unquoted names, the two halves must be equal. */
function headerPaths(rest: string): [string | null, string | null] {
  if (rest.startsWith('"')) {
    const [first, afterFirst] = readQuoted(rest);
    const second = afterFirst.trimStart();
    const secondPath = second.startsWith('"') ? readQuoted(second)[0] : second;
    return [stripPrefix(first, 'a/'), stripPrefix(secondPath, 'b/')];
  }
  const length = (rest.length - 5) / 2;
  if (Number.isInteger(length) && rest.startsWith('a/') && rest.slice(2 + length, 5 + length) === ' b/') {
    const name = rest.slice(2, 2 + length);
    if (rest.slice(5 + length) === name) return [name, name];
  }
  return [null, null]; // renamed paths: the rename headers will say
}

function filePath(field: string, prefix: string): string | null {
  const value = field.replace(/\t$/, '');
  if (value === '/dev/null') return null;
  return stripPrefix(unquote(value), prefix);
}

function stripPrefix(value: string, prefix: string): string {
  return value.startsWith(prefix) ? value.slice(prefix.length) : value;
}

/** Undoes git's C-style quoting: `"a\303\274\"b"` is the UTF-8 bytes of `aü"b`. */
function unquote(value: string): string {
  return value.startsWith('"') ? readQuoted(value)[0] : value;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

function readQuoted(value: string): [string, string] {
  const bytes: number[] = [];
  let index = 1;
  while (index < value.length && value[index] !== '"') {
    const char = value[index] as string;
    if (char === '\\') {
      const next = value[index + 1] ?? '';
      if (/[0-7]/.test(next)) {
        bytes.push(parseInt(value.slice(index + 1, index + 4), 8));
        index += 4;
        continue;
      }
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      index += 2;
      continue;
    }
    bytes.push(...Buffer.from(char, 'utf8'));
    index += 1;
  }
  return [Buffer.from(bytes).toString('utf8'), value.slice(index + 1)];
}
