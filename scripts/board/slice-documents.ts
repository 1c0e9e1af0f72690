import { readObjects } from '../lib/git-objects.js';
import { runGit } from '../lib/git.js';
import type { BoardSlice } from './board.js';

/**
 * A slice's documents (spec, proof, journal) as the dashboard shows them: read from git objects only,
 * at the commit of the branch the board read the slice's record from. Never from the working tree,
 * whose files a repository can make into links to anything on the machine; a link committed to git
 * is refused, not followed. Bounded: a file over MAX_DOCUMENT_BYTES is not read.
 */

export const SLICE_DOCUMENTS = { spec: 'spec.md', proof: 'proof.md', journal: 'journal.md' } as const;
export type SliceDocumentName = keyof typeof SLICE_DOCUMENTS;

export function isSliceDocumentName(value: string): value is SliceDocumentName {
  return Object.hasOwn(SLICE_DOCUMENTS, value);
}

/** 1 MiB: a spec or journal is a few KiB; a file near this is not something to read in a page. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

export type SliceDocument =
  | { found: true; text: string; path: string; source: string; commit: string }
  | { found: false; /** 404 when there is no such file, 403 when the dashboard refuses to show it. */ status: 404 | 403; why: string };

/** The document `name` of `slice`, from the branch its record was read from (the working tree's: HEAD). */
export async function readSliceDocument(root: string, releaseDir: string, release: string, slice: BoardSlice, name: SliceDocumentName): Promise<SliceDocument> {
  const file = `${releaseDir}/${release}/${slice.id}/${SLICE_DOCUMENTS[name]}`;
  if (slice.source === null) return { found: false, status: 404, why: `${slice.id} has no folder on any branch the board reads, so it has no ${SLICE_DOCUMENTS[name]}.` };
  const source = slice.source === 'working tree' ? 'HEAD' : slice.source;
  const commit = await sourceCommit(root, slice.source);
  if (commit === undefined) return { found: false, status: 404, why: `${slice.source}, where the board read ${slice.id}, has no commit to read ${file} from.` };
  const listed = await runGit(root, ['--literal-pathspecs', 'ls-tree', '-l', '-z', commit, '--', file]);
  if (listed.exitCode !== 0) return { found: false, status: 404, why: `git could not list ${file} at ${commit.slice(0, 12)}: ${listed.stderr.trim()}` };
  const entry = parseTreeEntry(listed.stdout, file);
  const where = `${source} (${commit.slice(0, 12)})`;
  if (!entry) return { found: false, status: 404, why: `${file} is not committed on ${where}.` };
  if (entry.mode !== '100644' && entry.mode !== '100755') return { found: false, status: 403, why: `${file} on ${where} is not a regular file (git mode ${entry.mode}); the dashboard shows only files.` };
  if (entry.size > MAX_DOCUMENT_BYTES) {
    return { found: false, status: 403, why: `${file} on ${where} is ${entry.size} bytes, more than the ${MAX_DOCUMENT_BYTES} the dashboard shows. Read it with git show ${commit.slice(0, 12)}:${file}.` };
  }
  const [object] = await readObjects(root, [{ kind: 'contents', name: entry.id }]);
  if (object?.content === undefined) return { found: false, status: 404, why: `git could not read ${file} at ${where}.` };
  if (object.content.includes(0)) return { found: false, status: 403, why: `${file} on ${where} is binary; the dashboard shows only text.` };
  return { found: true, text: object.content.toString('utf8'), path: file, source, commit };
}

/** The commit of the source the board names: "working tree" is HEAD, a branch its local or remote-tracking ref. */
async function sourceCommit(root: string, source: string): Promise<string | undefined> {
  const refs = source === 'working tree' ? ['HEAD'] : [`refs/heads/${source}`, `refs/remotes/${source}`];
  for (const ref of refs) {
    const result = await runGit(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    if (result.exitCode === 0) return result.stdout.trim();
  }
  return undefined;
}

/** The entry for exactly `file` in `git ls-tree -l -z` output: `<mode> <type> <id> <size>\t<path>\0`. */
function parseTreeEntry(output: string, file: string): { mode: string; id: string; size: number } | undefined {
  for (const line of output.split('\0')) {
    const tab = line.indexOf('\t');
    if (tab === -1 || line.slice(tab + 1) !== file) continue;
    const [mode = '', , id = '', size = ''] = line.slice(0, tab).split(/ +/);
    return { mode, id, size: Number(size) };
  }
  return undefined;
}
