import { OperationalError } from './errors.js';
import { gitBytes } from './git.js';

/**
 * Reading many git objects through one `git cat-file --batch-command` process: a list of requests in,
 * the answers out in the same order. This is how the board reads thousands of records across a
 * hundred branches with a fixed number of git processes.
 */

export interface ObjectRequest {
  /** `contents` returns the object's bytes; `info` only its id, type and size. */
  kind: 'contents' | 'info';
  /** Any object name git accepts: `<branch>:<path>`, `<tree id>:<path>`, an object id. */
  name: string;
}

export interface GitObject {
  id: string;
  type: string;
  size: number;
  /** The bytes, for a `contents` request. */
  content: Buffer | undefined;
}

export async function readObjects(root: string, requests: ObjectRequest[]): Promise<(GitObject | undefined)[]> {
  if (requests.length === 0) return [];
  for (const request of requests) {
    if (/[\n\r]/.test(request.name)) throw new OperationalError(`Cannot read the git object "${request.name}": its name has a line break.`, { fix: 'Rename the branch or folder involved.' });
  }
  const input = `${requests.map((request) => `${request.kind} ${request.name}`).join('\n')}\nflush\n`;
  const output = await gitBytes(root, ['cat-file', '--batch-command', '--buffer'], { input });
  const answers: (GitObject | undefined)[] = [];
  let offset = 0;
  for (const request of requests) {
    const end = output.indexOf(10, offset);
    if (end === -1) throw new OperationalError('git cat-file stopped answering part-way.', { fix: 'Run git fsck to check the repository.' });
    const header = output.toString('utf8', offset, end);
    offset = end + 1;
    const [id = '', type = '', size = ''] = header.split(' ');
    if (type === 'missing' || type === 'ambiguous' || size === '') {
      answers.push(undefined);
      continue;
    }
    const length = Number(size);
    let content: Buffer | undefined;
    if (request.kind === 'contents') {
      content = output.subarray(offset, offset + length);
      offset += length + 1; // the content is followed by a newline
    }
    answers.push({ id, type, size: length, content });
  }
  return answers;
}

/**
 * The sub-folders of a raw tree object (`<mode> <name>\0<binary id>` repeated): name to tree id.
 * Files are skipped without decoding; the board parses a hundred such trees of hundreds of entries.
 */
export function subtrees(content: Buffer, idLength: number): Map<string, string> {
  const bytes = idLength / 2;
  const found = new Map<string, string>();
  let offset = 0;
  while (offset < content.length) {
    const space = content.indexOf(32, offset);
    const nul = content.indexOf(0, space);
    // A folder's mode is exactly "40000".
    if (space - offset === 5 && content[offset] === 0x34) found.set(content.toString('utf8', space + 1, nul), content.toString('hex', nul + 1, nul + 1 + bytes));
    offset = nul + 1 + bytes;
  }
  return found;
}

/**
 * The ids of some sub-folders of a raw tree object, found by searching the bytes for their entries
 * rather than decoding every entry: the board wants 20 of the 400 folders in each track branch's tree.
 * git sorts a tree's entries by name, so the names are looked for in about that
 * order, each from where the previous one was found; a name not found there is looked for from the
 * start, so the answer never depends on the order. A match must start an entry: the byte one
 * object id before it is the NUL ending the previous entry's name (or it is at the very start); a
 * false match would need that pattern inside an object id.
 */
export function subtreesNamed(content: Buffer, names: string[], idLength: number): Map<string, string> {
  const bytes = idLength / 2;
  // One byte per character, so string positions are byte offsets; a name is searched for as its UTF-8 bytes.
  const text = content.toString('latin1');
  const entries = names.map((name) => ({ name, entry: Buffer.from(`40000 ${name}\0`).toString('latin1') }));
  entries.sort((a, b) => (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0));
  const find = (entry: string, from: number) => {
    for (let at = text.indexOf(entry, from); at !== -1; at = text.indexOf(entry, at + 1)) {
      if (at === 0 || text.charCodeAt(at - bytes - 1) === 0) return at;
    }
    return -1;
  };
  const found = new Map<string, string>();
  let cursor = 0;
  for (const { name, entry } of entries) {
    let at = find(entry, cursor);
    if (at === -1 && cursor > 0) at = find(entry, 0);
    if (at === -1) continue;
    cursor = at + entry.length + bytes;
    found.set(name, content.toString('hex', at + entry.length, cursor));
  }
  return found;
}
