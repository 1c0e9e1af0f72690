import { cp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBoardServer, type BoardServer } from '../helpers/board-server.js';
import { INDEX, RELEASE, SLICE, SLICE_DIR, SPEC, statusJson } from '../helpers/slice-repo.js';
import { REPO_ROOT } from '../helpers/run.js';
import { git, gitdir, testdir } from '../helpers/testdir.js';

/**
 * `baton board serve` as a real process, asked over raw sockets so the tests choose every byte of the
 * request, the request line and the Host header included (no browser needed).
 */

let server: BoardServer;
let port: number;
let repo: string;

beforeAll(async () => {
  repo = await gitdir({
    [`docs/release/${RELEASE}/index.md`]: INDEX.replace('state: in_progress', 'state: planned'),
    [`${SLICE_DIR}/spec.md`]: SPEC,
    [`${SLICE_DIR}/status.json`]: statusJson({ state: 'planned' }),
  });
  await git(repo, 'remote', 'add', 'origin', 'git@example.com:acme/billing-app.git');
  server = await startBoardServer(repo);
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
});

/** Sends `head` (the request line and headers, without the blank line) and returns the whole answer. */
function ask(head: string): Promise<{ status: number; headers: string; body: string }> {
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
      else resolve({ status: Number(status[1]), headers: answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase(), body: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
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

describe('baton board serve answers read-only, from git, and nothing else', () => {
  const local = () => `127.0.0.1:${port}`;
  const doc = (name: string) => get(local(), `/doc/${RELEASE}/${SLICE}/${name}`);

  test('every answer forbids inline scripts and anything from elsewhere; the page loads its own script and style', async () => {
    const page = await get(local());
    expect(page.headers).toContain("content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(page.body).toContain('<script src="/board.js" defer></script>');
    expect(page.body).not.toMatch(/<script>|<style>| style="/);
    expect((await get(local(), '/board.js')).headers).toContain('content-type: text/javascript; charset=utf-8');
    expect((await get(local(), '/board.css')).headers).toContain('content-type: text/css; charset=utf-8');
    expect((await get(local(), '/api/board')).headers).toContain('content-type: application/json; charset=utf-8');
    const brief = await get(local(), `/brief/${RELEASE}/${SLICE}?role=verifier&level=minimal`);
    expect(brief.status).toBe(200);
    expect(brief.headers).toContain("content-security-policy: default-src 'none'; script-src 'self';");
    expect(brief.headers).toContain('content-type: text/html; charset=utf-8');
    expect(brief.body).toMatch(/<code class="digest">[0-9a-f]{64}<\/code>/);
    expect(brief.body).not.toMatch(/<script|<style| style="/);
  });

  test("the page names the repository after origin's URL", async () => {
    expect((await get(local())).body).toContain('<span class="repo">billing-app</span>');
  });

  test('only GET is answered', async () => {
    expect((await ask(`POST /api/board HTTP/1.1\r\nHost: ${local()}\r\nContent-Length: 0`)).status).toBe(405);
  });

  test.each([
    ['a path outside the release folder', `/doc/..%2F..%2F..%2Fetc/${SLICE}/spec`],
    ['a slice id with a slash', `/doc/${RELEASE}/${SLICE}%2F..%2F..%2Findex.md/spec`],
    ['a document that is not spec, proof or journal', `/doc/${RELEASE}/${SLICE}/status`],
    ['a document name that is a path', `/doc/${RELEASE}/${SLICE}/..%2Findex.md`],
    ['a release that is not on the board', `/doc/2026-01-01-other/${SLICE}/spec`],
    ['a timeline of an id of the wrong shape', `/timeline/${RELEASE}/..`],
    ['an unknown path', '/etc/passwd'],
  ])('%s is not found', async (_name, target) => {
    expect((await get(local(), target)).status).toBe(404);
  });

  test.each([
    ['a role that is not one', `/brief/${RELEASE}/${SLICE}?role=boss`, 400, '?role=&quot;boss&quot; is not one of the roles a slice&#39;s brief is for: implementer, verifier, planner, integrator.'],
    ['a level that is not one', `/brief/${RELEASE}/${SLICE}?level=huge`, 400, '?level=&quot;huge&quot; is not one of a brief&#39;s levels: minimal, standard, full.'],
    ["a slice's role for a release's brief", `/brief/${RELEASE}?role=implementer`, 400, 'is not one of the roles a release&#39;s brief is for: planner, integrator.'],
    ['a role given twice', `/brief/${RELEASE}/${SLICE}?role=planner&role=verifier`, 400, '?role= is given 2 times; give it once.'],
    ['a budget, which the page does not take', `/brief/${RELEASE}/${SLICE}?budget=100`, 400, 'takes ?role= and ?level= only, not &quot;budget&quot;.'],
    ['a slice not on the board', `/brief/${RELEASE}/S99-elsewhere?role=planner`, 404, `S99-elsewhere is not on the board of release ${RELEASE}.`],
    ['a release not on the board', '/brief/2026-01-01-other', 404, 'Release 2026-01-01-other is not on the board.'],
    ['a slice id of the wrong shape', `/brief/${RELEASE}/..%2F..%2Fetc?role=planner`, 404, 'Not found.'],
    ['a path below a brief', `/brief/${RELEASE}/${SLICE}/spec`, 404, 'Not found.'],
  ])("a brief's page refuses %s", async (_name, target, status, why) => {
    const answer = await get(local(), target);
    expect(answer.status).toBe(status);
    expect(answer.body).toContain(why);
  });

  test('a path that is not valid percent-encoding is a bad request', async () => {
    expect((await get(local(), `/doc/${RELEASE}/%ff/spec`)).status).toBe(400);
  });

  test('a document is read from git: a working-tree file turned into a link to a secret shows the committed text', async () => {
    const secret = path.join(await testdir({ 'secret.txt': 'TOP-SECRET\n' }), 'secret.txt');
    const spec = path.join(repo, SLICE_DIR, 'spec.md');
    await rm(spec);
    await symlink(secret, spec);
    try {
      const answer = await doc('spec');
      expect(answer.status).toBe(200);
      expect(answer.body).not.toContain('TOP-SECRET');
      expect(answer.body).toContain('<h2>User outcome</h2>');
      expect(answer.body).toMatch(new RegExp(`Read-only, from git: docs/release/${RELEASE}/${SLICE}/spec\\.md on HEAD at [0-9a-f]{12}\\.`));
      // Uncommitted text is not shown either.
      await rm(spec);
      await writeFile(spec, `${SPEC}\nUNCOMMITTED LINE\n`);
      expect((await doc('spec')).body).not.toContain('UNCOMMITTED LINE');
    } finally {
      await git(repo, 'checkout', '--', spec);
    }
  });

  test('a document not committed is not found, with where it was looked for', async () => {
    const answer = await doc('proof');
    expect(answer.status).toBe(404);
    expect(answer.body).toContain(`docs/release/${RELEASE}/${SLICE}/proof.md is not committed on HEAD (`);
  });
});

describe("baton board serve shows why a brief cannot be built, and goes on", () => {
  test('a baton whose tokenizer file is missing answers the brief with the message and its fix, then the board', async () => {
    const bin = await testdir();
    for (const name of ['baton.mjs', 'baton-program.cjs']) await cp(path.join(REPO_ROOT, 'dist', name), path.join(bin, name));
    const broken = await startBoardServer(repo, [], path.join(bin, 'baton.mjs'));
    try {
      const ask = (target: string) => fetch(new URL(target, broken.url));
      const brief = await ask(`brief/${RELEASE}/${SLICE}`);
      expect(brief.status).toBe(500);
      const page = await brief.text();
      expect(page).toContain('<p class="error">The brief could not be built.\nerror: The tokenizer baton brief counts with, baton-tokenizer.cjs, is missing beside the baton program.\nfix: Install baton again (npx baton-install)');
      expect((await ask('/')).status).toBe(200);
    } finally {
      await broken.stop();
    }
  });
});
