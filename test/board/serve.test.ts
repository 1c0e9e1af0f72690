import { connect } from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/run.js';
import { INDEX, RELEASE, SLICE_DIR, SPEC, statusJson } from '../helpers/slice-repo.js';
import { gitdir } from '../helpers/testdir.js';

/**
 * `baton board serve` as a real process, asked over raw sockets so the tests choose every byte of the
 * request, the request line and the Host header included (no browser needed).
 */

let server: ResultPromise;
let port: number;

beforeAll(async () => {
  const repo = await gitdir({
    [`docs/release/${RELEASE}/index.md`]: INDEX.replace('state: in_progress', 'state: planned'),
    [`${SLICE_DIR}/spec.md`]: SPEC,
    [`${SLICE_DIR}/status.json`]: statusJson({ state: 'planned' }),
  });
  server = execa('node', [path.join(REPO_ROOT, 'dist/baton.mjs'), 'board', 'serve', '--port', '0'], { cwd: repo, reject: false, env: { PATH: process.env.PATH ?? '' }, extendEnv: false });
  port = await new Promise<number>((resolve, reject) => {
    let first = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      first += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(first.split('\n')[0] ?? '');
      if (match) resolve(Number(match[1]));
    });
    void server.then((result) => reject(new Error(`board serve exited: ${String(result.stderr)}`)));
  });
});

afterAll(async () => {
  server?.kill('SIGTERM');
  await server;
});

/** Sends `head` (the request line and headers, without the blank line) and returns the whole answer. */
function ask(head: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(answer);
      if (!status) reject(new Error(`no HTTP answer to ${JSON.stringify(head)}: ${JSON.stringify(answer)}`));
      else resolve({ status: Number(status[1]), body: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
    });
    // write, not end: the server closes the connection after answering (Connection: close), and a
    // client that half-closes first would get no answer to a request the server answers later.
    socket.write(`${head}\r\nConnection: close\r\n\r\n`);
  });
}

const get = (host: string, target = '/') => ask(`GET ${target} HTTP/1.1\r\nHost: ${host}`);

describe('baton board serve survives what it is sent', () => {
  test('a request line URL cannot parse gets 400, and the server still answers the next request', async () => {
    const broken = await ask(`GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1:${port}`);
    expect(broken.status).toBe(400);
    expect(broken.body).toMatch(/^Bad request: /);
    const relative = await get(`127.0.0.1:${port}`, '//[::1');
    expect(relative.status).toBe(400);
    const page = await get(`127.0.0.1:${port}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(RELEASE);
  });
});

describe('baton board serve answers only for this machine (DNS rebinding)', () => {
  test.each(['127.0.0.1', 'localhost', '[::1]'])('Host %s:<port> is answered', async (host) => {
    const page = await get(`${host}:${port}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(RELEASE);
  });

  test('another name for this machine is refused with the reason', async () => {
    const refused = await get(`evil.example:${port}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('answers only requests for');
    expect(refused.body).toContain(`"evil.example:${port}"`);
    expect(refused.body).not.toContain(RELEASE);
    expect((await get(`evil.example:${port}`, '/content')).status).toBe(403);
  });

  test.each([
    ['the right name on another port', () => `127.0.0.1:${port + 1}`],
    ['no port', () => 'localhost'],
  ])('%s is refused', async (_name, host) => {
    expect((await get(host())).status).toBe(403);
  });

  test('a request without a Host header is refused', async () => {
    const refused = await ask('GET / HTTP/1.0');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('no Host');
  });

  test('two Host headers are refused, whichever comes first', async () => {
    expect((await ask(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example:${port}`)).status).toBe(400);
    expect((await ask(`GET / HTTP/1.1\r\nHost: evil.example:${port}\r\nHost: 127.0.0.1:${port}`)).status).toBe(400);
  });
});
