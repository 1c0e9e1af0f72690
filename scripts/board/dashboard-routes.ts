import path from 'node:path';
import { buildBrief } from '../brief/build-brief.js';
import { formatError, UsageError } from '../lib/errors.js';
import { runGit } from '../lib/git.js';
import { escapeHtml } from '../lib/html.js';
import { isId } from '../lib/ids.js';
import type { Repo } from '../lib/repo.js';
import { readReceiptLog } from '../lifecycle/receipt-log.js';
import type { Board } from './board.js';
import { briefRoles, parseBriefQuery } from './brief-query.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './dashboard-assets.js';
import { renderContent, renderDocumentPage, renderPage, type DashboardView } from './dashboard-page.js';
import { readBoard } from './read-board.js';
import { renderBriefPage } from './render-brief-page.js';
import { renderMarkdown } from './render-markdown.js';
import { renderTimeline } from './render-timeline.js';
import { isSliceDocumentName, readSliceDocument, SLICE_DOCUMENTS } from './slice-documents.js';

/**
 * What `baton board serve` answers, by path. Every answer is read from git afresh; nothing here
 * writes. Ids in a path are checked against their shapes before they are used.
 *
 *   /                                  the page
 *   /content                           the part of the page each refresh replaces
 *   /api/board                         the board as `baton board --json` prints it
 *   /timeline/<release>/<slice>        the slice's receipt timeline (an HTML fragment)
 *   /doc/<release>/<slice>/<document>  spec, proof or journal, rendered from git, read-only
 *   /brief/<release>[/<slice>]         the brief `baton brief` prints (?role=, ?level=), rendered
 *   /board.css, /board.js              the page's stylesheet and script
 */

export const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

export interface Reply {
  status: number;
  type: string;
  body: string;
}

export interface Site {
  /** Opens the repository (its configuration read again). */
  open: () => Promise<Repo>;
  /** Only this release (board serve --release). */
  release: string | undefined;
  refreshSeconds: number;
  repository: string;
  now: () => Date;
}

/** The answer to a GET of `url` (its path, and for a brief its query). */
export async function answer(site: Site, url: URL): Promise<Reply> {
  const segments = pathSegments(url.pathname);
  if (segments === undefined) return { status: 400, type: TEXT, body: 'Bad request: the path is not valid percent-encoded UTF-8.\n' };
  const [first = '', ...rest] = segments;
  if (segments.length === 0) return boardPage(site);
  if (first === 'content' && rest.length === 0) return boardContent(site);
  if (first === 'api' && rest.length === 1 && rest[0] === 'board') return boardJson(site);
  if (first === 'board.css' && rest.length === 0) return { status: 200, type: 'text/css; charset=utf-8', body: DASHBOARD_CSS };
  if (first === 'board.js' && rest.length === 0) return { status: 200, type: 'text/javascript; charset=utf-8', body: DASHBOARD_JS };
  if (first === 'favicon.ico' && rest.length === 0) return { status: 204, type: TEXT, body: '' };
  if (first === 'timeline' && rest.length === 2) return timeline(site, rest[0] as string, rest[1] as string);
  if (first === 'doc' && rest.length === 3) return sliceDocument(site, rest[0] as string, rest[1] as string, rest[2] as string);
  if (first === 'brief' && (rest.length === 1 || rest.length === 2)) return brief(site, rest[0] as string, rest[1], url.searchParams);
  return notFound();
}

/** The repository's name: the last part of origin's URL, else the primary checkout's folder name. */
export async function repositoryName(repo: Repo): Promise<string> {
  const origin = await runGit(repo.root, ['config', '--get', 'remote.origin.url']);
  const fromUrl = origin.exitCode === 0 ? origin.stdout.trim().replace(/[/\\]+$/, '').split(/[/:\\]/).at(-1)?.replace(/\.git$/, '') : undefined;
  return (fromUrl || path.basename(repo.primaryRoot)).slice(0, 100);
}

/** The path's segments, percent-decoded; undefined when one cannot be decoded. */
function pathSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

async function readView(site: Site): Promise<DashboardView> {
  const board: Board = await readBoard(await site.open(), site.release);
  return { board, repository: site.repository, now: site.now(), refreshSeconds: site.refreshSeconds, briefs: true };
}

