import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatonIo } from '../cli.js';
import { errnoCode, formatError, OperationalError, type ExitCode } from '../lib/errors.js';
import type { Board, BoardRelease, BoardSlice, NextCommand } from './board.js';
import { boardVerdict } from './format-board.js';
import { openRepo } from '../lib/repo.js';
import { readBoard } from './read-board.js';

/**
 * `baton board serve`: the board as a page on 127.0.0.1 only. Every request reads the board from git
 * again; the page replaces its content every few seconds (--refresh). Everything that comes from the repository
 * (titles, ids, branch names, warnings) is HTML-escaped on the server, so a slice titled
 * `<script>...` shows as text.
 */

export interface ServeOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  release: string | undefined;
  port: number;
  /** Seconds between the page's refreshes. */
  refreshSeconds: number;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);
}

export async function serveBoard(options: ServeOptions, io: BatonIo): Promise<ExitCode> {
  // Every request reads the repository afresh, its configuration included.
  const read = async () => readBoard(await openRepo(options.cwd, options.env), options.release);
  // Fail before listening when the board cannot be read at all (not a repository, bad release).
  await read();
  // Loaded here, not at the top: a bundled static import would load node:http for every baton command.
  const { createServer } = await import('node:http');
  // The port is known only once listening (0 picks one); requests cannot arrive before that.
  let allowedHosts: string[] = [];
  const server = createServer((request, response) => {
    try {
      answer(request, response);
    } catch (error) {
      // Whatever went wrong with this request, the server stays up for the next one.
      io.writeError(`board serve: a request failed: ${formatError(error)}\n`);
      if (!response.headersSent) send(response, 500, 'text/plain', 'The board server failed on this request.\n');
      else response.destroy();
    }
  });
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const refused = refuseHost(request, allowedHosts);
    if (refused) return send(response, refused.status, 'text/plain', refused.body);
    const pathname = requestPath(request.url);
    if (pathname === undefined) return send(response, 400, 'text/plain', 'Bad request: the request target is not a path such as /.\n');
    if (request.method !== 'GET') return send(response, 405, 'text/plain', 'Only GET is supported.\n');
    if (pathname === '/favicon.ico') return send(response, 204, 'text/plain', '');
    if (pathname !== '/' && pathname !== '/content') return send(response, 404, 'text/plain', 'Not found.\n');
    read().then(
      (board) => send(response, 200, 'text/html; charset=utf-8', pathname === '/' ? renderPage(board, io.now(), options.refreshSeconds) : renderContent(board, io.now())),
      (error: unknown) => send(response, 500, 'text/html; charset=utf-8', `<p class="error">${escapeHtml(formatError(error))}</p>`),
    ).catch((error: unknown) => {
      io.writeError(`board serve: a request failed: ${formatError(error)}\n`);
      response.destroy();
    });
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      if (errnoCode(error) === 'EADDRINUSE') {
        reject(new OperationalError(`Port ${options.port} on 127.0.0.1 is already in use.`, { fix: 'Pass another one with --port <n> (0 picks a free port).' }));
      } else reject(new OperationalError('The dashboard could not start.', { cause: error, fix: 'Check the port and try again.' }));
    });
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  io.write(`The release board is at http://127.0.0.1:${port}/ (this machine only). Press Ctrl-C to stop.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/**
 * A web page the user visits can point its own domain at 127.0.0.1 (DNS rebinding) and read the board
 * with the user's browser; the browser still sends that domain as Host. So only the names of this
 * machine with the real port are answered, and a request without exactly one Host header is refused.
 */
function refuseHost(request: IncomingMessage, allowed: string[]): { status: number; body: string } | undefined {
  const hosts = request.rawHeaders.filter((_value, index) => index % 2 === 0 && request.rawHeaders[index]?.toLowerCase() === 'host');
  if (hosts.length > 1) return { status: 400, body: 'Bad request: more than one Host header.\n' };
  const host = request.headers.host;
  if (host !== undefined && allowed.includes(host)) return undefined;
  return { status: 403, body: `Forbidden: the board answers only requests for ${allowed.join(', ')}; this one was for ${host === undefined ? 'no Host' : JSON.stringify(host.slice(0, 100))}.\n` };
}

/** The path of an origin-form request target (`/content?x`); undefined for anything else or what URL cannot parse. */
function requestPath(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  try {
    return new URL(target, 'http://127.0.0.1').pathname;
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(body);
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d232b; background: #f6f7f9; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; } .meta { color: #5b6470; margin-bottom: 1.5rem; }
.verdict { font-weight: 600; margin-bottom: 1rem; } .verdict.ready { color: #17723b; } .verdict.waiting { color: #9a5b00; }
section.release { background: #fff; border: 1px solid #d9dde3; border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1.25rem; }
section.release.complete { opacity: .8; } h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
.bar { height: 8px; background: #e6e9ee; border-radius: 4px; overflow: hidden; margin: .25rem 0 .75rem; } .bar span { display: block; height: 100%; background: #2f8f57; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eef0f3; vertical-align: top; }
.state { font-family: ui-monospace, monospace; font-size: 12px; padding: 1px 6px; border-radius: 4px; background: #eef0f3; }
.state.verified, .state.shipped, .state.merged { background: #dcf3e4; } .state.failed_verification, .state.unknown { background: #fbe0e0; } .state.implemented { background: #fdf1d8; } .state.deferred { background: #ececec; }
code { font-family: ui-monospace, monospace; white-space: nowrap; } button.copy { margin-left: .4rem; font-size: 12px; cursor: pointer; }
.warnings { color: #8a3b00; } .doubt, .escalated { font-size: 12px; padding: 1px 6px; border-radius: 4px; background: #fbe0e0; color: #8a1c1c; } .verdict-fail, .verdict-blocked { color: #a11; font-weight: 600; } .verdict-pass { color: #17723b; font-weight: 600; } .error { color: #a11; white-space: pre-wrap; } select { margin-left: .5rem; }`;

const SCRIPT = `
const tool = () => localStorage.getItem('baton-tool') || 'claude';
function applyTool() {
  for (const el of document.querySelectorAll('[data-claude]')) el.textContent = el.dataset[tool()];
  const choice = document.getElementById('tool'); if (choice) choice.value = tool();
}
document.addEventListener('change', (event) => { if (event.target.id === 'tool') { localStorage.setItem('baton-tool', event.target.value); applyTool(); } });
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button.copy'); if (!button) return;
  const text = button.previousElementSibling.textContent;
  try { await navigator.clipboard.writeText(text); button.textContent = 'copied'; } catch { button.textContent = 'select and copy'; }
  setTimeout(() => { button.textContent = 'copy'; }, 1500);
});
async function refresh() {
  try { const response = await fetch('/content', { cache: 'no-store' }); document.getElementById('board').innerHTML = await response.text(); applyTool(); } catch {}
}
applyTool(); setInterval(refresh, Number(document.body.dataset.refresh) * 1000);`;

function renderPage(board: Board, now: Date, refreshSeconds: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>baton release board</title><style>${STYLE}</style></head>
<body data-refresh="${refreshSeconds}"><h1>Release board</h1>
<p class="meta">Read from git; refreshes every ${refreshSeconds} seconds. Commands for <select id="tool"><option value="claude">Claude Code</option><option value="plugin">Claude Code, baton plugin</option><option value="codex">Codex</option></select></p>
<div id="board">${renderContent(board, now)}</div>
<script>${SCRIPT}</script></body></html>
`;
}

/** The part of the page that is replaced on each refresh. */
function renderContent(board: Board, now: Date): string {
  const verdict = boardVerdict(board);
  const releases = [...board.releases].sort((a, b) => Number(a.complete) - Number(b.complete) || a.id.localeCompare(b.id));
  return [
    `<p class="verdict ${verdict.exitCode === 0 ? 'ready' : 'waiting'}">${escapeHtml(verdict.line)}</p>`,
    `<p class="meta">Updated ${escapeHtml(now.toISOString().replace('T', ' ').slice(0, 19))} UTC from ${escapeHtml(board.releaseDir)}.</p>`,
    ...releases.map(renderRelease),
  ].join('\n');
}

function renderRelease(release: BoardRelease): string {
  const { counts } = release;
  const percent = counts.total === 0 ? 0 : Math.round((counts.terminal / counts.total) * 100);
  const tracks = release.tracks
    .map((track) => {
      const note = track.blockedBy.length > 0 ? `needs ${escapeHtml(track.blockedBy.join(', '))}` : track.next ? renderCommand(track.next) : '';
      return `<tr><td><code>${escapeHtml(track.id)}</code></td><td><span class="state ${escapeHtml(track.deferred ? 'deferred' : track.state)}">${escapeHtml(track.deferred ? 'deferred' : track.state)}</span></td><td>${escapeHtml(track.slices.join(', '))}</td><td>${note}</td></tr>`;
    })
    .join('');
  const slices = release.slices.map(renderSlice).join('');
  const warnings = release.warnings.length === 0 ? '' : `<ul class="warnings">${release.warnings.map((warning) => `<li>${escapeHtml(warning.message)}</li>`).join('')}</ul>`;
  const next = release.next ? `<p>Next for the release: ${renderCommand(release.next)}</p>` : '';
  return `<section class="release${release.complete ? ' complete' : ''}" data-release="${escapeHtml(release.id)}">
<h2>${escapeHtml(release.id)}</h2>
<p>${counts.terminal} of ${counts.total} slices verified, shipped or deferred${release.integrationBranch ? `; integration branch <code>${escapeHtml(release.integrationBranch)}</code>${release.mergedToIntegration ? ' (merged)' : ''}` : ''}.</p>
<div class="bar" title="${percent}%"><span style="width:${percent}%"></span></div>${next}
<table><thead><tr><th>Track</th><th>State</th><th>Slices</th><th>Next</th></tr></thead><tbody>${tracks}</tbody></table>
<table><thead><tr><th>Slice</th><th>Outcome</th><th>State</th><th>Last verdict</th><th>Attempt</th><th>Track</th><th>Next</th></tr></thead><tbody>${slices}</tbody></table>${warnings}
</section>`;
}

function renderSlice(slice: BoardSlice): string {
  const blocked = slice.state === 'implemented' && slice.verification === 'blocked' ? ' (BLOCKED)' : '';
  const { receipts } = slice;
  const doubt = receipts.receipted ? '' : ' <span class="doubt" title="no receipt wrote this record">unreceipted</span>';
  const verdict = receipts.lastVerdict ? `<span class="verdict-${escapeHtml(receipts.lastVerdict.verdict.toLowerCase())}">${escapeHtml(receipts.lastVerdict.verdict)}</span> <time datetime="${escapeHtml(receipts.lastVerdict.date)}">${escapeHtml(receipts.lastVerdict.date.replace('T', ' ').slice(0, 16))}</time>` : '';
  const attempt = receipts.attempt === 0 ? '' : `${receipts.attempt}${receipts.failures > 0 ? ` (${receipts.failures} of ${receipts.maxAttempts} FAILs)` : ''}${receipts.escalated ? ' <span class="escalated">escalated</span>' : ''}`;
  return `<tr data-slice="${escapeHtml(slice.id)}"><td><code>${escapeHtml(slice.id)}</code></td><td class="outcome">${escapeHtml(slice.title ?? '')}</td><td><span class="state ${escapeHtml(slice.state)}">${escapeHtml(slice.state)}</span>${blocked}${doubt}</td><td class="last-verdict">${verdict}</td><td class="attempt">${attempt}</td><td>${escapeHtml(slice.track ?? '(no track)')}</td><td>${slice.next ? renderCommand(slice.next) : ''}</td></tr>`;
}

function renderCommand(next: NextCommand): string {
  const args = next.args.join(' ');
  const claude = escapeHtml(`/${next.command} ${args}`);
  const plugin = escapeHtml(`/baton:${next.command} ${args}`);
  const codex = escapeHtml(`$baton-${next.command} ${args}`);
  return `<code data-claude="${claude}" data-plugin="${plugin}" data-codex="${codex}">${claude}</code><button class="copy" type="button">copy</button>`;
}
