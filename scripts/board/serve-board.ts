import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatonIo } from '../cli.js';
import { errnoCode, formatError, OperationalError, type ExitCode } from '../lib/errors.js';
import { openRepo } from '../lib/repo.js';
import { answer, repositoryName, TEXT, type Reply } from './dashboard-routes.js';
import { readBoard } from './read-board.js';

/**
 * `baton board serve`: the board as a page on 127.0.0.1 only. Every request reads the board from git
 * again; the page replaces its content every few seconds (--refresh). What is answered is in
 * dashboard-routes.ts; this module listens, refuses what is not for it and sends.
 */

export interface ServeOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  release: string | undefined;
  port: number;
  /** Seconds between the page's refreshes. */
  refreshSeconds: number;
}

/**
 * Every response is read-only data for this page alone: no inline script or style (the page's own
 * come from /board.js and /board.css), nothing loaded from elsewhere, no framing, no referrer.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export async function serveBoard(options: ServeOptions, io: BatonIo): Promise<ExitCode> {
  // Every request reads the repository afresh, its configuration included.
  const open = () => openRepo(options.cwd, options.env);
  // Fail before listening when the board cannot be read at all (not a repository, bad release).
  const repo = await open();
  await readBoard(repo, options.release);
  const site = { open, release: options.release, refreshSeconds: options.refreshSeconds, repository: await repositoryName(repo), now: () => io.now() };
  // Loaded here, not at the top: a bundled static import would load node:http for every baton command.
  const { createServer } = await import('node:http');
  // The port is known only once listening (0 picks one); requests cannot arrive before that.
  let allowedHosts: string[] = [];
  const server = createServer((request, response) => {
    const failed = (error: unknown) => {
      // Whatever went wrong with this request, the server stays up for the next one.
      io.writeError(`board serve: a request failed: ${formatError(error)}\n`);
      if (!response.headersSent) send(response, { status: 500, type: TEXT, body: 'The board server failed on this request.\n' });
      else response.destroy();
    };
    try {
      const refused = refuseHost(request, allowedHosts);
      if (refused) return send(response, refused);
      const url = requestUrl(request.url);
      if (url === undefined) return send(response, { status: 400, type: TEXT, body: 'Bad request: the request target is not a path such as /.\n' });
      if (request.method !== 'GET') return send(response, { status: 405, type: TEXT, body: 'Only GET is supported.\n' });
      answer(site, url).then((reply) => send(response, reply), failed);
    } catch (error) {
      failed(error);
    }
  });
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
function refuseHost(request: IncomingMessage, allowed: string[]): Reply | undefined {
  const hosts = request.rawHeaders.filter((_value, index) => index % 2 === 0 && request.rawHeaders[index]?.toLowerCase() === 'host');
  if (hosts.length > 1) return { status: 400, type: TEXT, body: 'Bad request: more than one Host header.\n' };
  const host = request.headers.host;
  if (host !== undefined && allowed.includes(host)) return undefined;
  return { status: 403, type: TEXT, body: `Forbidden: the board answers only requests for ${allowed.join(', ')}; this one was for ${host === undefined ? 'no Host' : JSON.stringify(host.slice(0, 100))}.\n` };
}

/** An origin-form request target (`/content?x`) as a URL; undefined for anything else or what URL cannot parse. */
function requestUrl(target: string | undefined): URL | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, { ...SECURITY_HEADERS, 'content-type': reply.type, 'content-length': Buffer.byteLength(reply.body) });
  response.end(reply.body);
}