async function boardPage(site: Site): Promise<Reply> {
  try {
    return { status: 200, type: HTML, body: renderPage(await readView(site)) };
  } catch (error) {
    return { status: 500, type: HTML, body: renderDocumentPage({ repository: site.repository, title: 'release board', meta: 'The board could not be read.', body: `<p class="error">${escapeHtml(formatError(error))}</p>` }) };
  }
}

async function boardContent(site: Site): Promise<Reply> {
  try {
    return { status: 200, type: HTML, body: renderContent(await readView(site)) };
  } catch (error) {
    return { status: 500, type: TEXT, body: formatError(error) };
  }
}

/** The same bytes as `baton board --json` (scripts/commands/board.ts). */
async function boardJson(site: Site): Promise<Reply> {
  try {
    const board = await readBoard(await site.open(), site.release);
    return { status: 200, type: 'application/json; charset=utf-8', body: `${JSON.stringify(board, null, 2)}\n` };
  } catch (error) {
    return { status: 500, type: 'application/json; charset=utf-8', body: `${JSON.stringify({ error: formatError(error) })}\n` };
  }
}

async function timeline(site: Site, release: string, slice: string): Promise<Reply> {
  if (!servedIds(site, release, slice)) return notFound();
  const entries = await readReceiptLog(await site.open(), { release, slice });
  return { status: 200, type: HTML, body: renderTimeline(entries) };
}

async function sliceDocument(site: Site, release: string, slice: string, name: string): Promise<Reply> {
  if (!servedIds(site, release, slice) || !isSliceDocumentName(name)) return notFound();
  const repo = await site.open();
  const title = `${slice} · ${SLICE_DOCUMENTS[name]}`;
  const page = (status: number, meta: string, body: string): Reply => ({ status, type: HTML, body: renderDocumentPage({ repository: site.repository, title, meta, body }) });
  const board = await readBoard(repo, site.release);
  const entry = board.releases.find((candidate) => candidate.id === release)?.slices.find((candidate) => candidate.id === slice);
  if (!entry) return page(404, `Release ${release}`, `<p class="error">${escapeHtml(`${slice} is not on the board of release ${release}.`)}</p>`);
  const document = await readSliceDocument(repo.root, repo.config.releaseDir, release, entry, name);
  if (!document.found) return page(document.status, `Release ${release}`, `<p class="error">${escapeHtml(document.why)}</p>`);
  return page(200, `Release ${release}. Read-only, from git: ${document.path} on ${document.source} at ${document.commit.slice(0, 12)}.`, renderMarkdown(document.text));
}

/**
 * The brief `baton brief <slice> <release> --role --level` prints, the same bytes and digest, rendered
 * like a document. The query is checked (400) and the slice looked for on the release's board (404)
 * before the brief is built; a brief that cannot be built shows why (a missing tokenizer file, say).
 */
async function brief(site: Site, release: string, slice: string | undefined, query: URLSearchParams): Promise<Reply> {
  if (!servedIds(site, release, slice)) return notFound();
  const page = (status: number, why: string): Reply => ({
    status,
    type: HTML,
    body: renderDocumentPage({ repository: site.repository, title: `${slice ?? release} · brief`, meta: `Release ${release}`, body: `<p class="error">${escapeHtml(why)}</p>` }),
  });
  const asked = parseBriefQuery(query, slice !== undefined);
  if ('problem' in asked) return page(400, asked.problem);
  const repo = await site.open();
  const board = await readBoard(repo, site.release);
  const onBoard = board.releases.find((candidate) => candidate.id === release);
  if (!onBoard) return page(404, `Release ${release} is not on the board.`);
  if (slice !== undefined && !onBoard.slices.some((candidate) => candidate.id === slice)) return page(404, `${slice} is not on the board of release ${release}.`);
  try {
    const built = await buildBrief(repo, { release, slice, ...asked.choice });
    return { status: 200, type: HTML, body: renderBriefPage({ repository: site.repository, brief: built, asked: asked.choice, roles: briefRoles(slice !== undefined) }) };
  } catch (error) {
    return page(error instanceof UsageError ? 400 : 500, `The brief could not be built.\n${formatError(error)}`);
  }
}

/** The ids have their shapes, and the release is one this server shows. */
function servedIds(site: Site, release: string, slice: string | undefined): boolean {
  return isId('release', release) && (slice === undefined || isId('slice', slice)) && (site.release === undefined || site.release === release);
}

function notFound(): Reply {
  return { status: 404, type: TEXT, body: 'Not found.\n' };
}
